"""The operator's console reads only these small tables: daily rollups of the community's facts,
written by engagement.console.rollup (one Celery task per day, idempotent: rolling a day up again
replaces that day's rows). Days are local calendar days of settings.TIME_ZONE (Asia/Shanghai).

Ids of other apps' rows are plain integers, not foreign keys: a rollup row outlives what it counts
and never blocks a delete."""

from django.db import models
from django.utils import timezone


class ActiveDay(models.Model):
    """A member was active on a day (wrote a post, voted on a post or checked in): the fact DAU,
    WAU, MAU, retention, the funnel's "came back" and the events' retention are counted from."""

    day = models.DateField()
    member_id = models.BigIntegerField()
    joined_on = models.DateField()  # the member's local signup day, for cohorts without a join

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "member_id"], name="console_active_once")]
        indexes = [models.Index(fields=["member_id", "day"], name="console_active_member")]


class SiteDay(models.Model):
    day = models.DateField(primary_key=True)
    dau = models.PositiveIntegerField(default=0)
    wau = models.PositiveIntegerField(default=0)  # distinct active members over the 7 days ending here
    mau = models.PositiveIntegerField(default=0)  # ... over the 30 days ending here
    new_members = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]


class CategoryDay(models.Model):
    """Content and moderation per day and category (category_id 0: outside any category, e.g.
    reports on members)."""

    day = models.DateField()
    category_id = models.BigIntegerField(default=0)
    topics = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    reports_filed = models.PositiveIntegerField(default=0)
    items_handled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "category_id"]
        constraints = [models.UniqueConstraint(fields=["day", "category_id"], name="console_category_day_once")]


class SignupDay(models.Model):
    """The activation funnel of the members who signed up on `day` (each step counts the members
    who also took every step before it)."""

    day = models.DateField(primary_key=True)
    signed_up = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    profile = models.PositiveIntegerField(default=0)
    first_post = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)


class RetentionWeek(models.Model):
    """Of the members who signed up in the week starting `cohort_week` (a Monday), how many were
    active in week number `week` after it (0 = the signup week)."""

    cohort_week = models.DateField()
    week = models.PositiveSmallIntegerField()
    members = models.PositiveIntegerField(default=0)
    retained = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["cohort_week", "week"]
        constraints = [models.UniqueConstraint(fields=["cohort_week", "week"], name="console_retention_once")]


class TopicFact(models.Model):
    """One row per topic: its local day and category, and how long it waited for the first reply by
    someone other than its author (null: no reply yet)."""

    topic_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()
    category_id = models.BigIntegerField()
    first_reply_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["day", "category_id", "first_reply_seconds"], name="console_topic_day")]


class PointsDay(models.Model):
    """Points issued (positive ledger rows) and spent (negative rows) per day, reason and category."""

    day = models.DateField()
    reason = models.CharField(max_length=40)
    category_id = models.BigIntegerField(default=0)
    issued = models.PositiveBigIntegerField(default=0)
    spent = models.PositiveBigIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "reason"]
        constraints = [models.UniqueConstraint(fields=["day", "reason", "category_id"], name="console_points_once")]


class ModerationFact(models.Model):
    """One row per moderation queue item: when it was opened and handled, and how long it waited."""

    item_id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=10)
    category_id = models.BigIntegerField(default=0)
    opened_day = models.DateField()
    resolved_day = models.DateField(null=True, blank=True)
    handle_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["resolved_day", "category_id", "handle_seconds"], name="console_mod_resolved")]


class EventFact(models.Model):
    """An engagement event's results: participants, of whom joined during it, their posts, and
    retention (active within 14 days after the end) of participants against members who were
    active during the event without taking part."""

    event_id = models.BigIntegerField(primary_key=True)
    title = models.CharField(max_length=120)
    starts_day = models.DateField()
    ends_day = models.DateField()
    participants = models.PositiveIntegerField(default=0)
    new_members = models.PositiveIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    participants_retained = models.PositiveIntegerField(default=0)
    others = models.PositiveIntegerField(default=0)
    others_retained = models.PositiveIntegerField(default=0)


class RecallFact(models.Model):
    campaign_id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=120)
    sent_day = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    bonus_points = models.PositiveBigIntegerField(default=0)


class KolDay(models.Model):
    """The KOL pipeline at the end of a day: candidates per state."""

    day = models.DateField()
    state = models.CharField(max_length=10)  # proposed, accepted, snoozed, dismissed
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "state"]
        constraints = [models.UniqueConstraint(fields=["day", "state"], name="console_kol_once")]
