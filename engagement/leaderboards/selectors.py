"""Leaderboards, never a full-table sort per request.

With Redis (settings.REDIS_URL) the boards are sorted sets kept on commit and rebuilt by Celery
(see rankings.py): the top N is ZREVRANGE plus one query for the members, the viewer's own rank a
ZCOUNT, both O(log N). Without Redis, or while a board is being rebuilt, they are read from tables
kept on write, through indexes:

- points earned this week / month / all time, site-wide or per category: PointsPeriodTotal, index
  (period, period_start, category_id, -points, member) serves the top N in order, and a member's
  rank is 1 + COUNT of the rows above them in the same index range;
- check-in streaks: CheckinStats, indexes on (-current_streak, member), (last_day, current_streak)
  and (-longest_streak, member); the own rank is an index-only count too.

Ranks are competition ranks: members with equal points share a rank."""

import datetime

from django.core.cache import cache
from django.db.models import Q

from engagement.checkin.models import CheckinStats
from engagement.points.models import PointsPeriodTotal
from engagement.points.periods import local_day, period_starts
from engagement.selectors import MEMBER_FLAIR_RELATED, with_member_flair
from forum.models import User

from . import rankings

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


RANK_CACHE_SECONDS = 30
RANK_CACHE_FROM = 10_000


def _count_above(board, queryset, value):
    """How many members are above `value` on a board (database path): an index-only count. Far
    down a large board (RANK_CACHE_FROM members or more above) that count walks many index
    entries, so it is kept for RANK_CACHE_SECONDS per board and score: such a rank may be half a
    minute old; every rank nearer the top is exact."""
    key = f"engagement:leaderboards:above:{board}:{value}"
    found = cache.get(key)
    if found is None:
        found = queryset.count()
        if found >= RANK_CACHE_FROM:
            cache.set(key, found, RANK_CACHE_SECONDS)
    return found


def _viewer_id(viewer):
    return viewer.pk if viewer is not None and viewer.is_authenticated else None


def _from_redis(top, me, viewer_id):
    """Rows for (member_id, value) pairs read from Redis: one query for the members."""
    members = {u.pk: u for u in with_member_flair(User.objects.filter(pk__in=[m for m, _v in top]))}
    pairs = sorted(((m, v) for m, v in top if m in members), key=lambda mv: (-mv[1], mv[0]))
    ranked = _with_ranks(pairs, lambda mv: mv[1])
    me_in_top = False
    for rank, (member_id, value) in ranked:
        if member_id == viewer_id:
            me, me_in_top = (rank, value), True
    return [{"rank": rank, "member": members[m], "value": v} for rank, (m, v) in ranked], me, me_in_top


def points_leaderboard(*, period="week", category=None, viewer=None, limit=TOP_N):
    """{'rows': [{rank, member, value}], 'me': (rank, points) or None, 'me_in_top': bool}."""
    code = PERIODS.get(period, PointsPeriodTotal.WEEK)
    start = period_starts(local_day())[code]
    category_id = category.pk if category is not None else PointsPeriodTotal.SITE
    if rankings.enabled():
        found = rankings.points_read(period=code, start=start, category_id=category_id,
                                     viewer_id=_viewer_id(viewer), limit=limit)
        if found is not None:
            rows, me, me_in_top = _from_redis(*found, _viewer_id(viewer))
            return {"rows": rows, "me": me, "me_in_top": me_in_top, "period": period, "period_start": start,
                    "source": "redis"}
    bucket = PointsPeriodTotal.objects.filter(
        period=code, period_start=start,
        category_id=category_id,
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
                me = (_count_above(f"pts:{code}:{start.isoformat()}:{category_id}", bucket.filter(points__gt=mine),
                                   mine) + 1, mine)
    return {"rows": [{"rank": rank, "member": row.member, "value": row.points} for rank, row in ranked],
            "me": me, "me_in_top": me_in_top, "period": period, "period_start": start, "source": "database"}


def streak_leaderboard(*, board="current", viewer=None, limit=TOP_N):
    """Current streaks (alive: checked in today or yesterday) or longest streaks ever."""
    today = local_day()
    if board != "longest":
        board = "current"
    if rankings.enabled():
        found = rankings.streak_read(board=board, today=today, viewer_id=_viewer_id(viewer), limit=limit)
        if found is not None:
            rows, me, me_in_top = _from_redis(*found, _viewer_id(viewer))
            return {"rows": rows, "me": me, "me_in_top": me_in_top, "board": board, "source": "redis"}
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
                me = (_count_above(f"streak:{board}:{today.isoformat()}", qs.filter(**{f"{field}__gt": mine}),
                                   mine) + 1, mine)
    return {"rows": [{"rank": rank, "member": row.member, "value": getattr(row, field)} for rank, row in ranked],
            "me": me, "me_in_top": me_in_top, "board": board, "source": "database"}
