from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin

from .models import CheckIn, CheckinSettings, CheckinStats, StreakBonus


@admin.register(StreakBonus)
class StreakBonusAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("streak_day", "points")
    list_editable = ("points",)


@admin.register(CheckinSettings)
class CheckinSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "makeup_enabled", "makeup_cost")

    def has_add_permission(self, request):
        return not CheckinSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ("day", "member", "streak", "points", "is_makeup", "created_at")
    list_filter = ("is_makeup",)
    list_select_related = ("member",)
    search_fields = ("member__username",)
    date_hierarchy = "day"
    readonly_fields = ("member", "day", "streak", "points", "is_makeup", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CheckinStats)
class CheckinStatsAdmin(admin.ModelAdmin):
    list_display = ("member", "current_streak", "longest_streak", "last_day", "total_days")
    list_select_related = ("member",)
    search_fields = ("member__username",)
    readonly_fields = ("member", "current_streak", "longest_streak", "last_day", "total_days")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
