"""Events in the JSON API (/api/v1/): the running, upcoming and past events, and one event with its
activities (categories, readable topics, polls with results as the reader may see them, lotteries
with the reader's entry and winners, point multipliers) and, once it has ended, its results.
Reads only (moderators create and run events on the pages); open to guests."""

from datetime import datetime

from django.utils import timezone
from ninja import Field, Router, Schema

from engagement.lotteries.api import LotteryOut, lottery_out
from engagement.polls.api import MemberRef, PollOut, TopicRef, member_ref, poll_out
from forum.api_schemas import ANONYMOUS_OK, READ_ERRORS
from forum.api_schemas import OBJECT_ID as ID
from forum.tokens import READ_AUTH

from . import permissions, selectors

router = Router(tags=["events"])


class EventSummaryOut(Schema):
    id: int
    title: str
    url: str
    status: str = Field(description="upcoming, running, past or cancelled")
    starts_at: datetime
    ends_at: datetime
    cover_url: str | None = None
    participants: int


class EventListOut(Schema):
    running: list[EventSummaryOut]
    upcoming: list[EventSummaryOut]
    past: list[EventSummaryOut] = Field(description="the latest 30 ended or cancelled events")


class EventCategoryRef(Schema):
    slug: str
    name: str
    url: str


class MultiplierOut(Schema):
    multiplier: str
    rule: str | None = Field(None, description="the points rule's code; null: every rule")
    category: str | None = Field(None, description="the category's slug; null: everywhere")


class EventStatsOut(Schema):
    participants: int
    posts: int
    votes: int
    entries: int


class EventOut(EventSummaryOut):
    description_html: str
    cancel_reason: str | None = None
    categories: list[EventCategoryRef]
    topics: list[TopicRef]
    polls: list[PollOut]
    lotteries: list[LotteryOut]
    multipliers: list[MultiplierOut]
    stats: EventStatsOut | None = Field(None, description="after the event ends (moderators: at any time)")
    participant_list: list[MemberRef] | None = Field(None, description="after the event ends: the first 100")


def _summary(event, now, participants=None):
    return {
        "id": event.pk, "title": event.title, "url": event.get_absolute_url(), "status": event.status_at(now),
        "starts_at": event.starts_at, "ends_at": event.ends_at,
        "cover_url": event.cover.url if event.cover else None,
        "participants": participants if participants is not None else getattr(event, "n_participants", 0),
    }


@router.get("/events", response={200: EventListOut, **READ_ERRORS}, auth=READ_AUTH, openapi_extra=ANONYMOUS_OK,
            summary="Running, upcoming and past events")
def event_list(request):
    now = timezone.now()
    lists = selectors.event_lists(now=now)
    return {key: [_summary(e, now) for e in lists[key]] for key in ("running", "upcoming", "past")}


@router.get("/events/{event_id}", response={200: EventOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="An event with its activities and, once ended, its results")
def event_detail(request, event_id: int = ID):
    user = request.auth
    now = timezone.now()
    event = selectors.event_get(event_id=event_id)
    status = event.status_at(now)
    activities = selectors.event_activities(event=event, user=user)
    show_stats = status == "past" or permissions.can_manage_events(user)
    stats = selectors.event_stats(event=event) if show_stats else None
    out = _summary(event, now, participants=stats["participants"] if stats else
                   selectors.event_stats(event=event)["participants"])
    out.update({
        "description_html": event.description_html, "cancel_reason": event.cancel_reason or None,
        "categories": [{"slug": c.slug, "name": c.name, "url": c.get_absolute_url()} for c in activities["categories"]],
        "topics": [{"id": t.pk, "title": t.title, "url": t.get_absolute_url()} for t in activities["topics"]],
        "polls": [poll_out(pv) for pv in activities["polls"]],
        "lotteries": [lottery_out(x) for x in activities["lotteries"]],
        "multipliers": [{"multiplier": str(m.multiplier), "rule": m.rule.code if m.rule_id else None,
                         "category": m.category.slug if m.category_id else None} for m in activities["multipliers"]],
        "stats": stats,
        "participant_list": ([member_ref(p.member) for p in selectors.event_participants(event=event)]
                             if status == "past" else None),
    })
    return out


def register(api):
    api.add_router("/", router)
    return api
