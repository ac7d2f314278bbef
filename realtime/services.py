"""Writes of the live layer: recording topic events in the event log."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import conf
from .models import TopicEvent

PRUNE_EVERY = 50  # trim a topic's log once every this many events

Topic = TopicEvent._meta.get_field("topic").related_model


@transaction.atomic
def topic_event_record(*, topic_id, type, payload, refresh=None):
    """Give the next sequence number of the topic to an event and store it.

    The UPDATE takes the topic's row lock until this transaction commits, so numbers are handed
    out one at a time, only grow and have no gaps; the event row is committed together with the
    new Topic.event_seq. `refresh(payload)` may rebuild the payload under that lock (so of two
    concurrent votes, the later number carries the later totals). Returns (seq, payload), or None
    when the topic no longer exists."""
    if not Topic.objects.filter(pk=topic_id).update(event_seq=F("event_seq") + 1):
        return None
    seq = Topic.objects.filter(pk=topic_id).values_list("event_seq", flat=True).get()
    if refresh is not None:
        payload = refresh(payload)
    TopicEvent.objects.create(topic_id=topic_id, seq=seq, type=type, payload=payload)
    keep = conf.events_kept()
    if seq % PRUNE_EVERY == 0 and seq > keep:
        TopicEvent.objects.filter(topic_id=topic_id, seq__lte=seq - keep).delete()
    return seq, payload


@transaction.atomic
def topic_events_prune(*, older_than=timedelta(days=30)):
    """Delete events older than `older_than` (clients that far behind reload the page anyway).
    Returns the number of rows deleted."""
    deleted, _detail = TopicEvent.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
