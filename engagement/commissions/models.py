"""Commissions (约稿): an editor invites a member to write on a theme for a promised reward by a due
date. The member accepts or declines; once accepted they submit one of their topics; the editor
approves it (the reward is paid through the ledger, once, and the topic is featured) or returns it
with a note for another round. Paid commissions are shown publicly on the commissions wall and on
the topic itself, so others see that writing for the community is rewarded."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Commission(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Writing")
        DECLINED = "declined", _("Declined")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for changes")
        PAID = "paid", _("Accepted and paid")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    OPEN = (Status.INVITED, Status.ACCEPTED, Status.SUBMITTED, Status.RETURNED)

    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissions_given",
                               verbose_name=_("editor"))
    writer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissions",
                               verbose_name=_("writer"))
    theme = models.CharField(_("theme"), max_length=120)
    brief = models.TextField(_("brief"), max_length=2000, blank=True)
    category = models.ForeignKey("forum.Category", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("category"))
    reward = models.PositiveIntegerField(_("reward (points)"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    topic = models.OneToOneField("forum.Topic", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="commission", verbose_name=_("submitted topic"))
    writer_note = models.CharField(_("writer's note"), max_length=500, blank=True)
    review_note = models.CharField(_("editor's note"), max_length=500, blank=True)
    payout_entry = models.OneToOneField("points.PointsEntry", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="commission_payout")
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        constraints = [models.CheckConstraint(condition=Q(reward__gt=0), name="commission_reward_positive")]
        indexes = [models.Index(fields=["status", "due_at"], name="commission_open_due"),
                   models.Index(fields=["writer", "status"], name="commission_writer")]

    def __str__(self):
        return f"{self.theme} → {self.writer_id} ({self.status})"

    @property
    def is_open(self):
        return self.status in self.OPEN
