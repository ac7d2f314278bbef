"""Private messages in the JSON API (/api/v1/conversations, /api/v1/messages, /api/v1/members/{id}/block):
the same services and checks as the pages. A conversation the caller is not in answers 403, as
one that does not exist; no operation lets staff read a conversation (reported messages: the
moderators' page, audited)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from forum.api_schemas import OBJECT_ID as ID
from forum.api_schemas import READ_ERRORS, WRITE_ERRORS
from forum.tokens import MEMBER_AUTH

from . import selectors, services

router = Router(tags=["messages"])


class PmMemberOut(Schema):
    id: int
    username: str
    name: str


class ConversationOut(Schema):
    id: int
    subject: str
    last_message_at: datetime
    last_seq: int = Field(description="the number of the conversation's last message")
    unread: int
    members: list[PmMemberOut] = Field(description="the other active members")


class PmMessageOut(Schema):
    id: int
    seq: int
    kind: str = Field(description="text, or left (the author left the conversation)")
    author: PmMemberOut
    html: str = Field(description="sanitised HTML; empty when a moderator hid the message")
    quote_id: int | None = None
    created_at: datetime


class ConversationStartIn(Schema):
    recipients: list[str] = Field(min_length=1, max_length=50, description="usernames")
    subject: str = Field("", max_length=120)
    body: str = Field(min_length=1, max_length=20000)


class PmSendIn(Schema):
    body: str = Field(min_length=1, max_length=20000)
    quote_id: int | None = Field(None, ge=1, le=2**62)


class ConversationReadIn(Schema):
    seq: int | None = Field(None, ge=0, le=2**62, description="read up to this number; empty: to the end")


class ConversationReadOut(Schema):
    read_seq: int
    unread_total: int


class PmUnreadOut(Schema):
    unread: int


class PmBlockIn(Schema):
    kind: str = Field("block", pattern="^(block|ignore)$")


class PmBlockOut(Schema):
    member_id: int
    kind: str = Field(description="block, ignore or none")


class PmReportIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class PmReportOut(Schema):
    id: int
    message_id: int
    status: str


class PmReportResolveIn(Schema):
    action: str = Field(pattern="^(hide|dismiss)$")
    reason: str = Field(min_length=1, max_length=500)


def _member(user):
    return {"id": user.pk, "username": user.username, "name": user.name}


def _message(message):
    return {"id": message.pk, "seq": message.seq, "kind": message.kind, "author": _member(message.author),
            "html": "" if message.is_hidden else message.html, "quote_id": message.quote_id,
            "created_at": message.created_at}


def _conversation(row):
    conversation = row.conversation
    return {"id": conversation.pk, "subject": conversation.subject, "last_message_at": conversation.last_message_at,
            "last_seq": conversation.message_seq, "unread": row.unread, "members": [_member(m) for m in row.others]}


def _inbox_row(user, conversation_id):
    return next(r for r in selectors.inbox(user=user) if r.conversation_id == conversation_id)


@router.get("/conversations", response={200: list[ConversationOut], **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="My conversations, latest activity first")
def conversations(request):
    return [_conversation(row) for row in selectors.inbox(user=request.auth)]


@router.post("/conversations", response={201: ConversationOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Start a conversation (level and per-day limits apply)")
def conversation_start(request, payload: ConversationStartIn):
    conversation = services.conversation_start(actor=request.auth, recipients=payload.recipients,
                                               subject=payload.subject, body=payload.body)
    return Status(201, _conversation(_inbox_row(request.auth, conversation.pk)))


@router.get("/conversations/{conversation_id}/messages", response={200: list[PmMessageOut], **READ_ERRORS},
            auth=MEMBER_AUTH, summary="Messages of a conversation I am in, after a number (catch-up)")
def conversation_messages(request, conversation_id: int = ID, after: int = Query(0, ge=0, le=2**62)):
    return [_message(m) for m in selectors.messages_after(user=request.auth, conversation_id=conversation_id,
                                                          after=after)]


@router.post("/conversations/{conversation_id}/messages", response={201: PmMessageOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Write in a conversation")
def message_send(request, payload: PmSendIn, conversation_id: int = ID):
    message = services.message_send(actor=request.auth, conversation_id=conversation_id, body=payload.body,
                                    quote_id=payload.quote_id)
    return Status(201, _message(message))


@router.post("/conversations/{conversation_id}/read", response={200: ConversationReadOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Mark a conversation read up to a number")
def conversation_read(request, payload: ConversationReadIn, conversation_id: int = ID):
    seq = services.conversation_read(actor=request.auth, conversation_id=conversation_id, seq=payload.seq)
    return {"read_seq": seq, "unread_total": selectors.unread_total(user=request.auth)}


@router.post("/conversations/{conversation_id}/leave", response={200: PmUnreadOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Leave a conversation for good")
def conversation_leave(request, conversation_id: int = ID):
    services.conversation_leave(actor=request.auth, conversation_id=conversation_id)
    return {"unread": selectors.unread_total(user=request.auth)}


@router.get("/messages/unread", response={200: PmUnreadOut, **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="My unread private messages")
def messages_unread(request):
    return {"unread": selectors.unread_total(user=request.auth)}


@router.post("/messages/{message_id}/report", response={201: PmReportOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Report a message of a conversation I am in to the moderators")
def message_report(request, payload: PmReportIn, message_id: int = ID):
    report = services.message_report(actor=request.auth, message_id=message_id, reason=payload.reason)
    return Status(201, {"id": report.pk, "message_id": report.message_id, "status": report.status})


@router.post("/members/{member_id}/block", response={200: PmBlockOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Block or ignore a member in private messages")
def member_block(request, payload: PmBlockIn, member_id: int = ID):
    target = get_object_or_404(get_user_model(), pk=member_id, is_active=True)
    block = services.member_block(actor=request.auth, target=target, kind=payload.kind)
    return {"member_id": target.pk, "kind": block.kind}


@router.delete("/members/{member_id}/block", response={200: PmBlockOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
               summary="Stop blocking or ignoring a member")
def member_unblock(request, member_id: int = ID):
    target = get_object_or_404(get_user_model(), pk=member_id)
    services.member_unblock(actor=request.auth, target=target)
    return {"member_id": target.pk, "kind": "none"}


@router.post("/moderation/message-reports/{report_id}/resolve", response={200: PmReportOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Moderators: hide a reported message or dismiss the report (audited)")
def report_resolve(request, payload: PmReportResolveIn, report_id: int = ID):
    services.report_resolve(actor=request.auth, report_id=report_id, hide=payload.action == "hide",
                            reason=payload.reason)
    from .models import MessageReport

    report = MessageReport.objects.get(pk=report_id)
    return {"id": report.pk, "message_id": report.message_id, "status": report.status}


def register(api):
    api.add_router("/", router)
    return api


