"""The forum's part of the JSON API (/api/v1/): parse input, call one selector or service, shape
the output. Reads go through forum.selectors and writes through forum.services, so the API makes
the same permission checks as the pages.

Every error, ours or ninja's, leaves as `{"error": {"code", "message", "field"}}` with its status
(see `register`)."""

from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile
from ninja.errors import AuthenticationError, HttpError, ValidationError

from . import permissions, selectors, services
from .api_schemas import (
    ANONYMOUS_OK,
    READ_ERRORS,
    WRITE_ERRORS,
    BookmarkOut,
    CategoryOut,
    ImageUploadOut,
    MeOut,
    NotificationPageOut,
    NotificationsReadIn,
    NotificationsReadOut,
    PostEditIn,
    PostOut,
    PostPageOut,
    PostVoteIn,
    ReplyIn,
    TopicCreateIn,
    TopicDetailOut,
    TopicPageOut,
    VoteOut,
    api_errors,
)
from .errors import ForumError, InvalidInput, RateLimited
from .lib.db import is_transient
from .tokens import MEMBER_AUTH, READ_AUTH

router = Router(tags=["forum"])

PAGE = Query(1, ge=1, description="Page number, from 1. A page past the end returns the last page.")


# --- shaping output ----------------------------------------------------------------------------
def _member(user):
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "avatar_url": user.avatar_url,
        "url": user.get_absolute_url(),
    }


def _category_summary(category):
    return {"id": category.pk, "slug": category.slug, "name": category.name, "color": category.color,
            "url": category.get_absolute_url()}


def _topic_summary(topic):
    return {"id": topic.pk, "title": topic.title, "url": topic.get_absolute_url()}


def _topic(topic, tags=None):
    return {
        "id": topic.pk,
        "title": topic.title,
        "slug": topic.slug,
        "url": topic.get_absolute_url(),
        "category": _category_summary(topic.category),
        "author": _member(topic.author),
        "tags": [{"name": t.name, "slug": t.slug} for t in (topic.tags.all() if tags is None else tags)],
        "is_pinned": topic.is_pinned,
        "is_locked": topic.is_locked,
        "is_hidden": topic.is_hidden,
        "created_at": topic.created_at,
        "last_activity_at": topic.last_activity_at,
        "last_poster": _member(topic.last_poster) if topic.last_poster_id else None,
        "post_count": topic.post_count,
        "reply_count": topic.reply_count,
        "view_count": topic.view_count,
        "vote_score": topic.vote_score,
    }


def _topic_detail(topic, user):
    data = _topic(topic)
    data["can_reply"] = _can_reply(user, topic)
    data["first_unread_number"] = selectors.topic_first_unread_number(topic=topic, user=user)
    return data


def _can_reply(user, topic):
    try:
        permissions.check_reply(user, topic)
    except ForumError:
        return False
    return True


def _post(post, *, may_moderate):
    """A post as the reader may see it: hidden and deleted posts keep their place, but only
    moderators get their content; everyone else gets a notice."""
    shown = post.is_visible or may_moderate
    if shown:
        html, source = post.html, post.source
    else:
        notice = _("This post has been deleted.") if post.is_deleted else _("This post has been hidden by a moderator.")
        html, source = format_html('<p class="post-placeholder">{}</p>', notice), None
    reply_to = None
    if post.reply_to_id and post.reply_to is not None:
        reply_to = {"id": post.reply_to.pk, "number": post.reply_to.number, "author": _member(post.reply_to.author)}
    return {
        "id": post.pk,
        "topic_id": post.topic_id,
        "number": post.number,
        "url": post.get_absolute_url(),
        "author": _member(post.author),
        "placeholder": not shown,
        "html": str(html),
        "source": source,
        "reply_to": reply_to,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "edit_count": post.edit_count,
        "is_hidden": post.is_hidden,
        "is_deleted": post.is_deleted,
        "upvotes": post.upvotes,
        "downvotes": post.downvotes,
        "score": post.score,
        "my_vote": getattr(post, "my_vote", None) or None,
        "is_bookmarked": bool(getattr(post, "is_bookmarked", False)),
    }


