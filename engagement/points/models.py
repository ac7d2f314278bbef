"""The points ledger (积分).

- PointsEntry: the append-only ledger. Every change to a member's points is one row; rows are never
  updated or deleted (the ORM refuses, and on PostgreSQL a trigger refuses too); corrections are
  compensating rows that point at the row they reverse. `idempotency_key` is unique, so a retried
  award or spend is written once.
- PointsAccount: the member's balance and lifetime earned, a cache kept equal to the ledger's sums
  (balance = SUM(amount), lifetime_earned = SUM(lifetime_amount)) in the same transaction.
- PointsPeriodTotal: points earned per member per week / month / all time, site-wide and per
  category, kept on write for the leaderboards (an index serves the top N without sorting).
- PointsRule, CategoryMultiplier, TimedMultiplier: the earning rules operators edit in the admin.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AppendOnlyModel


class PointsRule(models.Model):
    # built-in rule codes; later issues (polls, events, featured posts) award through these
    TOPIC_CREATED = "topic_created"
    REPLY_CREATED = "reply_created"
    UPVOTE_RECEIVED = "upvote_received"
    FEATURED = "featured"
    CHECKIN = "checkin"
    CHECKIN_STREAK_BONUS = "checkin_streak_bonus"
    POLL_VOTE = "poll_vote"
    EVENT_PARTICIPATION = "event_participation"
    MANUAL_GRANT = "manual_grant"

    code = models.SlugField(_("code"), max_length=40, unique=True,
                            help_text=_("Used by the code that awards points; do not change it."))
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    points = models.IntegerField(_("points"), validators=[MinValueValidator(0)],
                                 help_text=_("Points per action before multipliers."))
    daily_cap = models.PositiveIntegerField(
        _("daily cap"), default=0,
        help_text=_("Most points a member may earn from this rule per day (site time zone); 0 = no cap."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")

    def __str__(self):
        return f"{self.name} ({self.code})"


class CategoryMultiplier(models.Model):
    rule = models.ForeignKey(PointsRule, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="category_multipliers", verbose_name=_("rule"),
                             help_text=_("Empty: every rule."))
    category = models.ForeignKey("forum.Category", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("category"))
    multiplier = models.DecimalField(_("multiplier"), max_digits=5, decimal_places=2, default=Decimal("1.00"),
                                     validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("category multiplier")
        verbose_name_plural = _("category multipliers")
        constraints = [
            models.UniqueConstraint(fields=["rule", "category"], name="points_catmult_uniq"),
            models.UniqueConstraint(fields=["category"], condition=Q(rule__isnull=True),
                                    name="points_catmult_all_rules_uniq"),
        ]

    def __str__(self):
        return f"{self.category} ×{self.multiplier}"


class TimedMultiplier(models.Model):
    """A time-boxed boost, e.g. double points this weekend in category X."""

    name = models.CharField(_("name"), max_length=80)
    rule = models.ForeignKey(PointsRule, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("rule"), help_text=_("Empty: every rule."))
    category = models.ForeignKey("forum.Category", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("category"),
                                 help_text=_("Empty: every category and actions outside categories."))
    multiplier = models.DecimalField(_("multiplier"), max_digits=5, decimal_places=2, default=Decimal("2.00"),
                                     validators=[MinValueValidator(Decimal("0"))])
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("time-boxed multiplier")
        verbose_name_plural = _("time-boxed multipliers")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="points_timedmult_ends_after_start")]

    def __str__(self):
        return f"{self.name} ×{self.multiplier}"


class PointsAccount(models.Model):
    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="points_account", verbose_name=_("member"))
    balance = models.IntegerField(_("balance"), default=0)
    lifetime_earned = models.IntegerField(_("lifetime earned"), default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [models.CheckConstraint(condition=Q(lifetime_earned__gte=0),
                                              name="points_lifetime_not_negative")]
        indexes = [models.Index(fields=["-lifetime_earned"], name="points_acct_lifetime")]

    def __str__(self):
        return f"{self.member_id}: {self.balance}"


class PointsEntry(AppendOnlyModel):
    class Kind(models.TextChoices):
        EARN = "earn", _("earned")
        SPEND = "spend", _("spent")
        GRANT = "grant", _("granted by staff")
        DEDUCT = "deduct", _("deducted by staff")
        REVERSAL = "reversal", _("reversal")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_entries",
                               verbose_name=_("member"))
    amount = models.IntegerField(_("amount"))
    # how this row moves lifetime earned: the amount for earnings and grants, minus the original for
    # a reversed earning, 0 for spending and deductions (spending never demotes)
    lifetime_amount = models.IntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=40, help_text=_("A rule code or a spending reason."))
    note = models.CharField(_("note"), max_length=500, blank=True)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    # a plain integer, not a foreign key: ledger rows never change, not even through SET_NULL
    category_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("actor"))
    idempotency_key = models.CharField(max_length=200, unique=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    balance_after = models.IntegerField(_("balance after"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points ledger entry")
        verbose_name_plural = _("points ledger")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="points_entry_amount_not_zero")]
        indexes = [
            models.Index(fields=["member", "-created_at", "-id"], name="points_entry_member_recent"),
            models.Index(fields=["member", "reason", "created_at"], name="points_entry_member_reason"),
            models.Index(fields=["source_type", "source_id"], name="points_entry_source"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.amount:+d} {self.reason}"


class PointsPeriodTotal(models.Model):
    WEEK, MONTH, ALL = "w", "m", "a"
    PERIODS = [(WEEK, _("this week")), (MONTH, _("this month")), (ALL, _("all time"))]
    SITE = 0  # category_id for the site-wide board

    period = models.CharField(max_length=1, choices=PERIODS)
    period_start = models.DateField()
    category_id = models.BigIntegerField(default=SITE)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    points = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("points period total")
        constraints = [
            models.UniqueConstraint(fields=["period", "period_start", "category_id", "member"],
                                    name="points_period_total_uniq"),
        ]
        indexes = [
            models.Index(fields=["period", "period_start", "category_id", "-points", "member"],
                         name="points_period_rank"),
        ]
