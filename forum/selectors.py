"""Every read a forum page or the API needs, with its joins, so each page runs a fixed number of
queries whatever the number of rows. Paginators are handed the count from a counter cache where
one exists, so a page does not pay for COUNT(*)."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Concat, RowNumber
from django.http import Http404
from django.utils.functional import cached_property

from . import hooks, permissions
from .models import (
    Bookmark,
    Category,
    Notification,
    Post,
    PostVote,
    Tag,
    Topic,
    TopicRead,
    TopicSubscription,
    User,
)

TOPIC_SORTS = {
    "latest": ("-is_pinned", "-last_activity_at", "-id"),
    "hot": ("-is_pinned", "-hot_score", "-id"),
    "top": ("-is_pinned", "-vote_score", "-id"),
    "new": ("-created_at", "-id"),
}


class KnownCountPaginator(Paginator):
    """A paginator whose total comes from a counter cache instead of COUNT(*)."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = max(int(count), 0)

    @cached_property
    def count(self):
        return self._known_count


def paginate(paginator, number):
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def _readable_categories_q(user):
    if user.is_authenticated and user.is_staff:
        return Q()
    q = Q(read_group__isnull=True)
    if user.is_authenticated:
        q |= Q(read_group__in=permissions.group_ids(user))
    return q


def category_list(*, user):
    """Categories the user may read, with their latest topic and its last poster: one query (and
    what other apps show by the last posters' names, from hooks.members_shown)."""
    categories = list(
        Category.objects.filter(_readable_categories_q(user))
        .filter(member_group__isnull=True)  # a group's category shows on its group's page (forum.groups)
        .select_related("last_topic", "last_topic__last_poster", "parent")
        .order_by("position", "id")
    )
    hooks.members_shown([c.last_topic.last_poster for c in categories if c.last_topic is not None])
    return categories


def topics_shown(topics):
    """`topics` (rows of topic_queryset) as a list, their authors and last posters prepared for the
    names the page shows (hooks.members_shown: one batch, not five joins per member)."""
    topics = list(topics)
    hooks.members_shown([m for t in topics for m in (t.author, t.last_poster)])
    return topics


def _topics_page(result):
    result.object_list = topics_shown(result.object_list)
    return result


def category_get(*, slug, user):
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise Http404
    permissions.check_read_category(user, category)
    return category


def topic_queryset(*, user):
    # what other apps show by the names is not joined here: the callers pass the rows to topics_shown
    qs = Topic.objects.select_related("category", "author", "last_poster").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "name", "slug"))
    )
    if not permissions.is_moderator(user):
        mod_ids = permissions.moderated_category_ids(user)
        qs = qs.filter(Q(is_hidden=False) | Q(category__in=mod_ids)) if mod_ids else qs.filter(is_hidden=False)
    return qs


def topic_list(*, category, user, sort="latest", page=1, per_page=20, tag=None):
    """A page of topics in a category: the topics and their tags, two queries."""
    order = TOPIC_SORTS.get(sort, TOPIC_SORTS["latest"])
    qs = topic_queryset(user=user).filter(category=category).order_by(*order)
    if tag:
        qs = qs.filter(tags__slug=tag)
        return _topics_page(paginate(Paginator(qs, per_page), page))
    if permissions.can_moderate(user, category):
        return _topics_page(paginate(Paginator(qs, per_page), page))
    return _topics_page(paginate(KnownCountPaginator(qs, per_page, count=category.topic_count), page))


def latest_topics(*, user, limit=20, sort="latest"):
    order = TOPIC_SORTS.get(sort, TOPIC_SORTS["latest"])
    # a global pin (forum.moderation.pin) leads the site-wide lists; category pins lead their category
    qs = topic_queryset(user=user).filter(_readable_category_field_q(user)).order_by("-pinned_globally", *order[1:])
    return topics_shown(qs[:limit])


