"""Fixed-window write limits per member, kept in the cache (Redis in production).

The limits come from settings.HUOLI["RATE_LIMITS"]; engagement adds its limits per level through
the `can_post` policy (posts per hour) and the `write_rate` policy (votes and reports per day).
A refusal is RateLimited: HTTP 429 with Retry-After and a message that says when to try again."""

import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import RateLimited
from .lib.cache import log_throttled

logger = logging.getLogger(__name__)


def retry_phrase(seconds):
    """When to try again, for a person: "in 42 seconds", "in 3 hours, 12 minutes (at 14:05)"."""
    seconds = max(int(seconds), 1)
    if seconds < 60:
        return ngettext("in %(n)d second", "in %(n)d seconds", seconds) % {"n": seconds}
    from django.utils.timesince import timeuntil

    now = timezone.now()
    at = now + timedelta(seconds=seconds)
    return _("in %(wait)s (at %(time)s)") % {"wait": timeuntil(at, now, depth=2),
                                            "time": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}


_suspended = threading.local()


@contextmanager
def suspended():
    """No write limit counts inside (this thread): for seed_demo, which writes a community's history
    in seconds and is not a member writing. Never used on a request path."""
    _suspended.on = True
    try:
        yield
    finally:
        _suspended.on = False


def rate_limit_hit(*, key, limit, window):
    """Count one hit against `key`; raise RateLimited when the window already has `limit`."""
    if getattr(_suspended, "on", False):
        return
    now = int(time.time())
    window_start = now - now % window
    cache_key = f"rl:{key}:{window_start}"
    added = cache.add(cache_key, 1, timeout=window + 5)
    try:
        count = 1 if added else cache.incr(cache_key)
    except ValueError:  # the window's counter expired between add and incr: this hit opens a new one
        count = 1
    if getattr(cache, "degraded", False):
        # Fail open: with the cache unreachable the limits are not enforced. Counting in the database
        # instead would add a write to every vote and post exactly when the site is already slower,
        # and a short outage lets a member exceed a limit by minutes at most (README: Redis outages).
        log_throttled("ratelimit-open", "rate limits not enforced: the cache is unreachable (failing open)",
                      log=logger)
        return
    if count > limit:
        retry_after = window_start + window - now
        raise RateLimited(
            _("You are doing that too often. Try again %(when)s.") % {"when": retry_phrase(retry_after)},
            retry_after=retry_after,
        )


def check_write_rate(actor, action):
    """Count one `action` (topic, post, vote, vote_day, report) by `actor` against the member's limit:
    forum.hooks.rate_limit (engagement answers per level), else settings.HUOLI["RATE_LIMITS"]."""
    if actor.is_staff:
        return
    from . import hooks

    hooks.write_rate.check(actor, action)  # limits of other apps (engagement: votes and reports per day by level)
    rule = hooks.rate_limit.ask(actor, action)
    if not rule:
        return
    limit, window = rule
    rate_limit_hit(key=f"{action}:{actor.pk}", limit=limit, window=window)
