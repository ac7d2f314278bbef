from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("console/", views.dashboard, name="dashboard"),
    path("console/export.csv", views.export, name="export"),
]
