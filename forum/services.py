"""Every write of the forum core. Keyword-only arguments, an `actor`, permission checks first,
one transaction each. Side effects leave through forum.hooks after commit."""

import secrets

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import cache as fragment_cache
from . import hooks, outbox, permissions
from .errors import Conflict, InvalidInput, NotAllowed
from .lib.db import retry_transient
from .markdown import extract_mentions, render_markdown
from .models import (
    Bookmark,
    Category,
    Notification,
    Post,
    PostRevision,
    PostVote,
    Tag,
    Topic,
    TopicRead,
    TopicSubscription,
    UploadedImage,
    User,
)
from .ranking import hot_score_expression
from .ratelimit import check_write_rate

MAX_TAGS = 5
MAX_MENTIONS = 10


# --- validation --------------------------------------------------------------------------------
def _clean_title(title):
    title = " ".join((title or "").split())
    lo, hi = settings.HUOLI["TITLE_MIN_LENGTH"], settings.HUOLI["TITLE_MAX_LENGTH"]
    if not title:
        raise InvalidInput(_("The title cannot be empty."), field="title")
    if len(title) < lo:
        raise InvalidInput(_("The title is too short (at least %(n)d characters).") % {"n": lo}, field="title")
    if len(title) > hi:
        raise InvalidInput(_("The title is too long (at most %(n)d characters).") % {"n": hi}, field="title")
    return title


def _clean_body(body):
    body = (body or "").replace("\r\n", "\n").strip()
    lo, hi = settings.HUOLI["BODY_MIN_LENGTH"], settings.HUOLI["BODY_MAX_LENGTH"]
    if not body:
        raise InvalidInput(_("The message cannot be empty."), field="body")
    if len(body) < lo:
        raise InvalidInput(_("The message is too short (at least %(n)d characters).") % {"n": lo}, field="body")
    if len(body) > hi:
        raise InvalidInput(_("The message is too long (at most %(n)d characters).") % {"n": hi}, field="body")
    return body


def _clean_tags(names):
    if isinstance(names, str):
        names = names.replace("，", ",").split(",")
    cleaned = []
    for name in names or ():
        name = " ".join(str(name).split())[:30]
        if name and name.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(_("At most %(n)d tags.") % {"n": MAX_TAGS}, field="tags")
    return cleaned


def _tags_get_or_create(names):
    tags = []
    for name in names:
        slug = slugify(name, allow_unicode=True)[:40] or None
        if not slug:
            raise InvalidInput(_("“%(tag)s” is not a valid tag.") % {"tag": name}, field="tags")
        tag = Tag.objects.filter(Q(slug=slug) | Q(name__iexact=name)).first()
        if tag is None:
            tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags


def _topic_slug(title):
    return slugify(title, allow_unicode=True)[:80]


def _refresh_hot(topic_id, created_at):
    Topic.objects.filter(pk=topic_id).update(hot_score=hot_score_expression(created_at))


# --- topics and posts --------------------------------------------------------------------------
@retry_transient
@transaction.atomic
def topic_create(*, actor, category, title, body, tags=()):
    if not isinstance(category, Category):
        category = Category.objects.filter(pk=category).first()
        if category is None:
            raise InvalidInput(_("Unknown category."), field="category")
    title = _clean_title(title)
    body = _clean_body(body)
    tag_names = _clean_tags(tags)
    permissions.check_create_topic(actor, category, source=body)
    check_write_rate(actor, "topic")

    now = timezone.now()
    topic = Topic.objects.create(
        category=category, title=title, slug=_topic_slug(title), author=actor, created_at=now,
        last_activity_at=now, last_poster=actor, post_count=1,
    )
    if tag_names:
        topic.tags.set(_tags_get_or_create(tag_names))
    post = Post.objects.create(topic=topic, number=1, author=actor, source=body,
                               html=render_markdown(body), created_at=now)
    _refresh_hot(topic.pk, now)
    Category.objects.filter(pk=category.pk).update(
        topic_count=F("topic_count") + 1, post_count=F("post_count") + 1, last_topic=topic, last_activity_at=now
    )
    User.objects.filter(pk=actor.pk).update(topic_count=F("topic_count") + 1, post_count=F("post_count") + 1)
    TopicSubscription.objects.get_or_create(user=actor, topic=topic)
    TopicRead.objects.create(user=actor, topic=topic, last_read_number=1)
    _schedule_post_notifications(post)
    fragment_cache.bump_category(category.pk)
    hooks.topic_created.send(topic=topic, actor=actor)
    hooks.post_created.send(post=post, actor=actor)
    if _hold_for_approval(actor=actor, post=post, title=title):
        topic.is_hidden = True
    return topic


