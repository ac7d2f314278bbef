"""Leaderboard rankings in Redis sorted sets (used when settings.REDIS_URL is set).

Keys (under the cache's KEY_PREFIX, so each deployment and each test run has its own):

- `lb:pts:{w|m|a}:{period start}:{category id or 0}`: member id -> points earned in the period,
  moved by ZINCRBY after an award or a reversal commits (extension.points_changed);
- `lb:streak:day:{day}`: member id -> current streak, for the members whose last check-in was on
  that day (a member sits in exactly one day set: checking in moves them from yesterday's set to
  today's). The alive current streaks are the union of today's and yesterday's sets;
- `lb:streak:longest`: member id -> longest streak;
- `lb:ready:{board}`: set once a board was rebuilt from the database (one marker for the three
  streak sets: once rebuilt, check-ins keep every day set complete from then on).

The database stays the truth: PointsPeriodTotal (kept in the ledger's own transactions) and
CheckinStats. A board is read from Redis only while its `ready` marker exists; after a Redis loss
(or before the first rebuild) the reader falls back to the indexed database queries and schedules
`leaderboards_rebuild_task`, which rebuilds the board into a scratch key and swaps it in with
RENAME. The same task runs periodically to wash out any increment lost between a commit and its
ZINCRBY (a worker killed in between). Every Redis failure falls back to the database.

Reads are O(log N): the top N is ZREVRANGE, the viewer's own rank is ZCOUNT of the scores above
theirs (competition ranks: equal points share a rank)."""

import datetime
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

WEEK_TTL = 40 * 24 * 3600
MONTH_TTL = 400 * 24 * 3600
DAY_TTL = 4 * 24 * 3600
REBUILD_LOCK_SECONDS = 120

_client = None
_client_url = None


def enabled():
    return bool(getattr(settings, "REDIS_URL", "")) and getattr(settings, "LEADERBOARDS_REDIS", True)


def client():
    global _client, _client_url
    url = settings.REDIS_URL
    if _client is None or _client_url != url:
        import redis

        _client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        _client_url = url
    return _client


def _prefix():
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "huoli"
    return f"{prefix}:lb:"


def points_key(period, start, category_id):
    return f"{_prefix()}pts:{period}:{start.isoformat()}:{category_id or 0}"


def streak_day_key(day):
    return f"{_prefix()}streak:day:{day.isoformat()}"


def streak_longest_key():
    return f"{_prefix()}streak:longest"


def ready_key(board):
    return f"{_prefix()}ready:{board}"


def points_board(period, start, category_id):
    return f"pts:{period}:{start.isoformat()}:{category_id or 0}"


STREAK_BOARD = "streak"


# --- writes (after commit) ---------------------------------------------------------------------
def points_add(*, member_id, category_id, delta, at):
    """ZINCRBY the member's week / month / all-time boards, site-wide and for the category."""
    from engagement.points.models import PointsPeriodTotal
    from engagement.points.periods import local_day, period_starts

    if not delta or not enabled():
        return
    starts = period_starts(local_day(at))
    ttl = {PointsPeriodTotal.WEEK: WEEK_TTL, PointsPeriodTotal.MONTH: MONTH_TTL}
    try:
        pipe = client().pipeline(transaction=False)
        for period, start in starts.items():
            for bucket in {PointsPeriodTotal.SITE, category_id or PointsPeriodTotal.SITE}:
                key = points_key(period, start, bucket)
                pipe.zincrby(key, delta, member_id)
                if period in ttl:
                    pipe.expire(key, ttl[period])
        pipe.execute()
    except Exception:  # noqa: BLE001 - Redis down: the database has it; the next rebuild catches up
        logger.warning("leaderboards: ZINCRBY failed for member %s", member_id, exc_info=True)


def streak_set(*, member_id, current, longest, last_day):
    """Put the member's current streak in the set of their last check-in day (out of the day
    before's) and their longest streak on the longest board."""
    if not enabled() or last_day is None:
        return
    try:
        pipe = client().pipeline(transaction=False)
        pipe.zrem(streak_day_key(last_day - datetime.timedelta(days=1)), member_id)
        pipe.zadd(streak_day_key(last_day), {member_id: current})
        pipe.expire(streak_day_key(last_day), DAY_TTL)
        pipe.zadd(streak_longest_key(), {member_id: longest})
        pipe.execute()
    except Exception:  # noqa: BLE001
        logger.warning("leaderboards: streak update failed for member %s", member_id, exc_info=True)


# --- rebuilds (Celery) -------------------------------------------------------------------------
def _swap_in(key, pairs, board, ttl=None, batch=5000):
    """Write {member: score} pairs to a scratch key, then RENAME it over `key` and mark the board ready."""
    r = client()
    scratch = f"{key}:rebuild"
    r.delete(scratch)
    batch_map = {}
    for member_id, score in pairs:
        batch_map[member_id] = score
        if len(batch_map) >= batch:
            r.zadd(scratch, batch_map)
            batch_map = {}
    if batch_map:
        r.zadd(scratch, batch_map)
    pipe = r.pipeline(transaction=True)
    if r.exists(scratch):
        pipe.rename(scratch, key)
        if ttl:
            pipe.expire(key, ttl)
    else:
        pipe.delete(key)
    if board:
        pipe.set(ready_key(board), "1", ex=ttl)
    pipe.execute()


