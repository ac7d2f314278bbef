"""The approval queue: a post waits (hidden, marked pending) when its category asks to approve new
members' first posts, or when a spam rule catches it: too many links, the same text already posted
in another topic, or a known-bad word (SpamWord, edited in the admin). Moderators of the category,
global moderators and staff are never held. Approving shows the post (and its topic) and sends the
notifications it missed; rejecting soft-deletes it. The author sees "awaiting approval"."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import permissions, services
from ..errors import Conflict
from ..markdown import count_links_and_images
from ..models import Notification, Post
from .common import clean_reason, record
from .models import ModerationItem, SpamWord
from .queue import item_event_record

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
SPAM_WORDS_KEY = "forum:moderation:spam-words:v1"
DUPLICATE_MIN_LENGTH = 20
RULES = {
    "first_post": gettext_lazy("new member's first post"),
    "links": gettext_lazy("many links"),
    "duplicate": gettext_lazy("duplicate content"),
    "bad_word": gettext_lazy("banned word"),
}


def spam_words():
    words = cache.get(SPAM_WORDS_KEY)
    if words is None:
        words = [w.lower() for w in SpamWord.objects.values_list("word", flat=True)]
        cache.set(SPAM_WORDS_KEY, words, 300)
    return words


def spam_words_changed():
    cache.delete(SPAM_WORDS_KEY)


def hold_reason(*, actor, post, title=""):
    """Which rule holds this new post, as (code, detail), or None to publish it."""
    category = post.topic.category
    if permissions.can_moderate(actor, category):
        return None
    text = f"{title}\n{post.source}".lower()
    for word in spam_words():
        if word and word in text:
            return "bad_word", word
    # rendered links, or bare addresses (not clickable, but still an advert)
    links = max(count_links_and_images(post.source)[0], len(URL_RE.findall(post.source)))
    limit = settings.HUOLI.get("SPAM_MAX_LINKS", 5)
    if limit is not None and links > limit:
        return "links", _("%(n)d links") % {"n": links}
    body = post.source.strip()
    if len(body) >= DUPLICATE_MIN_LENGTH:
        since = timezone.now() - timedelta(hours=settings.HUOLI.get("SPAM_DUPLICATE_HOURS", 24))
        duplicate = (Post.objects.filter(source=body, created_at__gte=since).exclude(topic_id=post.topic_id)
                     .exclude(pk=post.pk).values_list("topic_id", flat=True).first())
        if duplicate:
            return "duplicate", _("same text as in topic %(id)s") % {"id": duplicate}
    if category.approve_new_members:
        needed = settings.HUOLI.get("APPROVAL_FIRST_POSTS", 1)
        earlier = Post.objects.filter(author=actor, is_pending=False, is_deleted=False).exclude(pk=post.pk).count()
        if earlier < needed:
            return "first_post", ""
    return None


def hold_if_needed(*, actor, post, title=""):
    """Called by forum.services.topic_create/post_create inside their transaction."""
    found = hold_reason(actor=actor, post=post, title=title)
    if found is None:
        return None
    code, detail = found
    post.is_pending = True
    post.save(update_fields=["is_pending"])
    services.post_visibility_set(actor=actor, post=post, field="is_hidden", value=True)
    if post.number == 1:
        services.topic_flag_set(actor=actor, topic=post.topic, field="is_hidden", value=True)
    item = ModerationItem.objects.create(kind=ModerationItem.Kind.APPROVAL, post=post, topic_id=post.topic_id,
                                         category_id=post.topic.category_id, reason=code, detail=str(detail)[:300])
    item_event_record(item, None, "held", str(RULES[code]) + (f": {detail}" if detail else ""))
    post.is_hidden = True
    return item


def _check(actor, item):
    permissions.check_moderate(actor, item.category)
    if item.status != ModerationItem.Status.OPEN:
        raise Conflict(_("This item is already resolved."), code="resolved")


def _close(item, actor, resolution, note):
    item.status, item.resolution, item.resolution_note = ModerationItem.Status.RESOLVED, resolution, note
    item.resolved_by, item.resolved_at = actor, timezone.now()
    item.save(update_fields=["status", "resolution", "resolution_note", "resolved_by", "resolved_at"])
    item_event_record(item, actor, resolution, note)


@transaction.atomic
def approve(*, actor, item, note=""):
    note = clean_reason(note)
    item = ModerationItem.objects.select_for_update(of=("self",)).select_related("post__topic__category", "category").get(pk=item.pk)
    _check(actor, item)
    post = item.post
    Post.objects.filter(pk=post.pk).update(is_pending=False)
    post.is_pending = False
    services.post_visibility_set(actor=actor, post=post, field="is_hidden", value=False)
    if post.number == 1:
        services.topic_flag_set(actor=actor, topic=post.topic, field="is_hidden", value=False)
    _close(item, actor, ModerationItem.Resolution.APPROVED, note)
    record(actor=actor, action="post_approve", target=post, reason=note, fallback=_("approved"), subject=post.author,
           before={"is_pending": True}, after={"is_pending": False}, category=post.topic.category,
           data={"rule": item.reason})
    services._schedule_post_notifications(post)
    services.notification_create(recipient=post.author, kind=Notification.Kind.SYSTEM, actor=actor, post=post,
                                 message=_("Your post in “%(title)s” was approved.") % {"title": post.topic.title})
    return item


@transaction.atomic
def reject(*, actor, item, note=""):
    note = clean_reason(note)
    item = ModerationItem.objects.select_for_update(of=("self",)).select_related("post__topic__category", "category").get(pk=item.pk)
    _check(actor, item)
    post = item.post
    Post.objects.filter(pk=post.pk).update(is_pending=False)
    services.post_visibility_set(actor=actor, post=post, field="is_deleted", value=True)
    _close(item, actor, ModerationItem.Resolution.REJECTED, note)
    record(actor=actor, action="post_reject", target=post, reason=note, fallback=_("rejected"), subject=post.author,
           before={"is_pending": True}, after={"is_pending": False, "is_deleted": True},
           category=post.topic.category, data={"rule": item.reason})
    message = _("Your post in “%(title)s” was not approved.") % {"title": post.topic.title}
    if note:
        message += " " + note
    services.notification_create(recipient=post.author, kind=Notification.Kind.SYSTEM, actor=actor,
                                 message=message, url=post.topic.category.get_absolute_url())
    return item
