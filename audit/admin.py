from django.contrib import admin

from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor", "subject", "target_repr", "reason")
    list_filter = ("action", "target_type")
    search_fields = ("reason", "target_repr", "actor__username", "subject__username")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "subject")
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
