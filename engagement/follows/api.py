"""Following in the JSON API: follow and unfollow a member, a category or a tag (POST 201 new, 200
already following; DELETE 200 either way), and the member's feed. Same services and checks as the
pages: 400 following yourself, 403 a private category, 429 the write limit."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.html import strip_tags
from django.utils.text import Truncator
from ninja import Field, Query, Router, Schema, Status

from forum.api_schemas import OBJECT_ID as ID
from forum.api_schemas import READ_ERRORS, WRITE_ERRORS, CategorySummary, MemberSummary, PageMeta, TopicSummary
from forum.models import Category, Tag, User
from forum.tokens import MEMBER_AUTH

from . import selectors, services

router = Router(tags=["follows"])


class FollowOut(Schema):
    kind: str = Field(description="member, category or tag")
    target_id: int
    following: bool


class FeedReasonOut(Schema):
    kind: str = Field(description="member, category or tag: what the reader follows that put this post here")
    id: int
    name: str


class FeedItemOut(Schema):
    post_id: int
    number: int = Field(description="1: a new topic; more: a reply")
    url: str
    topic: TopicSummary
    category: CategorySummary
    author: MemberSummary
    created_at: datetime
    excerpt: str
    reason: FeedReasonOut


class FeedPageOut(PageMeta):
    results: list[FeedItemOut]


def _member(user):
    return {"id": user.pk, "username": user.username, "name": user.name, "avatar_url": user.avatar_url,
            "url": user.get_absolute_url()}


def _follow(kind, target_id, following, created=False):
    return Status(201 if created else 200, {"kind": kind, "target_id": target_id, "following": following})


def _create(request, kind, obj):
    _follow_row, created = services.follow_create(actor=request.auth, **{kind: obj})
    return _follow(kind, obj.pk, True, created)


def _delete(request, kind, obj):
    services.follow_delete(actor=request.auth, **{kind: obj})
    return _follow(kind, obj.pk, False)


FOLLOW_RESPONSES = {200: FollowOut, 201: FollowOut, **WRITE_ERRORS}
UNFOLLOW_RESPONSES = {200: FollowOut, **WRITE_ERRORS}


@router.post("/members/{member_id}/follow", response=FOLLOW_RESPONSES, auth=MEMBER_AUTH, summary="Follow a member")
def member_follow(request, member_id: int = ID):
    return _create(request, "member", get_object_or_404(User, pk=member_id, is_active=True))


@router.delete("/members/{member_id}/follow", response=UNFOLLOW_RESPONSES, auth=MEMBER_AUTH,
               summary="Stop following a member")
def member_unfollow(request, member_id: int = ID):
    return _delete(request, "member", get_object_or_404(User, pk=member_id))


@router.post("/categories/{category_id}/follow", response=FOLLOW_RESPONSES, auth=MEMBER_AUTH,
             summary="Follow a category")
def category_follow(request, category_id: int = ID):
    return _create(request, "category", get_object_or_404(Category, pk=category_id))


@router.delete("/categories/{category_id}/follow", response=UNFOLLOW_RESPONSES, auth=MEMBER_AUTH,
               summary="Stop following a category")
def category_unfollow(request, category_id: int = ID):
    return _delete(request, "category", get_object_or_404(Category, pk=category_id))


@router.post("/tags/{tag_id}/follow", response=FOLLOW_RESPONSES, auth=MEMBER_AUTH, summary="Follow a tag")
def tag_follow(request, tag_id: int = ID):
    return _create(request, "tag", get_object_or_404(Tag, pk=tag_id))


@router.delete("/tags/{tag_id}/follow", response=UNFOLLOW_RESPONSES, auth=MEMBER_AUTH,
               summary="Stop following a tag")
def tag_unfollow(request, tag_id: int = ID):
    return _delete(request, "tag", get_object_or_404(Tag, pk=tag_id))


@router.get("/feed", response={200: FeedPageOut, **READ_ERRORS}, auth=MEMBER_AUTH,
            summary="The member's feed: what the members, categories and tags they follow posted, newest first")
def feed(request, page: int = Query(1, ge=1, description="Page number, from 1.")):
    result = selectors.feed(user=request.auth, page=page)

    def url(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    items = []
    for post in result.object_list:
        kind, what = post.feed_reason
        topic, category = post.topic, post.topic.category
        items.append({
            "post_id": post.pk, "number": post.number, "url": post.get_absolute_url(),
            "topic": {"id": topic.pk, "title": topic.title, "url": topic.get_absolute_url()},
            "category": {"id": category.pk, "slug": category.slug, "name": category.name, "color": category.color,
                         "url": category.get_absolute_url()},
            "author": _member(post.author), "created_at": post.created_at,
            "excerpt": Truncator(" ".join(strip_tags(post.html).split())).chars(200),
            "reason": {"kind": kind, "id": what.pk if what else 0, "name": str(getattr(what, "name", "") or "")},
        })
    return {
        "page": result.number, "pages": result.paginator.num_pages, "count": result.paginator.count,
        "per_page": result.paginator.per_page,
        "next": url(result.next_page_number()) if result.has_next() else None,
        "previous": url(result.previous_page_number()) if result.has_previous() else None,
        "results": items,
    }


def register(api):
    api.add_router("/", router)
    return api
