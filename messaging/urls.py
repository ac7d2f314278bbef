from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/new/", views.conversation_new, name="new"),
    path("messages/c/<int:pk>/", views.conversation, name="conversation"),
    path("messages/c/<int:pk>/leave/", views.conversation_leave, name="leave"),
    path("messages/m/<int:pk>/report/", views.message_report, name="report"),
    path("messages/blocks/", views.blocks, name="blocks"),
    path("messages/badge/", views.badge, name="badge"),
    path("messages/reports/", views.reports, name="reports"),
    path("messages/reports/<int:pk>/", views.report_detail, name="report_detail"),
]
