from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("groups/", views.index, name="index"),
    path("groups/new/", views.create, name="create"),
    path("group-invite/", views.invite, name="invite"),
    path("groups/<str:slug>/", views.detail, name="detail"),
    path("groups/<str:slug>/edit/", views.edit, name="edit"),
    path("groups/<str:slug>/join/", views.join, name="join"),
    path("groups/<str:slug>/leave/", views.leave, name="leave"),
    path("groups/<str:slug>/apply/", views.apply, name="apply"),
    path("groups/<str:slug>/applications/", views.applications, name="applications"),
    path("groups/<str:slug>/applications/<int:pk>/", views.application, name="application"),
    path("groups/<str:slug>/applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("groups/<str:slug>/new/", views.topic_new, name="topic_new"),
    path("groups/<str:slug>/members/", views.members, name="members"),
    path("groups/<str:slug>/handbook/", views.handbook, name="handbook"),
    path("groups/<str:slug>/promotions/", views.promotions, name="promotions"),
    path("groups/<str:slug>/recruit/", views.recruit, name="recruit"),
    path("groups/<str:slug>/events/", views.events, name="events"),
]
