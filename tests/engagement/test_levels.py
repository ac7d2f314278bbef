"""Levels: the default ladder, promotion on lifetime points (spending never demotes), records and
notifications, and privileges enforced in the forum's services with a message naming the level."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from engagement.levels import permissions
from engagement.levels.models import Level, LevelChange, MemberLevel
from engagement.levels.selectors import level_ladder, level_progress, member_level
from engagement.points import services as points
from engagement.selectors import with_member_flair
from forum import services as forum
from forum.errors import NotAllowed, RateLimited
from forum.models import Notification, User
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def grant(member, amount, key):
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=amount, source_type="test",
                        source_id=key)


def test_default_ladder_is_discuz():
    assert [(lv.number, lv.name, lv.min_points) for lv in level_ladder()] == [
        (1, "新手上路", 0), (2, "注册会员", 50), (3, "中级会员", 200), (4, "高级会员", 500), (5, "金牌会员", 1000),
        (6, "论坛元老", 3000),
    ]


def test_promotion_recorded_and_notified(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        grant(member, 49, "a")
    assert not LevelChange.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        grant(member, 1, "b")
    member = User.objects.get(pk=member.pk)
    assert member_level(member).name == "注册会员"
    change = LevelChange.objects.get()
    assert (change.old_number, change.new_number, change.lifetime_earned) == (1, 2, 50)
    note = Notification.objects.get(recipient=member)
    assert "注册会员" in note.message and note.url == f"/u/{member.username}/points/"


def test_spending_never_demotes_but_a_reversal_does(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        grant(member, 60, "a")
        points.points_spend(member=member, amount=60, reason="lottery", key="x")
    assert MemberLevel.objects.get(member=member).level_number == 2
    earn = member.points_entries.get(kind="earn")
    with django_capture_on_commit_callbacks(execute=True):
        points.points_reverse(entry=earn, note="spam")
    assert MemberLevel.objects.get(member=member).level_number == 1
    assert "新手上路" in Notification.objects.filter(recipient=member).first().message


def test_progress_to_next_level(member):
    grant(member, 80, "a")
    progress = level_progress(member=member)
    assert progress["needed"] == 120 and progress["next"].name == "中级会员"


def test_links_limit_names_the_level_needed(member, category):
    body = "看这里 [a](https://a.example/) [b](https://b.example/) [c](https://c.example/)"
    with pytest.raises(NotAllowed) as exc:
        TopicFactory.create(author=member, category=category, body=body)
    assert "注册会员" in exc.value.message and "新手上路" in exc.value.message
    assert not member.topics.exists()
    MemberLevel.objects.create(member=member, level_number=2)
    member = User.objects.get(pk=member.pk)
    TopicFactory.create(author=member, category=category, body=body)


def test_images_limit(member, category):
    body = "![a](https://img.example/a.png) ![b](https://img.example/b.png)"
    with pytest.raises(NotAllowed) as exc:
        TopicFactory.create(author=member, category=category, body=body)
    assert "注册会员" in exc.value.message


def test_posts_per_hour_by_level(member, other_member, category):
    topic = TopicFactory.create(author=other_member, category=category)
    for i in range(10):  # 新手上路 may post 10 times an hour
        forum.post_create(actor=member, topic=topic, body=f"reply {i}")
    with pytest.raises(RateLimited) as exc:
        forum.post_create(actor=member, topic=topic, body="one too many")
    assert "注册会员" in exc.value.message and exc.value.retry_after > 0


def test_moderators_are_not_limited_by_level(moderator, category):
    body = " ".join(f"[l{i}](https://l{i}.example/)" for i in range(8))
    TopicFactory.create(author=moderator, category=category, body=body)


def test_poll_and_moderation_privileges(member, moderator):
    with pytest.raises(NotAllowed) as exc:
        permissions.check_create_poll(member)
    assert "注册会员" in exc.value.message
    with pytest.raises(NotAllowed) as exc:
        permissions.check_apply_moderator(member)
    assert "金牌会员" in exc.value.message
    assert permissions.report_weight(member) == 1
    assert permissions.report_weight(moderator) == 5
    MemberLevel.objects.create(member=member, level_number=5)
    member = User.objects.get(pk=member.pk)
    permissions.check_create_poll(member)
    permissions.check_apply_moderator(member)
    assert permissions.report_weight(member) == 3


def test_ladder_edit_resyncs_members(member, django_capture_on_commit_callbacks):
    grant(member, 40, "a")
    with django_capture_on_commit_callbacks(execute=True):
        Level.objects.filter(number=2).update(min_points=30)  # queryset update: no signal
        lv = Level.objects.get(number=2)
        lv.save()  # an admin save: cache dropped and members recomputed after commit
    assert MemberLevel.objects.get(member=member).level_number == 2


def test_flair_tag_renders_without_queries_when_selected(member, other_member):
    MemberLevel.objects.create(member=member, level_number=3)
    template = Template("{% load engagement_tags %}{% for m in members %}{% member_flair m %}{% endfor %}")
    level_ladder()  # warm the ladder cache, as any page does
    members = list(with_member_flair(User.objects.filter(pk__in=[member.pk, other_member.pk]).order_by("pk")))
    with CaptureQueriesContext(connection) as ctx:
        html = template.render(Context({"members": members}))
    assert len(ctx.captured_queries) == 0
    assert "中级会员" in html and "新手上路" in html
    more = [UserFactory() for _ in range(3)]
    members = list(with_member_flair(User.objects.filter(pk__in=[m.pk for m in [member, other_member, *more]])))
    with CaptureQueriesContext(connection) as ctx:
        template.render(Context({"members": members}))
    assert len(ctx.captured_queries) == 0


def test_cached_guest_page_shows_a_promotion_at_once(client, member, category, django_capture_on_commit_callbacks):
    topic = TopicFactory.create(category=category, author=member)
    url = topic.get_absolute_url()
    client.cookies["django_language"] = "en"
    assert "注册会员" not in client.get(url).content.decode()  # rendered, now cached for guests
    with django_capture_on_commit_callbacks(execute=True):
        grant(member, 50, "promote")
    assert "注册会员" in client.get(url).content.decode()
