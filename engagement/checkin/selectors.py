"""Reads for the check-in page, the home page and the streak leaderboard."""

import calendar
import datetime

from engagement import extension
from engagement.points.periods import local_day

from .models import CheckIn, CheckinSettings, CheckinStats, StreakBonus


def checkin_settings():
    return CheckinSettings.objects.filter(pk=1).first() or CheckinSettings(pk=1)


def checkin_count_today():
    """How many members checked in today (site time zone); make-ups for yesterday do not count."""
    return CheckIn.objects.filter(day=local_day(), is_makeup=False).count()


def stats_get(*, member):
    return CheckinStats.objects.filter(member_id=member.pk).first() or CheckinStats(member_id=member.pk)


def effective_streak(stats, today=None):
    """The streak still alive: a member who missed yesterday and has not checked in today has none."""
    today = today or local_day()
    if stats.last_day is None or stats.last_day < today - datetime.timedelta(days=1):
        return 0
    return stats.current_streak


def joined_day(member):
    """The local day the member joined (site time zone)."""
    return local_day(member.date_joined)


def has_missed_day(*, member, day, checked_days):
    """`day` (the make-up window: yesterday) is a day the member missed: they had joined by then
    and it is not among their `checked_days`. A member who joined today has missed nothing."""
    return day >= joined_day(member) and day not in checked_days


def checkin_status(*, member):
    """Everything the check-in page and API show about the member today."""
    today = local_day()
    yesterday = today - datetime.timedelta(days=1)
    days = set(CheckIn.objects.filter(member_id=member.pk, day__in=[today, yesterday]).values_list("day", flat=True))
    stats = stats_get(member=member)
    conf = checkin_settings()
    streak = effective_streak(stats, today)
    next_streak = streak if today in days else streak + 1
    upcoming = StreakBonus.objects.filter(streak_day__gte=next_streak).order_by("streak_day").first()
    return {
        "today": today,
        "checked_in_today": today in days,
        "can_make_up": conf.makeup_enabled and has_missed_day(member=member, day=yesterday, checked_days=days),
        "makeup_enabled": conf.makeup_enabled,
        "makeup_cost": conf.makeup_cost,
        "makeup_cards": extension.voucher_count.ask(member=member, kind="makeup_card"),
        "current_streak": streak,
        "longest_streak": stats.longest_streak,
        "total_days": stats.total_days,
        "next_bonus": upcoming,
    }


def checkin_calendar(*, member, year=None, month=None):
    """A Monday-first month grid: weeks of {day, in_month, checked, makeup, is_today}."""
    today = local_day()
    year = year or today.year
    month = month or today.month
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    rows = dict(CheckIn.objects.filter(member_id=member.pk, day__gte=first, day__lte=last)
                .values_list("day", "is_makeup"))
    month_start = datetime.date(year, month, 1)
    prev_month = (month_start - datetime.timedelta(days=1)).replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    return {
        "year": year, "month": month, "month_start": month_start,
        "prev": prev_month, "next": next_month if next_month <= today.replace(day=1) else None,
        "checked_days": sum(1 for d, _m in rows.items() if d.month == month),
        "weeks": [
            [{"day": d, "in_month": d.month == month, "checked": d in rows, "makeup": rows.get(d, False),
              "is_today": d == today} for d in week]
            for week in weeks
        ],
    }


def streak_bonus_for(streak):
    return StreakBonus.objects.filter(streak_day=streak).values_list("points", flat=True).first()
