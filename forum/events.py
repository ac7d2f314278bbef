"""The JSON payloads the forum sends to live clients (`{"type": "post.created", ...}`).

Each builder returns a plain dict that json.dumps accepts. A payload carries only what any reader
of the place it is sent to may see: a hidden or deleted post's event carries no content, a vote
event carries the totals and never who voted. realtime/ decides where a payload goes and numbers
the topic events; it adds nothing but the sequence number and, for new posts, the HTML fragment.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Notification


def _when(value):
    return value.isoformat() if value else None


def member_payload(user):
    """A member as every reader sees them on a post: no email, no private fields."""
    if user is None:
        return None
    return {
        "username": user.username,
        "name": user.name,
        "url": user.get_absolute_url(),
        "avatar_url": user.avatar_url,
        "avatar_hue": user.avatar_hue,
    }


def _post_common(post):
    return {
        "topic_id": post.topic_id,
        "post_id": post.pk,
        "number": post.number,
    }


def post_created(post):
    """A new (visible) post: its sanitized HTML body and what the post header shows."""
    return {
        "type": "post.created",
        **_post_common(post),
        "author": member_payload(post.author),
        "html": post.html,
        "created_at": _when(post.created_at),
        "reply_to": post.reply_to.number if post.reply_to_id else None,
        "score": post.score,
        "upvotes": post.upvotes,
        "downvotes": post.downvotes,
        "url": post.get_absolute_url(),
        "reply_count": post.topic.reply_count,  # the topic's visible replies, for the live counter
    }


def post_shown(post):
    """A hidden or deleted post became visible again: the same fields as a new post."""
    return {**post_created(post), "type": "post.shown"}


def post_edited(post):
    payload = {
        "type": "post.edited",
        **_post_common(post),
        "html": post.html,
        "edited_at": _when(post.edited_at),
        "edit_count": post.edit_count,
    }
    if post.number == 1:
        payload["title"] = post.topic.title
    return payload


def post_hidden(post):
    """A post disappeared: which one and why, never its content."""
    return {
        "type": "post.hidden",
        **_post_common(post),
        "state": "deleted" if post.is_deleted else "hidden",
    }


def vote_changed(post):
    """The new totals of a post. No voter names: votes are anonymous to readers."""
    return {
        "type": "vote.changed",
        **_post_common(post),
        "score": post.score,
        "upvotes": post.upvotes,
        "downvotes": post.downvotes,
    }


def topic_flags(topic):
    return {"locked": topic.is_locked, "pinned": topic.is_pinned, "hidden": topic.is_hidden}


def topic_changed(topic, change):
    """A moderator locked/unlocked or pinned/unpinned a topic (or another flag changed)."""
    return {"type": "topic.changed", "topic_id": topic.pk, "change": change, **topic_flags(topic)}


def topic_hidden(topic):
    """The topic was hidden or shown again; readers who may no longer see it are disconnected."""
    return {"type": "topic.hidden", "topic_id": topic.pk, **topic_flags(topic)}


def category_payload(category):
    return {"id": category.pk, "name": category.name, "slug": category.slug, "url": category.get_absolute_url(),
            "color": category.color}


def topic_moved(topic):
    """Sent on the topic channel; realtime re-checks each reader's access before forwarding it."""
    return {"type": "topic.moved", "topic_id": topic.pk, "category": category_payload(topic.category)}


def category_counts(category):
    return {"topics": category.topic_count, "posts": category.post_count}


def topic_created(topic):
    """A new topic, for the category and home pages."""
    return {
        "type": "topic.created",
        "topic_id": topic.pk,
        "category_id": topic.category_id,
        "title": topic.title,
        "url": topic.get_absolute_url(),
        "author": member_payload(topic.author),
        "created_at": _when(topic.created_at),
        "category": category_payload(topic.category),
        "category_counts": category_counts(topic.category),
    }


def topic_activity(topic):
    """New counts of a topic (a reply arrived or a post was hidden/shown), for lists."""
    return {
        "type": "topic.activity",
        "topic_id": topic.pk,
        "category_id": topic.category_id,
        "reply_count": topic.reply_count,
        "post_count": topic.post_count,
        "last_activity_at": _when(topic.last_activity_at),
        "last_poster": member_payload(topic.last_poster),
        "url": topic.get_absolute_url(),
        "category_counts": category_counts(topic.category),
    }


def notification_text(notification):
    actor = notification.actor.name if notification.actor_id else ""
    title = notification.topic.title if notification.topic_id else ""
    kind = notification.kind
    if kind == Notification.Kind.REPLY:
        return _("%(actor)s replied in “%(topic)s”") % {"actor": actor, "topic": title}
    if kind == Notification.Kind.MENTION:
        return _("%(actor)s mentioned you in “%(topic)s”") % {"actor": actor, "topic": title}
    if kind == Notification.Kind.VOTE:
        return _("%(actor)s upvoted your post in “%(topic)s”") % {"actor": actor, "topic": title}
    return notification.message or title


def notification_group_text(group):
    """One line for a group of notifications (forum.selectors.NotificationGroup): "3 people upvoted
    your reply in “…”" when several members did it, the single notification's text otherwise."""
    latest = group.latest
    title = latest.topic.title if latest.topic_id else ""
    n = group.actor_count
    if latest.kind == Notification.Kind.VOTE and n > 1:
        if latest.post_id and latest.post.number == 1:
            return ngettext("%(n)d person upvoted your topic “%(topic)s”", "%(n)d people upvoted your topic “%(topic)s”",
                            n) % {"n": n, "topic": title}
        return ngettext("%(n)d person upvoted your reply in “%(topic)s”", "%(n)d people upvoted your reply in “%(topic)s”",
                        n) % {"n": n, "topic": title}
    if latest.kind == Notification.Kind.REPLY and n > 1:
        return ngettext("%(n)d person replied in “%(topic)s”", "%(n)d people replied in “%(topic)s”",
                        n) % {"n": n, "topic": title}
    if latest.kind == Notification.Kind.REPLY and group.count > 1:
        actor = latest.actor.name if latest.actor_id else ""
        return ngettext("%(actor)s replied %(n)d time in “%(topic)s”", "%(actor)s replied %(n)d times in “%(topic)s”",
                        group.count) % {"actor": actor, "n": group.count, "topic": title}
    return notification_text(latest)


def notification_created(notification, *, unread):
    """For the recipient's own member channel only."""
    return {
        "type": "notification",
        "id": notification.pk,
        "kind": notification.kind,
        "text": notification_text(notification),
        "url": notification.url,
        "actor": member_payload(notification.actor) if notification.actor_id else None,
        "created_at": _when(notification.created_at),
        "unread": unread,
    }
