"""Split replies off into a new topic: the chosen posts become the new topic (the first of them its
opening post), and the old topic's remaining posts are renumbered without gaps."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import cache as fragment_cache
from .. import hooks, permissions, services
from ..errors import InvalidInput
from ..models import Category, Post, Topic
from .common import clean_reason, record
from .move import category_resolve
from .renumber import append_posts, topic_refresh_counters, topic_renumber

MAX_SPLIT = 200


@transaction.atomic
def posts_split(*, actor, topic, post_ids, title, category=None, reason=""):
    reason = clean_reason(reason)
    title = services._clean_title(title)
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=topic.pk)
    permissions.check_moderate(actor, topic)
    target_category = category_resolve(category) if category not in (None, "") else topic.category
    permissions.check_moderate(actor, target_category)
    try:
        ids = sorted({int(pk) for pk in post_ids})
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose the replies to split off."), field="posts") from None
    if not ids:
        raise InvalidInput(_("Choose the replies to split off."), field="posts")
    if len(ids) > MAX_SPLIT:
        raise InvalidInput(_("At most %(n)d posts at a time.") % {"n": MAX_SPLIT}, field="posts")
    posts = list(Post.objects.filter(pk__in=ids, topic=topic).order_by("number"))
    if len(posts) != len(ids):
        raise InvalidInput(_("Every post to split off must belong to this topic."), field="posts")
    if any(p.number == 1 for p in posts):
        raise InvalidInput(_("The opening post cannot be split off; move the topic instead."), field="posts")
    opening = posts[0]
    now = timezone.now()
    new = Topic.objects.create(category=target_category, title=title, slug=services._topic_slug(title),
                               author_id=opening.author_id, created_at=opening.created_at, last_activity_at=now)
    before = {"topic_posts": topic.post_count}
    append_posts([p.pk for p in posts], to_topic_id=new.pk)
    topic_refresh_counters(new.pk)
    topic_renumber(topic.pk)
    visible = sum(1 for p in posts if p.is_visible)
    Category.objects.filter(pk=target_category.pk).update(topic_count=F("topic_count") + 1,
                                                          post_count=F("post_count") + visible,
                                                          last_topic=new, last_activity_at=now)
    Category.objects.filter(pk=topic.category_id).update(post_count=F("post_count") - visible)
    new.refresh_from_db()
    topic.refresh_from_db()
    services._refresh_hot(new.pk, new.created_at)
    services._refresh_hot(topic.pk, topic.created_at)
    for t in (topic, new):
        fragment_cache.bump_topic(t.pk)
        fragment_cache.bump_category(t.category_id)
    record(actor=actor, action="topic_split", target=topic, reason=reason, fallback=_("split"), subject=opening.author,
           before=before, after={"topic_posts": topic.post_count, "new_topic": new.pk, "new_topic_posts": new.post_count},
           category=topic.category, data={"post_ids": ids, "new_topic": new.pk})
    hooks.topic_created.send(topic=new, actor=actor)
    hooks.topic_changed.send(topic=new, actor=actor, change="split")
    hooks.topic_changed.send(topic=topic, actor=actor, change="split")
    return new