def rebuild_points(*, period, start, category_id):
    from engagement.points.models import PointsPeriodTotal

    rows = (PointsPeriodTotal.objects.filter(period=period, period_start=start, category_id=category_id or 0)
            .exclude(points=0).values_list("member_id", "points").iterator(chunk_size=5000))
    ttl = {PointsPeriodTotal.WEEK: WEEK_TTL, PointsPeriodTotal.MONTH: MONTH_TTL}.get(period)
    _swap_in(points_key(period, start, category_id), rows, points_board(period, start, category_id), ttl=ttl)


def rebuild_streaks(*, today):
    from engagement.checkin.models import CheckinStats

    yesterday = today - datetime.timedelta(days=1)
    for day in (today, yesterday):
        rows = (CheckinStats.objects.filter(last_day=day, current_streak__gt=0)
                .values_list("member_id", "current_streak").iterator(chunk_size=5000))
        _swap_in(streak_day_key(day), rows, None, ttl=DAY_TTL)
    rows = (CheckinStats.objects.filter(longest_streak__gt=0).values_list("member_id", "longest_streak")
            .iterator(chunk_size=5000))
    _swap_in(streak_longest_key(), rows, STREAK_BOARD)


def rebuild(board, *, today):
    """Rebuild one board by name ("pts:w:2025-05-12:0", "streak") or every current one ("all")."""
    import datetime as dt

    if board == "all":
        return rebuild_all(today=today)
    if board == STREAK_BOARD:
        rebuild_streaks(today=today)
        return 1
    kind, period, start, category_id = board.split(":")
    if kind != "pts":
        raise ValueError(f"unknown leaderboard {board!r}")
    rebuild_points(period=period, start=dt.date.fromisoformat(start), category_id=int(category_id))
    return 1


def rebuild_all(*, today):
    """Every current board: week, month and all time for the site and for each category, and the
    streak boards. Returns the number of boards rebuilt."""
    from engagement.points.models import PointsPeriodTotal
    from engagement.points.periods import period_starts
    from forum.models import Category

    count = 0
    every_category = set(Category.objects.values_list("pk", flat=True))
    for period, start in period_starts(today).items():
        categories = every_category | set(PointsPeriodTotal.objects.filter(period=period, period_start=start)
                                          .values_list("category_id", flat=True).distinct())
        for category_id in categories | {PointsPeriodTotal.SITE}:
            rebuild_points(period=period, start=start, category_id=category_id)
            count += 1
    rebuild_streaks(today=today)
    return count + 1


def request_rebuild(board):
    """Ask Celery to rebuild a board that is not ready (once per REBUILD_LOCK_SECONDS)."""
    try:
        if not client().set(f"{_prefix()}rebuilding:{board}", "1", nx=True, ex=REBUILD_LOCK_SECONDS):
            return
    except Exception:  # noqa: BLE001
        return
    from django.db import transaction

    from .tasks import leaderboards_rebuild_task

    transaction.on_commit(lambda: leaderboards_rebuild_task.delay(board), robust=True)


# --- reads -------------------------------------------------------------------------------------
def points_read(*, period, start, category_id, viewer_id, limit):
    """([(member_id, points)] top `limit` in Redis order, (rank, points) of the viewer or None),
    or None when the board is not ready in Redis (the caller reads the database)."""
    board = points_board(period, start, category_id)
    key = points_key(period, start, category_id)
    try:
        r = client()
        pipe = r.pipeline(transaction=False)
        pipe.exists(ready_key(board))
        pipe.zrevrangebyscore(key, "+inf", "(0", start=0, num=limit, withscores=True)
        if viewer_id:
            pipe.zscore(key, viewer_id)
        ready, top, *mine = pipe.execute()
        if not ready:
            request_rebuild(board)
            return None
        top = [(int(m), int(s)) for m, s in top]
        me = None
        score = mine[0] if mine else None
        if score is not None and score > 0:
            me = (r.zcount(key, f"({score}", "+inf") + 1, int(score))
        return top, me
    except Exception:  # noqa: BLE001 - Redis down: read the database
        logger.warning("leaderboards: Redis read failed, using the database", exc_info=True)
        return None


def streak_read(*, board, today, viewer_id, limit):
    """Like points_read for the 'current' (alive: last check-in today or yesterday) and
    'longest' streak boards."""
    try:
        r = client()
        pipe = r.pipeline(transaction=False)
        pipe.exists(ready_key(STREAK_BOARD))
        if board == "longest":
            keys = [streak_longest_key()]
        else:
            keys = [streak_day_key(today), streak_day_key(today - datetime.timedelta(days=1))]
        for key in keys:
            pipe.zrevrangebyscore(key, "+inf", "(0", start=0, num=limit, withscores=True)
            if viewer_id:
                pipe.zscore(key, viewer_id)
        results = pipe.execute()
        ready = results.pop(0)
        if not ready:
            request_rebuild(STREAK_BOARD)
            return None
        merged, score = {}, None
        step = 2 if viewer_id else 1
        for i in range(len(keys)):
            for m, s in results[i * step]:
                merged[int(m)] = max(merged.get(int(m), 0), int(s))
            if viewer_id and results[i * step + 1] is not None:
                score = max(score or 0, results[i * step + 1])
        top = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        me = None
        if score:
            pipe = r.pipeline(transaction=False)
            for key in keys:
                pipe.zcount(key, f"({score}", "+inf")
            me = (sum(pipe.execute()) + 1, int(score))
        return top, me
    except Exception:  # noqa: BLE001
        logger.warning("leaderboards: Redis read failed, using the database", exc_info=True)
        return None
