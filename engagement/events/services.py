"""Every write to events: create, edit, cancel (moderators and staff; each in the audit log), add
a poll or a lottery, and record participation.

Point multipliers are the points app's TimedMultiplier rows, created with the event for its window,
moved when the window is edited and ended when the event is cancelled; points_award applies them."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import AuditReasonMissing, audit_record, clean_reason
from engagement.lotteries import services as lottery_services
from engagement.lotteries.models import Lottery
from engagement.points.models import PointsRule, TimedMultiplier
from engagement.points.services import points_award
from engagement.polls import services as poll_services
from forum.errors import Conflict, InvalidInput
from forum.markdown import render_markdown

from . import permissions
from .models import Event, EventAction, EventMultiplier, EventParticipation

TITLE_MAX = 120
DESCRIPTION_MAX = 10000
MAX_MULTIPLIERS = 10


def _clean(*, title, description, starts_at, ends_at):
    title = " ".join(str(title or "").split())
    if not title:
        raise InvalidInput(_("Give the event a title."), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("The title may be at most %(n)d characters.") % {"n": TITLE_MAX}, field="title")
    description = str(description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("The description may be at most %(n)d characters.") % {"n": DESCRIPTION_MAX},
                           field="description")
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime.datetime):
            raise InvalidInput(_("Give a date and time."), field=name)
    if ends_at <= starts_at:
        raise InvalidInput(_("The event must end after it starts."), field="ends_at")
    return title, description


def clean_multipliers(multipliers):
    """[(rule_code or None, category or None, Decimal)] from the form's rows; refuses bad factors."""
    cleaned = []
    codes = set(PointsRule.objects.values_list("code", flat=True))
    for rule_code, category, factor in multipliers or []:
        try:
            factor = Decimal(str(factor))
        except (InvalidOperation, ValueError):
            raise InvalidInput(_("A multiplier must be a number such as 2 or 1.5."), field="multipliers")
        if not Decimal("0") < factor <= Decimal("10") or factor != factor.quantize(Decimal("0.01")):
            raise InvalidInput(_("A multiplier must be above 0 and at most 10, with at most two decimals."),
                               field="multipliers")
        if rule_code and rule_code not in codes:
            raise InvalidInput(_("Unknown earning rule “%(code)s”.") % {"code": rule_code}, field="multipliers")
        cleaned.append((rule_code or None, category, factor))
    if len(cleaned) > MAX_MULTIPLIERS:
        raise InvalidInput(_("At most %(n)d multipliers.") % {"n": MAX_MULTIPLIERS}, field="multipliers")
    return cleaned


def _set_multipliers(event, multipliers):
    for link in EventMultiplier.objects.filter(event=event).select_related("timed"):
        link.timed.delete()  # cascades to the link; the points app drops its rules cache on delete
    rules = {r.code: r for r in PointsRule.objects.all()}
    for rule_code, category, factor in multipliers:
        timed = TimedMultiplier.objects.create(
            name=event.title[:80], rule=rules.get(rule_code) if rule_code else None, category=category,
            multiplier=factor, starts_at=event.starts_at, ends_at=event.ends_at)
        EventMultiplier.objects.create(event=event, timed=timed)


def _reason(reason, message):
    try:
        return clean_reason(reason)
    except AuditReasonMissing:
        raise InvalidInput(message, field="reason")


@transaction.atomic
def event_create(*, actor, title, description, starts_at, ends_at, categories=(), topics=(), multipliers=(),
                 cover=None):
    permissions.check_manage_events(actor)
    title, description = _clean(title=title, description=description, starts_at=starts_at, ends_at=ends_at)
    multipliers = clean_multipliers(multipliers)
    now = timezone.now()
    event = Event(title=title, description=description, description_html=render_markdown(description),
                  starts_at=starts_at, ends_at=ends_at, created_by=actor, created_at=now, updated_at=now)
    if cover:
        event.cover = cover
    event.save()
    event.categories.set(list(categories))
    event.topics.set(list(topics))
    _set_multipliers(event, multipliers)
    audit_record(actor=actor, action="event.create", reason=_("Created an event"), target=event,
                 data={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                       "multipliers": [[c, cat.pk if cat else None, str(f)] for c, cat, f in multipliers]})
    return event


