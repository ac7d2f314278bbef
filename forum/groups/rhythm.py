"""Group rhythm: recurring group events. `group_event_create` (owners and staff) and `group_events_run`
(the beat task, every few minutes): for each active event, the next start in the event's time zone; from
`seed_hours + lead_hours` before it the occurrence's topic exists and the early-access members are told
(until the session opens to everyone only they, the owners and deputies may reply: forum.groups.hooks);
from `lead_hours` before it every member is reminded and may reply. Each step happens once per occurrence."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import services as forum_services
from ..errors import InvalidInput
from ..models import Notification, User
from ..moderation.common import record
from . import permissions
from .models import GroupEvent, GroupEventOccurrence, Membership


def next_start(event, now):
    """The event's next start strictly after `now`, as an aware datetime."""
    zone = ZoneInfo(event.time_zone)
    local = now.astimezone(zone)
    days = (event.weekday - local.weekday()) % 7
    day = (local + timedelta(days=days)).date()
    start = datetime(day.year, day.month, day.day, event.hour, event.minute, tzinfo=zone)
    if start <= now:
        day = day + timedelta(days=7)
        start = datetime(day.year, day.month, day.day, event.hour, event.minute, tzinfo=zone)
    return start


@transaction.atomic
def group_event_create(*, actor, group, title, body, weekday, hour, minute=0, time_zone="Asia/Shanghai",
                       lead_hours=24, seed_hours=0, seeds=()):
    permissions.check_owner(actor, group)
    title = " ".join(str(title or "").split())
    if not 4 <= len(title) <= 120:
        raise InvalidInput(_("The title needs 4 to 120 characters."), field="title")
    body = (body or "").strip()
    if not body or len(body) > 5000:
        raise InvalidInput(_("Write the session topic's text (at most 5000 characters)."), field="body")
    try:
        weekday, hour, minute, lead_hours, seed_hours = (int(v) for v in (weekday, hour, minute, lead_hours,
                                                                           seed_hours))
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose the weekday and time."), field="weekday") from None
    if not (0 <= weekday <= 6 and 0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= lead_hours <= 168
            and 0 <= seed_hours <= 168):
        raise InvalidInput(_("Choose the weekday and time."), field="weekday")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_("Unknown time zone."), field="time_zone") from None
    event = GroupEvent.objects.create(group=group, title=title, body=body, weekday=weekday, hour=hour, minute=minute,
                                      time_zone=time_zone, lead_hours=lead_hours, seed_hours=seed_hours,
                                      created_by=actor)
    members = list(User.objects.filter(group_memberships__group=group, username__in=list(seeds or ())))
    event.seeds.set(members)
    record(actor=actor, action="group_event_create", target=event, fallback=_("created"), category=group.category,
           after={"weekday": weekday, "hour": hour, "minute": minute, "seeds": [m.pk for m in members]})
    return event


def _author(event):
    owner = Membership.objects.filter(group=event.group, role=Membership.Role.OWNER).select_related("member").first()
    return event.created_by or (owner.member if owner else None)


def _open_topic(event, starts_at):
    local = starts_at.astimezone(ZoneInfo(event.time_zone))
    title = f"{event.title} · {local:%Y-%m-%d %H:%M}"
    author = _author(event)
    return forum_services.topic_create(actor=author, category=event.group.category, title=title, body=event.body)


def group_events_run(*, now=None):
    """Open the topics that are due, tell the early-access members, remind everyone. Returns a count of each."""
    now = now or timezone.now()
    done = {"opened": 0, "seeded": 0, "reminded": 0}
    for event in GroupEvent.objects.filter(is_active=True).select_related("group__category", "created_by"):
        starts_at = next_start(event, now)
        opens_at = starts_at - timedelta(hours=event.lead_hours + event.seed_hours)
        if now < opens_at:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    occurrence = GroupEventOccurrence.objects.create(event=event, starts_at=starts_at)
            except IntegrityError:
                occurrence = GroupEventOccurrence.objects.get(event=event, starts_at=starts_at)
            occurrence = GroupEventOccurrence.objects.select_for_update().get(pk=occurrence.pk)
            if occurrence.topic_id is None:
                occurrence.topic = _open_topic(event, starts_at)
                occurrence.save(update_fields=["topic"])
                done["opened"] += 1
            url = occurrence.topic.get_absolute_url() if occurrence.topic_id else event.group.get_absolute_url()
            if occurrence.seeded_at is None:
                for seed in event.seeds.all():
                    forum_services.notification_create(
                        recipient=seed, kind=Notification.Kind.SYSTEM, url=url,
                        message=_("Early access: %(title)s is open for you before everyone else. Set the example!")
                        % {"title": event.title})
                occurrence.seeded_at = now
                occurrence.save(update_fields=["seeded_at"])
                done["seeded"] += 1
            if occurrence.reminded_at is None and now >= starts_at - timedelta(hours=event.lead_hours):
                when = starts_at.astimezone(ZoneInfo(event.time_zone)).strftime("%m-%d %H:%M")
                for membership in Membership.objects.filter(group=event.group).select_related("member"):
                    forum_services.notification_create(
                        recipient=membership.member, kind=Notification.Kind.SYSTEM, url=url,
                        message=_("%(title)s starts %(when)s: the session's topic is open.") % {
                            "title": event.title, "when": when})
                occurrence.reminded_at = now
                occurrence.save(update_fields=["reminded_at"])
                done["reminded"] += 1
    return done
