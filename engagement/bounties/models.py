"""Bounty topics (悬赏): the asker offers points when opening a topic. The points leave the asker's
balance at once (a spend entry: the escrow) and are paid out, exactly once, to the author of the
accepted answer, or on expiry refunded or split among the best-voted answers. Each payment is a
BountyPayout row linked to its ledger entry; one per (bounty, member)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Bounty(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Answer accepted")
        REFUNDED = "refunded", _("Expired, refunded")
        SPLIT = "split", _("Expired, split among top answers")
        RESOLVED = "resolved", _("Resolved by a moderator")

    class ExpiryRule(models.TextChoices):
        REFUND = "refund", _("Refund the asker")
        SPLIT = "split", _("Split among top-voted answers")

    topic = models.OneToOneField("forum.Topic", on_delete=models.CASCADE, related_name="bounty")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bounties_offered")
    amount = models.PositiveIntegerField(_("points"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    expiry_rule = models.CharField(_("on expiry"), max_length=8, choices=ExpiryRule.choices,
                                   default=ExpiryRule.REFUND)
    expires_at = models.DateTimeField(_("expires at"))
    escrow_entry = models.OneToOneField("points.PointsEntry", on_delete=models.PROTECT, related_name="bounty_escrow")
    accepted_post = models.ForeignKey("forum.Post", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("accepted answer"))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bounty")
        verbose_name_plural = _("bounties")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="bounty_amount_positive")]
        indexes = [models.Index(fields=["status", "expires_at"], name="bounty_open_due")]

    def __str__(self):
        return f"{self.amount} @ topic {self.topic_id} ({self.status})"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class BountyPayout(models.Model):
    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted answer")
        SPLIT = "split", _("Share of an expired bounty")
        REFUND = "refund", _("Refund")

    bounty = models.ForeignKey(Bounty, on_delete=models.CASCADE, related_name="payouts")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bounty_payouts")
    post = models.ForeignKey("forum.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = models.PositiveIntegerField()
    entry = models.OneToOneField("points.PointsEntry", on_delete=models.PROTECT, related_name="bounty_payout")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["bounty", "member"], name="bounty_payout_once_per_member")]
