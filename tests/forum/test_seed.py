"""seed_demo and seed_bulk: what they make, that running them again is safe, and that every
counter they leave equals what the rows say."""

import io
import math
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from forum.management.commands.seed_demo import MEMBERS_DATA
from forum.markdown import render_markdown
from forum.models import Category, Notification, Post, PostRevision, PostVote, Topic, User
from forum.ranking import hot_score_python

pytestmark = pytest.mark.django_db


def run(command, *args, **options):
    out = io.StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


def assert_counters_consistent(topics):
    """Every cached counter of these topics, their posts, categories and authors equals what the
    rows say."""
    topics = list(topics)
    assert topics
    topic_ids = [t.pk for t in topics]
    posts = Post.objects.filter(topic_id__in=topic_ids)

    # posts: up/down/score are the sums of their votes
    sums = posts.annotate(
        ups=Count("votes", filter=Q(votes__value=1)), downs=Count("votes", filter=Q(votes__value=-1)),
        total=Sum("votes__value"),
    ).values_list("pk", "upvotes", "downvotes", "score", "ups", "downs", "total")
    for pk, up, down, score, ups, downs, total in sums:
        assert (up, down, score) == (ups, downs, total or 0), f"post {pk}"
    assert not PostVote.objects.filter(post__topic_id__in=topic_ids, user=F("post__author")).exists()

    # topics: numbers gap-free, counts, opening-post score, last activity, hot score
    for topic in Topic.objects.filter(pk__in=topic_ids):
        numbers = list(posts.filter(topic=topic).order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)), f"topic {topic.pk} numbers"
        assert topic.post_count == len(numbers)
        visible_replies = posts.filter(topic=topic, number__gt=1, is_hidden=False, is_deleted=False).count()
        assert topic.reply_count == visible_replies, f"topic {topic.pk} reply_count"
        opening = posts.get(topic=topic, number=1)
        assert topic.vote_score == opening.score
        last = posts.filter(topic=topic).order_by("-number").first()
        assert topic.last_activity_at == last.created_at
        assert topic.last_poster_id == last.author_id
        assert topic.created_at == opening.created_at
        expected_hot = hot_score_python(vote_score=topic.vote_score, reply_count=topic.reply_count,
                                        created_at=topic.created_at, is_featured=topic.is_featured)
        assert math.isclose(topic.hot_score, expected_hot, abs_tol=1e-6), f"topic {topic.pk} hot_score"

    # categories: visible topics and posts, the most recently active topic
    for category in Category.objects.filter(topics__in=topic_ids).distinct():
        assert category.topic_count == category.topics.filter(is_hidden=False).count()
        assert category.post_count == Post.objects.filter(topic__category=category, is_hidden=False,
                                                          is_deleted=False).count()
        latest = category.topics.filter(is_hidden=False).aggregate(m=Max("last_activity_at"))["m"]
        assert category.last_activity_at == latest
        assert category.last_topic.last_activity_at == latest

    # members: topics started, visible posts, upvotes received
    for user in User.objects.filter(posts__topic_id__in=topic_ids).distinct():
        assert user.topic_count == Topic.objects.filter(author=user).count(), user.username
        assert user.post_count == Post.objects.filter(author=user, is_hidden=False, is_deleted=False).count()
        assert user.upvotes_received == PostVote.objects.filter(post__author=user, value=1).count()


# --- seed_demo -----------------------------------------------------------------------------------
def _snapshot():
    return {
        "users": User.objects.count(), "emails": EmailAddress.objects.count(),
        "categories": Category.objects.count(), "topics": Topic.objects.count(), "posts": Post.objects.count(),
        "votes": PostVote.objects.count(), "notifications": Notification.objects.count(),
        "scores": list(Post.objects.order_by("pk").values_list("pk", "score", "created_at")),
        "topic_rows": list(Topic.objects.order_by("pk").values_list(
            "pk", "reply_count", "last_activity_at", "hot_score", "is_pinned", "is_locked")),
        "admin_password": User.objects.get(username="admin").password,
    }


