from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import AuditedAdminMixin

from . import services
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
    actions = ["credit_state"]
    fieldsets = (
        (None, {"fields": ("name", "name_en", "slug", "description")}),
        (_("What counts"), {"fields": ("trigger", "count", "category", "event")}),
        (_("Cadence and reward"), {"fields": ("cadence", "reward_points", "starts_at", "ends_at", "is_active", "sort_order")}),
    )


    @admin.action(description=_("Credit members who already did it (verify email, complete profile)"))
    def credit_state(self, request, queryset):
        for task in queryset:
            if task.trigger not in Task.STATE_TRIGGERS:
                self.message_user(request, _("“%(task)s” counts actions, not a state: skipped.") % {"task": task.name},
                                  messages.WARNING)
                continue
            done = services.task_credit_state(actor=request.user, task_id=task.pk)
            self.message_user(request, _("“%(task)s”: %(n)d members credited.") % {"task": task.name, "n": done})


@admin.register(TaskProgress)
class TaskProgressAdmin(admin.ModelAdmin):
    list_display = ("member", "task", "period", "count", "completed_at")
    list_filter = ("task",)
    search_fields = ("member__username",)
    raw_id_fields = ("member", "reward_entry")
    readonly_fields = ("member", "task", "period", "count", "sources", "completed_at", "reward_entry", "updated_at")

    def has_add_permission(self, request):
        return False
