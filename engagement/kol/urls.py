from django.urls import path

from . import views

app_name = "kol"

urlpatterns = [
    path("kol/", views.queue, name="queue"),
    path("kol/decisions/", views.decisions, name="decisions"),
    path("kol/u/<str:username>/", views.member, name="member"),
    path("kol/u/<str:username>/decide/", views.decide, name="decide"),
]
