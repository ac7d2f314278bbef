from django.urls import path

from . import views

app_name = "follows"

urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("follow/<str:kind>/<str:key>/", views.follow_toggle, name="toggle"),
    path("follow/<str:kind>/<str:key>/button/", views.follow_button, name="button"),
]
