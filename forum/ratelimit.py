"""Fixed-window write limits per member, kept in the cache (Redis in production).

The limits come from settings.HUOLI["RATE_LIMITS"]; engagement may tighten or loosen them per
level through the `can_post` policy."""

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from .errors import RateLimited


def rate_limit_hit(*, key, limit, window):
    """Count one hit against `key`; raise RateLimited when the window already has `limit`."""
    now = int(time.time())
    window_start = now - now % window
    cache_key = f"rl:{key}:{window_start}"
    added = cache.add(cache_key, 1, timeout=window + 5)
    count = 1 if added else cache.incr(cache_key)
    if count > limit:
        retry_after = window_start + window - now
        raise RateLimited(
            _("You are doing that too often. Try again in %(seconds)s seconds.") % {"seconds": retry_after},
            retry_after=retry_after,
        )


def check_write_rate(actor, action):
    """Count one `action` (topic, post, vote, vote_day, report) by `actor` against the member's limit:
    forum.hooks.rate_limit (engagement answers per level), else settings.HUOLI["RATE_LIMITS"]."""
    if actor.is_staff:
        return
    from . import hooks

    rule = hooks.rate_limit.ask(actor, action)
    if not rule:
        return
    limit, window = rule
    rate_limit_hit(key=f"{action}:{actor.pk}", limit=limit, window=window)
