from django.contrib import admin

from .models import Bounty, BountyPayout


class PayoutInline(admin.TabularInline):
    model = BountyPayout
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in BountyPayout._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Bounty)
class BountyAdmin(admin.ModelAdmin):
    """Read-only: bounties change only through engagement.bounties.services (resolve on the site)."""

    list_display = ("id", "topic", "asker", "amount", "status", "expires_at")
    list_filter = ("status", "expiry_rule")
    list_select_related = ("topic", "asker")
    inlines = [PayoutInline]
    readonly_fields = [f.name for f in Bounty._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
