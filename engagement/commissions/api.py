"""Commissions in the JSON API: the public wall, the writer's and the editors' lists, one commission,
and every verb (invite, accept/decline, hand in, accept-and-pay/return, withdraw). Same services and
checks as the pages: 403 for the wrong role, 409 for the wrong status, 400 for bad input."""

from datetime import date, datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from forum.api_schemas import ANONYMOUS_OK, READ_ERRORS, WRITE_ERRORS
from forum.api_schemas import OBJECT_ID as ID
from forum.tokens import MEMBER_AUTH, READ_AUTH

from . import permissions, selectors, services

router = Router(tags=["commissions"])


class CommissionOut(Schema):
    id: int
    theme: str
    brief: str
    writer: str
    editor: str
    reward: int
    due_at: datetime
    status: str
    status_label: str
    topic_id: int | None
    category_id: int | None
    writer_note: str
    review_note: str
    created_at: datetime
    closed_at: datetime | None


class CommissionIn(Schema):
    writer: str = Field(min_length=1, max_length=150, description="the invited member's username")
    theme: str = Field(min_length=1, max_length=120)
    brief: str = Field("", max_length=2000)
    reward: int = Field(ge=1, description="points; bounds from settings.HUOLI_COMMISSIONS")
    due_at: date
    category_id: int | None = None


class RespondIn(Schema):
    accept: bool
    note: str = Field("", max_length=500)


class SubmitIn(Schema):
    topic_id: int
    note: str = Field("", max_length=500)


class ReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=500, description="required when returning the piece")


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


def commission_out(c):
    return {"id": c.pk, "theme": c.theme, "brief": c.brief, "writer": c.writer.username, "editor": c.editor.username,
            "reward": c.reward, "due_at": c.due_at, "status": c.status, "status_label": str(c.get_status_display()),
            "topic_id": c.topic_id, "category_id": c.category_id, "writer_note": c.writer_note,
            "review_note": c.review_note, "created_at": c.created_at, "closed_at": c.closed_at}


def _out(commission):
    return commission_out(selectors.commission_get(pk=commission.pk))


@router.get("/commissions", response={200: list[CommissionOut], **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="Paid commissions (the public wall), newest first")
def commissions_wall(request, page: int = 1):
    page = max(1, min(int(page), 1000))
    return [commission_out(c) for c in selectors.paid_commissions()[(page - 1) * 20: page * 20]]


@router.get("/commissions/mine", response={200: list[CommissionOut], **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="The commissions I was invited to")
def commissions_mine(request):
    return [commission_out(c) for c in selectors.commissions_of_writer(member=request.auth)[:100]]


@router.get("/commissions/desk", response={200: list[CommissionOut], **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="Editors: open commissions by due date")
def commissions_desk(request):
    permissions.check_commission(request.auth)
    return [commission_out(c) for c in selectors.commissions_desk()[:200]]


@router.get("/commissions/{commission_id}", response={200: CommissionOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="One commission (open ones: its writer and editors only)")
def commission_get(request, commission_id: int = ID):
    commission = selectors.commission_get(pk=commission_id)
    if commission is None or not permissions.can_view(request.auth, commission):
        raise Http404
    return commission_out(commission)


@router.post("/commissions", response={201: CommissionOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Editors: invite a member to write on a theme for a reward")
def commission_invite(request, payload: CommissionIn):
    commission = services.commission_invite(actor=request.auth, writer=payload.writer, theme=payload.theme,
                                            brief=payload.brief, reward=payload.reward, due_at=payload.due_at,
                                            category=payload.category_id)
    return Status(201, _out(commission))


@router.post("/commissions/{commission_id}/respond", response={200: CommissionOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="The writer accepts or declines")
def commission_respond(request, payload: RespondIn, commission_id: int = ID):
    return _out(services.commission_respond(actor=request.auth, commission_id=commission_id, accept=payload.accept,
                                            note=payload.note))


@router.post("/commissions/{commission_id}/submit", response={200: CommissionOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="The writer hands in one of their topics")
def commission_submit(request, payload: SubmitIn, commission_id: int = ID):
    return _out(services.commission_submit(actor=request.auth, commission_id=commission_id,
                                           topic_id=payload.topic_id, note=payload.note))


@router.post("/commissions/{commission_id}/review", response={200: CommissionOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Editors: accept and pay (features the topic) or return for changes")
def commission_review(request, payload: ReviewIn, commission_id: int = ID):
    return _out(services.commission_review(actor=request.auth, commission_id=commission_id,
                                           approve=payload.approve, note=payload.note))


@router.post("/commissions/{commission_id}/cancel", response={200: CommissionOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Editors: withdraw an open commission")
def commission_cancel(request, payload: CancelIn, commission_id: int = ID):
    return _out(services.commission_cancel(actor=request.auth, commission_id=commission_id, reason=payload.reason))


def register(api):
    api.add_router("/", router)
    return api
