"""Transient database errors: retried a bounded number of times, never shown as a 500.

PostgreSQL aborts one of two transactions that wait on each other (deadlock, SQLSTATE 40P01) and,
at REPEATABLE READ or SERIALIZABLE, a transaction whose snapshot went stale (40001). Both are safe to
run again from the start. `retry_transient` does that for a service's outermost transaction: it is
stacked *outside* `transaction.atomic`, so every attempt is a fresh transaction. Inside an outer
atomic block (a caller's transaction, a test's) a retry cannot undo what came before, so the error
is raised at once and the caller's own retry (or the request's 503) applies.

The services still take their row locks in one order (post or topic row only, never the joined
category; then counters by primary key), so deadlocks should not happen; the retry is the net under
that rule, not the rule. A request whose transaction still fails answers 503 (`TransientErrorMiddleware`
for pages; `forum.api` for the JSON API) with Retry-After, never a traceback."""

import functools
import logging
import random
import time

from django.db import OperationalError, connection

logger = logging.getLogger(__name__)

TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPTS = 4


def is_transient(exc):
    cause = getattr(exc, "__cause__", None)
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code in TRANSIENT_SQLSTATES:
        return True
    text = str(exc).lower()
    # SQLite: another connection holds the write lock past the busy timeout
    return isinstance(exc, OperationalError) and ("deadlock detected" in text or "database is locked" in text)


def retry_transient(fn=None, *, attempts=ATTEMPTS):
    """Run `fn` again (up to `attempts` times, with a short jittered back-off) when it fails on a
    transient database error, if it is the outermost transaction."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if connection.in_atomic_block:
                return fn(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    return fn(*args, **kwargs)
                except OperationalError as exc:
                    if attempt == attempts or not is_transient(exc):
                        raise
                    logger.warning("%s: transient database error, attempt %d of %d: %s",
                                   fn.__qualname__, attempt, attempts, exc)
                    time.sleep(random.uniform(0.005, 0.02) * attempt)
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapper

    return decorate(fn) if fn is not None else decorate


class TransientErrorMiddleware:
    """A transient database error that outlived the retries answers 503 with Retry-After: the
    site's error page, or the API's JSON envelope under /api/ (ApiErrorEnvelopeMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OperationalError) and is_transient(exception)):
            return None
        from django.shortcuts import render

        logger.warning("request %s %s failed on a transient database error: %s", request.method,
                       request.path, exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "2"
        return response
