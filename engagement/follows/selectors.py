"""Reads of following: what a member follows, the counts on a profile, and the feed.

The feed is made of posts, newest first: every topic and reply written by a followed member, and the
opening post of every topic in a followed category or carrying a followed tag. What the reader may
read is decided by forum.selectors.posts_readable (the same rules as the forum's lists: private
categories, hidden posts and topics), so the feed can never show more than the forum does. A page
runs a fixed number of queries: the reader's follows, the count, the posts (with topic, category,
author and flair) and their topics' tags."""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from forum.hooks import member_related
from forum.models import Tag, Topic, User
from forum.selectors import paginate, posts_readable

from .models import Follow


class Followed:
    """The ids a member follows, by kind (one query)."""

    def __init__(self, rows):
        self.members = {r["member_id"] for r in rows if r["member_id"]}
        self.categories = {r["category_id"] for r in rows if r["category_id"]}
        self.tags = {r["tag_id"] for r in rows if r["tag_id"]}

    def __bool__(self):
        return bool(self.members or self.categories or self.tags)


def followed_by(*, user):
    if not user.is_authenticated:
        return Followed([])
    return Followed(list(Follow.objects.filter(follower=user).values("member_id", "category_id", "tag_id")))


def is_following(*, user, member=None, category=None, tag=None):
    if not user.is_authenticated:
        return False
    target = {"member": member} if member is not None else {"category": category} if category is not None \
        else {"tag": tag}
    return Follow.objects.filter(follower=user, **target).exists()


def member_follow_numbers(*, member, user):
    """Followers and following counts of `member`, and whether `user` follows them: one query."""
    mine = Q(follower_id=user.pk, member=member) if user.is_authenticated else Q(pk__in=[])
    return Follow.objects.filter(Q(member=member) | Q(follower=member)).aggregate(
        followers=Count("pk", filter=Q(member=member)),
        following=Count("pk", filter=Q(follower=member)),
        mine=Count("pk", filter=mine),
    )


def profile_context(*, member, user, message="", ok=True):
    """What the profile's follow block shows: the counts and the button (one query)."""
    numbers = member_follow_numbers(member=member, user=user)
    return {
        "member": member, "followers": numbers["followers"], "following_count": numbers["following"],
        "button": {"kind": "member", "key": member.username, "name": member.name, "place": "profile",
                   "following": bool(numbers["mine"]), "message": message, "ok": ok},
        "own": user.is_authenticated and user.pk == member.pk,
    }


def feed(*, user, followed=None, page=1, per_page=20):
    """A page of the reader's feed (see the module's docstring); `followed` is followed_by(user=user)."""
    followed = followed if followed is not None else followed_by(user=user)
    match = Q(pk__in=[])
    if followed.members:
        match |= Q(author_id__in=sorted(followed.members))
    if followed.categories:
        match |= Q(number=1, topic__category_id__in=sorted(followed.categories))
    if followed.tags:
        tagged = Topic.tags.through.objects.filter(topic_id=OuterRef("topic_id"), tag_id__in=sorted(followed.tags))
        match |= Q(Exists(tagged), number=1)
    qs = (posts_readable(user=user).filter(match).exclude(author_id=user.pk)
          .prefetch_related(Prefetch("topic__tags", queryset=Tag.objects.only("id", "name", "slug")))
          .order_by("-created_at", "-id"))
    result = paginate(Paginator(qs, per_page), page)
    result.object_list = list(result.object_list)
    for post in result.object_list:
        post.feed_reason = _reason(post, followed)
    return result


def _reason(post, followed):
    """Why a post is in the feed: ("member", author) / ("category", category) / ("tag", tag)."""
    if post.author_id in followed.members:
        return ("member", post.author)
    if post.topic.category_id in followed.categories:
        return ("category", post.topic.category)
    for tag in post.topic.tags.all():
        if tag.pk in followed.tags:
            return ("tag", tag)
    return ("", None)


def following_list(*, member):
    """Who and what `member` follows, for their feed's side list: members, categories, tags."""
    rows = list(Follow.objects.filter(follower=member)
                .select_related("member", *member_related("member"), "category", "tag")
                .order_by("-created_at"))
    return {
        "members": [r.member for r in rows if r.member_id],
        "categories": [r.category for r in rows if r.category_id],
        "tags": [r.tag for r in rows if r.tag_id],
    }


def suggestions(*, user, limit=6):
    """What to follow when the feed is empty: the busiest categories the reader may read, and the most
    active members (other than the reader)."""
    from forum.selectors import category_list

    categories = sorted(category_list(user=user), key=lambda c: -c.topic_count)[:limit]
    members = list(User.objects.filter(is_active=True, post_count__gt=0).exclude(pk=user.pk)
                   .select_related(*member_related())
                   .order_by("-post_count", "pk")[:limit])
    return {"categories": categories, "members": members}

