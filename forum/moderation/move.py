"""Move a topic to another category: the mover must moderate both categories."""

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from .. import cache as fragment_cache
from .. import hooks, permissions
from ..errors import Conflict, InvalidInput
from ..models import Category, Post, Topic
from .common import clean_reason, record


def category_resolve(value):
    if isinstance(value, Category):
        return value
    found = Category.objects.filter(Q(slug=str(value)) | Q(pk=int(value)) if str(value).isdigit()
                                    else Q(slug=str(value))).first()
    if found is None:
        raise InvalidInput(_("Unknown category."), field="category")
    return found


def _visible_posts(topic_id):
    return Post.objects.filter(topic_id=topic_id, is_hidden=False, is_deleted=False).count()


@transaction.atomic
def topic_move(*, actor, topic, category, reason=""):
    reason = clean_reason(reason)
    target = category_resolve(category)
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=topic.pk)
    permissions.check_moderate(actor, topic)
    permissions.check_moderate(actor, target)
    if target.pk == topic.category_id:
        raise Conflict(_("The topic is already in %(category)s.") % {"category": target.name})
    old = topic.category
    posts = _visible_posts(topic.pk)
    topics = 0 if topic.is_hidden else 1
    Category.objects.filter(pk=old.pk).update(topic_count=F("topic_count") - topics, post_count=F("post_count") - posts)
    Category.objects.filter(pk=target.pk).update(topic_count=F("topic_count") + topics,
                                                 post_count=F("post_count") + posts)
    topic.category = target
    topic.save(update_fields=["category"])
    for cat in (old, target):
        last = Topic.objects.filter(category=cat, is_hidden=False).order_by("-last_activity_at").first()
        Category.objects.filter(pk=cat.pk).update(last_topic=last, last_activity_at=last.last_activity_at if last else None)
        fragment_cache.bump_category(cat.pk)
    fragment_cache.bump_topic(topic.pk)
    record(actor=actor, action="topic_move", target=topic, reason=reason, fallback=_("moved"), subject=topic.author,
           before={"category": old.pk, "category_name": old.name},
           after={"category": target.pk, "category_name": target.name}, category=old,
           data={"to_category": target.pk})
    hooks.topic_moved.send(topic=topic, actor=actor, old_category=old)
    return topic
