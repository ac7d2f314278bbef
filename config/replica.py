"""Reads from a PostgreSQL replica, with read-your-writes for the member who just wrote.

Wiring only (no domain logic), turned on by DATABASE_REPLICA_URL (settings add the "replica" alias, this
router and the middleware). Which reads go to the replica:

- only reads inside a request that is a safe method (GET, HEAD, OPTIONS): the read-only selectors behind
  pages and the API. Celery tasks, commands and the shell read from the primary: a task sent on commit
  must find the row its request just wrote, which a lagging replica may not have yet;
- never inside a transaction (`atomic`, `select_for_update`): a service reads what it is about to write
  from the primary;
- never once this request has written, and never for PRIMARY_PIN_SECONDS after a request of this browser
  wrote: the response of a write sets a short-lived cookie (huoli_primary) that pins the member's next
  requests to the primary, so a member always sees their own reply, vote or edit, even while the replica
  lags. The cookie carries no secret: a forged one only sends its holder to the primary.

Writes always go to the primary. Replicas take no migrations (they copy the primary)."""

import contextvars

from django.conf import settings
from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "huoli_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The request being served, as a mutable state: a sync view run in a thread by asgiref sees the same dict
# (a ContextVar set inside that thread would not come back to the middleware).
_request_state: contextvars.ContextVar[dict | None] = contextvars.ContextVar("huoli_db_request", default=None)


def _has_replica() -> bool:
    return bool(settings.DATABASE_REPLICA_URL)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _request_state.get()
        if state is None or not _has_replica() or state["pinned"] or state["wrote"]:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        state["replica_reads"] += 1
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _request_state.get()
        if state is not None:
            state["wrote"] = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class PrimaryPinMiddleware:
    """Marks the request's reads as replica-eligible or pinned to the primary, and after a write pins the
    browser's next requests to the primary for PRIMARY_PIN_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES
        state = {"pinned": pinned, "wrote": False, "replica_reads": 0}
        token = _request_state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request_state.reset(token)
        if state["wrote"] or request.method not in SAFE_METHODS:
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.PRIMARY_PIN_SECONDS, httponly=True,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        response["X-Huoli-Db"] = REPLICA if state["replica_reads"] and not state["wrote"] else PRIMARY
        return response