@retry_transient
@transaction.atomic
def post_create(*, actor, topic, body, reply_to=None):
    body = _clean_body(body)
    # the row lock serialises replies to one topic: post numbers stay gap-free and unique
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=topic.pk)
    permissions.check_reply(actor, topic, source=body)
    if reply_to is not None:
        if not isinstance(reply_to, Post):
            reply_to = Post.objects.filter(pk=reply_to, topic=topic).first()
        if reply_to is None or reply_to.topic_id != topic.pk:
            raise InvalidInput(_("You can only reply to a post in the same topic."), field="reply_to")
    check_write_rate(actor, "post")

    now = timezone.now()
    number = topic.post_count + 1
    post = Post.objects.create(topic=topic, number=number, author=actor, source=body,
                               html=render_markdown(body), reply_to=reply_to, created_at=now)
    Topic.objects.filter(pk=topic.pk).update(
        post_count=F("post_count") + 1, reply_count=F("reply_count") + 1, last_activity_at=now, last_poster=actor
    )
    _refresh_hot(topic.pk, topic.created_at)
    Category.objects.filter(pk=topic.category_id).update(
        post_count=F("post_count") + 1, last_topic=topic, last_activity_at=now
    )
    User.objects.filter(pk=actor.pk).update(post_count=F("post_count") + 1)
    TopicSubscription.objects.get_or_create(user=actor, topic=topic)
    TopicRead.objects.update_or_create(user=actor, topic=topic, defaults={"last_read_number": number,
                                                                          "updated_at": now})
    post.topic = topic
    _schedule_post_notifications(post)
    fragment_cache.bump_topic(topic.pk)
    fragment_cache.bump_category(topic.category_id)
    hooks.post_created.send(post=post, actor=actor)
    _hold_for_approval(actor=actor, post=post)
    return post


def _hold_for_approval(*, actor, post, title=""):
    """The approval queue and spam rules (forum.moderation.approval) may hold a new post: it stays
    hidden, marked pending, until a moderator approves it."""
    from .moderation.approval import hold_if_needed

    return hold_if_needed(actor=actor, post=post, title=title)


@retry_transient
@transaction.atomic
def post_edit(*, actor, post, body, title=None, reason=""):
    post = Post.objects.select_for_update(of=("self",)).select_related("topic__category").get(pk=post.pk)
    permissions.check_edit_post(actor, post)
    body = _clean_body(body)
    topic = post.topic
    new_title = _clean_title(title) if (title is not None and post.number == 1) else None
    if body == post.source and (new_title is None or new_title == topic.title):
        return post
    if body != post.source:  # the new text passes the same checks as a new post (links, images)
        hooks.can_post.check(actor, topic.category, kind="edit", source=body, previous=post.source)
    PostRevision.objects.create(post=post, editor=actor, source=post.source,
                                title=topic.title if post.number == 1 else "", reason=(reason or "")[:200])
    post.source = body
    post.html = render_markdown(body)
    post.edited_at = timezone.now()
    post.edit_count = F("edit_count") + 1
    post.save(update_fields=["source", "html", "edited_at", "edit_count"])
    post.refresh_from_db(fields=["edit_count"])
    if new_title and new_title != topic.title:
        topic.title = new_title
        topic.slug = _topic_slug(new_title)
        topic.save(update_fields=["title", "slug"])
    fragment_cache.bump_topic(topic.pk)
    if post.number == 1:
        fragment_cache.bump_category(topic.category_id)
    hooks.post_edited.send(post=post, actor=actor, reason=reason)
    return post


