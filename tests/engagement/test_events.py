"""Events: moderators only (audited), multipliers through the points app's TimedMultiplier,
participation recorded once per member (with its points), lists, cancel (multipliers end, lotteries
refunded), and results after the end."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditLog
from engagement.events import selectors, services
from engagement.events.models import Event, EventAction, EventParticipation
from engagement.lotteries import services as lottery_services
from engagement.points.models import PointsEntry, TimedMultiplier
from engagement.polls import services as poll_services
from forum import services as forum
from forum.errors import Conflict, InvalidInput, NotAllowed
from tests.engagement.activities import (
    balance,
    english,  # noqa: F401  (autouse)
    give_points,
)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_event(actor, clock, **overrides):
    fields = dict(title="社区周年庆", description="**一起来玩**", starts_at=clock.current - datetime.timedelta(hours=1),
                  ends_at=clock.current + datetime.timedelta(days=1))
    fields.update(overrides)
    return services.event_create(actor=actor, **fields)


@pytest.fixture
def now(clock):
    return clock.set("2026-11-21 12:00")


def test_only_moderators_create_and_it_is_audited(member, moderator, clock, now):
    with pytest.raises(NotAllowed):
        make_event(member, clock)
    event = make_event(moderator, clock)
    assert "<strong>一起来玩</strong>" in event.description_html
    assert AuditLog.objects.filter(action="event.create", actor=moderator, target_id=str(event.pk)).exists()


def test_bad_window(moderator, clock, now):
    with pytest.raises(InvalidInput, match="end after it starts"):
        make_event(moderator, clock, ends_at=clock.current - datetime.timedelta(hours=2))
    with pytest.raises(InvalidInput, match="multiplier"):
        make_event(moderator, clock, multipliers=[(None, None, "0")])
    assert not AuditLog.objects.filter(action="event.create").exists()


def test_multiplier_doubles_replies_in_the_category_during_the_window(moderator, category, member, clock, now,
                                                                     django_capture_on_commit_callbacks):
    event = make_event(moderator, clock, categories=[category], multipliers=[("reply_created", category, "2")])
    timed = TimedMultiplier.objects.get()
    assert (timed.starts_at, timed.ends_at, timed.category, timed.rule.code) == (
        event.starts_at, event.ends_at, category, "reply_created")
    topic = TopicFactory.create(author=moderator, category=category)
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_create(actor=member, topic=topic, body="参加活动的回复")
    reply = PointsEntry.objects.get(member=member, reason="reply_created")
    assert reply.amount == 2
    # and the first action inside the event made the member a participant, with its points once
    assert EventParticipation.objects.filter(event=event, member=member).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_create(actor=member, topic=topic, body="第二条回复")
    assert PointsEntry.objects.filter(member=member, reason="event_participation").count() == 1
    assert selectors.event_stats(event=event) == {"participants": 1, "posts": 2, "votes": 0, "entries": 0}


def test_posts_outside_the_event_are_not_participation(moderator, category, member, clock, now,
                                                      django_capture_on_commit_callbacks):
    make_event(moderator, clock, categories=[category])
    elsewhere = TopicFactory.create(author=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_create(actor=member, topic=elsewhere, body="别的分类")
    assert not EventParticipation.objects.exists()


def test_votes_and_entries_are_participation(moderator, member, clock, now, django_capture_on_commit_callbacks):
    event = make_event(moderator, clock)
    poll = services.event_poll_create(actor=moderator, event=event, question="最喜欢的板块？", options=["问答", "闲聊"])
    lottery = services.event_lottery_create(
        actor=moderator, event=event, title="活动抽奖", prize="T 恤", winners_count=1,
        opens_at=clock.current - datetime.timedelta(minutes=5), closes_at=clock.current + datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        poll_services.poll_vote(actor=member, poll=poll, option_ids=[poll.options.first().pk])
    with django_capture_on_commit_callbacks(execute=True):
        lottery_services.lottery_enter(actor=member, lottery=lottery)
    assert list(EventAction.objects.filter(event=event).order_by("kind").values_list("kind", flat=True)) == \
        ["entry", "vote"]
    assert EventParticipation.objects.filter(event=event).count() == 1
    assert balance(member) == 1 + 5  # poll vote + event participation


def test_lists(moderator, clock, now):
    running = make_event(moderator, clock, title="进行中")
    upcoming = make_event(moderator, clock, title="未开始", starts_at=clock.current + datetime.timedelta(days=1),
                          ends_at=clock.current + datetime.timedelta(days=2))
    past = make_event(moderator, clock, title="已结束", starts_at=clock.current - datetime.timedelta(days=2),
                      ends_at=clock.current - datetime.timedelta(days=1))
    lists = selectors.event_lists(now=clock.current)
    assert [e.pk for e in lists["running"]] == [running.pk]
    assert [e.pk for e in lists["upcoming"]] == [upcoming.pk]
    assert [e.pk for e in lists["past"]] == [past.pk]


def test_cancel_ends_multipliers_and_refunds_lotteries(moderator, member, staff, category, clock, now):
    event = make_event(moderator, clock, multipliers=[(None, category, "1.5")])
    lottery = services.event_lottery_create(
        actor=moderator, event=event, title="抽奖", prize="书", winners_count=1, points_cost=10,
        opens_at=clock.current - datetime.timedelta(minutes=5), closes_at=clock.current + datetime.timedelta(hours=2))
    give_points(member, 10, staff)
    lottery_services.lottery_enter(actor=member, lottery=lottery)
    assert balance(member) == 0
    with pytest.raises(NotAllowed):
        services.event_cancel(actor=member, event=event, reason="no")
    with pytest.raises(InvalidInput):
        services.event_cancel(actor=moderator, event=event, reason="")
    services.event_cancel(actor=moderator, event=event, reason="场地问题")
    assert TimedMultiplier.objects.get().ends_at == clock.current
    lottery.refresh_from_db()
    assert lottery.state == "cancelled" and balance(member) == 10
    assert AuditLog.objects.filter(action="event.cancel", reason="场地问题").exists()
    with pytest.raises(Conflict):
        services.event_cancel(actor=moderator, event=event, reason="again")


def test_edit_moves_the_multiplier_window(moderator, clock, now):
    event = make_event(moderator, clock, multipliers=[(None, None, "2")])
    later = event.ends_at + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput, match="Say why"):
        services.event_edit(actor=moderator, event=event, reason=" ", title=event.title, description="",
                            starts_at=event.starts_at, ends_at=later)
    services.event_edit(actor=moderator, event=event, reason="延长一天", title=event.title, description="",
                        starts_at=event.starts_at, ends_at=later)
    assert TimedMultiplier.objects.get().ends_at == later
    assert AuditLog.objects.filter(action="event.edit", reason="延长一天").exists()


def test_results_after_the_end(moderator, member, clock, now, client, django_capture_on_commit_callbacks):
    event = make_event(moderator, clock)
    poll = services.event_poll_create(actor=moderator, event=event, question="好玩吗？", options=["好玩", "一般"])
    lottery = services.event_lottery_create(
        actor=moderator, event=event, title="终极大奖", prize="显示器", winners_count=1,
        opens_at=clock.current - datetime.timedelta(minutes=5), closes_at=clock.current + datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        poll_services.poll_vote(actor=member, poll=poll, option_ids=[poll.options.first().pk])
        lottery_services.lottery_enter(actor=member, lottery=lottery)
    running_page = client.get(event.get_absolute_url()).content.decode()
    assert 'id="stats-h">Results' not in running_page and "终极大奖" in running_page
    clock.set(event.ends_at + datetime.timedelta(hours=1))
    lottery_services.lottery_close_due(lottery_id=lottery.pk)
    page = client.get(reverse("events:detail", args=[event.pk])).content.decode()
    assert 'id="stats-h">Results' in page and member.name in page and "Winners:" in page and "1 vote · 100%" in page


def multiplier_rows(*rows, extra=2):
    """The multiplier rows of the event form as the page posts them: (rule code, category pk, factor)."""
    rows = list(rows) + [("", "", "")] * extra
    data = {"multipliers-TOTAL_FORMS": str(len(rows)), "multipliers-INITIAL_FORMS": "0",
            "multipliers-MIN_NUM_FORMS": "0", "multipliers-MAX_NUM_FORMS": "10"}
    for i, (rule, category, factor) in enumerate(rows):
        data.update({f"multipliers-{i}-rule": rule, f"multipliers-{i}-category": category,
                     f"multipliers-{i}-factor": factor})
    return data


NEW_EVENT = {"title": "新活动", "starts_at": "2026-12-01T10:00", "ends_at": "2026-12-02T10:00"}


def test_event_pages_for_moderators(moderator, client, clock, now):
    client.force_login(moderator)
    page = client.get(reverse("events:new")).content.decode()
    assert 'name="multipliers-0-rule"' in page and 'name="multipliers-1-factor"' in page  # two empty rows
    assert '<option value="reply_created">Reply</option>' in page and "All categories" in page
    response = client.post(reverse("events:new"), {**NEW_EVENT, **multiplier_rows(("reply_created", "", "2"))})
    assert response.status_code == 302
    (timed,) = TimedMultiplier.objects.all()
    assert (timed.rule.code, timed.category, timed.multiplier) == ("reply_created", None, 2)
    assert "新活动" in client.get(reverse("events:list")).content.decode()
    member = UserFactory()
    client.force_login(member)
    assert client.get(reverse("events:new")).status_code == 403


def test_the_rule_select_reads_in_chinese(moderator, client):
    client.force_login(moderator)
    page = client.get(reverse("events:new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<option value="reply_created">回复</option>' in page and "全部分类" in page


@pytest.mark.parametrize("row, message", [
    (("nosuch", "", "2"), "Choose a points rule from the list."),
    (("reply_created", "", "0"), "A multiplier must be above 0 and at most 10, with at most two decimals."),
    (("reply_created", "", "-1"), "A multiplier must be above 0 and at most 10, with at most two decimals."),
    (("reply_created", "", "1000000"), "A multiplier must be above 0 and at most 10, with at most two decimals."),
    (("reply_created", "", "1.234"), "A multiplier must be above 0 and at most 10, with at most two decimals."),
    (("reply_created", "", "double"), "A multiplier must be a number such as 2 or 1.5."),
    (("reply_created", "", ""), "Give the multiplier for this row, e.g. 2 for double points."),
    (("", "999999", "2"), "Choose a category from the list."),
])
def test_bad_multiplier_rows_are_shown_on_their_field_and_nothing_is_lost(moderator, client, clock, now, row,
                                                                         message):
    client.force_login(moderator)
    response = client.post(reverse("events:new"), {**NEW_EVENT, "topics": "", **multiplier_rows(row)})
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert 'value="新活动"' in page and 'value="2026-12-01T10:00"' in page  # what was typed is still there
    assert page.index(message) > page.index('<fieldset class="multiplier-row">')  # on the row, not on top
    assert not Event.objects.exists() and not TimedMultiplier.objects.exists()


def test_two_rows_for_the_same_rule_and_category_are_refused(moderator, client, clock, now, category):
    client.force_login(moderator)
    rows = multiplier_rows(("reply_created", str(category.pk), "2"), ("reply_created", str(category.pk), "3"))
    response = client.post(reverse("events:new"), {**NEW_EVENT, **rows})
    assert response.status_code == 400 and "Two rows have the same rule and category" in response.content.decode()


def test_edit_form_shows_the_multipliers_and_saves_the_rows(moderator, client, clock, now, category):
    event = make_event(moderator, clock, multipliers=[("reply_created", category, "2"), (None, None, "1.5")])
    client.force_login(moderator)
    page = client.get(reverse("events:edit", args=[event.pk])).content.decode()
    assert '<option value="reply_created" selected>Reply</option>' in page
    assert f'<option value="{category.pk}" selected>' in page
    assert 'name="multipliers-0-factor" value="2.00"' in page and 'name="multipliers-1-factor" value="1.50"' in page
    assert 'name="multipliers-3-factor"' in page and 'name="multipliers-4-factor"' not in page  # and two empty rows
    base = {"title": event.title, "starts_at": "2026-11-21T11:00", "ends_at": "2026-11-22T12:00", "reason": "调整"}
    # a post without the rows (a script, an older page) keeps the multipliers
    assert client.post(reverse("events:edit", args=[event.pk]), base).status_code == 302
    assert TimedMultiplier.objects.count() == 2
    response = client.post(reverse("events:edit", args=[event.pk]),
                           {**base, **multiplier_rows(("topic_created", "", "3"))})
    assert response.status_code == 302
    assert [(t.rule.code, t.multiplier) for t in TimedMultiplier.objects.select_related("rule")] == [("topic_created", 3)]
    response = client.post(reverse("events:edit", args=[event.pk]), {**base, **multiplier_rows()})
    assert response.status_code == 302 and not TimedMultiplier.objects.exists()  # every row emptied: none left


def test_seed_demo_section_is_idempotent(moderator):
    from types import SimpleNamespace

    from django.utils import timezone

    from engagement.events import demo
    from engagement.events.models import Event
    from engagement.lotteries.models import Lottery
    from engagement.lotteries.selectors import lottery_audit
    from tests.engagement.activities import load_verifier
    from tests.factories import CategoryFactory, TopicFactory

    category = CategoryFactory()
    topic = TopicFactory.create(category=category)
    ctx = SimpleNamespace(members={"mod_lin": moderator}, categories={category.slug: category}, now=timezone.now())
    demo.seed_demo(ctx)
    assert demo.seed_demo(ctx) == [f"event “{demo.EVENT_TITLE}” already there"]
    event = Event.objects.get(title=demo.EVENT_TITLE)
    drawn = Lottery.objects.get(title=demo.DRAWN_TITLE)
    assert drawn.state == "drawn" and drawn.entry_count >= 50 and len(drawn.winners) == 5
    assert load_verifier().verify(lottery_audit(lottery=drawn)) == []
    assert event.lotteries.filter(state="open").count() == 1
    assert event.polls.count() == 1 and event.polls.get().is_open
    topic.refresh_from_db()  # the open lottery is announced in a topic that has a poll of its own
    assert topic.sections == ["polls", "lottery"] and list(event.topics.all()) == [topic]
    assert event.lotteries.get(state="open").topic == topic
