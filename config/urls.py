from django.conf import settings
from django.conf.urls.i18n import i18n_patterns  # noqa: F401
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api
from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("search/", include("search.urls")),
    path("", include("engagement.urls")),
    path("", include("engagement.polls.urls")),
    path("", include("engagement.lotteries.urls")),
    path("", include("engagement.events.urls")),
    path("", include("engagement.kol.urls")),
    path("", include("engagement.lifecycle.urls")),
    path("", include("engagement.shop.urls")),
    path("", include("engagement.tasks.urls")),
    path("", include("engagement.bounties.urls")),
    path("", include("engagement.commissions.urls")),
    path("", include("engagement.tips.urls")),
    path("", include("engagement.follows.urls")),
    path("", include("engagement.console.urls")),
    path("", include("messaging.urls")),
    path("", include("mailings.urls")),
    path("", include("cms.urls")),
    path("", include("forum.groups.urls")),
    path("", include("forum.urls")),
    path("pages/", include(wagtail_urls)),
]


def media(request, path):
    """Member uploads (avatars, composer images) in development and the embedded demo; in production
    the reverse proxy serves /media/ from the media volume (docker/compose.yaml). MEDIA_ROOT is read
    per request, so a changed setting (the tests' temporary directory) is followed."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.DEBUG or not settings.PRODUCTION:
    urlpatterns.insert(0, path("media/<path:path>", media))
