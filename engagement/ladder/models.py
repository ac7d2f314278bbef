from django.db import models
from django.utils.translation import gettext_lazy as _


class PromotionRule(models.Model):
    """Members of `group` (a sub-group) qualify for its main group when all of these hold."""

    group = models.OneToOneField("groups.MemberGroup", on_delete=models.CASCADE, related_name="promotion_rule",
                                 verbose_name=_("sub-group"))
    min_days = models.PositiveSmallIntegerField(_("days in the sub-group"), default=30)
    min_featured_posts = models.PositiveSmallIntegerField(_("featured posts"), default=3)
    min_level = models.PositiveSmallIntegerField(_("level"), default=4)
    clean_days = models.PositiveSmallIntegerField(_("days without a sanction"), default=90)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("promotion rule")
        verbose_name_plural = _("promotion rules")

    def __str__(self):
        return str(self.group)
