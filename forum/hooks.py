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
content_featured = Event("content_featured", "obj (a Topic or a Post), actor, featured (bool): featured or unfeatured")

# --- policies (checks get positional arguments) ------------------------------------------------
can_post = Policy("can_post", "check(actor, category, kind='topic'|'reply', source=str)")
can_vote = Policy("can_vote", "check(actor, post, value)")
