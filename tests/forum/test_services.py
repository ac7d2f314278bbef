import pytest
from django.db.models import Sum

from forum import services
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Category, Notification, Post, PostVote, Topic, User
from forum.moderation import registry
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_topic_create_makes_opening_post_and_counters(member, category):
    topic = services.topic_create(actor=member, category=category, title="如何发掘社区中的KOL用户",
                                  body="**你好** @nobody", tags=["运营", "KOL"])
    topic.refresh_from_db()
    category.refresh_from_db()
    member.refresh_from_db()
    assert topic.post_count == 1 and topic.reply_count == 0
    assert topic.posts.get().html.startswith("<p><strong>你好</strong>")
    assert sorted(t.name for t in topic.tags.all()) == ["KOL", "运营"]
    assert category.topic_count == 1 and category.post_count == 1 and category.last_topic_id == topic.pk
    assert member.topic_count == 1 and member.post_count == 1
    assert topic.slug == "如何发掘社区中的kol用户"


@pytest.mark.parametrize(
    "title,body,field",
    [("", "body text", "title"), ("abc", "body text", "title"), ("x" * 121, "body", "title"),
     ("A good title", "", "body"), ("A good title", "x" * 20001, "body")],
)
def test_topic_create_rejects_bad_input_and_writes_nothing(member, category, title, body, field):
    with pytest.raises(InvalidInput) as exc:
        services.topic_create(actor=member, category=category, title=title, body=body)
    assert exc.value.field == field
    assert Topic.objects.count() == 0 and Post.objects.count() == 0


def test_unknown_category(member):
    with pytest.raises(InvalidInput, match="Unknown category|未知"):
        services.topic_create(actor=member, category=999, title="A good title", body="body")


def test_reply_numbers_and_notifies_topic_author(member, other_member, category, django_capture_on_commit_callbacks):
    topic = TopicFactory.create(author=member, category=category)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.post_create(actor=other_member, topic=topic, body="回复 @%s" % member.username)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.post_create(actor=member, topic=topic, body="thanks", reply_to=reply)
    assert (reply.number, second.number) == (2, 3)
    topic.refresh_from_db()
    assert topic.reply_count == 2 and topic.post_count == 3 and topic.last_poster_id == member.pk
    kinds = sorted(Notification.objects.filter(recipient=member).values_list("kind", flat=True))
    assert kinds == ["mention"]  # the mention wins over the reply notification for the same post
    assert Notification.objects.filter(recipient=other_member, kind="reply", post=second).exists()


def test_reply_to_locked_topic_refused(member, other_member, moderator, category):
    topic = TopicFactory.create(author=member, category=category)
    registry.run("topic", "lock", actor=moderator, obj=topic)
    with pytest.raises(NotAllowed, match="locked|锁定"):
        services.post_create(actor=other_member, topic=topic, body="late reply")
    assert Post.objects.filter(topic=topic).count() == 1
    # moderators may still reply
    services.post_create(actor=moderator, topic=topic, body="mod note")


def test_post_in_restricted_category_refused(member):
    from django.contrib.auth.models import Group

    staff_only = Category.objects.create(name="公告", slug="news", post_group=Group.objects.get(name="Moderators"))
    with pytest.raises(NotAllowed):
        services.topic_create(actor=member, category=staff_only, title="Not allowed here", body="body")


def test_vote_toggle_switch_and_errors(member, other_member, category):
    topic = TopicFactory.create(author=member, category=category)
    post = topic.posts.get()
    with pytest.raises(NotAllowed, match="own|自己"):
        services.post_vote(actor=member, post=post, value=1)
    services.post_vote(actor=other_member, post=post, value=1)
    with pytest.raises(Conflict):
        services.post_vote(actor=other_member, post=post, value=1)
    post = services.post_vote(actor=other_member, post=post, value=-1)
    assert (post.upvotes, post.downvotes, post.score) == (0, 1, -1)
    post = services.post_vote(actor=other_member, post=post, value=0)
    assert (post.upvotes, post.downvotes, post.score) == (0, 0, 0)
    assert PostVote.objects.count() == 0
    with pytest.raises(InvalidInput):
        services.post_vote(actor=other_member, post=post, value=5)
    topic.refresh_from_db()
    assert topic.vote_score == 0


def test_vote_counters_equal_vote_rows(member, category):
    topic = TopicFactory.create(author=member, category=category)
    post = topic.posts.get()
    voters = UserFactory.create_batch(5)
    for i, voter in enumerate(voters):
        services.post_vote(actor=voter, post=post, value=1 if i % 2 == 0 else -1)
    post.refresh_from_db()
    assert post.score == PostVote.objects.filter(post=post).aggregate(s=Sum("value"))["s"] == 1
    assert User.objects.get(pk=member.pk).upvotes_received == 3


def test_edit_keeps_history_and_only_author_or_moderator(member, other_member, moderator, category):
    topic = TopicFactory.create(author=member, category=category, body="original")
    post = topic.posts.get()
    with pytest.raises(NotAllowed):
        services.post_edit(actor=other_member, post=post, body="hijack")
    services.post_edit(actor=member, post=post, body="edited *text*", title="A better title", reason="typo")
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.html == "<p>edited <em>text</em></p>\n" and post.edit_count == 1
    assert topic.title == "A better title"
    assert list(post.revisions.values_list("source", flat=True)) == ["original"]
    services.post_edit(actor=moderator, post=post, body="moderated", reason="rule 3")
    assert post.revisions.count() == 2


def test_soft_delete_and_restore_keep_counters(member, other_member, moderator, category):
    topic = TopicFactory.create(author=member, category=category)
    reply = services.post_create(actor=other_member, topic=topic, body="a reply")
    services.post_delete(actor=other_member, post=reply)
    topic.refresh_from_db()
    assert topic.reply_count == 0 and topic.post_count == 2
    with pytest.raises(NotAllowed):
        registry.run("post", "restore", actor=other_member, obj=reply)
    registry.run("post", "restore", actor=moderator, obj=reply)
    topic.refresh_from_db()
    assert topic.reply_count == 1


def test_rate_limit(member, category, settings):
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {**settings.HUOLI["RATE_LIMITS"], "topic": (2, 3600)}}
    from forum.errors import RateLimited

    for i in range(2):
        services.topic_create(actor=member, category=category, title=f"Topic number {i}", body="body")
    with pytest.raises(RateLimited) as exc:
        services.topic_create(actor=member, category=category, title="Topic number 3", body="body")
    assert 0 < exc.value.retry_after <= 3600
    assert Topic.objects.count() == 2


def test_hot_score_formula_matches_python(member, other_member, category):
    from forum.ranking import hot_score_python

    topic = TopicFactory.create(author=member, category=category)
    for i in range(3):
        services.post_create(actor=other_member, topic=topic, body=f"reply {i}")
    topic.refresh_from_db()
    assert topic.hot_score == pytest.approx(
        hot_score_python(vote_score=topic.vote_score, reply_count=3, created_at=topic.created_at)
    )


def test_member_joined_adds_members_group(db):
    user = User.objects.create_user(username="newbie", password="x" * 12)
    services.member_joined(member=user)
    assert list(user.groups.values_list("name", flat=True)) == ["Members"]
