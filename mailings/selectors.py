"""Reads of email notifications: a member's preferences, and what a waiting item says *now* (or
None when the member may no longer read it)."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from forum import permissions
from forum.models import Notification

from .models import DEFAULTS, Kind, MailPreference, MailSettings


def frequency_for(member, kind):
    row = MailPreference.objects.filter(member=member, kind=kind).values_list("frequency", flat=True).first()
    return row or DEFAULTS[Kind(kind)]


def preferences(*, member):
    """[(kind, label, frequency)] for every kind, the member's choice or the default."""
    chosen = dict(MailPreference.objects.filter(member=member).values_list("kind", "frequency"))
    return [(kind, kind.label, chosen.get(kind.value, DEFAULTS[kind])) for kind in Kind]


def language_of(member):
    row = MailSettings.objects.filter(member=member).values_list("language", flat=True).first()
    return row or settings.LANGUAGE_CODE


@dataclass
class ItemView:
    title: str
    text: str
    path: str
    actor: str = ""


def notification_kind(notification):
    """The mail kind of a forum notification (None: never mailed)."""
    kind = notification.kind
    if kind == Notification.Kind.MENTION:
        return Kind.MENTION
    if kind == Notification.Kind.FEATURED:
        return Kind.FEATURED
    if kind == Notification.Kind.REPLY:
        post = notification.post
        if post is not None and post.reply_to_id and post.reply_to.author_id == notification.recipient_id:
            return Kind.QUOTE
        return Kind.REPLY
    if kind != Notification.Kind.SYSTEM:
        return None
    url = notification.url or ""
    if url == reverse("engagement:member_points", args=[notification.recipient.username]):
        return Kind.PROMOTION
    if url == reverse("shop:my_orders"):
        return Kind.SHOP
    if notification.post_id:
        from engagement.bounties.models import BountyPayout
        from engagement.tips.models import Tip

        if BountyPayout.objects.filter(post_id=notification.post_id, member_id=notification.recipient_id).exists() \
                or Tip.objects.filter(post_id=notification.post_id).exists():
            return Kind.BOUNTY
    return Kind.SYSTEM


def _excerpt(text, length=280):
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def notification_view(*, member, notification_id):
    """What a notification says to `member` now; None if it is gone, no longer readable or read on the site."""
    n = (Notification.objects.select_related("topic__category", "post__topic__category", "actor", "recipient")
         .filter(pk=notification_id, recipient=member).first())
    if n is None or not member.is_active:
        return None, "gone"
    if n.read_at is not None:
        return None, "read"
    topic = n.topic or (n.post.topic if n.post_id else None)
    if not permissions.can_be_notified(member, topic):
        return None, "gone"
    if n.post_id and not n.post.is_visible:
        return None, "gone"
    actor = n.actor.name if n.actor_id else ""
    if n.post_id:
        path = n.url or n.post.get_absolute_url()
        text = _excerpt(n.post.source) if n.kind != Notification.Kind.SYSTEM else n.message
    else:
        path = n.url or (topic.get_absolute_url() if topic else reverse("forum:notifications"))
        text = n.message
    labels = {Notification.Kind.REPLY: _("%(name)s replied in “%(topic)s”"),
              Notification.Kind.MENTION: _("%(name)s mentioned you in “%(topic)s”"),
              Notification.Kind.FEATURED: _("Your post in “%(topic)s” was featured")}
    if n.kind in labels and topic is not None:
        title = labels[n.kind] % {"name": actor, "topic": topic.title}
    else:
        title = n.message or _("A notice from the community")
    return ItemView(title=title, text=text, path=path, actor=actor), ""


def message_view(*, member, message_id):
    """A private message as `member` may see it now; None if they left, blocked its author, or read it."""
    from messaging.models import Message, Participant
    from messaging.permissions import hidden_authors

    message = Message.objects.select_related("author", "conversation").filter(pk=message_id).first()
    if message is None or message.is_hidden or not member.is_active:
        return None, "gone"
    participant = Participant.objects.filter(conversation_id=message.conversation_id, member=member,
                                             left_at__isnull=True).first()
    if participant is None or message.author_id in hidden_authors(member):
        return None, "gone"
    if participant.last_read_seq >= message.seq:
        return None, "read"
    title = _("%(name)s sent you a private message") % {"name": message.author.name}
    if message.conversation.subject:
        title += f" · {message.conversation.subject}"
    path = reverse("messaging:conversation", args=[message.conversation_id]) + f"#m{message.seq}"
    return ItemView(title=title, text=_excerpt(message.source), path=path, actor=message.author.name), ""


def item_view(item):
    if item.ref_type == "message":
        return message_view(member=item.member, message_id=item.ref_id)
    return notification_view(member=item.member, notification_id=item.ref_id)
