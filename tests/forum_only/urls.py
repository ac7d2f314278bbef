from django.urls import include, path
from ninja import NinjaAPI

from forum.api import register as register_forum

api = NinjaAPI(title="Huoli API (forum only)", version="1", urls_namespace="api", docs_url="/docs")
register_forum(api)

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("forum.urls")),
]
