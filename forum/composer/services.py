"""Writes of the composer: previews (rendered, never stored) and drafts (one per member per place)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..errors import Conflict, InvalidInput, NotAllowed, TooLarge
from ..markdown import render_markdown
from ..models import Category, Topic
from ..ratelimit import check_write_rate
from .models import PLACE_RE, Draft  # noqa: F401 - PLACE_RE is used by forum.views

MAX_DRAFTS_PER_MEMBER = 100
TITLE_MAX = 200


def _check_text(value, *, field, limit, what):
    value = (value or "").replace("\r\n", "\n")
    if "\x00" in value:
        raise InvalidInput(_("The text contains a character that cannot be stored (NUL)."), field=field)
    if len(value) > limit:
        raise TooLarge(_("%(what)s is too long (at most %(n)d characters).") % {"what": what, "n": limit},
                       field=field)
    return value


def preview_render(*, actor, body):
    """The sanitized HTML a post with this Markdown would show (forum.markdown: markdown-it + nh3)."""
    permissions.check_member(actor)
    body = _check_text(body, field="body", limit=settings.HUOLI["BODY_MAX_LENGTH"], what=_("The message"))
    check_write_rate(actor, "preview")
    return render_markdown(body.strip()) if body.strip() else ""


def place_parse(place):
    """("new", category id or 0) or ("reply", topic id); InvalidInput for anything else."""
    match = PLACE_RE.match(place or "")
    if not match:
        raise InvalidInput(_("Unknown draft place."), field="place")
    return match.group(1), int(match.group(2))


def _check_place(actor, place):
    """The member may write there: the topic (reply) or the category (new topic; 0 = not chosen yet)."""
    kind, ident = place_parse(place)
    if kind == "reply":
        topic = Topic.objects.select_related("category").filter(pk=ident).first()
        if topic is None or not permissions.can_read_topic(actor, topic):
            raise NotAllowed(_("You may not reply to this topic."))
    elif ident:
        category = Category.objects.filter(pk=ident).first()
        if category is None or not permissions.can_read_category(actor, category):
            raise NotAllowed(_("You may not post in this category."))


@transaction.atomic
def draft_save(*, actor, place, body, title="", category_id=None):
    """Keep what the member is writing in `place` (replacing their earlier draft there). An empty
    draft is deleted instead. Returns the Draft, or None when it was empty."""
    permissions.check_member(actor)
    _check_place(actor, place)
    body = _check_text(body, field="body", limit=settings.HUOLI["BODY_MAX_LENGTH"], what=_("The draft"))
    title = _check_text(title, field="title", limit=TITLE_MAX, what=_("The title"))
    category = None
    if category_id not in (None, ""):
        try:
            category = Category.objects.filter(pk=int(category_id)).first()
        except (TypeError, ValueError):
            raise InvalidInput(_("Unknown category."), field="category") from None
        if category is None or not permissions.can_read_category(actor, category):
            raise InvalidInput(_("Unknown category."), field="category")
    check_write_rate(actor, "draft")
    if not body.strip() and not title.strip():
        Draft.objects.filter(user=actor, place=place).delete()
        return None
    now = timezone.now()
    updated = Draft.objects.filter(user=actor, place=place).update(body=body, title=title, category=category,
                                                                    updated_at=now)
    if updated:
        return Draft.objects.get(user=actor, place=place)
    if Draft.objects.filter(user=actor).count() >= MAX_DRAFTS_PER_MEMBER:
        raise Conflict(_("You have too many drafts (at most %(n)d). Publish or discard some first.")
                       % {"n": MAX_DRAFTS_PER_MEMBER}, code="too_many_drafts")
    try:
        with transaction.atomic():
            return Draft.objects.create(user=actor, place=place, body=body, title=title, category=category,
                                        updated_at=now)
    except IntegrityError:  # saved at the same moment by another tab: that one wins, this one updates it
        Draft.objects.filter(user=actor, place=place).update(body=body, title=title, category=category,
                                                              updated_at=now)
        return Draft.objects.get(user=actor, place=place)


@transaction.atomic
def draft_discard(*, actor, place):
    """Delete the member's draft in `place` (published or thrown away). True if there was one."""
    permissions.check_member(actor)
    place_parse(place)
    deleted, _detail = Draft.objects.filter(user=actor, place=place).delete()
    return bool(deleted)
