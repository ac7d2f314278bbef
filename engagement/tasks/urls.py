from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("tasks/", views.checklist, name="checklist"),
    path("tasks/card/", views.checklist_card, name="card"),
]
