"""Listeners of tasks and missions: each forum or engagement event that a task trigger names counts
towards the member's tasks (after the event's own transaction committed; no polling)."""

from engagement import extension
from forum import hooks
from forum.lib import slots

from .models import Task
from .services import task_progress_record

T = Task.Trigger

# the newcomer checklist card on top of the forum index, for members who have steps left
hooks.template_slots.register("index_top", slots.fragment("tasks:card", "index_top"))


def _category_id(post):
    topic = getattr(post, "topic", None)
    return getattr(topic, "category_id", None)


@hooks.post_created.connect
def post_created(*, post, actor, **kwargs):
    member = post.author if post.author_id else actor
    if not getattr(post, "is_visible", True):
        return
    category_id = _category_id(post)
    source = f"post-{post.pk}"
    kinds = [T.POST_CREATED, T.TOPIC_CREATED if post.number == 1 else T.REPLY_CREATED]
    if category_id:
        kinds.append(T.POSTS_IN_CATEGORY)  # such a task always names its category: the filter applies
    task_progress_record(member=member, trigger=kinds, source=source, category_id=category_id)


@hooks.vote_changed.connect
def vote_changed(*, post, actor, old, new, **kwargs):
    if new and not old:
        task_progress_record(member=actor, trigger=T.VOTE_CAST, source=f"post-{post.pk}",
                             category_id=_category_id(post))
    if new == 1 and old != 1 and post.author_id and post.author_id != actor.pk:
        task_progress_record(member=post.author, trigger=T.UPVOTE_RECEIVED, source=f"vote-{post.pk}-{actor.pk}",
                             category_id=_category_id(post))


@hooks.topic_subscribed.connect
def topic_subscribed(*, topic, actor, subscribed, **kwargs):
    if subscribed:
        task_progress_record(member=actor, trigger=T.FOLLOW_TOPIC, source=f"topic-{topic.pk}",
                             category_id=topic.category_id)


@hooks.profile_updated.connect
def profile_updated(*, member, actor, **kwargs):
    if member.avatar and member.bio.strip():
        task_progress_record(member=member, trigger=T.PROFILE_COMPLETE, source="profile")


@hooks.email_verified.connect
def email_verified(*, member, email, **kwargs):
    task_progress_record(member=member, trigger=T.VERIFY_EMAIL, source="email")


@extension.checked_in.connect
def checked_in(*, member, checkin, stats, **kwargs):
    if not checkin.is_makeup:
        task_progress_record(member=member, trigger=T.CHECKIN, source=f"day-{checkin.day.isoformat()}")
