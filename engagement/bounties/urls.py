from django.urls import path

from . import views

app_name = "bounties"

urlpatterns = [
    path("bounties/", views.bounty_list, name="list"),
    path("bounties/<int:pk>/resolve/", views.bounty_resolve, name="resolve"),
    path("bounties/topic/<int:topic_id>/accept/<int:post_id>/", views.bounty_accept, name="accept"),
]
