"""Operators define items in the admin (audited like every settings change). Orders are read-only
here: fulfil / ship / cancel go through the services (admin actions below, or the order desk at
/shop/manage/), so no entry point skips the refund, the stock or the audit entry."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import AuditedAdminMixin
from forum.errors import ForumError

from . import services
from .models import ShopItem, ShopOrder


@admin.register(ShopItem)
class ShopItemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "price", "stock", "per_member_limit", "min_level", "is_active")
    list_filter = ("kind", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.orders.exists():
            return False  # keep the orders' history: unlist it instead
        return super().has_delete_permission(request, obj)


@admin.register(ShopOrder)
class ShopOrderAdmin(admin.ModelAdmin):
    list_display = ("id", "item", "member", "price", "status", "created_at")
    list_filter = ("status", "item")
    search_fields = ("member__username", "tracking_note")
    list_select_related = ("item", "member")
    readonly_fields = [f.name for f in ShopOrder._meta.fields]
    actions = ["fulfil_orders"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark the selected orders fulfilled"))
    def fulfil_orders(self, request, queryset):
        done = 0
        for order in queryset:
            try:
                services.order_fulfil(actor=request.user, order_id=order.pk)
                done += 1
            except ForumError as error:
                self.message_user(request, f"#{order.pk}: {error.message}", messages.ERROR)
        self.message_user(request, _("%(n)d orders fulfilled.") % {"n": done})
