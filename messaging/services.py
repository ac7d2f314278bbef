"""Writes of private messages: start a conversation, send, leave, read up to, block and ignore,
report, and the moderators' audited look at a report and its resolution.

Numbering: each message takes the conversation's next number under the conversation's row lock
(select_for_update(of=("self",))), so numbers only grow and have no gaps; the message and the new
Conversation.message_seq commit together and the live event goes out after the commit."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_record
from forum.errors import InvalidInput, NotAllowed, RateLimited
from forum.lib.badtext import bad_text_reason
from forum.markdown import render_markdown
from forum.ratelimit import rate_limit_hit, retry_phrase
from realtime import publish

from . import conf, events, extension, permissions, selectors
from .models import Conversation, MemberBlock, Message, MessageReport, Participant

DAY = 86400


def _clean_body(body):
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write a message first."), field="body")
    if len(body) > conf.body_max_length():
        raise InvalidInput(_("A message may have at most %(n)d characters.") % {"n": conf.body_max_length()},
                           field="body")
    if bad_text_reason(body):
        raise InvalidInput(_("The message holds characters that cannot be stored."), field="body", code="invalid_text")
    return body


def _recipients(actor, usernames):
    names = []
    for name in usernames:
        name = (name or "").strip().lstrip("@")
        if name and name not in names and name != actor.username:
            names.append(name)
    if not names:
        raise InvalidInput(_("Name at least one member to write to."), field="recipients")
    if len(names) + 1 > conf.max_participants():
        raise InvalidInput(_("A conversation may have at most %(n)d members.") % {"n": conf.max_participants()},
                           field="recipients")
    found = {u.username: u for u in get_user_model().objects.filter(username__in=names, is_active=True)}
    missing = [n for n in names if n not in found]
    if missing:
        raise InvalidInput(_("No member is called %(name)s.") % {"name": ", ".join(missing)}, field="recipients")
    members = [found[n] for n in names]
    if permissions.blocked_by([m.pk for m in members], actor):
        raise NotAllowed(_("A member you named does not accept your messages."), code="pm_blocked")
    return members


def _append(*, conversation_id, author, kind, source="", quote=None):
    """Give the next number of the conversation to a message and store it (row lock on the conversation)."""
    conversation = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation_id)
    conversation.message_seq += 1
    conversation.last_message_at = timezone.now()
    conversation.save(update_fields=["message_seq", "last_message_at"])
    message = Message.objects.create(conversation=conversation, seq=conversation.message_seq, kind=kind,
                                     author=author, source=source, html=render_markdown(source) if source else "",
                                     quote=quote)
    message.author = author
    Participant.objects.filter(conversation=conversation, member=author).update(last_read_seq=message.seq)
    publish.publish_stream_event(publish.conversation_group(conversation.pk), seq=message.seq,
                                 type=events.event_type(message), payload=events.message_payload(message),
                                 extra={"author_id": author.pk})
    if kind == Message.Kind.TEXT:
        _announce(message)
    return message


def _announce(message):
    """Tell the other active participants who have not muted the author: their unread count on the
    member channel (after commit), and the apps above (mail) through extension.message_sent."""
    others = list(Participant.objects.filter(conversation_id=message.conversation_id, left_at__isnull=True)
                  .exclude(member_id=message.author_id).select_related("member"))
    muting = set(MemberBlock.objects.filter(member_id__in=[p.member_id for p in others], target_id=message.author_id)
                 .values_list("member_id", flat=True))
    recipients = [p.member for p in others if p.member_id not in muting]
    for member in recipients:
        _publish_unread(member)
    extension.message_sent.send(message=message, recipients=recipients)


def _publish_unread(member):
    def send():
        publish.publish_member_event(member.pk, {"type": "pm.unread", "pm_unread": selectors.unread_total(user=member)})

    transaction.on_commit(send, robust=True)


def _quote(conversation_id, quote_id):
    if not quote_id:
        return None
    quote = Message.objects.filter(pk=quote_id, conversation_id=conversation_id, kind=Message.Kind.TEXT,
                                   is_hidden=False).first()
    if quote is None:
        raise InvalidInput(_("The quoted message is not in this conversation."), field="quote")
    return quote


@transaction.atomic
def conversation_start(*, actor, recipients, body, subject=""):
    permissions.check_start_conversation(actor)
    members = _recipients(actor, recipients)
    body = _clean_body(body)
    subject = " ".join((subject or "").split())[:120]
    if bad_text_reason(subject):
        raise InvalidInput(_("The subject holds characters that cannot be stored."), field="subject",
                           code="invalid_text")
    if not permissions.can_handle_reports(actor):
        try:
            rate_limit_hit(key=f"pm-new:{actor.pk}", limit=conf.new_per_day(), window=DAY)
        except RateLimited as exc:
            raise RateLimited(_("You may start at most %(n)d conversations a day. Try again %(when)s.") % {
                "n": conf.new_per_day(), "when": retry_phrase(exc.retry_after)}, retry_after=exc.retry_after,
                code="pm_rate") from None
    conversation = Conversation.objects.create(subject=subject, created_by=actor)
    Participant.objects.bulk_create([Participant(conversation=conversation, member=m) for m in [actor, *members]])
    _append(conversation_id=conversation.pk, author=actor, kind=Message.Kind.TEXT, source=body)
    return conversation


@transaction.atomic
def message_send(*, actor, conversation_id, body, quote_id=None):
    permissions.check_send(actor, conversation_id)
    body = _clean_body(body)
    quote = _quote(conversation_id, quote_id)
    return _append(conversation_id=conversation_id, author=actor, kind=Message.Kind.TEXT, source=body, quote=quote)


@transaction.atomic
def conversation_leave(*, actor, conversation_id):
    """Leave for good: the member no longer sees the conversation; the others see that they left."""
    participant = permissions.check_participant(actor, conversation_id)
    Participant.objects.filter(pk=participant.pk).update(left_at=timezone.now())
    _append(conversation_id=conversation_id, author=actor, kind=Message.Kind.LEFT)
    _publish_unread(actor)


@transaction.atomic
def conversation_read(*, actor, conversation_id, seq=None):
    """Mark the conversation read up to `seq` (its end by default). The number never goes back."""
    participant = permissions.check_participant(actor, conversation_id)
    last = Conversation.objects.filter(pk=conversation_id).values_list("message_seq", flat=True).get()
    seq = last if seq is None else max(0, min(int(seq), last))
    if seq > participant.last_read_seq:
        Participant.objects.filter(pk=participant.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
        _publish_unread(actor)
    return seq


@transaction.atomic
def member_block(*, actor, target, kind=MemberBlock.Kind.BLOCK):
    from forum.permissions import check_member

    check_member(actor)
    if target is None or target.pk == actor.pk:
        raise InvalidInput(_("You cannot block yourself."))
    if kind not in MemberBlock.Kind.values:
        raise InvalidInput(_("Block or ignore?"), field="kind")
    block, _created = MemberBlock.objects.update_or_create(member=actor, target=target, defaults={"kind": kind})
    _publish_unread(actor)
    return block


@transaction.atomic
def member_unblock(*, actor, target):
    from forum.permissions import check_member

    check_member(actor)
    deleted, _detail = MemberBlock.objects.filter(member=actor, target=target).delete()
    _publish_unread(actor)
    return bool(deleted)


@transaction.atomic
def message_report(*, actor, message_id, reason):
    message = Message.objects.filter(pk=message_id, kind=Message.Kind.TEXT).first()
    if message is None:
        raise NotAllowed(_("This conversation does not exist or you are not in it."), code=permissions.NOT_FOUND)
    permissions.check_report(actor, message)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise InvalidInput(_("Say what is wrong with this message."), field="reason")
    return MessageReport.objects.create(message=message, reporter=actor, reason=reason)


@transaction.atomic
def report_open(*, actor, report_id):
    """A moderator opens a report: they see the reported message and its neighbours, and that look
    is written to the audit log (the only way staff read anything of a private conversation)."""
    permissions.check_handle_reports(actor)
    report, context = selectors.report_context(report_id=report_id)
    audit_record(actor=actor, action="pm.report_viewed", reason=_("reported private message"), target=report,
                 subject=report.message.author,
                 data={"message_id": report.message_id, "seq": [m.seq for m in context]})
    return report, context


@transaction.atomic
def report_resolve(*, actor, report_id, hide, reason):
    """Dismiss the report, or hide the message (for every participant); audited."""
    permissions.check_handle_reports(actor)
    report = MessageReport.objects.select_for_update(of=("self",)).select_related("message__author").filter(
        pk=report_id).first()
    if report is None:
        raise NotAllowed(_("There is no such report."), code=permissions.NOT_FOUND)
    if report.status != MessageReport.Status.OPEN:
        raise NotAllowed(_("This report has been handled already."), code="pm_report_closed")
    status = MessageReport.Status.HIDDEN if hide else MessageReport.Status.DISMISSED
    entry = audit_record(actor=actor, action="pm.report_hidden" if hide else "pm.report_dismissed", reason=reason,
                         target=report, subject=report.message.author, data={"message_id": report.message_id})
    MessageReport.objects.filter(message_id=report.message_id, status=MessageReport.Status.OPEN).update(
        status=status, resolved_by=actor, resolved_at=timezone.now())
    if hide:
        Message.objects.filter(pk=report.message_id).update(is_hidden=True)
    return entry
