from django.contrib import admin

from .models import PromotionRule


@admin.register(PromotionRule)
class PromotionRuleAdmin(admin.ModelAdmin):
    list_display = ("group", "min_days", "min_featured_posts", "min_level", "clean_days", "is_active")
    list_select_related = ("group",)