def _readable_category_field_q(user):
    if user.is_authenticated and user.is_staff:
        return Q()
    q = Q(category__read_group__isnull=True)
    if user.is_authenticated:
        q |= Q(category__read_group__in=permissions.group_ids(user))
    return q


def topic_get(*, topic_id, user):
    """The topic, for a member with their subscription and read mark in the same query (a topic page
    used to ask for each separately)."""
    qs = Topic.objects.select_related("category", "author")
    if user.is_authenticated:
        qs = qs.annotate(
            my_subscribed=Exists(TopicSubscription.objects.filter(topic=OuterRef("pk"), user=user)),
            my_last_read=Subquery(TopicRead.objects.filter(topic=OuterRef("pk"), user=user)
                                  .values("last_read_number")[:1], output_field=IntegerField()),
        )
    topic = qs.filter(pk=topic_id).first()
    if topic is None:
        raise Http404
    if topic.merged_into_id is not None:  # a merged stub: the pages redirect to its target
        permissions.check_read_category(user, topic.category)
        return topic
    permissions.check_read_topic(user, topic)
    return topic


def topic_opening_html(*, topic):
    """The opening post's sanitised HTML when it is visible, else "" (a topic page's meta description)."""
    return (Post.objects.filter(topic=topic, number=1, is_hidden=False, is_deleted=False)
            .values_list("html", flat=True).first()) or ""


def post_queryset(*, user):
    # the authors' flair is not joined: callers pass the posts to posts_shown
    qs = Post.objects.select_related("author", "reply_to__author")
    if user.is_authenticated:
        qs = qs.annotate(
            my_vote=Subquery(
                PostVote.objects.filter(post=OuterRef("pk"), user=user).values("value")[:1],
                output_field=IntegerField(),
            ),
            is_bookmarked=Exists(Bookmark.objects.filter(post=OuterRef("pk"), user=user)),
        )
    else:
        qs = qs.annotate(my_vote=Value(None, output_field=IntegerField()))
    return qs


def topic_posts(*, topic, user, page=1, per_page=20):
    """A page of a topic's posts with authors and the reader's own votes and bookmarks, in one
    query. Post numbers are gap-free, so hidden and deleted posts keep their place (shown as a
    placeholder to those who may not see them) and the page needs no COUNT(*)."""
    qs = post_queryset(user=user).filter(topic=topic).order_by("number")
    result = paginate(KnownCountPaginator(qs, per_page, count=topic.post_count), page)
    result.object_list = list(result.object_list)
    for post in result.object_list:
        post.topic = topic  # permission checks read post.topic: no query per post
    posts_shown(result.object_list)
    return result


def posts_shown(posts):
    """Prepare the posts' authors for the names the page shows (hooks.members_shown, one batch)."""
    hooks.members_shown([p.author for p in posts])
    return posts


def post_for_reader(*, post_id, user):
    """One post with its topic and category and the reader's own vote and bookmark, for the vote and
    bookmark fragments (one query)."""
    post = post_queryset(user=user).select_related("topic__category").filter(pk=post_id).first()
    if post is None:
        raise Http404
    permissions.check_read_topic(user, post.topic)
    posts_shown([post])
    return post


def topic_is_subscribed(*, topic, user):
    if not user.is_authenticated:
        return False
    known = getattr(topic, "my_subscribed", None)  # topic_get read it with the topic
    if known is not None:
        return known
    return TopicSubscription.objects.filter(topic=topic, user=user).exists()


def topic_tags(*, topic):
    """The topic's tags, cached under the topic's version (topic edits bump it)."""
    from . import cache as fragment_cache

    return fragment_cache.cached_value(scope="topic", ident=topic.pk, name="tags",
                                       build=lambda: list(topic.tags.all()))


