"""Daily check-in (签到): one row per member per local day (settings.TIME_ZONE), streaks, the
streak bonus table and the make-up (补签) settings operators edit in the admin."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CheckIn(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins")
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(default=timezone.now)
    streak = models.PositiveIntegerField(_("streak"), default=1)
    points = models.IntegerField(_("points earned"), default=0)
    is_makeup = models.BooleanField(_("make-up"), default=False)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [models.UniqueConstraint(fields=["member", "day"], name="checkin_once_per_day")]
        indexes = [models.Index(fields=["day", "is_makeup"], name="checkin_day")]

    def __str__(self):
        return f"{self.member_id} {self.day}"


class CheckinStats(models.Model):
    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="checkin_stats")
    current_streak = models.PositiveIntegerField(default=0)
    longest_streak = models.PositiveIntegerField(default=0)
    last_day = models.DateField(null=True, blank=True)
    total_days = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("check-in record")
        verbose_name_plural = _("check-in records")
        indexes = [
            # walked in streak order, filtered on last_day, until the top N alive streaks are found
            models.Index(fields=["-current_streak", "member"], name="checkin_current_streak_desc"),
            models.Index(fields=["-longest_streak", "member"], name="checkin_longest_streak"),
            # the viewer's own rank on the current board: an index-only count of the alive streaks above
            models.Index(fields=["last_day", "current_streak"], name="checkin_alive_streak"),
        ]


class StreakBonus(models.Model):
    streak_day = models.PositiveIntegerField(_("on streak day"), unique=True, validators=[MinValueValidator(2)])
    points = models.PositiveIntegerField(_("bonus points"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["streak_day"]
        verbose_name = _("streak bonus")
        verbose_name_plural = _("streak bonuses")

    def __str__(self):
        return f"+{self.points} @ {self.streak_day}"


class CheckinSettings(models.Model):
    """One row (pk=1), created by a migration."""

    makeup_enabled = models.BooleanField(_("make-up check-in for yesterday"), default=True)
    makeup_cost = models.PositiveIntegerField(_("make-up cost in points"), default=10)

    class Meta:
        verbose_name = _("check-in settings")
        verbose_name_plural = _("check-in settings")

    def __str__(self):
        return str(_("check-in settings"))
