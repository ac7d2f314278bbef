"""Reads of events: the upcoming / running / past lists, one event with its activities, and its
results and participation numbers."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone

from engagement.lotteries.selectors import lotteries_with_my_entries, lotteries_with_winners
from engagement.polls.selectors import polls_view
from forum.permissions import can_read_topic

from .models import Event, EventAction, EventParticipation

PAST_LIMIT = 30


def event_lists(*, now=None):
    """{"running": [...], "upcoming": [...], "past": [...]} (past: the latest 30; cancelled events
    are listed under past)."""
    now = now or timezone.now()
    qs = Event.objects.annotate(n_participants=Count("participations"))
    running = list(qs.filter(cancelled_at__isnull=True, starts_at__lte=now, ends_at__gt=now).order_by("ends_at"))
    upcoming = list(qs.filter(cancelled_at__isnull=True, starts_at__gt=now).order_by("starts_at"))
    past = list(qs.exclude(pk__in=[e.pk for e in running + upcoming]).order_by("-ends_at")[:PAST_LIMIT])
    return {"running": running, "upcoming": upcoming, "past": past}


def event_get(*, event_id):
    return get_object_or_404(Event.objects.select_related("created_by"), pk=event_id)


def event_multipliers(*, event):
    """The event's point multipliers as the form and the service take them: [(rule code or None, category or
    None, factor)], in the order they were made."""
    links = event.multipliers.select_related("timed__rule", "timed__category").order_by("pk")
    return [(link.timed.rule.code if link.timed.rule_id else None, link.timed.category, link.timed.multiplier)
            for link in links]


def event_activities(*, event, user):
    """The event's categories, readable topics, polls (as PollViews) and lotteries (with the
    reader's entry and, when drawn, the winners)."""
    topics = [t for t in event.topics.select_related("category", "author") if can_read_topic(user, t)]
    polls = polls_view(polls=event.polls.select_related("topic__category", "author"), user=user)
    polls = [p for p in polls if p.poll.topic is None or can_read_topic(user, p.poll.topic)]
    lotteries = list(lotteries_with_winners(event.lotteries.all()).select_related("topic__category")
                     .order_by("closes_at", "id"))
    lotteries = [x for x in lotteries_with_my_entries(lotteries=lotteries, user=user)
                 if x.topic is None or can_read_topic(user, x.topic)]
    multipliers = [link.timed for link in event.multipliers.select_related("timed__rule", "timed__category")]
    return {"categories": list(event.categories.all()), "topics": topics, "polls": polls, "lotteries": lotteries,
            "multipliers": multipliers}


def event_stats(*, event):
    """Participation numbers for operators: participants and actions by kind."""
    by_kind = dict(EventAction.objects.filter(event=event).values("kind").annotate(n=Count("id"))
                   .values_list("kind", "n"))
    return {
        "participants": EventParticipation.objects.filter(event=event).count(),
        "posts": by_kind.get(EventAction.Kind.POST, 0),
        "votes": by_kind.get(EventAction.Kind.VOTE, 0),
        "entries": by_kind.get(EventAction.Kind.ENTRY, 0),
    }


def event_participants(*, event, limit=100):
    return list(EventParticipation.objects.filter(event=event).select_related("member").order_by("first_at", "id")
                [:limit])