def _fresh_post(post_id, user):
    """Re-read a post after a write, with the reader's vote and bookmark annotations."""
    return selectors.post_queryset(user=user).get(pk=post_id)


def _page_meta(request, page):
    def url(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "page": page.number,
        "pages": page.paginator.num_pages,
        "count": page.paginator.count,
        "per_page": page.paginator.per_page,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
    }


# --- categories and topics ---------------------------------------------------------------------
@router.get("/categories", response={200: list[CategoryOut], **api_errors(401)}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="Categories the reader may see")
def category_list(request):
    user = request.auth
    moderator = permissions.is_moderator(user)
    result = []
    for category in selectors.category_list(user=user):
        last = category.last_topic
        result.append({
            "id": category.pk,
            "slug": category.slug,
            "name": category.name,
            "description": category.description,
            "color": category.color,
            "parent_id": category.parent_id,
            "position": category.position,
            "topic_count": category.topic_count,
            "post_count": category.post_count,
            "last_activity_at": category.last_activity_at,
            "last_topic": _topic_summary(last) if last is not None and (moderator or not last.is_hidden) else None,
            "url": category.get_absolute_url(),
            "can_post": permissions.can_post_in_category(user, category),
        })
    return result


@router.get("/categories/{slug}/topics", response={200: TopicPageOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="A page of a category's topics")
def category_topics(request, slug: str, sort: Literal["latest", "hot", "top"] = "latest", page: int = PAGE,
                    tag: str | None = None):
    user = request.auth
    category = selectors.category_get(slug=slug, user=user)
    topics = selectors.topic_list(category=category, user=user, sort=sort, page=page, tag=tag,
                                  per_page=settings.HUOLI["TOPICS_PER_PAGE"])
    return {
        **_page_meta(request, topics),
        "category": _category_summary(category),
        "sort": sort,
        "results": [_topic(topic) for topic in topics.object_list],
    }


@router.get("/topics/{topic_id}", response={200: TopicDetailOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="One topic")
def topic_detail(request, topic_id: int):
    user = request.auth
    topic = selectors.topic_get(topic_id=topic_id, user=user)
    return _topic_detail(topic, user)


@router.get("/topics/{topic_id}/posts", response={200: PostPageOut, **READ_ERRORS}, auth=READ_AUTH,
            openapi_extra=ANONYMOUS_OK, summary="A page of a topic's posts")
def topic_posts(request, topic_id: int, page: int = PAGE):
    user = request.auth
    topic = selectors.topic_get(topic_id=topic_id, user=user)
    posts = selectors.topic_posts(topic=topic, user=user, page=page, per_page=settings.HUOLI["POSTS_PER_PAGE"])
    moderator = permissions.can_moderate(user, topic.category)
    return {
        **_page_meta(request, posts),
        "topic": _topic_summary(topic),
        "results": [_post(post, may_moderate=moderator) for post in posts.object_list],
    }


@router.post("/topics", response={201: TopicDetailOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Start a topic")
def topic_create(request, payload: TopicCreateIn):
    user = request.auth
    category = payload.category
    if isinstance(category, str):
        try:
            category = selectors.category_get(slug=category, user=user)
        except Http404:
            raise InvalidInput(_("Unknown category."), field="category")
    topic = services.topic_create(actor=user, category=category, title=payload.title, body=payload.body,
                                  tags=payload.tags)
    return Status(201, _topic_detail(selectors.topic_get(topic_id=topic.pk, user=user), user))


@router.post("/topics/{topic_id}/posts", response={201: PostOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Reply to a topic")
def topic_reply(request, topic_id: int, payload: ReplyIn):
    user = request.auth
    topic = selectors.topic_get(topic_id=topic_id, user=user)
    post = services.post_create(actor=user, topic=topic, body=payload.body, reply_to=payload.reply_to)
    return Status(201, _post(_fresh_post(post.pk, user), may_moderate=permissions.can_moderate(user, topic.category)))


# --- posts -------------------------------------------------------------------------------------
@router.patch("/posts/{post_id}", response={200: PostOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
              summary="Edit a post (and the topic title, for an opening post)")
def post_edit(request, post_id: int, payload: PostEditIn):
    user = request.auth
    post = selectors.post_get(post_id=post_id, user=user)
    body = payload.body if payload.body is not None else post.source
    services.post_edit(actor=user, post=post, body=body, title=payload.title, reason=payload.reason)
    return Status(200, _post(_fresh_post(post.pk, user), may_moderate=permissions.can_moderate(user, post.topic.category)))


@router.post("/posts/{post_id}/vote", response={200: VoteOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Vote on a post: 1 up, -1 down, 0 to withdraw")
def post_vote(request, post_id: int, payload: PostVoteIn):
    user = request.auth
    post = selectors.post_get(post_id=post_id, user=user)
    post = services.post_vote(actor=user, post=post, value=payload.value)
    return Status(200, {"post_id": post.pk, "value": payload.value, "upvotes": post.upvotes,
                 "downvotes": post.downvotes, "score": post.score})


@router.delete("/posts/{post_id}", response={204: None, **WRITE_ERRORS}, auth=MEMBER_AUTH,
               summary="Delete a post (soft delete: it keeps its place as a placeholder)")
def post_delete(request, post_id: int):
    user = request.auth
    post = selectors.post_get(post_id=post_id, user=user)
    from .moderation import delete as moderation_delete

    moderation_delete.post_delete(actor=user, post=post, reason=request.GET.get("reason", ""))
    return Status(204, None)


@router.post("/posts/{post_id}/bookmark", response={200: BookmarkOut, **WRITE_ERRORS}, auth=MEMBER_AUTH,
             summary="Bookmark a post, or remove the bookmark")
def post_bookmark(request, post_id: int):
    user = request.auth
    post = selectors.post_get(post_id=post_id, user=user)
    bookmarked = services.bookmark_toggle(actor=user, post=post)
    return Status(200, {"post_id": post.pk, "bookmarked": bookmarked})


@router.post("/images", response={201: ImageUploadOut, **api_errors(400, 401, 403, 413, 422, 429)},
             auth=MEMBER_AUTH, summary="Upload an image (PNG, JPEG, GIF or WebP) for a post or a private message")
def image_upload(request, image: UploadedFile = File(..., description="The image file (multipart field `image`)")):
    """The file is checked by its content, re-encoded without metadata (EXIF, GPS) and stored under a
    random name; put the returned `markdown` in a post's or message's body."""
    uploaded = services.image_upload(actor=request.auth, upload=image)
    return Status(201, {"url": uploaded.file.url, "markdown": services.image_markdown(uploaded), "width": uploaded.width,
                 "height": uploaded.height})


# --- notifications and the member --------------------------------------------------------------
@router.get("/notifications", response={200: NotificationPageOut, **api_errors(401, 422)}, auth=MEMBER_AUTH,
            summary="The member's notifications, newest first")
def notification_list(request, page: int = PAGE):
    user = request.auth
    notifications = selectors.notifications_for(user=user, page=page)
    return {
        **_page_meta(request, notifications),
        "unread": selectors.notifications_unread_count(user=user),
        "results": [
            {
                "id": n.pk,
                "kind": n.kind,
                "message": n.message,
                "url": n.url,
                "actor": _member(n.actor) if n.actor_id else None,
                "topic": _topic_summary(n.topic) if n.topic_id else None,
                "post_id": n.post_id,
                "created_at": n.created_at,
                "read_at": n.read_at,
                "is_read": n.read_at is not None,
            }
            for n in notifications.object_list
        ],
    }


@router.post("/notifications/read", response={200: NotificationsReadOut, **api_errors(400, 401, 403, 422)},
             auth=MEMBER_AUTH, summary="Mark notifications read (all, or the given ids)")
def notifications_read(request, payload: NotificationsReadIn | None = None):
    user = request.auth
    ids = payload.ids if payload is not None else None
    marked = services.notifications_mark_read(actor=user, ids=ids)
    return Status(200, {"marked": marked, "unread": selectors.notifications_unread_count(user=user)})


@router.get("/me", response={200: MeOut, **api_errors(401)}, auth=MEMBER_AUTH, summary="The authenticated member")
def me(request):
    user = request.auth
    return {
        **_member(user),
        "display_name": user.display_name,
        "email": user.email,
        "bio": user.bio,
        "date_joined": user.date_joined,
        "topic_count": user.topic_count,
        "post_count": user.post_count,
        "upvotes_received": user.upvotes_received,
        "is_moderator": permissions.is_moderator(user),
        "unread_notifications": selectors.notifications_unread_count(user=user),
    }


# --- errors ------------------------------------------------------------------------------------
def _error_response(api, request, *, status, code, message, field=None):
    return api.create_response(
        request, {"error": {"code": code, "message": str(message), "field": field}}, status=status
    )


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              409: "conflict", 429: "rate_limited"}


def _validation_field(error):
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path", "header", "cookie", "form"):
        loc = loc[1:]
    if loc and loc[0] == "payload":
        loc = loc[1:]
    return ".".join(loc) or None


def install_error_handlers(api):
    """One error envelope for the whole API: `{"error": {"code", "message", "field"}}`."""

    def forum_error(request, exc):
        response = _error_response(api, request, status=exc.status, code=exc.code, message=exc.message,
                                   field=exc.field)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(max(exc.retry_after, 1))
        return response

    def permission_denied(request, exc):
        return _error_response(api, request, status=403, code="forbidden",
                               message=str(exc) or _("You may not do this."))

    def not_found(request, exc):
        return _error_response(api, request, status=404, code="not_found", message=_("Not found."))

    def http_error(request, exc):
        if isinstance(exc, AuthenticationError):
            message = exc.message if exc.message != "Unauthorized" else _(
                "Sign in, or send a personal API token as 'Authorization: Bearer <token>'.")
            response = _error_response(api, request, status=401, code="unauthorized", message=message)
            response["WWW-Authenticate"] = 'Bearer realm="api"'
            return response
        code = HTTP_CODES.get(exc.status_code, "error")
        if exc.status_code == 403 and "CSRF" in exc.message:
            code = "csrf_failed"
        return _error_response(api, request, status=exc.status_code, code=code, message=exc.message)

    def validation_error(request, exc):
        errors = exc.errors or [{}]
        fields = [_validation_field(e) for e in errors]
        message = "; ".join(f"{f}: {e.get('msg', '')}" if f else str(e.get("msg", "")) for f, e in zip(fields, errors,
                                                                                                      strict=True))
        return _error_response(api, request, status=422, code="validation_error",
                               message=message or _("The request is not valid."), field=fields[0])

    def transient_error(request, exc):
        if not is_transient(exc):
            raise exc
        response = _error_response(api, request, status=503, code="unavailable",
                                   message=_("The service is briefly unavailable. Try again in a moment."))
        response["Retry-After"] = "2"
        return response

    api.add_exception_handler(OperationalError, transient_error)
    api.add_exception_handler(ForumError, forum_error)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(ValidationError, validation_error)


def register(api):
    """Called by config/api.py: add the forum's routes and the API-wide error envelope."""
    install_error_handlers(api)
    api.add_router("/", router)
    from .moderation.api import register as register_moderation

    register_moderation(api)
    return api
