"""Explicit extension points of the forum core.

The forum knows nothing of points, levels, search, sockets or pages. It announces what happened
through *events* and asks *policies* before a write. Other apps register in their own `hooks.py`,
imported from their AppConfig.ready(), so one grep (`hooks.`) shows every listener.

- An event's receivers run after the transaction commits (`transaction.on_commit`), so a rolled
  back post never earns points, reaches a socket or the search index. Each receiver runs in its
  own on-commit callback with `robust=True`: one failing receiver is logged and does not stop the
  others or fail the request that already committed.
- A policy's checks run inside the service, before the write; a check raises NotAllowed (or
  RateLimited) to refuse and returns None to allow.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


class Event:
    def __init__(self, name, doc=""):
        self.name = name
        self.__doc__ = doc
        self._receivers = []

    def connect(self, fn):
        if fn not in self._receivers:
            self._receivers.append(fn)
        return fn

    def disconnect(self, fn):
        if fn in self._receivers:
            self._receivers.remove(fn)

    def send(self, **kwargs):
        """Schedule every receiver to run after the current transaction commits."""
        for fn in list(self._receivers):
            transaction.on_commit(lambda fn=fn: fn(**kwargs), robust=True)


class Policy:
    def __init__(self, name, doc=""):
        self.name = name
        self.__doc__ = doc
        self._checks = []

    def connect(self, fn):
        if fn not in self._checks:
            self._checks.append(fn)
        return fn

    def disconnect(self, fn):
        if fn in self._checks:
            self._checks.remove(fn)

    def check(self, *args, **kwargs):
        for fn in list(self._checks):
            fn(*args, **kwargs)


class Provider:
    """A value another app may supply (the last one connected wins), with the forum's default.
    `ask(*args)` calls the provider, or the default when none is connected; a provider that returns
    None also falls back to the default."""

    def __init__(self, name, default, doc=""):
        self.name = name
        self.default = default
        self.__doc__ = doc
        self._provider = None

    def connect(self, fn):
        self._provider = fn
        return fn

    def disconnect(self, fn=None):
        if fn is None or self._provider is fn:
            self._provider = None

    def ask(self, *args, **kwargs):
        if self._provider is not None:
            value = self._provider(*args, **kwargs)
            if value is not None:
                return value
        return self.default(*args, **kwargs)


# --- events (receivers get keyword arguments) --------------------------------------------------
topic_created = Event("topic_created", "topic, actor")
post_created = Event("post_created", "post, actor (also sent for the opening post of a topic)")
post_edited = Event("post_edited", "post, actor, reason")
post_hidden = Event("post_hidden", "post, actor, hidden (bool): hidden, unhidden, deleted or restored")
vote_changed = Event("vote_changed", "post, actor, old (0/1/-1), new (0/1/-1)")
topic_changed = Event("topic_changed", "topic, actor, change (locked, pinned, hidden, moved, ...)")
topic_moved = Event("topic_moved", "topic, actor, old_category")
notification_created = Event("notification_created", "notification")
member_joined = Event("member_joined", "member")
member_sanctioned = Event("member_sanctioned", "member, actor, kind ('ban'|'silence'), active (bool)")
report_filed = Event("report_filed", "report, item, actor")
content_featured = Event("content_featured", "obj (a Topic or a Post), actor, featured (bool): featured or unfeatured")

# --- policies (checks get positional arguments) ------------------------------------------------
can_post = Policy("can_post", "check(actor, category, kind='topic'|'reply', source=str)")
can_vote = Policy("can_vote", "check(actor, post, value)")
can_report = Policy("can_report", "check(actor, target) before a report (flag) is filed")
can_apply_moderator = Policy("can_apply_moderator", "check(actor, category) before an application to moderate")


# --- providers (values another app may supply; see forum/moderation for the defaults) -----------
def _default_report_weight(user):
    return 1


def _default_rate_limit(user, action):
    from django.conf import settings

    return settings.HUOLI["RATE_LIMITS"].get(action)


report_weight = Provider("report_weight", _default_report_weight,
                         "ask(user) -> int: how much a report by this member counts (engagement: by level)")
rate_limit = Provider("rate_limit", _default_rate_limit,
                      "ask(user, action) -> (count, seconds) or None: the member's limit for topic, post, "
                      "vote, vote_day, report (engagement: by level; default settings.HUOLI['RATE_LIMITS'])")

# --- related rows shown next to members' names -------------------------------------------------
# select_related paths, from a User, that other apps register so pages listing members can load
# what those apps show next to a name in the same query (engagement adds its level and badge).
member_select_related: list[str] = []


def member_related(prefix=""):
    """The registered paths under `prefix` (e.g. "author"): qs.select_related("author", *member_related("author"))."""
    lead = f"{prefix}__" if prefix else ""
    return [f"{lead}{path}" for path in member_select_related]
