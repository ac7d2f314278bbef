from django.urls import path

from . import views

app_name = "commissions"

urlpatterns = [
    path("commissions/", views.wall, name="wall"),
    path("commissions/mine/", views.mine, name="mine"),
    path("commissions/desk/", views.desk, name="desk"),
    path("commissions/new/", views.invite, name="invite"),
    path("commissions/<int:pk>/", views.detail, name="detail"),
    path("commissions/<int:pk>/respond/", views.respond, name="respond"),
    path("commissions/<int:pk>/submit/", views.submit, name="submit"),
    path("commissions/<int:pk>/review/", views.review, name="review"),
    path("commissions/<int:pk>/cancel/", views.cancel, name="cancel"),
]
