"""Local days, weeks and months in the site's time zone (settings.TIME_ZONE), whatever time zone
the request has activated."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

ALL_TIME_START = datetime.date(1970, 1, 1)


def site_tz():
    return ZoneInfo(settings.TIME_ZONE)


def local_day(at=None):
    return timezone.localtime(at or timezone.now(), site_tz()).date()


def day_bounds(day):
    """The [start, end) datetimes of a local day, aware."""
    tz = site_tz()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def week_start(day):
    return day - datetime.timedelta(days=day.weekday())


def month_start(day):
    return day.replace(day=1)


def period_starts(day):
    """{'w': monday, 'm': first of month, 'a': epoch} for a local day."""
    return {"w": week_start(day), "m": month_start(day), "a": ALL_TIME_START}
