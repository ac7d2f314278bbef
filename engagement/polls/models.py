"""Polls (投票) attached to a topic or run inside an event.

One ballot per member per poll is a database constraint (Ballot: unique poll + member); the
options a ballot chose are BallotChoice rows, unique per ballot + option, so a ballot can never
count an option twice. Counts are computed from the choices (one grouped query), never cached, so
they cannot drift."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Poll(models.Model):
    class Results(models.TextChoices):
        ALWAYS = "always", _("always")
        AFTER_VOTE = "after_vote", _("after voting")
        AFTER_CLOSE = "after_close", _("after the poll closes")

    MAX_OPTIONS = 20

    topic = models.ForeignKey("forum.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="polls",
                              verbose_name=_("topic"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    question = models.CharField(_("question"), max_length=200)
    max_choices = models.PositiveSmallIntegerField(
        _("choices per voter"), default=1, help_text=_("1 = single choice; more = multiple choice up to this many."))
    is_anonymous = models.BooleanField(_("anonymous"), default=False,
                                       help_text=_("Anonymous: nobody sees who voted for what."))
    results_visibility = models.CharField(_("results shown"), max_length=12, choices=Results.choices,
                                          default=Results.ALWAYS)
    min_level = models.PositiveSmallIntegerField(_("minimum level to vote"), default=0)
    allow_change = models.BooleanField(_("voters may change their vote until close"), default=False)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="poll_max_choices_positive"),
            models.CheckConstraint(condition=Q(closes_at__isnull=True) | Q(closes_at__gt=F("created_at")),
                                   name="poll_closes_after_creation"),
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("polls:detail", args=[self.pk])

    @property
    def is_multiple(self):
        return self.max_choices > 1

    def is_open_at(self, at):
        """Open for votes: not closed by hand or by the task, and the close time (if any) not reached,
        whether or not the close task has run yet."""
        return self.closed_at is None and (self.closes_at is None or at < self.closes_at)

    @property
    def is_open(self):
        return self.is_open_at(timezone.now())


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("option"), max_length=100)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="poll_option_position_uniq"),
            models.UniqueConstraint(fields=["poll", "text"], name="poll_option_text_uniq"),
        ]

    def __str__(self):
        return self.text


class Ballot(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_ballots")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="poll_one_ballot_per_member")]


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "option"], name="poll_choice_once_per_ballot")]
        indexes = [models.Index(fields=["poll", "option"], name="poll_choice_count")]
