from django.urls import path

from . import views

app_name = "polls"

urlpatterns = [
    path("polls/<int:pk>/", views.poll_detail, name="detail"),
    path("polls/<int:pk>/vote/", views.poll_vote, name="vote"),
    path("polls/<int:pk>/fragment/", views.poll_fragment, name="fragment"),
    path("polls/<int:pk>/close/", views.poll_close, name="close"),
    path("polls/<int:pk>/export.csv", views.poll_export, name="export"),
    path("polls/new/<int:topic_id>/", views.poll_new, name="new"),
]
