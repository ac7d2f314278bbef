"""Groups in the JSON API (/api/v1/groups...): list and read groups, join, apply, and for the group's
owners and deputies the pending applications, the members, decisions and member actions. Each operation
calls the same selector or service as the pages, so the permission checks and the audit entries are the
same. Errors leave in the forum's envelope ({"error": {"code", "message", "field"}})."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.params import Path

from ..api_schemas import ANONYMOUS_OK, READ_ERRORS, WRITE_ERRORS, MemberSummary
from ..models import User
from ..tokens import MEMBER_AUTH, READ_AUTH
from . import permissions, selectors, services

router = Router(tags=["groups"])
OBJECT_ID = Path(..., ge=1, le=2**62)


class GroupOut(Schema):
    id: int
    slug: str
    name: str
    purpose: str
    visibility: Literal["public", "members", "hidden"]
    admission: Literal["open", "application", "invitation"]
    parent: str | None
    member_count: int
    category: str  # the slug of the group's category: its topics are /api/v1/categories/{slug}/topics
    url: str
    cover_url: str | None


class GroupDetailOut(GroupOut):
    rules_html: str
    questions: list[str]
    subgroups: list[GroupOut]
    role: Literal["owner", "deputy", "member"] | None  # the reader's role, None when not a member
    can_manage: bool


class GroupMembershipOut(Schema):
    member: MemberSummary
    role: Literal["owner", "deputy", "member"]
    joined_at: datetime
    muted_until: datetime | None
    powers: bool


class GroupApplyIn(Schema):
    answers: list[str] = []


class GroupApplicationOut(Schema):
    id: int
    group: str
    applicant: MemberSummary
    status: Literal["pending", "approved", "rejected", "withdrawn"]
    answers: list[dict]
    created_at: datetime
    decision_reason: str


class GroupDecisionIn(Schema):
    decision: Literal["approve", "reject"]
    reason: str = ""


class GroupMemberActionIn(Schema):
    action: Literal["remove", "mute", "unmute", "kick_advertiser"]
    reason: str = ""
    until: str | None = None  # mute: ISO date or date-time


class GroupMemberActionOut(Schema):
    action: str
    member: MemberSummary
    posts_hidden: int = 0


def _member(user):
    return {"id": user.pk, "username": user.username, "name": user.name, "avatar_url": user.avatar_url,
            "url": user.get_absolute_url()}


def _group(g):
    return {"id": g.pk, "slug": g.slug, "name": g.name, "purpose": g.purpose, "visibility": g.visibility,
            "admission": g.admission, "parent": g.parent.slug if g.parent_id else None,
            "member_count": g.member_count, "category": f"g-{g.slug}", "url": g.get_absolute_url(),
            "cover_url": g.cover.file.url if g.cover_id and g.cover else None}


def _application(a):
    return {"id": a.pk, "group": a.group.slug, "applicant": _member(a.applicant), "status": a.status,
            "answers": a.answers, "created_at": a.created_at, "decision_reason": a.decision_reason}


def _membership(m):
    return {"member": _member(m.member), "role": m.role, "joined_at": m.joined_at, "muted_until": m.muted_until,
            "powers": m.has_powers}


@router.get("/groups", response={200: list[GroupOut], **READ_ERRORS}, auth=READ_AUTH, openapi_extra=ANONYMOUS_OK,
            summary="Groups the reader may see, main groups each followed by their sub-groups")
def group_list(request):
    out = []
    for g in selectors.groups_visible(user=request.auth):
        out.append(_group(g))
        out.extend(_group(s) for s in g.subgroups)
    return out


@router.get("/groups/{slug}", response={200: GroupDetailOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="A group")
def group_detail(request, slug: str):
    user = request.auth
    g = selectors.group_get(slug=slug, user=user)
    membership = permissions.membership_of(user, g)
    subgroups = [s for s in g.children.select_related("cover", "parent") if permissions.can_see_group(user, s)]
    return {**_group(g), "rules_html": g.rules_html, "questions": list(g.questions or ()),
            "subgroups": [_group(s) for s in subgroups], "role": membership.role if membership else None,
            "can_manage": permissions.can_manage(user, g)}


@router.get("/groups/{slug}/members", response={200: list[GroupMembershipOut], **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="The group's members (owners and deputies)")
def group_members(request, slug: str):
    g = selectors.group_get(slug=slug, user=request.auth)
    permissions.check_manage(request.auth, g)
    return [_membership(m) for m in selectors.members(group=g, per_page=200).object_list]


@router.get("/groups/{slug}/applications", response={200: list[GroupApplicationOut], **READ_ERRORS},
            auth=MEMBER_AUTH, summary="Applications waiting for review (owners and deputies)")
def group_applications(request, slug: str):
    g = selectors.group_get(slug=slug, user=request.auth)
    permissions.check_manage(request.auth, g)
    page = selectors.pending_applications(group=g, per_page=100)
    return [_application(a) for a in page.object_list]


@router.post("/groups/{slug}/join", response={201: GroupMembershipOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Join an open group")
def group_join(request, slug: str):
    g = selectors.group_get(slug=slug, user=request.auth)
    membership = services.group_join(actor=request.auth, group=g)
    membership.member = request.auth
    return Status(201, _membership(membership))


@router.post("/groups/{slug}/applications", response={201: GroupApplicationOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Apply to a group, answering its questions in order")
def group_apply(request, slug: str, payload: GroupApplyIn):
    g = selectors.group_get(slug=slug, user=request.auth)
    application = services.application_create(actor=request.auth, group=g, answers=payload.answers)
    return Status(201, _application(selectors.application_get(group=g, pk=application.pk)))


@router.post("/groups/{slug}/applications/{application_id}/decision",
             response={200: GroupApplicationOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Approve or reject an application (owners and deputies; a reason is required to reject)")
def group_application_decide(request, slug: str, payload: GroupDecisionIn, application_id: int = OBJECT_ID):
    g = selectors.group_get(slug=slug, user=request.auth)
    permissions.check_manage(request.auth, g)
    application = selectors.application_get(group=g, pk=application_id)
    services.application_decide(actor=request.auth, application=application, approve=payload.decision == "approve",
                                reason=payload.reason)
    return Status(200, _application(selectors.application_get(group=g, pk=application_id)))


@router.post("/groups/{slug}/members/{member_id}/actions", response={200: GroupMemberActionOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Remove, mute, unmute or kick an advertiser (owners and deputies)")
def group_member_action(request, slug: str, payload: GroupMemberActionIn, member_id: int = OBJECT_ID):
    g = selectors.group_get(slug=slug, user=request.auth)
    permissions.check_manage(request.auth, g)
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        raise Http404
    hidden = 0
    if payload.action == "remove":
        services.member_remove(actor=request.auth, group=g, member=member, reason=payload.reason)
    elif payload.action == "mute":
        services.member_mute(actor=request.auth, group=g, member=member, until=payload.until, reason=payload.reason)
    elif payload.action == "unmute":
        services.member_unmute(actor=request.auth, group=g, member=member, reason=payload.reason)
    else:
        hidden = services.kick_advertiser(actor=request.auth, group=g, member=member, reason=payload.reason)
    return Status(200, {"action": payload.action, "member": _member(member), "posts_hidden": hidden})


def register(api):
    api.add_router("/", router)
    return api
