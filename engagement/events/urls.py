from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/new/", views.event_new, name="new"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="edit"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:pk>/polls/new/", views.event_poll_new, name="poll_new"),
    path("events/<int:pk>/lotteries/new/", views.event_lottery_new, name="lottery_new"),
]
