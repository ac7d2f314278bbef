from django.urls import path

from . import views

app_name = "lotteries"

urlpatterns = [
    path("lotteries/new/", views.lottery_new, name="new"),
    path("lotteries/<int:pk>/", views.lottery_detail, name="detail"),
    path("lotteries/<int:pk>/audit.json", views.lottery_audit, name="audit"),
    path("lotteries/<int:pk>/enter/", views.lottery_enter, name="enter"),
    path("lotteries/<int:pk>/fragment/", views.lottery_fragment, name="fragment"),
    path("lotteries/<int:pk>/draw/", views.lottery_draw, name="draw"),
    path("lotteries/<int:pk>/cancel/", views.lottery_cancel, name="cancel"),
    path("lotteries/<int:pk>/edit/", views.lottery_edit, name="edit"),
]