def post_visibility_set(*, actor, post, field, value):
    """The write under every hide/delete/approve verb: set `field` (is_hidden, is_deleted, is_pending), keep
    the counters and caches right, send post_hidden. No permission check and no audit: callers are the
    verbs in forum.moderation, which do both (call one of those, not this)."""
    post = Post.objects.select_for_update(of=("self",)).select_related("topic__category").get(pk=post.pk)
    was_visible = post.is_visible
    setattr(post, field, value)
    update = [field]
    if field == "is_deleted":
        post.deleted_at = timezone.now() if value else None
        post.deleted_by = actor if value else None
        update += ["deleted_at", "deleted_by"]
    post.save(update_fields=update)
    fragment_cache.bump_topic(post.topic_id)
    fragment_cache.bump_category(post.topic.category_id)
    if was_visible != post.is_visible:
        delta = 1 if post.is_visible else -1
        if post.number > 1:
            Topic.objects.filter(pk=post.topic_id).update(reply_count=F("reply_count") + delta)
            _refresh_hot(post.topic_id, post.topic.created_at)
        Category.objects.filter(pk=post.topic.category_id).update(post_count=F("post_count") + delta)
        User.objects.filter(pk=post.author_id).update(post_count=F("post_count") + delta)
        hooks.post_hidden.send(post=post, actor=actor, hidden=not post.is_visible)
    return post


@transaction.atomic
def post_delete(*, actor, post):
    """A member deletes their own post. A moderator deleting someone else's goes through
    forum.moderation.delete (reason and audit entry), which every entry point calls."""
    permissions.check_delete_post(actor, post)
    if post.author_id != actor.pk:
        raise NotAllowed(_("You may only delete your own posts."))
    if post.is_deleted:
        raise Conflict(_("This post is already deleted."))
    post = post_visibility_set(actor=actor, post=post, field="is_deleted", value=True)
    if post.number == 1:
        topic_flag_set(actor=actor, topic=post.topic, field="is_hidden", value=True)
    return post


