"""The moderation part of the JSON API (/api/v1/): reports, the queue (list, claim, release,
resolve), topic and post moderation verbs, member sanctions. Same verbs and permission checks as
the pages; errors use the forum API's envelope."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from .. import permissions
from .. import selectors as forum_selectors
from ..api_schemas import WRITE_ERRORS, api_errors
from ..errors import NotAllowed
from ..models import Post, User
from ..tokens import MEMBER_AUTH
from . import bans, queue, registry, reports, selectors

router = Router(tags=["moderation"])


# --- schemas -------------------------------------------------------------------------------------
class ReportIn(Schema):
    target: Literal["post", "topic", "member"]
    id: int = Field(ge=1, le=2**62)
    reason: Literal["spam", "abuse", "off_topic", "illegal", "other"]
    message: str = Field("", max_length=500)


class ReportOut(Schema):
    id: int
    item_id: int
    weight: int
    item_weight: int
    auto_hidden: bool


class ItemOut(Schema):
    id: int
    kind: str
    status: str
    target: str = Field(description="post, topic or member")
    post_id: int | None
    topic_id: int | None
    member_id: int | None
    category_id: int | None
    reason: str
    detail: str
    weight: int
    report_count: int
    auto_hidden: bool
    created_at: datetime
    claimed_by: str | None
    resolution: str
    resolution_note: str


class ItemPageOut(Schema):
    page: int
    pages: int
    count: int
    results: list[ItemOut]


class ResolveIn(Schema):
    resolution: Literal["upheld", "dismissed", "approved", "rejected"]
    action: Literal["none", "hide", "delete"] = "none"
    note: str = Field("", max_length=500)


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


class TopicActionIn(Schema):
    action: Literal[registry.names(registry.TOPIC)]
    reason: str = Field("", max_length=500)
    scope: Literal["category", "global"] = "category"
    until: datetime | None = None
    category: str | None = Field(None, max_length=60, description="move/split: the category slug")
    target_topic: int | None = Field(None, ge=1, le=2**62, description="merge: the topic to merge into")
    post_ids: list[int] = Field(default_factory=list, max_length=200, description="split: the replies")
    title: str | None = Field(None, max_length=200, description="split: the new topic's title")


class TopicStateOut(Schema):
    id: int
    category_id: int
    is_locked: bool
    is_pinned: bool
    pinned_globally: bool
    pinned_until: datetime | None
    is_hidden: bool
    post_count: int
    url: str
    message: str = Field("", description="What the action did, in the reader's language (e.g. 话题已锁定。)")


class PostActionIn(Schema):
    action: Literal[registry.names(registry.POST)]
    reason: str = Field("", max_length=500)
    body: str | None = Field(None, max_length=20000, description="edit: the new text")
    title: str | None = Field(None, max_length=200, description="edit of an opening post: the new title")


class PostStateOut(Schema):
    id: int
    topic_id: int
    number: int
    is_hidden: bool
    is_deleted: bool
    is_pending: bool
    edit_count: int
    message: str = Field("", description="What the action did, in the reader's language")


class SanctionIn(Schema):
    kind: Literal["ban", "silence"]
    reason: str = Field(max_length=500)
    until: datetime | None = Field(None, description="Empty: permanent.")


class RemovedOut(Schema):
    removed: int = Field(description="How many posts were soft-deleted.")
    message: str = Field("", description="What the action did, in the reader's language")


class SanctionOut(Schema):
    id: int
    member: str
    kind: str
    reason: str
    starts_at: datetime
    ends_at: datetime | None
    message: str = Field("", description="What the action did, in the reader's language")


# --- helpers -------------------------------------------------------------------------------------
def _item(item):
    return {
        "id": item.pk, "kind": item.kind, "status": item.status, "target": item.target_label,
        "post_id": item.post_id, "topic_id": item.topic_id, "member_id": item.member_id,
        "category_id": item.category_id, "reason": item.reason, "detail": item.detail, "weight": item.weight,
        "report_count": item.report_count, "auto_hidden": item.auto_hidden, "created_at": item.created_at,
        "claimed_by": item.claimed_by.username if item.claimed_by_id else None, "resolution": item.resolution,
        "resolution_note": item.resolution_note,
    }


def _topic_state(topic):
    return {"id": topic.pk, "category_id": topic.category_id, "is_locked": topic.is_locked,
            "is_pinned": topic.is_pinned, "pinned_globally": topic.pinned_globally, "pinned_until": topic.pinned_until,
            "is_hidden": topic.is_hidden, "post_count": topic.post_count, "url": topic.get_absolute_url()}


def _member(member_id):
    member = User.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        raise Http404
    return member


# --- reports and the queue -----------------------------------------------------------------------
@router.post("/reports", response={201: ReportOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Report (flag) a post, a topic or a member")
def report_create(request, payload: ReportIn):
    user = request.auth
    if payload.target == "post":
        target = forum_selectors.post_get(post_id=payload.id, user=user)
    elif payload.target == "topic":
        target = forum_selectors.topic_get(topic_id=payload.id, user=user)
    else:
        target = _member(payload.id)
    report = reports.report_create(actor=user, target=target, reason=payload.reason, message=payload.message)
    item = report.item
    return Status(201, {"id": report.pk, "item_id": item.pk, "weight": report.weight, "item_weight": item.weight,
                 "auto_hidden": item.auto_hidden})


@router.get("/moderation/queue", response={200: ItemPageOut, **api_errors(401, 403, 422)}, auth=MEMBER_AUTH,
            summary="The moderation queue (items the reader may moderate)")
def queue_list(request, status: Literal["open", "resolved"] = "open", kind: Literal["report", "approval"] | None = None,
               category: str | None = Query(None, max_length=60), page: int = Query(1, ge=1, le=10**6)):
    user = request.auth
    if not permissions.can_moderate_anywhere(user):
        raise NotAllowed(_("Only moderators may see the queue."), code="not_moderator")
    result = selectors.queue_items(user=user, status=status, kind=kind, category=category, page=page)
    return {"page": result.number, "pages": result.paginator.num_pages, "count": result.paginator.count,
            "results": [_item(i) for i in result.object_list]}


@router.post("/moderation/queue/{item_id}/claim", response={200: ItemOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Claim a queue item")
def queue_claim(request, item_id: int):
    item = selectors.item_get(item_id=item_id, user=request.auth)
    return Status(200, _item(queue.item_claim(actor=request.auth, item=item)))


@router.post("/moderation/queue/{item_id}/release", response={200: ItemOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Release a claimed queue item")
def queue_release(request, item_id: int):
    item = selectors.item_get(item_id=item_id, user=request.auth)
    return Status(200, _item(queue.item_release(actor=request.auth, item=item)))


@router.post("/moderation/queue/{item_id}/resolve", response={200: ItemOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Resolve a queue item: uphold or dismiss a report, approve or reject a held post")
def queue_resolve(request, item_id: int, payload: ResolveIn):
    item = selectors.item_get(item_id=item_id, user=request.auth)
    resolved = queue.item_resolve(actor=request.auth, item=item, resolution=payload.resolution, note=payload.note,
                                  action=payload.action)
    resolved.refresh_from_db()
    return Status(200, _item(resolved))


# --- topics, posts, members ----------------------------------------------------------------------
@router.post("/moderation/topics/{topic_id}", response={200: TopicStateOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Moderate a topic: lock, pin (category/global, until), hide, move, merge, split")
def topic_moderate(request, topic_id: int, payload: TopicActionIn):
    user, action, reason = request.auth, payload.action, payload.reason
    topic = forum_selectors.topic_get(topic_id=topic_id, user=user)
    data = {"reason": reason, "scope": payload.scope, "until": payload.until, "category": payload.category,
            "target": payload.target_topic, "post_ids": payload.post_ids, "title": payload.title}
    verb = registry.verb_get(registry.TOPIC, action)
    topic = registry.run(registry.TOPIC, action, actor=user, obj=topic, data=data)
    topic.refresh_from_db()
    return Status(200, {**_topic_state(topic), "message": verb.done_message(topic)})


@router.post("/moderation/posts/{post_id}", response={200: PostStateOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Moderate a post: hide, unhide, delete, restore, edit with a reason")
def post_moderate(request, post_id: int, payload: PostActionIn):
    user, action, reason = request.auth, payload.action, payload.reason
    post = forum_selectors.post_get(post_id=post_id, user=user)
    verb = registry.verb_get(registry.POST, action)
    registry.run(registry.POST, action, actor=user, obj=post,
                 data={"reason": reason, "body": payload.body, "title": payload.title})
    post = Post.objects.select_related("topic").get(pk=post.pk)
    return Status(200, {"id": post.pk, "topic_id": post.topic_id, "number": post.number, "is_hidden": post.is_hidden,
                 "is_deleted": post.is_deleted, "is_pending": post.is_pending, "edit_count": post.edit_count,
                 "message": verb.done_message(post)})


@router.post("/moderation/members/{member_id}/sanctions", response={201: SanctionOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Silence or ban a member (temporary with `until`, else permanent)")
def member_sanction(request, member_id: int, payload: SanctionIn):
    member = _member(member_id)
    sanction = bans.member_sanction(actor=request.auth, member=member, kind=payload.kind, reason=payload.reason,
                                    until=payload.until)
    done = _("%(name)s is banned.") if sanction.kind == "ban" else _("%(name)s is silenced.")
    return Status(201, {"id": sanction.pk, "member": member.username, "kind": sanction.kind, "reason": sanction.reason,
                 "starts_at": sanction.starts_at, "ends_at": sanction.ends_at, "message": done % {"name": member.name}})


@router.post("/moderation/members/{member_id}/remove-posts", response={200: RemovedOut, **WRITE_ERRORS},
             auth=MEMBER_AUTH, summary="Remove all posts by this spammer (soft delete)")
def member_remove_posts(request, member_id: int, payload: ReasonIn):
    member = _member(member_id)
    count = bans.member_remove_all_posts(actor=request.auth, member=member, reason=payload.reason)
    return Status(200, {"removed": count, "message": _("%(n)d posts removed.") % {"n": count}})


def register(api):
    api.add_router("/", router)

