"""Request and response schemas of the forum's JSON API (they make the OpenAPI document).

Length limits on titles and bodies are documented here from settings.HUOLI but enforced by
forum.services, so that a person gets the same translated message from the API as from the pages
(400 with `field`), not a generic validation error."""

from datetime import datetime
from typing import Literal

from django.conf import settings
from ninja import Field, Path, Schema

LIMITS = settings.HUOLI


def _length(lo, hi):
    return {"minLength": lo, "maxLength": hi}


# --- errors ------------------------------------------------------------------------------------
class ErrorDetail(Schema):
    code: str = Field(description="A stable machine-readable code, e.g. invalid, forbidden, already_voted.")
    message: str = Field(description="A message for people, in the request's language.")
    field: str | None = Field(None, description="The input field the error is about, if any.")


class ErrorOut(Schema):
    error: ErrorDetail


def api_errors(*statuses):
    """The documented error responses of an operation: {status: ErrorOut}."""
    return dict.fromkeys(statuses, ErrorOut)


READ_ERRORS = api_errors(401, 403, 404, 422)
WRITE_ERRORS = api_errors(400, 401, 403, 404, 409, 422, 429)
# Reads open to guests: the OpenAPI document says so with an empty security requirement.
ANONYMOUS_OK = {"security": [{}]}
# A row id in a path: positive and within the database's bigint
OBJECT_ID = Path(..., ge=1, le=2**62)


# --- shared pieces -----------------------------------------------------------------------------
class MemberSummary(Schema):
    id: int
    username: str
    name: str
    avatar_url: str
    url: str


class CategorySummary(Schema):
    id: int
    slug: str
    name: str
    color: str
    url: str


class TagOut(Schema):
    name: str
    slug: str


class TopicSummary(Schema):
    id: int
    title: str
    url: str


class PageMeta(Schema):
    page: int = Field(description="This page's number, from 1.")
    pages: int = Field(description="How many pages there are.")
    count: int = Field(description="How many items there are on all pages.")
    per_page: int
    next: str | None = Field(description="URL of the next page, or null on the last page.")
    previous: str | None = Field(description="URL of the previous page, or null on the first page.")


# --- categories --------------------------------------------------------------------------------
class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    color: str
    parent_id: int | None
    position: int
    topic_count: int
    post_count: int
    last_activity_at: datetime | None
    last_topic: TopicSummary | None
    url: str
    can_post: bool = Field(description="Whether the requesting member may start topics here.")


# --- topics ------------------------------------------------------------------------------------
class TopicOut(Schema):
    id: int
    title: str
    slug: str
    url: str
    category: CategorySummary
    author: MemberSummary
    tags: list[TagOut]
    is_pinned: bool
    is_locked: bool
    is_hidden: bool
    created_at: datetime
    last_activity_at: datetime
    last_poster: MemberSummary | None
    post_count: int
    reply_count: int
    view_count: int
    vote_score: int


class TopicDetailOut(TopicOut):
    can_reply: bool = Field(description="Whether the requesting member may reply.")
    first_unread_number: int = Field(description="Number of the first post the member has not read (1 for guests).")


class TopicPageOut(PageMeta):
    category: CategorySummary
    sort: Literal["latest", "hot", "top"]
    results: list[TopicOut]


class TopicCreateIn(Schema):
    category: int | str = Field(description="The category's id (a number) or slug (a string).")
    title: str = Field(json_schema_extra=_length(LIMITS["TITLE_MIN_LENGTH"], LIMITS["TITLE_MAX_LENGTH"]))
    body: str = Field(description="Markdown.",
                      json_schema_extra=_length(LIMITS["BODY_MIN_LENGTH"], LIMITS["BODY_MAX_LENGTH"]))
    tags: list[str] = Field(default_factory=list, json_schema_extra={"maxItems": 5})


# --- posts -------------------------------------------------------------------------------------
class ReplyToOut(Schema):
    id: int
    number: int
    author: MemberSummary


class PostOut(Schema):
    id: int
    topic_id: int
    number: int = Field(description="Position in the topic; 1 is the opening post.")
    url: str
    author: MemberSummary
    placeholder: bool = Field(
        description="True when the post is hidden or deleted and the reader may not see it: "
        "html is then a notice and source is null."
    )
    html: str = Field(description="Sanitized HTML rendered from the Markdown source.")
    source: str | None = Field(description="The Markdown source (null for placeholders).")
    reply_to: ReplyToOut | None
    created_at: datetime
    edited_at: datetime | None
    edit_count: int
    is_hidden: bool
    is_deleted: bool
    upvotes: int
    downvotes: int
    score: int
    my_vote: Literal[1, -1] | None = Field(description="The requesting member's vote, null if none.")
    is_bookmarked: bool


class PostPageOut(PageMeta):
    topic: TopicSummary
    results: list[PostOut]


class ReplyIn(Schema):
    body: str = Field(description="Markdown.",
                      json_schema_extra=_length(LIMITS["BODY_MIN_LENGTH"], LIMITS["BODY_MAX_LENGTH"]))
    reply_to: int | None = Field(None, description="Id of the post (in the same topic) this replies to.")


class PostEditIn(Schema):
    body: str | None = Field(None, description="New Markdown source; omit to keep it.",
                             json_schema_extra=_length(LIMITS["BODY_MIN_LENGTH"], LIMITS["BODY_MAX_LENGTH"]))
    title: str | None = Field(None, description="New topic title (opening post only).",
                              json_schema_extra=_length(LIMITS["TITLE_MIN_LENGTH"], LIMITS["TITLE_MAX_LENGTH"]))
    reason: str = Field("", description="Why the post was edited (kept in the edit history).",
                        json_schema_extra={"maxLength": 200})


class PostVoteIn(Schema):
    value: int = Field(description="1 up, -1 down, 0 to withdraw your vote.", json_schema_extra={"enum": [1, -1, 0]})


class VoteOut(Schema):
    post_id: int
    value: Literal[1, -1, 0]
    upvotes: int
    downvotes: int
    score: int


class BookmarkOut(Schema):
    post_id: int
    bookmarked: bool


class ImageUploadOut(Schema):
    url: str = Field(description="Where the re-encoded image is served (under MEDIA_URL/uploads/)")
    markdown: str = Field(description="What to put in a post or message body: ![](url)")
    width: int
    height: int


# --- notifications, me -------------------------------------------------------------------------
class NotificationOut(Schema):
    id: int
    kind: str
    message: str
    url: str
    actor: MemberSummary | None
    topic: TopicSummary | None
    post_id: int | None
    created_at: datetime
    read_at: datetime | None
    is_read: bool


class NotificationPageOut(PageMeta):
    unread: int
    results: list[NotificationOut]


class NotificationsReadIn(Schema):
    ids: list[int] | None = Field(None, description="Ids to mark read; omit to mark all read.")


class NotificationsReadOut(Schema):
    marked: int
    unread: int


class MeOut(Schema):
    id: int
    username: str
    name: str
    display_name: str
    email: str
    avatar_url: str
    url: str
    bio: str
    date_joined: datetime
    topic_count: int
    post_count: int
    upvotes_received: int
    is_moderator: bool
    unread_notifications: int
