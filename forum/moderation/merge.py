"""Merge one topic into another: the source's posts follow the target's (numbers continue), its
subscribers follow, and the source stays as a hidden stub that redirects to the target."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .. import cache as fragment_cache
from .. import hooks, permissions, services
from ..errors import InvalidInput
from ..models import Category, Post, Topic, TopicSubscription
from .common import clean_reason, record
from .renumber import append_posts, topic_refresh_counters


@transaction.atomic
def topics_merge(*, actor, source, target, reason=""):
    reason = clean_reason(reason)
    if not isinstance(target, Topic):
        target = Topic.objects.filter(pk=target).first() if str(target).isdigit() else None
        if target is None:
            raise InvalidInput(_("Unknown topic to merge into."), field="target")
    if source.pk == target.pk:
        raise InvalidInput(_("A topic cannot be merged into itself."), field="target")
    first, second = sorted([source.pk, target.pk])
    locked = {t.pk: t for t in Topic.objects.select_for_update(of=("self",)).select_related("category")
              .filter(pk__in=[first, second]).order_by("pk")}
    source, target = locked[source.pk], locked[target.pk]
    permissions.check_moderate(actor, source)
    permissions.check_moderate(actor, target)
    if source.merged_into_id:
        raise InvalidInput(_("This topic was already merged."), field="source")
    post_ids = list(Post.objects.filter(topic=source).values_list("pk", flat=True))
    visible = Post.objects.filter(topic=source, is_hidden=False, is_deleted=False).count()
    before = {"source_posts": source.post_count, "target_posts": target.post_count}
    moved = append_posts(post_ids, to_topic_id=target.pk)
    topic_refresh_counters(target.pk)
    for user_id in TopicSubscription.objects.filter(topic=source).values_list("user_id", flat=True):
        TopicSubscription.objects.get_or_create(user_id=user_id, topic=target)
    Topic.objects.filter(pk=source.pk).update(merged_into=target, is_hidden=True, post_count=0, reply_count=0,
                                              is_pinned=False, pinned_globally=False, pinned_until=None)
    Category.objects.filter(pk=source.category_id).update(
        topic_count=F("topic_count") - (0 if source.is_hidden else 1), post_count=F("post_count") - visible)
    Category.objects.filter(pk=target.category_id).update(post_count=F("post_count") + visible)
    target.refresh_from_db()
    services._refresh_hot(target.pk, target.created_at)
    for topic in (source, target):
        fragment_cache.bump_topic(topic.pk)
        fragment_cache.bump_category(topic.category_id)
    record(actor=actor, action="topic_merge", target=source, reason=reason, fallback=_("merged"),
           subject=source.author, before=before, after={"merged_into": target.pk, "target_posts": target.post_count},
           category=source.category, data={"moved_posts": moved, "target": target.pk})
    source.refresh_from_db()
    hooks.topic_changed.send(topic=source, actor=actor, change="hidden")
    hooks.topic_changed.send(topic=target, actor=actor, change="merged")
    return target
