"""Leaderboards read from tables kept on write, through indexes, never a full-table sort:

- points earned this week / month / all time, site-wide or per category: PointsPeriodTotal, index
  (period, period_start, category_id, -points, member) serves the top N in order, and a member's
  rank is 1 + COUNT of the rows above them in the same index range;
- check-in streaks: CheckinStats, indexes on (last_day, -current_streak) and (-longest_streak).

Ranks are competition ranks: members with equal points share a rank."""

import datetime

from django.db.models import Q

from engagement.checkin.models import CheckinStats
from engagement.points.models import PointsPeriodTotal
from engagement.points.periods import local_day, period_starts
from engagement.selectors import MEMBER_FLAIR_RELATED

PERIODS = {"week": PointsPeriodTotal.WEEK, "month": PointsPeriodTotal.MONTH, "all": PointsPeriodTotal.ALL}
STREAK_BOARDS = ("current", "longest")
TOP_N = 50


def _with_ranks(rows, value):
    ranked, rank, previous = [], 0, None
    for position, row in enumerate(rows, start=1):
        v = value(row)
        if v != previous:
            rank, previous = position, v
        ranked.append((rank, row))
    return ranked


def _member_related():
    return ["member", *[f"member__{p}" for p in MEMBER_FLAIR_RELATED]]


def points_leaderboard(*, period="week", category=None, viewer=None, limit=TOP_N):
    """{'rows': [{rank, member, value}], 'me': (rank, points) or None, 'me_in_top': bool}."""
    code = PERIODS.get(period, PointsPeriodTotal.WEEK)
    start = period_starts(local_day())[code]
    bucket = PointsPeriodTotal.objects.filter(
        period=code, period_start=start,
        category_id=category.pk if category is not None else PointsPeriodTotal.SITE,
    )
    rows = list(
        bucket.filter(points__gt=0).select_related(*_member_related()).order_by("-points", "member_id")[:limit]
    )
    ranked = _with_ranks(rows, lambda r: r.points)
    me, me_in_top = None, False
    if viewer is not None and viewer.is_authenticated:
        for rank, row in ranked:
            if row.member_id == viewer.pk:
                me, me_in_top = (rank, row.points), True
                break
        else:
            mine = bucket.filter(member_id=viewer.pk).values_list("points", flat=True).first()
            if mine is not None and mine > 0:
                me = (bucket.filter(points__gt=mine).count() + 1, mine)
    return {"rows": [{"rank": rank, "member": row.member, "value": row.points} for rank, row in ranked],
            "me": me, "me_in_top": me_in_top, "period": period, "period_start": start}


def streak_leaderboard(*, board="current", viewer=None, limit=TOP_N):
    """Current streaks (alive: checked in today or yesterday) or longest streaks ever."""
    today = local_day()
    alive = Q(last_day__gte=today - datetime.timedelta(days=1), current_streak__gt=0)
    if board == "longest":
        qs, field = CheckinStats.objects.filter(longest_streak__gt=0), "longest_streak"
    else:
        board, qs, field = "current", CheckinStats.objects.filter(alive), "current_streak"
    rows = list(qs.select_related(*_member_related()).order_by(f"-{field}", "member_id")[:limit])
    ranked = _with_ranks(rows, lambda r: getattr(r, field))
    me, me_in_top = None, False
    if viewer is not None and viewer.is_authenticated:
        for rank, row in ranked:
            if row.member_id == viewer.pk:
                me, me_in_top = (rank, getattr(row, field)), True
                break
        else:
            mine = qs.filter(member_id=viewer.pk).values_list(field, flat=True).first()
            if mine:
                me = (qs.filter(**{f"{field}__gt": mine}).count() + 1, mine)
    return {"rows": [{"rank": rank, "member": row.member, "value": getattr(row, field)} for rank, row in ranked],
            "me": me, "me_in_top": me_in_top, "board": board}
