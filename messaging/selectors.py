"""Reads of private messages. Every read is for one member and shows only what that member may see:
conversations they are in, without the messages of members they block or ignore."""

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from realtime.selectors import CatchUpImpossible

from . import conf, permissions
from .models import Conversation, Message, MessageReport, Participant


def _visible_messages(user, conversation_id):
    return (Message.objects.filter(conversation_id=conversation_id)
            .exclude(author_id__in=permissions.hidden_authors(user)))


def inbox(*, user, limit=50):
    """The member's active conversations, latest activity first, each with its unread count and
    members (two queries plus one for the block list, whatever the number of rows)."""
    hidden = permissions.hidden_authors(user)
    unread = (Message.objects.filter(conversation=OuterRef("conversation"), kind=Message.Kind.TEXT,
                                     seq__gt=OuterRef("last_read_seq"))
              .exclude(author=user).exclude(author_id__in=hidden)
              .order_by().values("conversation").annotate(n=Count("pk")).values("n"))
    rows = list(Participant.objects.filter(member=user, left_at__isnull=True)
                .select_related("conversation")
                .annotate(unread=Coalesce(Subquery(unread), 0))
                .order_by("-conversation__last_message_at")[:limit])
    ids = [row.conversation_id for row in rows]
    people = {}
    for p in (Participant.objects.filter(conversation_id__in=ids, left_at__isnull=True).exclude(member=user)
              .select_related("member").order_by("pk")):
        people.setdefault(p.conversation_id, []).append(p.member)
    for row in rows:
        row.others = people.get(row.conversation_id, [])
    return rows


def unread_total(*, user):
    """Unread messages over all the member's active conversations (one query)."""
    if not user.is_authenticated:
        return 0
    hidden = permissions.hidden_authors(user)
    return (Message.objects.filter(conversation__participants__member=user,
                                   conversation__participants__left_at__isnull=True,
                                   seq__gt=F("conversation__participants__last_read_seq"),
                                   kind=Message.Kind.TEXT)
            .exclude(author=user).exclude(author_id__in=hidden).count())


def conversation_get(*, user, conversation_id):
    """(conversation, participant, members, messages) for a participant; raises NotAllowed otherwise."""
    participant = permissions.check_participant(user, conversation_id)
    conversation = Conversation.objects.get(pk=conversation_id)
    members = [p.member for p in Participant.objects.filter(conversation_id=conversation_id)
               .select_related("member").order_by("pk")]
    messages = list(_visible_messages(user, conversation_id).select_related("author", "quote__author")
                    .order_by("seq"))
    return conversation, participant, members, messages


def messages_after(*, user, conversation_id, after, limit=200):
    permissions.check_participant(user, conversation_id)
    return list(_visible_messages(user, conversation_id).filter(seq__gt=after).select_related("author", "quote__author")
                .order_by("seq")[:limit])


def stream_access(*, user, conversation_id):
    """The conversation's last number if `user` may follow it live, else None."""
    if permissions.active_participant(user, conversation_id) is None:
        return None
    return Conversation.objects.filter(pk=conversation_id).values_list("message_seq", flat=True).first()


def stream_events_after(*, user, conversation_id, after, limit):
    """The conversation's events after `after` for a live reader, as (seq, type, json text or None):
    None for a message by a member the reader blocks or ignores (the number still counts)."""
    from . import events

    rows = list(Message.objects.filter(conversation_id=conversation_id, seq__gt=after)
                .select_related("author", "quote__author").order_by("seq")[: limit + 1])
    if len(rows) > limit:
        raise CatchUpImpossible("too many events missed")
    if not rows:
        current = Conversation.objects.filter(pk=conversation_id).values_list("message_seq", flat=True).first()
        if current is None or after > current:
            raise CatchUpImpossible("ahead of the log")
        return []
    hidden = permissions.hidden_authors(user)
    result = []
    for message in rows:
        if message.author_id in hidden:
            result.append((message.seq, events.event_type(message), None))
        else:
            result.append((message.seq, events.event_type(message), events.dumps_message(message)))
    return result


def open_reports():
    return list(MessageReport.objects.filter(status=MessageReport.Status.OPEN)
                .select_related("reporter", "message__author").order_by("created_at"))


def report_context(*, report_id):
    """The reported message with the few messages around it: nothing else of the conversation."""
    report = MessageReport.objects.select_related("message__author", "reporter").get(pk=report_id)
    message = report.message
    around = conf.report_context()
    context = list(Message.objects.filter(conversation_id=message.conversation_id,
                                          seq__gte=message.seq - around, seq__lte=message.seq + around)
                   .select_related("author").order_by("seq"))
    return report, context


def search_messages(*, user, query, limit=20):
    """A member's own search through conversations they are in (never the site search)."""
    query = (query or "").strip()
    if not query:
        return []
    hidden = permissions.hidden_authors(user)
    return list(Message.objects.filter(
        Q(source__icontains=query), kind=Message.Kind.TEXT,
        conversation__participants__member=user, conversation__participants__left_at__isnull=True)
        .exclude(author_id__in=hidden).select_related("author").order_by("-created_at")[:limit])
