from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import AuditedAdminMixin

from .models import Level, LevelChange, MemberLevel


@admin.register(Level)
class LevelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "name", "min_points", "color", "posts_per_hour", "votes_per_day", "reports_per_day",
                    "max_links", "max_images", "can_create_polls", "report_weight", "can_apply_moderator")
    list_display_links = ("number", "name")
    ordering = ("min_points",)
    fieldsets = (
        (None, {"fields": ("number", "name", "min_points", "color")}),
        (_("Limits (empty: only the site-wide limit)"), {"fields": (
            "posts_per_hour", "votes_per_day", "reports_per_day", "max_links", "max_images")}),
        (_("Privileges"), {"fields": ("can_create_polls", "report_weight", "can_apply_moderator")}),
    )


@admin.register(MemberLevel)
class MemberLevelAdmin(admin.ModelAdmin):
    list_display = ("member", "level_number", "changed_at")
    list_select_related = ("member",)
    search_fields = ("member__username",)
    readonly_fields = ("member", "level_number", "changed_at")

    def has_add_permission(self, request):
        return False


@admin.register(LevelChange)
class LevelChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "member", "old_number", "new_number", "lifetime_earned")
    list_select_related = ("member",)
    search_fields = ("member__username",)
    readonly_fields = [f.name for f in LevelChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
