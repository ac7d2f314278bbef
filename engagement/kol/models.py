"""KOL discovery: one KolRun per scoring run (a snapshot of one period, one window length and one
category or all), the KolScore rows of the members it ranked, and the moderators' decisions."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class KolRun(models.Model):
    """A snapshot. (day, window_days, category_key) is unique: a rerun on the same day replaces
    the scores of that snapshot instead of adding a second one."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    day = models.DateField(_("day"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    category = models.ForeignKey("forum.Category", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("category"))
    category_key = models.PositiveBigIntegerField(default=0, editable=False)  # category id, 0 = all
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    members_scored = models.PositiveIntegerField(default=0)
    seed_mode = models.CharField(max_length=10, blank=True)  # "seeded" or "fallback"
    seed_count = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("KOL scoring run")
        verbose_name_plural = _("KOL scoring runs")
        constraints = [
            models.UniqueConstraint(fields=["day", "window_days", "category_key"], name="kol_run_once_a_day"),
        ]

    def __str__(self):
        return f"{self.day} · {self.window_days}d · {self.category_key or 'all'}"

    def save(self, *args, **kwargs):
        self.category_key = self.category_id or 0
        super().save(*args, **kwargs)


class KolScore(models.Model):
    run = models.ForeignKey(KolRun, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kol_scores")
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    previous_rank = models.PositiveIntegerField(null=True, blank=True)
    previous_score = models.FloatField(null=True, blank=True)
    # raw signal values (distinct voters, weighted voters, repliers, ...) and the components' points
    signals = models.JSONField(default=dict)
    # the top contributing signals, best first: [code, ...]; rendered in words by selectors
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "member"], name="kol_score_once_per_run")]
        indexes = [models.Index(fields=["member", "run"], name="kol_score_member")]

    @property
    def change(self):
        if self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 1)

    @property
    def rank_change(self):
        """Positive: moved up."""
        if self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


class KolDecision(models.Model):
    """A moderator's current decision about a member (one row per member; every decision is also
    in the audit log). Accepted and dismissed members are not proposed again; snoozed ones not
    until `until` has passed."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        DISMISSED = "dismissed", _("dismissed")
        SNOOZED = "snoozed", _("snoozed")

    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="kol_decision")
    kind = models.CharField(_("decision"), max_length=10, choices=Kind.choices)
    until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    score = models.ForeignKey(KolScore, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("KOL decision")
        verbose_name_plural = _("KOL decisions")

    def __str__(self):
        return f"{self.member_id}: {self.kind}"

    def get_absolute_url(self):
        return reverse("kol:member", args=[self.member.username])