@transaction.atomic
def event_edit(*, actor, event, reason, title, description, starts_at, ends_at, categories=(), topics=(),
               multipliers=None, cover=None):
    """Edit an event (not a cancelled one). `multipliers` None keeps them (their window follows the
    event's); a list replaces them."""
    permissions.check_manage_events(actor)
    reason = _reason(reason, _("Say why the event is edited."))
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.cancelled_at is not None:
        raise Conflict(_("A cancelled event cannot be edited."), code="cancelled")
    title, description = _clean(title=title, description=description, starts_at=starts_at, ends_at=ends_at)
    cleaned = clean_multipliers(multipliers) if multipliers is not None else None
    before = {"title": event.title, "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat()}
    event.title, event.description = title, description
    event.description_html = render_markdown(description)
    event.starts_at, event.ends_at = starts_at, ends_at
    event.updated_at = timezone.now()
    if cover:
        event.cover = cover
    event.save()
    event.categories.set(list(categories))
    event.topics.set(list(topics))
    if cleaned is not None:
        _set_multipliers(event, cleaned)
    else:
        for link in EventMultiplier.objects.filter(event=event).select_related("timed"):
            link.timed.name, link.timed.starts_at, link.timed.ends_at = title[:80], starts_at, ends_at
            link.timed.save()
    audit_record(actor=actor, action="event.edit", reason=reason, target=event,
                 data={"before": before, "after": {"title": title, "starts_at": starts_at.isoformat(),
                                                   "ends_at": ends_at.isoformat()}})
    return event


@transaction.atomic
def event_cancel(*, actor, event, reason):
    """Cancel an event: its multipliers stop now, its undrawn lotteries are cancelled (entry costs
    refunded), and the action is in the audit log."""
    permissions.check_manage_events(actor)
    reason = _reason(reason, _("Say why the event is cancelled."))
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.cancelled_at is not None:
        raise Conflict(_("This event is already cancelled."), code="cancelled")
    now = timezone.now()
    if now >= event.ends_at:
        raise Conflict(_("This event has already ended."), code="ended")
    event.cancelled_at = now
    event.cancel_reason = reason
    event.save(update_fields=["cancelled_at", "cancel_reason"])
    for link in EventMultiplier.objects.filter(event=event).select_related("timed"):
        if link.timed.starts_at >= now:
            link.timed.delete()
        else:
            link.timed.ends_at = now
            link.timed.save()
    for lottery in event.lotteries.exclude(state__in=[Lottery.State.DRAWN, Lottery.State.CANCELLED]):
        lottery_services.lottery_cancel(actor=actor, lottery=lottery, reason=reason)
    audit_record(actor=actor, action="event.cancel", reason=reason, target=event)
    return event


@transaction.atomic
def event_poll_create(*, actor, event, **poll_fields):
    """A poll that belongs to the event (outside any topic)."""
    permissions.check_manage_events(actor)
    if event.cancelled_at is not None:
        raise Conflict(_("A cancelled event cannot get new activities."), code="cancelled")
    poll = poll_services.poll_create(actor=actor, topic=None, **poll_fields)
    event.polls.add(poll)
    return poll


@transaction.atomic
def event_lottery_create(*, actor, event, **lottery_fields):
    permissions.check_manage_events(actor)
    if event.cancelled_at is not None:
        raise Conflict(_("A cancelled event cannot get new activities."), code="cancelled")
    lottery = lottery_services.lottery_create(actor=actor, **lottery_fields)
    event.lotteries.add(lottery)
    return lottery


# --- participation -------------------------------------------------------------------------------
def _running(at):
    return Event.objects.filter(cancelled_at__isnull=True, starts_at__lte=at, ends_at__gt=at)


def _record(*, events, member_id, kind, object_id, at):
    """Record one action in each event; the first action of a member in an event makes them a
    participant and earns the "event_participation" points once. Returns the new participations."""
    from forum.models import User

    joined = []
    for event in events:
        try:
            with transaction.atomic():
                EventAction.objects.create(event=event, member_id=member_id, kind=kind, object_id=object_id, at=at)
        except IntegrityError:
            continue  # already recorded (a retried task)
        participation, created = EventParticipation.objects.get_or_create(
            event=event, member_id=member_id, defaults={"first_at": at})
        if created:
            joined.append(participation)
            points_award(member=User(pk=member_id), rule_code=PointsRule.EVENT_PARTICIPATION, source=event)
    return joined


@transaction.atomic
def event_record_post(*, post_id):
    from forum.models import Post

    post = Post.objects.select_related("topic").filter(pk=post_id).first()
    if post is None or not post.is_visible:
        return []
    events = (_running(post.created_at).filter(topics=post.topic_id)
              | _running(post.created_at).filter(categories=post.topic.category_id)).distinct()
    return _record(events=list(events), member_id=post.author_id, kind=EventAction.Kind.POST, object_id=post.pk,
                   at=post.created_at)


@transaction.atomic
def event_record_vote(*, poll_id, member_id, at):
    from engagement.polls.models import Poll

    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None:
        return []
    events = _running(at).filter(polls=poll)
    if poll.topic_id:
        events = events | _running(at).filter(topics=poll.topic_id)
    return _record(events=list(events.distinct()), member_id=member_id, kind=EventAction.Kind.VOTE,
                   object_id=poll.pk, at=at)


@transaction.atomic
def event_record_entry(*, lottery_id, member_id, at):
    events = _running(at).filter(lotteries=lottery_id)
    return _record(events=list(events), member_id=member_id, kind=EventAction.Kind.ENTRY, object_id=lottery_id, at=at)


def any_running(at=None):
    return _running(at or timezone.now()).exists()
