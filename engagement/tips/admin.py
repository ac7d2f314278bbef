from django.contrib import admin

from .models import Tip


@admin.register(Tip)
class TipAdmin(admin.ModelAdmin):
    """Read-only: tips are written only by engagement.tips.services.tip_post."""

    list_display = ("id", "post", "tipper", "author", "amount", "created_at")
    list_select_related = ("tipper", "author")
    raw_id_fields = ("post",)
    readonly_fields = [f.name for f in Tip._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
