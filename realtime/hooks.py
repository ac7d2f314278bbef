"""Listeners of the forum's events: each turns what happened into a live event.

Receivers run after the forum's transaction commits (forum.hooks). Payloads come from
forum/events.py; this module only decides where they go and adds the HTML fragment of new posts."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from forum import events, hooks, permissions
from forum.lib import slots
from forum.models import Post, Topic

from . import publish, selectors


def render_post_fragment(post):
    """The post as the topic page shows it to a guest, from the page's own partial
    (forum/includes/post.html): no request, no per-reader controls, no CSRF token (the fragment
    goes to everyone). Rendered in the site's default language. A signed-in reader's live.js then
    fetches the same partial rendered for them (forum:post_fragment: vote, bookmark, quote, report
    with their permissions) and swaps it in."""
    from django.contrib.auth.models import AnonymousUser

    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("forum/includes/post.html", {
            "post": post, "topic": post.topic, "user": AnonymousUser(), "reply_form": None, "is_mod": False,
        })


def _load_post(post_id):
    return Post.objects.select_related("author", "reply_to", "topic__category").filter(pk=post_id).first()


def _redacted(payload):
    payload = {k: v for k, v in payload.items() if k not in ("html", "fragment", "title")}
    payload["redacted"] = True
    return payload


def _publish_activity(topic_id):
    topic = Topic.objects.select_related("category", "last_poster").filter(pk=topic_id).first()
    if topic is None or topic.is_hidden:
        return
    publish.publish_feed_event(category_id=topic.category_id, read_group_id=topic.category.read_group_id,
                               payload=events.topic_activity(topic))


def on_topic_created(*, topic, actor, **kwargs):
    topic = Topic.objects.select_related("category", "author").get(pk=topic.pk)
    if topic.is_hidden:
        return
    publish.publish_feed_event(category_id=topic.category_id, read_group_id=topic.category.read_group_id,
                               payload=events.topic_created(topic))


def on_post_created(*, post, actor, **kwargs):
    post = _load_post(post.pk)
    if post is None or not post.is_visible:
        return
    payload = events.post_created(post)
    payload["fragment"] = render_post_fragment(post)
    publish.publish_topic_event(post.topic_id, "post.created", payload)
    if post.number > 1:
        _publish_activity(post.topic_id)


def on_post_edited(*, post, actor, **kwargs):
    post = _load_post(post.pk)
    if post is None or not post.is_visible:
        return

    def refresh(payload):
        current = _load_post(post.pk)
        if current is None or not current.is_visible:
            return _redacted(payload)
        return {**events.post_edited(current), "type": "post.edited"}

    publish.publish_topic_event(post.topic_id, "post.edited", events.post_edited(post), refresh=refresh)


def on_post_hidden(*, post, actor, hidden, **kwargs):
    post = _load_post(post.pk)
    if post is None:
        return
    if post.is_visible:
        payload = events.post_shown(post)
        payload["fragment"] = render_post_fragment(post)
        publish.publish_topic_event(post.topic_id, "post.shown", payload)
    else:
        publish.publish_topic_event(post.topic_id, "post.hidden", events.post_hidden(post))
    _publish_activity(post.topic_id)


def on_vote_changed(*, post, actor, **kwargs):
    post_id = post.pk

    def refresh(payload):
        current = Post.objects.filter(pk=post_id).first()
        return events.vote_changed(current) if current is not None else payload

    publish.publish_topic_event(post.topic_id, "vote.changed", events.vote_changed(post), refresh=refresh)


def on_topic_changed(*, topic, actor, change, **kwargs):
    topic = Topic.objects.filter(pk=topic.pk).first()
    if topic is None:
        return
    if change == "hidden":
        publish.publish_topic_event(topic.pk, "topic.hidden", events.topic_hidden(topic))
    else:
        publish.publish_topic_event(topic.pk, "topic.changed", events.topic_changed(topic, change))


def on_topic_moved(*, topic, actor, old_category=None, **kwargs):
    topic = Topic.objects.select_related("category").filter(pk=topic.pk).first()
    if topic is None:
        return
    publish.publish_topic_event(topic.pk, "topic.moved", events.topic_moved(topic))


def on_notification_created(*, notification, **kwargs):
    recipient = notification.recipient
    topic = Topic.objects.select_related("category").filter(pk=notification.topic_id).first() \
        if notification.topic_id else None
    if not permissions.can_be_notified(recipient, topic):  # the member channel gets only what they may read
        return
    unread = selectors.member_unread_count(user=recipient)
    publish.publish_member_event(recipient.pk, events.notification_created(notification, unread=unread))


def on_notifications_read(*, member, **kwargs):
    """The notifications page marked some read: every open tab of the member gets the new count."""
    unread = selectors.member_unread_count(user=member)
    publish.publish_member_event(member.pk, {"type": "notifications.read", "unread": unread})


def connect():
    hooks.topic_created.connect(on_topic_created)
    hooks.post_created.connect(on_post_created)
    hooks.post_edited.connect(on_post_edited)
    hooks.post_hidden.connect(on_post_hidden)
    hooks.vote_changed.connect(on_vote_changed)
    hooks.topic_changed.connect(on_topic_changed)
    hooks.topic_moved.connect(on_topic_moved)
    hooks.notification_created.connect(on_notification_created)
    hooks.notifications_read.connect(on_notifications_read)
    hooks.template_slots.register("scripts", slots.script("realtime/live.js"), order=10)  # the live client
