"""Tips (打赏): a member gives some of their points to the author of a post. One row per tip, linked
to the two ledger entries (the tipper's spend and the author's credit) written in one transaction.
The request key makes a double submit tip once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Tip(models.Model):
    post = models.ForeignKey("forum.Post", on_delete=models.CASCADE, related_name="tips", verbose_name=_("post"))
    tipper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tips_given")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tips_received")
    amount = models.PositiveIntegerField(_("points"))
    request_key = models.CharField(max_length=64)
    spend_entry = models.OneToOneField("points.PointsEntry", on_delete=models.PROTECT, related_name="tip_given")
    credit_entry = models.OneToOneField("points.PointsEntry", on_delete=models.PROTECT, related_name="tip_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        constraints = [
            models.UniqueConstraint(fields=["tipper", "request_key"], name="tip_tipper_request_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tip_amount_positive"),
        ]
        indexes = [models.Index(fields=["tipper", "created_at"], name="tip_tipper_recent")]

    def __str__(self):
        return f"{self.amount} → #{self.post_id}"
