from django.contrib import admin

from .models import Commission


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    """Read-only: commissions change only through engagement.commissions.services (the site's pages)."""

    list_display = ("id", "theme", "writer", "editor", "reward", "status", "due_at")
    list_filter = ("status",)
    list_select_related = ("writer", "editor")
    search_fields = ("theme", "writer__username")
    readonly_fields = [f.name for f in Commission._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