def test_seed_demo_builds_a_living_forum_and_is_idempotent(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.delenv("HUOLI_ADMIN_PASSWORD", raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        first_out = run("seed_demo")
    first = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        second_out = run("seed_demo")
    assert _snapshot() == first

    # the generated admin password is printed once, and it works
    password = first_out.split("Admin login: admin / ")[1].split()[0]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert "Admin login: admin / " not in second_out
    assert "password unchanged" in second_out and "manage.py changepassword admin" in second_out

    # the forum's own six categories and the three member groups' (forum.groups.demo); the forum's topics, plus
    # bounty, commission and group topics
    assert first["categories"] == 9 and 22 <= first["topics"] <= 34
    assert first["posts"] > first["topics"] * 2 and first["votes"] > first["posts"]
    assert first["notifications"] > 0  # replies and mentions reached their recipients
    demo_names = [row[0] for row in MEMBERS_DATA]
    members = User.objects.filter(username__in=demo_names)
    assert members.count() == len(demo_names) >= 8
    demo_users = User.objects.filter(username__in=[*demo_names, "admin"])
    assert EmailAddress.objects.filter(user__in=demo_users, verified=True, primary=True).count() == 11
    assert members.filter(groups__name="Editors").exists()
    assert members.filter(groups__name="Moderators").exists()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(members.values_list("display_name", flat=True)))
    assert members.filter(display_name__regex=r"^[A-Za-z ]+$").exists()

    moderators = Group.objects.get(name="Moderators")
    assert Category.objects.get(slug="announcements").post_group == moderators
    private = Category.objects.get(read_group=moderators)
    assert private.topics.exists()

    # Markdown came through the renderer: code blocks, quotes, links, mentions
    html = "".join(Post.objects.values_list("html", flat=True))
    for fragment in ("<pre><code", "<blockquote>", 'rel="nofollow ugc noopener"', 'class="mention"'):
        assert fragment in html
    assert Topic.objects.filter(tags__isnull=False).distinct().count() >= 15

    # spread over the last two weeks (the older members' history is older), with distinct voters per post
    now = timezone.now()
    created = list(Topic.objects.exclude(title__startswith="【老帖】").values_list("created_at", flat=True))
    assert min(created) >= now - timedelta(days=15) and max(created) <= now
    assert max(created) - min(created) > timedelta(days=10)
    assert Post.objects.filter(created_at__gt=now).count() == 0
    assert not PostVote.objects.values("post", "user").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Topic.objects.filter(is_pinned=True).exists() and Topic.objects.filter(is_locked=True).exists()

    assert_counters_consistent(Topic.objects.all())

    # the operators' queues have content: every lifecycle stage, a six-week history, KOL scores without
    # staff, lottery entries inside their entry window
    from engagement.kol.models import KolScore
    from engagement.lifecycle.models import MemberStage, Stage, StageDaily
    from engagement.lotteries.models import Lottery, LotteryEntry

    assert set(MemberStage.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert MemberStage.objects.filter(stage=Stage.AT_RISK, member__username="sun_laoshi").exists()
    assert StageDaily.objects.values("day").distinct().count() >= 6
    assert Topic.objects.filter(title__startswith="【老帖】", created_at__lt=now - timedelta(days=60)).count() == 3
    ranked = KolScore.objects.filter(run__category__isnull=True)
    assert ranked.exists() and not ranked.filter(member__is_staff=True).exists()
    for lottery in Lottery.objects.all():
        entries = LotteryEntry.objects.filter(lottery=lottery)
        assert not entries.filter(created_at__gt=lottery.closes_at).exists()
        assert not entries.filter(created_at__lt=lottery.opens_at).exists()

    # the economy shows working: an open bounty with answers, one accepted; commissions in every state
    from engagement.bounties.models import Bounty
    from engagement.commissions.models import Commission

    open_bounty = Bounty.objects.filter(status="open").first()
    assert open_bounty is not None and open_bounty.topic.posts.count() >= 3
    assert Bounty.objects.filter(status="accepted", accepted_post__isnull=False).exists()
    assert set(Commission.objects.values_list("status", flat=True)) >= {"paid", "accepted", "submitted", "invited"}
    paid = Commission.objects.get(status="paid")
    assert paid.topic.is_featured and "commission" in paid.topic.sections

    # following: demo members follow each other, categories and tags, and each one's /feed/ has something
    from engagement.follows import selectors as follows

    for member in members:
        assert follows.feed(user=member).paginator.count > 0, member.username

    # the operator's console has content right after the demo: every day of its history rolled up
    from engagement.console import selectors as console
    from engagement.console.models import SiteDay
    from engagement.console.permissions import can_use_console
    from engagement.console.rollup import today

    assert SiteDay.objects.filter(day=today()).exists() and SiteDay.objects.filter(dau__gt=0).count() >= 10
    assert can_use_console(User.objects.get(username="emma_li"))
    board = console.dashboard(start=today() - timedelta(days=29), end=today())
    assert board["activity"]["avg_dau"] > 0 and board["economy"]["issued"] > 0
    assert board["first_replies"]["topics"] > 0 and board["retention"]["rows"]
    assert any(s["count"] for s in board["kol"]["states"])
    # member groups: a main group with two sub-groups, an owner, a deputy with powers and one still to read the
    # handbook, applications waiting, and a promotion candidate proposed by the ladder
    from forum.groups.models import Application, MemberGroup, Membership, PromotionProposal

    main = MemberGroup.objects.get(slug="ops-core")
    assert main.parent is None and main.children.count() == 2
    assert Membership.objects.filter(group=main, role="owner", member=admin).exists()
    deputies = Membership.objects.filter(role="deputy")
    assert any(m.has_powers for m in deputies) and not all(m.has_powers for m in deputies)
    assert Application.objects.filter(status="pending").count() >= 2
    assert PromotionProposal.objects.filter(group=main, status="proposed", member__username="emma_li").exists()
    assert main.category.topics.exists()
    # the composer (issue 15): the admin finds a reply draft and a new-topic draft; edited posts have a
    # history to show; some upvote notifications collapse into one group
    from forum.composer.models import Draft
    from forum.selectors import notification_groups

    assert Draft.objects.filter(user__username="admin", place__startswith="reply:").count() == 1
    assert Draft.objects.filter(user__username="admin", place__startswith="new:").count() == 1
    assert PostRevision.objects.exists()
    assert any(g.actor_count > 1 for m in members for g in notification_groups(user=m, per_page=50).object_list)


def test_seed_demo_uses_the_admin_password_from_the_environment(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setenv("HUOLI_ADMIN_PASSWORD", "a-demo-password-from-env")
    with django_capture_on_commit_callbacks(execute=True):
        out = run("seed_demo", only=["accounts"])
    assert "Admin login: admin / a-demo-password-from-env" in out
    assert User.objects.get(username="admin").check_password("a-demo-password-from-env")
    assert not Topic.objects.exists()  # only the accounts section ran
    with pytest.raises(CommandError, match="Unknown section"):
        run("seed_demo", only=["nonsense"])


# --- seed_bulk -----------------------------------------------------------------------------------
def _bulk_run_rows(run_number):
    topics = Topic.objects.filter(category__slug__startswith=f"bulk-{run_number}-").order_by("pk")
    return {
        "titles": list(topics.values_list("title", flat=True)),
        "post_counts": list(topics.values_list("post_count", flat=True)),
        "replies": list(topics.values_list("reply_count", "vote_score")),
        "sources": list(Post.objects.filter(topic__in=topics).order_by("pk").values_list("source", "number")),
        "votes": PostVote.objects.filter(post__topic__in=topics).count(),
        "members": User.objects.filter(username__startswith=f"bk{run_number}_").count(),
    }


def test_seed_bulk_is_deterministic_consistent_and_makes_the_hot_topic():
    out = run("seed_bulk", members=40, topics=25, posts=500, hot_topic_posts=90, votes=900, seed=5)
    assert "500 posts" in out
    first = _bulk_run_rows(1)
    assert first["members"] == 40 and len(first["titles"]) == 25
    assert sum(first["post_counts"]) == 500 == len(first["sources"])
    assert first["votes"] == 900
    hot = Topic.objects.filter(post_count=90)
    assert hot.count() >= 1 and Post.objects.filter(topic=hot.first()).count() == 90
    assert f"hot topic id {hot.first().pk} with 90 posts" in out
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(first["titles"]))
    assert any(title.isascii() for title in first["titles"])
    assert Post.objects.filter(is_hidden=True).exists()  # some replies are hidden, and counted as such
    assert_counters_consistent(Topic.objects.filter(category__slug__startswith="bulk-1-"))

    # the HTML is what the forum's renderer makes of the source
    for post in Post.objects.order_by("pk")[:60]:
        assert post.html == render_markdown(post.source)

    # a second run refuses, unless appended; the same seed gives the same data
    with pytest.raises(CommandError, match="already exists"):
        run("seed_bulk", members=40, topics=25, posts=500, seed=5)
    run("seed_bulk", members=40, topics=25, posts=500, hot_topic_posts=90, votes=900, seed=5, append=True)
    assert _bulk_run_rows(2) == first
    run("seed_bulk", members=40, topics=25, posts=500, hot_topic_posts=90, votes=900, seed=6, append=True)
    assert _bulk_run_rows(3)["titles"] != first["titles"]
    assert_counters_consistent(Topic.objects.filter(category__slug__startswith="bulk-"))

    # ids handed out afterwards do not collide with the bulk rows
    member = User.objects.create(username="after_bulk")
    assert member.pk > User.objects.exclude(pk=member.pk).aggregate(m=Max("pk"))["m"]


@pytest.mark.parametrize("options,message", [
    ({"topics": 10, "posts": 5}, "must be at least --topics"),
    ({"topics": 10, "posts": 50, "hot_topic_posts": 45}, "does not fit"),
    ({"members": 0}, "at least 1"),
    ({"members": 3, "topics": 2, "posts": 4, "votes": 100}, "possible"),
])
def test_seed_bulk_rejects_impossible_numbers_and_writes_nothing(options, message):
    with pytest.raises(CommandError, match=message):
        run("seed_bulk", **{"members": 20, "topics": 10, "posts": 100, **options})
    assert not Category.objects.filter(slug__startswith="bulk-").exists()
    assert not User.objects.filter(username__startswith="bk").exists()
