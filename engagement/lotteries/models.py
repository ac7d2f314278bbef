"""Verifiable lotteries (抽奖), drawn with huoli-draw-v1 (see draw.py).

- The server seed is generated at creation and only its SHA-256 (seed_commitment) is shown until
  the draw; the salt source is stated in words at creation.
- Entries are numbered 1, 2, 3 ... in acceptance order under a row lock on the lottery
  (entry_count is the counter), and the ticket "<number>:<username>" is frozen at entry time, so a
  later username change never alters the published list. One entry per member and one number per
  lottery are constraints.
- state: open -> closed (entries closed, awaiting the draw) -> drawn, or cancelled before the draw.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Lottery(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed, waiting for the draw")
        DRAWN = "drawn", _("drawn")
        CANCELLED = "cancelled", _("cancelled")

    title = models.CharField(_("title"), max_length=120)
    prize = models.TextField(_("prize"), max_length=2000)
    prize_image = models.ImageField(_("prize image"), upload_to="lotteries/%Y/%m/", blank=True)
    winners_count = models.PositiveIntegerField(_("number of winners"))
    opens_at = models.DateTimeField(_("entries open at"))
    closes_at = models.DateTimeField(_("entries close at"))
    topic = models.ForeignKey("forum.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("topic"), help_text=_("The topic where the lottery is announced."))
    require_reply = models.BooleanField(_("entrants must have replied in the topic"), default=False)
    min_level = models.PositiveSmallIntegerField(_("minimum level"), default=0)
    points_cost = models.PositiveIntegerField(_("points to enter"), default=0,
                                              help_text=_("Spent on entry; refunded if the lottery is cancelled."))
    salt_source = models.CharField(
        _("public salt source"), max_length=300, blank=True,
        help_text=_("Where the public salt will come from, in words (e.g. “drand quicknet round 123456”). "
                    "Empty: no public salt; the lottery is drawn automatically when entries close."),
    )
    server_seed = models.CharField(max_length=64, editable=False)  # hex; secret until drawn
    seed_commitment = models.CharField(_("seed commitment"), max_length=64, editable=False)
    public_salt = models.CharField(_("public salt"), max_length=300, null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    entry_count = models.PositiveIntegerField(default=0)  # the last number given out
    entries_digest = models.CharField(max_length=64, blank=True)
    winners = models.JSONField(default=list, blank=True)  # winning tickets, in draw order
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-closes_at", "-id"]
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="lottery_closes_after_opening"),
            models.CheckConstraint(condition=Q(winners_count__gte=1), name="lottery_at_least_one_winner"),
        ]
        indexes = [models.Index(fields=["state", "closes_at"], name="lottery_due")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lotteries:detail", args=[self.pk])

    def phase_at(self, at):
        """What a member sees: cancelled, drawn, upcoming, open, or closed (time is up, not drawn)."""
        if self.state in (self.State.CANCELLED, self.State.DRAWN):
            return self.state
        if at < self.opens_at:
            return "upcoming"
        if self.state == self.State.OPEN and at < self.closes_at:
            return "open"
        return "closed"

    @property
    def phase(self):
        return self.phase_at(timezone.now())

    @property
    def is_drawn(self):
        return self.state == self.State.DRAWN


class LotteryEntry(models.Model):
    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lottery_entries")
    number = models.PositiveIntegerField()
    ticket = models.CharField(max_length=80)
    points_entry = models.ForeignKey("points.PointsEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    win_rank = models.PositiveIntegerField(null=True, blank=True)  # 1 = first drawn
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lottery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "member"], name="lottery_one_entry_per_member"),
            models.UniqueConstraint(fields=["lottery", "number"], name="lottery_entry_number_uniq"),
            models.CheckConstraint(condition=Q(number__gte=1), name="lottery_entry_number_positive"),
        ]
        indexes = [models.Index(fields=["member", "-created_at"], name="lottery_entry_member")]

    def __str__(self):
        return self.ticket
