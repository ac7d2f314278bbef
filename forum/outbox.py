"""The transactional outbox: side effects that must happen after a commit, and must not be lost.

Points, search-index upkeep, notifications, event participation and recall marks are Celery tasks.
Sent straight to the broker after the commit, a task is lost when the broker drops its queue (a
Redis restart without persistence) or when the process dies between the commit and the send. So
instead `enqueue(task, *args)` writes an `OutboxMessage` row *in the same transaction* as the change;
after the commit the relay hands the row's id to Celery (`forum.tasks.outbox_deliver`), which runs
the task's body in the worker and marks the row done. Whatever is not done by its `due_at` is sent
again by `outbox_sweep` (Celery beat, every minute; also `manage.py outbox_relay`), with back-off,
up to MAX_ATTEMPTS. So a broker that loses every queued message loses no effect: it is late.

The tasks are idempotent (each re-reads the database and reconciles: points by ledger keys, the
index by upsert, notifications one per post and kind), so a message delivered twice (the sweep
re-sending one that was only slow) does no harm.

`batch()` collects the messages of one forum event and writes them with one INSERT."""

import logging
from contextlib import contextmanager
from datetime import timedelta
from threading import local

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

REDELIVER_AFTER = timedelta(minutes=2)  # a message not done by then is sent again by the sweep
MAX_ATTEMPTS = 8
_state = local()


def _model():
    from forum.models import OutboxMessage

    return OutboxMessage


def redeliver_after():
    """settings.HUOLI["OUTBOX_REDELIVER_SECONDS"] (env OUTBOX_REDELIVER_SECONDS), 2 minutes by default:
    longer than a queued task normally waits, so the sweep rarely sends a message that was only slow."""
    seconds = settings.HUOLI.get("OUTBOX_REDELIVER_SECONDS")
    return timedelta(seconds=seconds) if seconds else REDELIVER_AFTER


def task_name(task):
    return task if isinstance(task, str) else task.name


def enqueue(task, *args):
    """Owe `task(*args)` after the current transaction commits (at once outside one). The arguments
    must be JSON values (ids, strings)."""
    message = _model()(task=task_name(task), args=list(args), due_at=timezone.now() + redeliver_after())
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.append(message)
        return
    message.save()
    _publish_on_commit([message.pk])


@contextmanager
def batch():
    """Messages enqueued inside are written together, with one INSERT, when the block ends."""
    if getattr(_state, "pending", None) is not None:  # already batching: the outer block writes
        yield
        return
    _state.pending = []
    try:
        yield
        messages = _state.pending
    finally:
        _state.pending = None
    if messages:
        created = _model().objects.bulk_create(messages)
        _publish_on_commit([m.pk for m in created])


def _publish_on_commit(ids):
    transaction.on_commit(lambda: publish(ids), robust=True)


def publish(ids):
    """Hand messages to Celery. A broker that refuses is logged; the sweep sends them later."""
    from forum.tasks import outbox_deliver

    for pk in ids:
        try:
            outbox_deliver.delay(pk)
        except Exception as exc:  # the broker is down: the row stays pending, the sweep re-sends it
            if getattr(exc, "_outbox_task_failed", False):
                continue  # eager mode: the task ran here and failed; its row records why
            logger.warning("outbox: could not send message %s to the broker (%s); the sweep will", pk, exc)


def deliver(pk):
    """Run one message's task body here and mark it done. Returns False when it was done already."""
    from celery import current_app

    Message = _model()
    message = Message.objects.filter(pk=pk, done_at__isnull=True).first()
    if message is None:
        return False
    task = current_app.tasks[message.task]
    try:
        task.run(*message.args)
    except Exception as exc:
        Message.objects.filter(pk=pk).update(last_error=f"{type(exc).__name__}: {exc}"[:2000])
        exc._outbox_task_failed = True
        raise
    Message.objects.filter(pk=pk, done_at__isnull=True).update(done_at=timezone.now(), last_error="")
    return True


def sweep(*, limit=500, now=None, everything=False):
    """Send again every message that is past due (`everything`: every pending one) and not done;
    give up (and log) after MAX_ATTEMPTS. Also forget messages done more than a week ago. Returns
    the number sent again."""
    Message = _model()
    now = now or timezone.now()
    with transaction.atomic():
        pending = Message.objects.select_for_update(skip_locked=True).filter(done_at__isnull=True,
                                                                             attempts__lt=MAX_ATTEMPTS)
        if not everything:
            pending = pending.filter(due_at__lte=now)
        due = list(pending.order_by("due_at")[:limit])
        for message in due:
            message.attempts += 1
            # 2, 4, 8 ... minutes, at most an hour, between attempts
            message.due_at = now + min(redeliver_after() * (2 ** message.attempts), timedelta(hours=1))
            if message.attempts >= MAX_ATTEMPTS:
                logger.error("outbox: message %s (%s%r) failed %d times; left for an operator: %s",
                             message.pk, message.task, tuple(message.args), message.attempts, message.last_error)
        Message.objects.bulk_update(due, ["attempts", "due_at"])
    Message.objects.filter(done_at__lt=now - timedelta(days=7)).delete()
    publish([m.pk for m in due])
    return len(due)


def pending_count():
    return _model().objects.filter(done_at__isnull=True).count()
