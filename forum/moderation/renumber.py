"""Post numbers are gap-free per topic (pages and links rely on it). Merging and splitting move
posts between topics and renumber them here, in two passes so the unique (topic, number)
constraint never sees a duplicate."""

from django.db.models import F, Max

from ..models import Post, Topic

OFFSET = 10_000_000


def topic_renumber(topic_id):
    """Number a topic's posts 1..n in (number, created_at) order and refresh its counters."""
    posts = list(Post.objects.filter(topic_id=topic_id).order_by("number", "created_at", "id")
                 .values_list("pk", "number"))
    Post.objects.filter(topic_id=topic_id).update(number=F("number") + OFFSET)
    for new_number, (pk, _old) in enumerate(posts, start=1):
        Post.objects.filter(pk=pk).update(number=new_number)
    topic_refresh_counters(topic_id)
    return len(posts)


def topic_refresh_counters(topic_id):
    qs = Post.objects.filter(topic_id=topic_id)
    count = qs.count()
    replies = qs.filter(number__gt=1, is_hidden=False, is_deleted=False).count()
    last = qs.filter(is_hidden=False, is_deleted=False).order_by("-number").first()
    opening = qs.filter(number=1).first()
    fields = {"post_count": count, "reply_count": replies}
    if last is not None:
        fields.update(last_activity_at=last.created_at, last_poster_id=last.author_id)
    if opening is not None:
        fields.update(vote_score=opening.score, author_id=opening.author_id, created_at=opening.created_at)
    Topic.objects.filter(pk=topic_id).update(**fields)


def append_posts(post_ids, *, to_topic_id):
    """Move posts (in their order) to the end of another topic."""
    start = Post.objects.filter(topic_id=to_topic_id).aggregate(n=Max("number"))["n"] or 0
    ordered = list(Post.objects.filter(pk__in=post_ids).order_by("topic_id", "number").values_list("pk", flat=True))
    Post.objects.filter(pk__in=ordered).update(number=F("number") + OFFSET)
    for i, pk in enumerate(ordered, start=1):
        Post.objects.filter(pk=pk).update(topic_id=to_topic_id, number=start + i)
    return len(ordered)
