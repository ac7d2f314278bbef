"""Reads of the live layer: who may join which channel, and the events a reader missed."""

from dataclasses import dataclass

from forum import permissions
from forum.models import Category, Post, Topic
from forum.selectors import notifications_unread_count

from . import publish
from .models import TopicEvent

# events after which every reader's access to the topic is checked again
ACCESS_EVENTS = frozenset({"topic.hidden", "topic.moved"})


@dataclass(frozen=True)
class TopicAccess:
    topic_id: int
    seq: int  # the last event number at the time of the check


def topic_access(*, topic_id, user):
    """None if `user` may not read the topic (unknown, private category, hidden), else its seq.
    The same check as the topic page: forum.permissions.can_read_topic."""
    topic = Topic.objects.select_related("category").filter(pk=topic_id).first()
    if topic is None or not permissions.can_read_topic(user, topic):
        return None
    return TopicAccess(topic_id=topic.pk, seq=topic.event_seq)


def can_type_in_topic(*, topic_id, user):
    """Typing notices come only from members who could post the reply they are typing."""
    if not user.is_authenticated or not user.is_active:
        return False
    topic = Topic.objects.select_related("category").filter(pk=topic_id).first()
    if topic is None or not permissions.can_read_topic(user, topic):
        return False
    if getattr(user, "is_silenced", False):
        return False
    if topic.is_locked and not permissions.can_moderate(user, topic.category):
        return False
    return permissions.can_post_in_category(user, topic.category)


class CatchUpImpossible(Exception):
    """The reader is too far behind (events pruned, or too many) or ahead of the log: reload."""


def topic_events_after(*, topic_id, after, limit):
    """The events of a topic numbered after `after`, oldest first, as (seq, type, json text).

    Raises CatchUpImpossible when they cannot all be given: the first missing one was pruned,
    more than `limit` are missing, or `after` is beyond the topic's last number. Post events are
    re-checked against the posts as they are now: a post hidden or deleted since carries no
    content in the replay."""
    rows = list(
        TopicEvent.objects.filter(topic_id=topic_id, seq__gt=after).order_by("seq")
        .values_list("seq", "type", "payload")[: limit + 1]
    )
    if len(rows) > limit:
        raise CatchUpImpossible("too many events missed")
    if not rows:
        current = Topic.objects.filter(pk=topic_id).values_list("event_seq", flat=True).first()
        if current is None or after > current:
            raise CatchUpImpossible("ahead of the log")
        return []
    for expected, (seq, _type, _payload) in enumerate(rows, start=after + 1):
        if seq != expected:
            raise CatchUpImpossible("events pruned")
    post_ids = {payload["post_id"] for _seq, _type, payload in rows if "html" in payload and "post_id" in payload}
    visible = set()
    if post_ids:
        visible = set(Post.objects.filter(pk__in=post_ids, is_hidden=False, is_deleted=False)
                      .values_list("pk", flat=True))
    gone = post_ids - visible
    result = []
    for seq, type_, payload in rows:
        if payload.get("post_id") in gone and "html" in payload:
            payload = {k: v for k, v in payload.items() if k not in ("html", "fragment", "title")}
            payload["redacted"] = True
        result.append((seq, type_, publish.dumps({**payload, "type": type_, "seq": seq})))
    return result


def can_read_category(*, category_id, user):
    category = Category.objects.filter(pk=category_id).first()
    return category is not None and permissions.can_read_category(user, category)


def home_groups(*, user):
    """The home-page groups a reader joins: public news, plus the private categories they read."""
    groups = [publish.HOME_GROUP]
    if user.is_authenticated and user.is_active:
        groups += [publish.home_group_for(gid) for gid in sorted(permissions.group_ids(user))]
        if user.is_staff:
            groups.append(publish.HOME_STAFF_GROUP)
    return groups


def member_unread_count(*, user):
    return notifications_unread_count(user=user)
