from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import AuditedAdminMixin

from .models import Task, TaskProgress


@admin.register(Task)
class TaskAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Operators define tasks here without code (audited like every settings change)."""

    list_display = ("name", "trigger", "count", "category", "cadence", "reward_points", "is_active", "sort_order")
    list_filter = ("cadence", "trigger", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    raw_id_fields = ("event",)
    fieldsets = (
        (None, {"fields": ("name", "name_en", "slug", "description")}),
        (_("What counts"), {"fields": ("trigger", "count", "category", "event")}),
        (_("Cadence and reward"), {"fields": ("cadence", "reward_points", "starts_at", "ends_at", "is_active", "sort_order")}),
    )


@admin.register(TaskProgress)
class TaskProgressAdmin(admin.ModelAdmin):
    list_display = ("member", "task", "period", "count", "completed_at")
    list_filter = ("task",)
    search_fields = ("member__username",)
    raw_id_fields = ("member", "reward_entry")
    readonly_fields = ("member", "task", "period", "count", "sources", "completed_at", "reward_entry", "updated_at")

    def has_add_permission(self, request):
        return False
