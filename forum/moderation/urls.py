"""Moderation URLs, included by forum/urls.py (names live in the "forum" namespace, prefixed mod_)."""

from django.urls import path

from . import views

urlpatterns = [
    path("mod/", views.queue_page, name="mod_queue"),
    path("mod/items/<int:pk>/", views.item_page, name="mod_item"),
    path("mod/items/<int:pk>/<str:action>/", views.item_action, name="mod_item_action"),
    path("mod/t/<int:pk>/", views.topic_page, name="mod_topic"),
    path("mod/p/<int:pk>/", views.post_page, name="mod_post"),
    path("mod/u/<str:username>/", views.member_page, name="mod_member"),
    path("mod/audit/", views.audit_page, name="mod_audit"),
    path("mod/moderators/", views.moderators_page, name="mod_moderators"),
    path("mod/apply/", views.apply_page, name="mod_apply"),
    path("report/<str:kind>/<int:pk>/", views.report, name="report"),
]