def page_of_post_number(*, number, per_page=20):
    return max((int(number) - 1) // per_page + 1, 1)


def topic_first_unread_number(*, topic, user):
    if not user.is_authenticated:
        return 1
    read = TopicRead.objects.filter(topic=topic, user=user).values_list("last_read_number", flat=True).first()
    return min((read or 0) + 1, topic.post_count)


def post_get(*, post_id, user):
    post = Post.objects.select_related("topic__category", "author").filter(pk=post_id).first()
    if post is None:
        raise Http404
    permissions.check_read_topic(user, post.topic)
    return post


def member_get(*, username):
    member = User.objects.filter(username=username, is_active=True).first()
    if member is None:
        raise Http404
    return member


def member_recent_posts(*, member, user, limit=10):
    qs = (
        Post.objects.filter(author=member, is_hidden=False, is_deleted=False, topic__is_hidden=False)
        .filter(_readable_category_field_q_for_post(user))
        .select_related("topic")
        .order_by("-created_at")
    )
    return list(qs[:limit])


def _readable_category_field_q_for_post(user):
    if user.is_authenticated and user.is_staff:
        return Q()
    q = Q(topic__category__read_group__isnull=True)
    if user.is_authenticated:
        q |= Q(topic__category__read_group__in=permissions.group_ids(user))
    return q


def posts_readable(*, user):
    """Every post `user` may read in a public list (a feed, a member's activity): visible posts of visible
    topics in categories the reader may read, with topic, category and author joined. Hidden topics stay
    out for moderators too, as in the featured lists: a list is not the moderation queue."""
    return (
        Post.objects.filter(is_hidden=False, is_deleted=False, topic__is_hidden=False,
                            topic__merged_into__isnull=True)
        .filter(_readable_category_field_q_for_post(user))
        .select_related("topic__category", "author", *hooks.member_related("author"))
    )


def tag_get(*, slug):
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        raise Http404
    return tag


def tag_topics(*, tag, user, page=1, per_page=20):
    """A page of the topics carrying `tag`, in every category the reader may read, latest activity first."""
    qs = (topic_queryset(user=user).filter(_readable_category_field_q(user)).filter(tags=tag)
          .order_by("-last_activity_at", "-id"))
    return _topics_page(paginate(Paginator(qs, per_page), page))


def member_bookmarks(*, user, page=1, per_page=20):
    qs = (
        Bookmark.objects.filter(user=user)
        .select_related("post__topic", "post__author")
        .order_by("-created_at")
    )
    return paginate(Paginator(qs, per_page), page)


def _notifications_readable(user):
    """A member's notifications about topics they may still read (or about no topic): one made
    before its topic moved into a category they may not read no longer shows, nor counts."""
    qs = Notification.objects.filter(recipient=user)
    if user.is_staff:
        return qs
    # the member's groups as a subquery: the unread badge on every page stays one query
    return qs.filter(Q(topic__isnull=True) | Q(topic__category__read_group__isnull=True)
                     | Q(topic__category__read_group__in=user.groups.values("pk")))


def notifications_for(*, user, page=1, per_page=20):
    qs = _notifications_readable(user).select_related("actor", "topic").order_by("-created_at", "-id")
    return paginate(Paginator(qs, per_page), page)


# --- grouped notifications (issue 15): "3 人赞了你的回复" -------------------------------------
# upvotes of one post collapse into one row, and replies in one topic; the rest stay one per row
NOTIFICATION_ACTORS_SHOWN = 3


def _notification_group_key():
    return Case(
        When(kind=Notification.Kind.VOTE, post__isnull=False,
             then=Concat(Value("vote:"), Cast("post_id", CharField()))),
        When(kind=Notification.Kind.REPLY, topic__isnull=False,
             then=Concat(Value("reply:"), Cast("topic_id", CharField()))),
        default=Concat(Value("n:"), Cast("id", CharField())),
        output_field=CharField(),
    )


def notifications_keyed(*, user):
    """The member's readable notifications, each annotated with `group_key` (same kind + same target)."""
    return _notifications_readable(user).annotate(group_key=_notification_group_key())


class NotificationGroup:
    def __init__(self, row, latest, actors):
        self.key = row["group_key"]
        self.count = row["total"]
        self.actor_count = row["actor_count"]
        self.unread = row["unread"]
        self.latest = latest  # the newest notification of the group (its post, topic, message, url)
        self.kind = latest.kind
        self.actors = actors  # the latest distinct actors, newest first
        self.created_at = row["latest_at"]

    @property
    def others(self):
        return max(self.actor_count - len(self.actors), 0)


def notification_groups(*, user, page=1, per_page=20):
    """A page of the member's notifications grouped by kind and target, newest group first, each with
    its newest notification and up to NOTIFICATION_ACTORS_SHOWN latest actors: four queries whatever
    the number of notifications (count, groups, newest rows, actors)."""
    groups = (notifications_keyed(user=user).values("group_key")
              .annotate(latest_at=Max("created_at"), last_id=Max("id"), total=Count("id"),
                        actor_count=Count("actor", distinct=True),
                        unread=Count("id", filter=Q(read_at__isnull=True)))
              .order_by("-latest_at", "-last_id"))
    result = paginate(Paginator(groups, per_page), page)
    rows = list(result.object_list)
    keys = [r["group_key"] for r in rows]
    latest = {}
    actors = {key: [] for key in keys}
    if rows:
        latest = Notification.objects.select_related("topic", "post__topic", "actor").in_bulk([r["last_id"] for r in rows])
        ranked = (notifications_keyed(user=user).filter(group_key__in=keys, actor__isnull=False)
                  .select_related("actor", *hooks.member_related("actor"))
                  .annotate(rank=Window(RowNumber(), partition_by=[F("group_key"), F("actor_id")],
                                        order_by=[F("created_at").desc(), F("id").desc()]))
                  .filter(rank=1).order_by("-created_at", "-id"))
        for n in ranked:  # the newest notification of each actor in each group
            if len(actors[n.group_key]) < NOTIFICATION_ACTORS_SHOWN:
                actors[n.group_key].append(n.actor)
    result.object_list = [NotificationGroup(r, latest[r["last_id"]], actors[r["group_key"]]) for r in rows
                          if r["last_id"] in latest]
    return result


def notifications_unread_count(*, user):
    """The header's badge: cached per member, forgotten whenever one of theirs is made or read."""
    from . import cache as fragment_cache

    if not user.is_authenticated:
        return 0
    return fragment_cache.unread_count(
        user.pk, lambda: _notifications_readable(user).filter(read_at__isnull=True).count())


# --- featured (精华) ------------------------------------------------------------------------------
def featured_topics(*, user, category=None, page=1, per_page=20):
    """A page of featured topics, the most recently featured first. Hidden topics and topics in
    categories the reader may not read never appear (for moderators neither: this is a public list)."""
    qs = (
        topic_queryset(user=user).filter(is_featured=True, is_hidden=False)
        .filter(_readable_category_field_q(user))
        .select_related("featured_by")
        .order_by("-featured_at", "-id")
    )
    if category is not None:
        qs = qs.filter(category=category)
    return _topics_page(paginate(Paginator(qs, per_page), page))


def featured_posts(*, user, category=None, page=1, per_page=20):
    """A page of featured posts with their topics and authors: only visible posts of visible topics
    in categories the reader may read."""
    qs = (
        Post.objects.filter(is_featured=True, is_hidden=False, is_deleted=False, topic__is_hidden=False)
        .filter(_readable_category_field_q_for_post(user))
        .select_related("topic__category", "author", "featured_by")
        .order_by("-featured_at", "-id")
    )
    if category is not None:
        qs = qs.filter(topic__category=category)
    return paginate(Paginator(qs, per_page), page)


def community_numbers(*, now=None):
    """Live numbers for landing pages: active members, and visible posts written today (site time zone)."""
    from django.utils import timezone

    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "members": User.objects.filter(is_active=True).count(),
        "posts_today": Post.objects.filter(created_at__gte=start, is_hidden=False, is_deleted=False).count(),
    }
