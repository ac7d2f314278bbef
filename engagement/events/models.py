"""Moderator-run events (活动): a time window, the categories and topics they run in, their polls
and lotteries, and point multipliers active during the window.

Multipliers are the points app's TimedMultiplier rows (so points_award applies them with no code
of ours in the award path); EventMultiplier links each one to its event so that editing the window
moves them and cancelling the event ends them. Participation (one row per member per event) is
recorded from the forum's and our own extension points, for the operators' numbers."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    description_html = models.TextField(editable=False, blank=True)
    cover = models.ImageField(_("cover"), upload_to="events/%Y/%m/", blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    categories = models.ManyToManyField("forum.Category", blank=True, related_name="+", verbose_name=_("categories"))
    topics = models.ManyToManyField("forum.Topic", blank=True, related_name="+", verbose_name=_("topics"))
    polls = models.ManyToManyField("polls.Poll", blank=True, related_name="events", verbose_name=_("polls"))
    lotteries = models.ManyToManyField("lotteries.Lottery", blank=True, related_name="events",
                                       verbose_name=_("lotteries"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start")]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="event_window")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.pk])

    def status_at(self, at):
        if self.cancelled_at is not None:
            return "cancelled"
        if at < self.starts_at:
            return "upcoming"
        if at < self.ends_at:
            return "running"
        return "past"

    @property
    def status(self):
        return self.status_at(timezone.now())

    def is_running_at(self, at):
        return self.cancelled_at is None and self.starts_at <= at < self.ends_at


class EventMultiplier(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="multipliers")
    timed = models.OneToOneField("points.TimedMultiplier", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("event multiplier")


class EventParticipation(models.Model):
    """A member took part in the event (first action); one row per member per event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "member"], name="event_one_participation")]


class EventAction(models.Model):
    """One thing a member did inside the event (a post, a ballot, a lottery entry). Unique per
    object, so a retried task records it once."""

    class Kind(models.TextChoices):
        POST = "post", _("post")
        VOTE = "vote", _("poll vote")
        ENTRY = "entry", _("lottery entry")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="actions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "kind", "object_id", "member"],
                                               name="event_action_once")]
        indexes = [models.Index(fields=["event", "kind"], name="event_action_kind")]