def topic_flag_set(*, actor, topic, field, value):
    """The write under the lock/pin/hide verbs of forum.moderation (which check and audit): set a topic flag,
    keep counters and caches right, send topic_changed."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if getattr(topic, field) == value:
        return topic
    setattr(topic, field, value)
    topic.save(update_fields=[field])
    fragment_cache.bump_topic(topic.pk)
    fragment_cache.bump_category(topic.category_id)
    if field == "is_hidden":
        Category.objects.filter(pk=topic.category_id).update(topic_count=F("topic_count") + (-1 if value else 1))
    hooks.topic_changed.send(topic=topic, actor=actor, change=field.removeprefix("is_"))
    return topic


# --- featuring (精华) -----------------------------------------------------------------------------
FEATURE_NOTE_MAX = 300


def _clean_feature_note(note):
    note = " ".join(str(note or "").split())
    if len(note) > FEATURE_NOTE_MAX:
        raise InvalidInput(_("The editor's note is too long (at most %(n)d characters).") % {"n": FEATURE_NOTE_MAX},
                           field="note")
    return note


def _feature_audit(*, actor, obj, featured, note, subject):
    from audit.log import audit_record

    kind = obj._meta.model_name
    audit_record(actor=actor, action=f"forum.{kind}_{'feature' if featured else 'unfeature'}",
                 reason=note or ("featured" if featured else "unfeatured"), target=obj, subject=subject,
                 data={"note": note}, before={"is_featured": not featured}, after={"is_featured": featured})


def _set_featured(obj, *, actor, featured, note):
    obj.is_featured = featured
    obj.featured_at = timezone.now() if featured else None
    obj.featured_by = actor if featured else None
    obj.featured_note = note if featured else ""
    obj.save(update_fields=["is_featured", "featured_at", "featured_by", "featured_note"])


@transaction.atomic
def topic_feature(*, actor, topic, featured, note="", audited=True):
    """Feature (精华) or unfeature a topic: editors and moderators. Featuring weighs the topic in
    "hot", notifies its author and (through hooks.content_featured) pays the featured points;
    unfeaturing takes them back. Hidden topics cannot be featured; repeating the current state is a
    Conflict and writes nothing."""
    featured = bool(featured)
    note = _clean_feature_note(note) if featured else ""
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=topic.pk)
    permissions.check_feature(actor, topic)
    if topic.is_featured == featured:
        raise Conflict(_("This topic is already featured.") if featured else _("This topic is not featured."),
                       code="already_featured" if featured else "not_featured")
    if featured and topic.is_hidden:
        raise InvalidInput(_("A hidden topic cannot be featured."), code="hidden")
    _set_featured(topic, actor=actor, featured=featured, note=note)
    _refresh_hot(topic.pk, topic.created_at)
    if audited:  # False: a caller's own verb (a paid commission) records the one entry for the whole act
        _feature_audit(actor=actor, obj=topic, featured=featured, note=note, subject=topic.author)
    fragment_cache.bump_topic(topic.pk)
    fragment_cache.bump_category(topic.category_id)
    if featured:
        message = _("Your topic “%(title)s” was featured (精华).") % {"title": topic.title}
        if note:
            message += " " + _("Editor's note: %(note)s") % {"note": note}
        _notify(recipient_id=topic.author_id, kind=Notification.Kind.FEATURED, actor=actor, topic=topic,
                message=message, url=topic.get_absolute_url())
    hooks.content_featured.send(obj=topic, actor=actor, featured=featured)
    return topic


@transaction.atomic
def post_feature(*, actor, post, featured, note=""):
    """Feature (精华) or unfeature one post (a reply or an opening post): editors and moderators.
    Hidden or deleted posts, and posts in hidden topics, cannot be featured."""
    featured = bool(featured)
    note = _clean_feature_note(note) if featured else ""
    post = Post.objects.select_for_update(of=("self",)).select_related("topic__category").get(pk=post.pk)
    permissions.check_feature(actor, post.topic)
    if post.is_featured == featured:
        raise Conflict(_("This post is already featured.") if featured else _("This post is not featured."),
                       code="already_featured" if featured else "not_featured")
    if featured and (not post.is_visible or post.topic.is_hidden):
        raise InvalidInput(_("A hidden or deleted post cannot be featured."), code="hidden")
    _set_featured(post, actor=actor, featured=featured, note=note)
    _feature_audit(actor=actor, obj=post, featured=featured, note=note, subject=post.author)
    fragment_cache.bump_topic(post.topic_id)
    if featured:
        message = _("Your post in “%(title)s” was featured (精华).") % {"title": post.topic.title}
        if note:
            message += " " + _("Editor's note: %(note)s") % {"note": note}
        _notify(recipient_id=post.author_id, kind=Notification.Kind.FEATURED, actor=actor, post=post,
                message=message)
    hooks.content_featured.send(obj=post, actor=actor, featured=featured)
    return post


def topic_register_view(*, topic_id):
    """Count one view of a topic. Views are counted in the cache and written in batches: one UPDATE
    per settings.HUOLI["VIEW_COUNT_BATCH"] views (default 10), so reading a topic usually costs no
    write (a commit per page view was the most expensive part of a guest's topic page). The counter
    only grows, so exactly one request sees each multiple of the batch and writes it. At most
    batch - 1 views of a topic are lost if the cache is cleared. A batch of 1 writes every view."""
    from django.core.cache import cache

    batch = max(int(settings.HUOLI.get("VIEW_COUNT_BATCH", 10)), 1)
    if batch == 1:
        Topic.objects.filter(pk=topic_id).update(view_count=F("view_count") + 1)
        return
    try:
        count = cache.count(f"huoli:views:{topic_id}")  # one round trip (INCRBY on Redis)
    except ValueError:  # the cache is down: this view is not counted
        return
    if count % batch == 0:
        Topic.objects.filter(pk=topic_id).update(view_count=F("view_count") + batch)


@retry_transient
def topic_mark_read(*, actor, topic, number):
    """Move the member's read mark forward to post `number` (never back). One statement, an upsert
    that only ever raises the mark, and none at all when the topic was read with the mark
    (selectors.topic_get annotates `my_last_read`) and it is already there: re-reading a topic,
    the common case, writes nothing."""
    if not actor.is_authenticated:
        return
    number = min(int(number), topic.post_count)
    known = getattr(topic, "my_last_read", None)
    if known is not None and known >= number:
        return
    table = connection.ops.quote_name(TopicRead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, topic_id, last_read_number, updated_at) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (user_id, topic_id) DO UPDATE SET last_read_number = excluded.last_read_number, "
            f"updated_at = excluded.updated_at WHERE {table}.last_read_number < excluded.last_read_number",
            [actor.pk, topic.pk, number, connection.ops.adapt_datetimefield_value(timezone.now())],
        )


# --- votes -------------------------------------------------------------------------------------
@retry_transient
@transaction.atomic
def post_vote(*, actor, post, value):
    """Set the actor's vote on a post to +1, -1 or 0 (withdraw). Repeating the same vote is a
    Conflict; switching moves the score by two. One vote per member per post is a unique
    constraint, and the post row is locked so counters stay exact under concurrency."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in (1, -1, 0):
        raise InvalidInput(_("A vote is +1, -1 or 0 to withdraw."), field="value")
    post = Post.objects.select_for_update(of=("self",)).select_related("topic__category").get(pk=post.pk)
    permissions.check_vote(actor, post, value)
    existing = PostVote.objects.filter(post=post, user=actor).first()
    old = existing.value if existing else 0
    if old == value:
        if value == 0:
            raise Conflict(_("You have not voted on this post."), code="no_vote")
        raise Conflict(_("You have already voted on this post."), code="already_voted")
    if value != 0:
        check_write_rate(actor, "vote")
        check_write_rate(actor, "vote_day")
    if existing and value == 0:
        existing.delete()
    elif existing:
        existing.value = value
        existing.save(update_fields=["value"])
    else:
        try:
            with transaction.atomic():
                PostVote.objects.create(post=post, user=actor, value=value)
        except IntegrityError:
            raise Conflict(_("You have already voted on this post."), code="already_voted") from None

    up = (value == 1) - (old == 1)
    down = (value == -1) - (old == -1)
    Post.objects.filter(pk=post.pk).update(
        upvotes=F("upvotes") + up, downvotes=F("downvotes") + down, score=F("score") + (value - old)
    )
    if up:
        User.objects.filter(pk=post.author_id).update(upvotes_received=F("upvotes_received") + up)
    if post.number == 1:
        Topic.objects.filter(pk=post.topic_id).update(vote_score=F("vote_score") + (value - old))
        _refresh_hot(post.topic_id, post.topic.created_at)
    post.refresh_from_db(fields=["upvotes", "downvotes", "score"])
    fragment_cache.bump_topic(post.topic_id)
    if post.number == 1:
        fragment_cache.bump_category(post.topic.category_id)
    if value == 1:
        _notify(recipient_id=post.author_id, kind=Notification.Kind.VOTE, actor=actor, post=post)
    hooks.vote_changed.send(post=post, actor=actor, old=old, new=value)
    return post


# --- bookmarks, subscriptions ------------------------------------------------------------------
@retry_transient
@transaction.atomic
def bookmark_toggle(*, actor, post):
    permissions.check_member(actor)
    permissions.check_read_topic(actor, post.topic)
    deleted, _detail = Bookmark.objects.filter(user=actor, post=post).delete()
    if deleted:
        return False
    Bookmark.objects.get_or_create(user=actor, post=post)
    return True


@retry_transient
@transaction.atomic
def topic_subscribe(*, actor, topic, subscribed):
    permissions.check_member(actor)
    permissions.check_read_topic(actor, topic)
    if subscribed:
        TopicSubscription.objects.get_or_create(user=actor, topic=topic)
    else:
        TopicSubscription.objects.filter(user=actor, topic=topic).delete()
    hooks.topic_subscribed.send(topic=topic, actor=actor, subscribed=bool(subscribed))
    return subscribed


# --- notifications -----------------------------------------------------------------------------
def _notify(*, recipient_id, kind, actor=None, post=None, topic=None, message="", url=""):
    """The one place a notification is made, for every kind (reply, subscription, mention, featured,
    system). Re-checked here, when it is delivered and not when its cause was written: a recipient
    who is inactive or may not read the topic now (moved into a staff-only category, hidden) gets
    nothing, so neither the notification, its live push (realtime) nor its link reaches them."""
    if actor is not None and recipient_id == actor.pk:
        return None
    topic = topic or (post.topic if post is not None else None)
    recipient = User.objects.filter(pk=recipient_id).first()
    if recipient is None or not permissions.can_be_notified(recipient, topic):
        return None
    notification = Notification(
        recipient_id=recipient_id, kind=kind, actor=actor, post=post, topic=topic,
        message=message[:300], url=url or (post.get_absolute_url() if post else ""),
    )
    exists = Notification.objects.filter(recipient_id=recipient_id, kind=kind, post=post, actor=actor,
                                         read_at__isnull=True).exists() if post is not None else False
    if exists:
        return None
    notification.save()
    fragment_cache.unread_changed(recipient_id)
    hooks.notification_created.send(notification=notification)
    return notification


def notification_create(*, recipient, kind, message, url="", actor=None, topic=None, post=None):
    """For other apps (badges, levels, lotteries): a system notification to one member."""
    with transaction.atomic():
        return _notify(recipient_id=recipient.pk, kind=kind, actor=actor, post=post, topic=topic,
                       message=message, url=url)


def _schedule_post_notifications(post):
    from .tasks import post_notify

    outbox.enqueue(post_notify, post.pk)  # with the post, in its transaction: never lost


@transaction.atomic
def post_notify_recipients(*, post_id):
    """Notify the topic's subscribers, the replied-to author and mentioned members of a new post.
    Safe to run twice: a member gets one unread notification per post and kind."""
    post = Post.objects.select_related("topic__category", "author").filter(pk=post_id).first()
    if post is None or not post.is_visible:
        return 0
    author = post.author
    notified = set()
    count = 0
    for username in extract_mentions(post.source)[:MAX_MENTIONS]:
        user = User.objects.filter(username=username, is_active=True).first()
        if user and user.pk != author.pk and permissions.can_read_topic(user, post.topic):
            if _notify(recipient_id=user.pk, kind=Notification.Kind.MENTION, actor=author, post=post):
                count += 1
            notified.add(user.pk)
    if post.number > 1:
        direct = {post.reply_to.author_id} if post.reply_to_id else set()
        subscribers = set(TopicSubscription.objects.filter(topic=post.topic).values_list("user_id", flat=True))
        for user_id in sorted((direct | subscribers) - notified - {author.pk}):
            if _notify(recipient_id=user_id, kind=Notification.Kind.REPLY, actor=author, post=post):
                count += 1
    return count


@transaction.atomic
def notifications_mark_read(*, actor, ids=None, group_keys=None):
    """Mark the member's unread notifications read: all, those `ids`, or every one in the groups
    `group_keys` (forum.selectors.notification_groups: what the notifications page showed).
    Listeners (realtime) push the new unread count to the member's other tabs."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if group_keys is not None:
        from .selectors import notifications_keyed

        shown = notifications_keyed(user=actor).filter(group_key__in=list(group_keys), read_at__isnull=True)
        qs = qs.filter(pk__in=shown.values("pk"))
    fragment_cache.unread_changed(actor.pk)
    count = qs.update(read_at=timezone.now())
    if count:
        hooks.notifications_read.send(member=actor, count=count)
    return count


# --- members -----------------------------------------------------------------------------------
@transaction.atomic
def profile_update(*, actor, member, display_name, bio, avatar=None, remove_avatar=False):
    if actor.pk != member.pk and not actor.is_staff:
        raise NotAllowed(_("You may only edit your own profile."))
    display_name = " ".join((display_name or "").split())
    if len(display_name) > 40:
        raise InvalidInput(_("The display name is too long (at most 40 characters)."), field="display_name")
    bio = (bio or "").strip()
    if len(bio) > 500:
        raise InvalidInput(_("The bio is too long (at most 500 characters)."), field="bio")
    member = User.objects.select_for_update().get(pk=member.pk)
    member.display_name = display_name
    member.bio = bio
    if remove_avatar and member.avatar:
        member.avatar.delete(save=False)
        member.avatar = ""
    if avatar is not None:
        from .images import avatar_process

        member.avatar.save(f"{member.pk}.png", avatar_process(avatar), save=False)
    member.save(update_fields=["display_name", "bio", "avatar"])
    fragment_cache.bump_members()  # the name and avatar show in cached fragments of every page
    hooks.profile_updated.send(member=member, actor=actor)
    return member


@transaction.atomic
def image_upload(*, actor, upload):
    """An image from a composer (topic, reply or private message): checked by content, re-encoded
    without metadata and stored under a random name. Returns the UploadedImage; its Markdown is
    `image_markdown(image)`. A refusal (permission, rate, type, size) saves nothing."""
    from .images import image_process

    permissions.check_upload_image(actor)
    check_write_rate(actor, "upload")  # before decoding: a flood of files costs the site no CPU past the limit
    processed = image_process(upload)
    image = UploadedImage(uploader=actor, bytes=processed.content.size, width=processed.width,
                          height=processed.height)
    image.file.save(f"{secrets.token_urlsafe(16)}.{processed.extension}", processed.content, save=False)
    try:  # the file is written before the row: if the row's INSERT fails, the file goes too
        image.save()
    except Exception:
        image.file.storage.delete(image.file.name)
        raise
    return image


def image_markdown(image):
    """The Markdown a composer inserts for an uploaded image."""
    return f"![]({image.file.url})"


@transaction.atomic
def member_email_verified(*, member, email):
    """An address of the member was confirmed (allauth's confirmation link): tell the listeners."""
    hooks.email_verified.send(member=member, email=email)


@transaction.atomic
def member_joined(*, member):
    """A new member (email or social signup) joins the Members group."""
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=permissions.MEMBERS)
    member.groups.add(group)
    hooks.member_joined.send(member=member)
    return member
