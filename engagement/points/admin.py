from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import AuditedAdminMixin
from forum.errors import ForumError

from . import services
from .models import CategoryMultiplier, PointsAccount, PointsEntry, PointsRule, TimedMultiplier

BUILT_IN_RULES = {
    PointsRule.TOPIC_CREATED, PointsRule.REPLY_CREATED, PointsRule.UPVOTE_RECEIVED, PointsRule.FEATURED,
    PointsRule.CHECKIN, PointsRule.CHECKIN_STREAK_BONUS, PointsRule.POLL_VOTE,
    PointsRule.EVENT_PARTICIPATION, PointsRule.MANUAL_GRANT,
}


class CategoryMultiplierInline(admin.TabularInline):
    model = CategoryMultiplier
    extra = 0


@admin.register(PointsRule)
class PointsRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "points", "daily_cap", "is_active")
    list_editable = ("points", "daily_cap", "is_active")
    search_fields = ("name", "code")
    inlines = [CategoryMultiplierInline]

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None and obj.code in BUILT_IN_RULES else ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.code in BUILT_IN_RULES:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CategoryMultiplier)
class CategoryMultiplierAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("category", "rule", "multiplier")
    list_select_related = ("category", "rule")


@admin.register(TimedMultiplier)
class TimedMultiplierAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "rule", "category", "multiplier", "starts_at", "ends_at")
    list_select_related = ("category", "rule")


@admin.register(PointsAccount)
class PointsAccountAdmin(admin.ModelAdmin):
    list_display = ("member", "balance", "lifetime_earned", "updated_at")
    search_fields = ("member__username", "member__display_name")
    list_select_related = ("member",)
    ordering = ("-lifetime_earned",)
    readonly_fields = ("member", "balance", "lifetime_earned", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "member", "amount", "kind", "reason", "note", "balance_after", "actor")
    list_filter = ("kind", "reason")
    search_fields = ("member__username", "idempotency_key", "note")
    list_select_related = ("member", "actor")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in PointsEntry._meta.fields]
    actions = ["reverse_entries"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Reverse the selected entries (compensating rows, with a reason)"))
    def reverse_entries(self, request, queryset):
        form = ReverseForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done = 0
            for entry in queryset.order_by("id"):
                try:
                    services.points_reverse(entry=entry, note=form.cleaned_data["reason"], actor=request.user)
                    done += 1
                except ForumError as exc:
                    self.message_user(request, f"#{entry.pk}: {exc.message}", messages.ERROR)
            self.message_user(request, _("%(n)d entries reversed.") % {"n": done}, messages.SUCCESS)
            return None
        return render(request, "admin/points/reverse_confirm.html", {
            **self.admin_site.each_context(request), "form": form, "entries": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "opts": self.model._meta,
            "title": _("Reverse points entries"),
        })
