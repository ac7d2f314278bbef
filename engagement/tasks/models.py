"""Tasks and missions (任务): what operators ask members to do, and each member's progress.

- A Task is defined in the Django admin, without code: a trigger kind from a fixed set (what the
  forum's and engagement's hooks report), its parameters (how many times, in which category, during
  which event), a cadence (once for newcomers, daily, weekly, or bound to an engagement event), the
  reward in points, an active window and an order on the checklist.
- A TaskProgress row is unique per (member, task, period): the period is "once" for a newcomer
  task, the local day ("2026-12-03"), the ISO week ("2026-W49") or the event ("event-7"). It
  remembers which sources it has counted (a post, a vote, a day), so a hook that fires twice counts
  once, and the ledger entry of its reward, paid under a key per member, task and period.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

MAX_COUNT = 100


class Task(models.Model):
    class Trigger(models.TextChoices):
        VERIFY_EMAIL = "verify_email", _("verify the email address")
        PROFILE_COMPLETE = "profile_complete", _("complete the profile (avatar and bio)")
        CHECKIN = "checkin", _("check in")
        POST_CREATED = "post_created", _("post (a topic or a reply)")
        TOPIC_CREATED = "topic_created", _("start a topic")
        REPLY_CREATED = "reply_created", _("reply to a topic")
        POSTS_IN_CATEGORY = "posts_in_category", _("post in a category")
        VOTE_CAST = "vote_cast", _("vote on a post")
        FOLLOW_TOPIC = "follow_topic", _("follow a topic")
        UPVOTE_RECEIVED = "upvote_received", _("receive an upvote")

    class Cadence(models.TextChoices):
        ONCE = "once", _("once (newcomer task)")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        EVENT = "event", _("during an event")

    # triggers that describe a state reached once (the count is always 1)
    STATE_TRIGGERS = (Trigger.VERIFY_EMAIL, Trigger.PROFILE_COMPLETE)

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80, help_text=_("Shown to members (Chinese)."))
    name_en = models.CharField(_("name in English"), max_length=80, blank=True,
                               help_text=_("Shown when the member reads the site in English; empty: the name."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    count = models.PositiveSmallIntegerField(_("how many times"), default=1,
                                             help_text=_("Distinct actions needed (1 to 100)."))
    category = models.ForeignKey("forum.Category", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("category"),
                                 help_text=_("Only actions in this category count (required for “post in a "
                                             "category”; optional for posts, topics, replies and votes)."))
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks",
                              verbose_name=_("event"), help_text=_("For event tasks: counts only while it runs."))
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.ONCE)
    reward_points = models.PositiveIntegerField(_("reward in points"))
    starts_at = models.DateTimeField(_("active from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("active until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.IntegerField(_("order"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(condition=Q(reward_points__gt=0), name="task_reward_positive"),
            models.CheckConstraint(condition=Q(count__gte=1) & Q(count__lte=MAX_COUNT), name="task_count_range"),
            models.CheckConstraint(condition=~Q(cadence="event") | Q(event__isnull=False), name="task_event_needs_event"),
        ]
        indexes = [models.Index(fields=["trigger", "is_active"], name="task_trigger_active")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.trigger == self.Trigger.POSTS_IN_CATEGORY and not self.category_id:
            errors["category"] = _("Choose the category where the posts count.")
        if self.cadence == self.Cadence.EVENT and not self.event_id:
            errors["event"] = _("An event task needs its event.")
        if self.trigger in self.STATE_TRIGGERS and self.count != 1:
            errors["count"] = _("This trigger is reached once: the count must be 1.")
        if self.trigger in self.STATE_TRIGGERS and self.cadence != self.Cadence.ONCE:
            errors["cadence"] = _("This trigger is reached once: use the cadence “once”.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        if errors:
            raise ValidationError(errors)

    @property
    def label(self):
        if self.name_en and translation.get_language() and not translation.get_language().startswith("zh"):
            return self.name_en
        return self.name

    def window_open(self, at=None):
        at = at or timezone.now()
        if not self.is_active:
            return False
        if self.starts_at and at < self.starts_at:
            return False
        return not (self.ends_at and at >= self.ends_at)

    def action_url(self):
        """Where the member goes to do it."""
        names = {
            self.Trigger.VERIFY_EMAIL: "account_email",
            self.Trigger.PROFILE_COMPLETE: "forum:profile_edit",
            self.Trigger.CHECKIN: "engagement:checkin",
            self.Trigger.POST_CREATED: "forum:topic_new",
            self.Trigger.TOPIC_CREATED: "forum:topic_new",
            self.Trigger.REPLY_CREATED: "forum:latest",
            self.Trigger.VOTE_CAST: "forum:latest",
            self.Trigger.FOLLOW_TOPIC: "forum:latest",
            self.Trigger.UPVOTE_RECEIVED: "forum:topic_new",
        }
        if self.category_id and self.category is not None:
            return self.category.get_absolute_url()
        if self.event_id and self.event is not None:
            return self.event.get_absolute_url()
        try:
            return reverse(names.get(self.trigger, "forum:index"))
        except NoReverseMatch:
            return "/"


class TaskProgress(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_progress")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress")
    period = models.CharField(_("period"), max_length=20)
    count = models.PositiveSmallIntegerField(_("progress"), default=0)
    sources = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    reward_entry = models.OneToOneField("points.PointsEntry", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="task_reward", verbose_name=_("reward"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("task progress")
        verbose_name_plural = _("task progress")
        constraints = [models.UniqueConstraint(fields=["member", "task", "period"], name="task_progress_once")]
        indexes = [models.Index(fields=["member", "period"], name="task_progress_member_period")]

    def __str__(self):
        return f"{self.member_id} {self.task_id} {self.period}"
