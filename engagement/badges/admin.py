from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from . import services
from .models import Badge, MemberBadge


@admin.register(Badge)
class BadgeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("icon", "name", "slug", "rule", "threshold", "is_active", "position")
    list_display_links = ("icon", "name")
    list_filter = ("rule", "is_active")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"rule", "threshold", "is_active"} & set(form.changed_data):
            services.badge_schedule_backfill(badge=obj)


@admin.register(MemberBadge)
class MemberBadgeAdmin(admin.ModelAdmin):
    """Read-only here: moderators grant and revoke on the member's badge page, with a reason."""

    list_display = ("member", "badge", "granted_at", "granted_by", "revoked_at", "revoked_by")
    list_filter = ("badge",)
    list_select_related = ("member", "badge", "granted_by", "revoked_by")
    search_fields = ("member__username",)
    readonly_fields = [f.name for f in MemberBadge._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


