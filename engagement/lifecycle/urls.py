from django.urls import path

from . import views

app_name = "lifecycle"

urlpatterns = [
    path("lifecycle/", views.dashboard, name="dashboard"),
    path("lifecycle/export.csv", views.export_csv, name="export"),
    path("lifecycle/recall/", views.recall_new, name="recall"),
    path("lifecycle/campaigns/", views.campaigns, name="campaigns"),
    path("lifecycle/templates/new/", views.template_edit, name="template_new"),
    path("lifecycle/templates/<int:pk>/", views.template_edit, name="template_edit"),
]
