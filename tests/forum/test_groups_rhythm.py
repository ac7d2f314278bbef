"""Group rhythm: a weekly session every Tuesday 20:00 Asia/Shanghai opens its topic on schedule, once per
occurrence, tells the early-access members first and reminds every member."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from forum.errors import InvalidInput, NotAllowed
from forum.groups import rhythm
from forum.groups.models import GroupEventOccurrence
from forum.groups.tasks import group_events_run_task
from forum.models import Notification, Topic
from tests.factories import UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def weekly():
    w = type("W", (), {})()
    w.owner = UserFactory()
    w.group = make_group(name="分享会小组", slug="weekly", owner=w.owner)
    w.seed = add_member(w.group, UserFactory(username="seed"))
    w.member = add_member(w.group, UserFactory(username="plain"))
    w.event = rhythm.group_event_create(actor=w.owner, group=w.group, title="每周二知识分享",
                                        body="本周主题：活动复盘。请在本帖报名主讲。", weekday=1, hour=20,
                                        lead_hours=24, seed_hours=24, seeds=["seed"])
    return w


def test_next_start_in_the_events_time_zone(weekly):
    monday_noon = datetime(2026, 12, 7, 12, 0, tzinfo=SH)
    assert rhythm.next_start(weekly.event, monday_noon) == datetime(2026, 12, 8, 20, 0, tzinfo=SH)
    after = datetime(2026, 12, 8, 20, 30, tzinfo=SH)
    assert rhythm.next_start(weekly.event, after) == datetime(2026, 12, 15, 20, 0, tzinfo=SH)


def test_the_session_topic_opens_once_with_early_access_then_reminders(weekly):
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=SH)  # before the early-access window (Sunday 20:00)
    assert rhythm.group_events_run(now=saturday) == {"opened": 0, "seeded": 0, "reminded": 0}
    monday_noon = datetime(2026, 12, 7, 12, 0, tzinfo=SH)
    assert rhythm.group_events_run(now=monday_noon) == {"opened": 1, "seeded": 1, "reminded": 0}
    topic = Topic.objects.get(title="每周二知识分享 · 2026-12-08 20:00")
    assert topic.category_id == weekly.group.category_id
    assert Notification.objects.filter(recipient=weekly.seed, message__contains="每周二知识分享").count() == 1
    assert not Notification.objects.filter(recipient=weekly.member, message__contains="每周二知识分享").exists()
    assert rhythm.group_events_run(now=monday_noon) == {"opened": 0, "seeded": 0, "reminded": 0}  # idempotent
    monday_night = datetime(2026, 12, 7, 21, 0, tzinfo=SH)
    assert rhythm.group_events_run(now=monday_night) == {"opened": 0, "seeded": 0, "reminded": 1}
    assert Notification.objects.filter(recipient=weekly.member, message__contains="每周二知识分享").count() == 1
    assert GroupEventOccurrence.objects.filter(event=weekly.event).count() == 1
    assert Topic.objects.filter(title__startswith="每周二知识分享").count() == 1


def test_the_beat_task_runs_it(weekly):
    # a week's lead: whenever the test runs, the next session is inside it, so its topic opens now
    event = rhythm.group_event_create(actor=weekly.owner, group=weekly.group, title="每日站会复盘", body="今天的进展",
                                      weekday=3, hour=9, lead_hours=168)
    assert group_events_run_task.delay().get()["opened"] >= 1
    occurrence = GroupEventOccurrence.objects.get(event=event)
    assert occurrence.topic.category_id == weekly.group.category_id and occurrence.reminded_at is not None
    assert group_events_run_task.delay().get() == {"opened": 0, "seeded": 0, "reminded": 0}


def test_only_owners_create_events_and_bad_input_is_refused(weekly):
    with pytest.raises(NotAllowed):
        rhythm.group_event_create(actor=weekly.member, group=weekly.group, title="我的活动", body="内容",
                                  weekday=1, hour=20)
    with pytest.raises(InvalidInput):
        rhythm.group_event_create(actor=weekly.owner, group=weekly.group, title="每周活动", body="内容",
                                  weekday=9, hour=20)
    with pytest.raises(InvalidInput):
        rhythm.group_event_create(actor=weekly.owner, group=weekly.group, title="每周活动", body="内容",
                                  weekday=1, hour=20, time_zone="Mars/Base")


def test_early_access_members_answer_first(weekly, settings):
    """Between the topic's opening for the early-access members and the session's opening to everyone, only
    the seeds (and the owners, deputies and staff) may reply; then everyone may."""
    from django.utils import timezone

    from forum import services

    monday_noon = datetime(2026, 12, 7, 12, 0, tzinfo=SH)  # inside the early-access window
    rhythm.group_events_run(now=monday_noon)
    topic = Topic.objects.get(title="每周二知识分享 · 2026-12-08 20:00")
    settings.USE_TZ = True
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: monday_noon)
        services.post_create(actor=weekly.seed, topic=topic, body="我先来：上周的活动复盘要点……")
        services.post_create(actor=weekly.owner, topic=topic, body="欢迎大家报名")
        with pytest.raises(NotAllowed) as refused:
            services.post_create(actor=weekly.member, topic=topic, body="我也想说")
        assert refused.value.code == "early_access" and "2026-12-07 20:00" in str(refused.value.message)
        mp.setattr(timezone, "now", lambda: datetime(2026, 12, 7, 20, 30, tzinfo=SH))  # open to everyone
        services.post_create(actor=weekly.member, topic=topic, body="我也想说")
    assert topic.posts.count() == 4
