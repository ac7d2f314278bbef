from django.urls import path

from . import views

app_name = "tips"

urlpatterns = [
    path("tips/posts/<int:post_id>/", views.tip_post, name="tip_post"),
]
