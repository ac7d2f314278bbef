"""Follow and unfollow: both idempotent (following twice leaves one row, unfollowing what one does not
follow changes nothing). A new follow of a member tells them, in the same transaction (the notification
is written with the follow or not at all); following again after unfollowing does not notify twice
while the first notice is unread. Following counts against the member's write limit ("follow")."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from forum.errors import InvalidInput
from forum.lib.db import retry_transient
from forum.models import Notification, Topic, User
from forum.ratelimit import check_write_rate
from forum.services import notification_create

from . import permissions
from .models import Follow


def _target(member, category, tag):
    given = {key: value for key, value in (("member", member), ("category", category), ("tag", tag))
             if value is not None}
    if len(given) != 1:
        raise InvalidInput(_("Follow one member, category or tag at a time."), code="target")
    return given


@retry_transient
@transaction.atomic
def follow_create(*, actor, member=None, category=None, tag=None):
    """Follow a member, a category or a tag. Returns (follow, created)."""
    target = _target(member, category, tag)
    permissions.check_follow(actor, member=member, category=category, tag=tag)
    existing = Follow.objects.filter(follower=actor, **target).first()
    if existing is not None:
        return existing, False
    check_write_rate(actor, "follow")
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=actor, **target)
    except IntegrityError:  # a concurrent click made it first
        return Follow.objects.get(follower=actor, **target), False
    if member is not None:
        _notify_followed(actor=actor, member=member)
    return follow, True


def _notify_followed(*, actor, member):
    url = actor.get_absolute_url()
    if Notification.objects.filter(recipient=member, actor=actor, kind=Notification.Kind.SYSTEM, url=url,
                                   read_at__isnull=True).exists():
        return
    notification_create(recipient=member, kind=Notification.Kind.SYSTEM, actor=actor, url=url,
                        message=_("%(name)s is now following you.") % {"name": actor.name})


@retry_transient
@transaction.atomic
def follow_delete(*, actor, member=None, category=None, tag=None):
    """Stop following. Returns True when a follow was removed, False when there was none."""
    target = _target(member, category, tag)
    permissions.check_member(actor)
    deleted, _detail = Follow.objects.filter(follower=actor, **target).delete()
    return bool(deleted)


MAX_TOPIC_NOTICES = 2000  # followers told of one new topic; beyond that the feed is where they see it


@transaction.atomic
def follows_notify_new_topic(*, topic_id):
    """Tell the followers of a topic's author about their new topic (the outbox runs this after the
    commit). Nobody is told about a topic that is hidden (held for approval, removed) or that they may not
    read (forum.services re-checks each recipient). Safe to run twice: one notice per follower and topic."""
    topic = Topic.objects.select_related("category", "author").filter(pk=topic_id).first()
    if topic is None or topic.is_hidden:
        return 0
    author = topic.author
    followers = list(Follow.objects.filter(member=author).order_by("pk")
                     .values_list("follower_id", flat=True)[:MAX_TOPIC_NOTICES])
    told = set(Notification.objects.filter(recipient_id__in=followers, topic=topic, actor=author,
                                           kind=Notification.Kind.SYSTEM).values_list("recipient_id", flat=True))
    count = 0
    message = _("%(name)s, whom you follow, started a topic: “%(title)s”") % {"name": author.name,
                                                                           "title": topic.title}
    for recipient in User.objects.filter(pk__in=[pk for pk in followers if pk not in told], is_active=True):
        if notification_create(recipient=recipient, kind=Notification.Kind.SYSTEM, actor=author, topic=topic,
                               url=topic.get_absolute_url(), message=message):
            count += 1
    return count
