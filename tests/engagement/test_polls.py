"""Polls: creation rights and bad input, one ballot per member (a constraint), the close-time
edge (refused at closes_at even when the close task is late), vote changes, points, results
visibility, voters, CSV export, live payloads and the topic widget's fixed query count."""

import csv
import datetime
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditLog
from engagement.points.models import PointsEntry
from engagement.polls import selectors, services, tasks
from engagement.polls.models import Ballot, BallotChoice, Poll
from forum.errors import Conflict, InvalidInput, NotAllowed
from realtime.models import TopicEvent
from tests.engagement.activities import (
    balance,
    english,  # noqa: F401  (autouse)
    set_level,
)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(author, category):
    return TopicFactory.create(author=author, category=category)


def make_poll(actor, topic, **overrides):
    fields = dict(question="周末活动去哪儿？", options=["爬山", "看电影", "桌游"])
    fields.update(overrides)
    return services.poll_create(actor=actor, topic=topic, **fields)


def option_ids(poll):
    return list(poll.options.order_by("position").values_list("pk", flat=True))


# --- creating -------------------------------------------------------------------------------------
def test_author_with_the_level_privilege_adds_a_poll(author, topic):
    poll = make_poll(author, topic, max_choices=2)
    assert [o.text for o in poll.options.order_by("position")] == ["爬山", "看电影", "桌游"]
    assert poll.is_multiple and poll.topic == topic


def test_level_one_author_may_not(category):
    newbie = UserFactory()
    t = TopicFactory.create(author=newbie, category=category)
    with pytest.raises(NotAllowed, match="Lv2"):
        make_poll(newbie, t)
    assert not Poll.objects.exists()


def test_only_the_author_or_moderators(topic, other_member, moderator):
    set_level(other_member, 4)
    with pytest.raises(NotAllowed, match="author"):
        make_poll(other_member, topic)
    assert make_poll(moderator, topic).author == moderator


def test_polls_outside_topics_are_for_moderators_and_audited(member, moderator):
    with pytest.raises(NotAllowed):
        make_poll(member, None)
    poll = make_poll(moderator, None)
    assert AuditLog.objects.filter(action="poll.create", target_id=str(poll.pk), actor=moderator).exists()


@pytest.mark.parametrize("overrides, field, message", [
    ({"options": ["只有一个"]}, "options", "at least two options"),
    ({"options": ["一样", "一样 "]}, "options", "same"),
    ({"options": [f"选项{i}" for i in range(21)]}, "options", "at most 20"),
    ({"question": "   "}, "question", "Ask a question"),
    ({"max_choices": 4}, "max_choices", "between 1 and the number of options"),
    ({"max_choices": 0}, "max_choices", "between 1"),
    ({"closes_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)}, "closes_at", "future"),
    ({"results_visibility": "never"}, "results_visibility", "when results"),
    ({"min_level": 42}, "min_level", "no level 42"),
])
def test_bad_poll_input(author, topic, overrides, field, message):
    with pytest.raises(InvalidInput, match=message) as exc:
        make_poll(author, topic, **overrides)
    assert exc.value.field == field
    assert not Poll.objects.exists()


# --- voting ---------------------------------------------------------------------------------------
def test_vote_once_and_earn_points_once(author, topic, member, ledger_consistent):
    poll = make_poll(author, topic)
    a, b, _c = option_ids(poll)
    services.poll_vote(actor=member, poll=poll, option_ids=[a])
    assert balance(member) == 1
    with pytest.raises(Conflict, match="already voted"):
        services.poll_vote(actor=member, poll=poll, option_ids=[b])
    assert list(BallotChoice.objects.filter(poll=poll).values_list("option_id", flat=True)) == [a]
    assert balance(member) == 1
    assert PointsEntry.objects.filter(member=member, reason="poll_vote").count() == 1


def test_one_ballot_per_member_is_a_database_constraint(author, topic, member):
    poll = make_poll(author, topic)
    Ballot.objects.create(poll=poll, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(poll=poll, member=member)
    ballot = Ballot.objects.get()
    BallotChoice.objects.create(ballot=ballot, poll=poll, option_id=option_ids(poll)[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotChoice.objects.create(ballot=ballot, poll=poll, option_id=option_ids(poll)[0])


@pytest.mark.parametrize("choice, message", [
    (lambda ids: ids[:3], "at most 2 options"),
    (lambda ids: [], "Choose an option"),
    (lambda ids: [ids[0], ids[0]], "once"),
    (lambda ids: [999999], "not in this poll"),
    (lambda ids: ["x"], "not in this poll"),
])
def test_bad_choices(author, topic, member, choice, message):
    poll = make_poll(author, topic, max_choices=2)
    with pytest.raises(InvalidInput, match=message):
        services.poll_vote(actor=member, poll=poll, option_ids=choice(option_ids(poll)))
    assert not Ballot.objects.exists() and balance(member) == 0


def test_single_choice_refuses_two(author, topic, member):
    poll = make_poll(author, topic)
    with pytest.raises(InvalidInput, match="only one"):
        services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:2])


def test_option_of_another_poll_is_refused(author, topic, member):
    poll = make_poll(author, topic)
    other = make_poll(author, topic, question="另一个问题")
    with pytest.raises(InvalidInput, match="not in this poll"):
        services.poll_vote(actor=member, poll=poll, option_ids=[option_ids(other)[0]])


def test_close_time_edge_even_when_the_task_is_late(author, topic, member, other_member, clock):
    clock.set("2026-11-21 12:00")
    poll = make_poll(author, topic, closes_at=clock.current + datetime.timedelta(hours=1))
    a = option_ids(poll)[0]
    clock.set(poll.closes_at - datetime.timedelta(microseconds=1))
    services.poll_vote(actor=member, poll=poll, option_ids=[a])
    clock.set(poll.closes_at)  # the task has not run: closed_at is still empty
    assert Poll.objects.get(pk=poll.pk).closed_at is None
    with pytest.raises(Conflict, match="closed"):
        services.poll_vote(actor=other_member, poll=poll, option_ids=[a])
    assert Ballot.objects.count() == 1 and balance(other_member) == 0
    assert tasks.poll_close_due_task.delay(poll.pk).get() is True
    assert Poll.objects.get(pk=poll.pk).closed_at == poll.closes_at
    assert tasks.poll_close_due_task.delay(poll.pk).get() is False


def test_close_task_before_time_does_nothing_and_sweep_closes(author, topic, clock):
    clock.set("2026-11-21 12:00")
    poll = make_poll(author, topic, closes_at=clock.current + datetime.timedelta(hours=1))
    assert tasks.poll_close_due_task.delay(poll.pk).get() is False
    clock.advance(hours=2)
    assert tasks.polls_close_overdue_task.delay().get() == 1
    assert Poll.objects.get(pk=poll.pk).closed_at == poll.closes_at


def test_vote_change_when_allowed(author, topic, member):
    poll = make_poll(author, topic, allow_change=True, max_choices=2)
    a, b, c = option_ids(poll)
    services.poll_vote(actor=member, poll=poll, option_ids=[a, b])
    services.poll_vote(actor=member, poll=poll, option_ids=[c])
    assert list(BallotChoice.objects.filter(poll=poll).values_list("option_id", flat=True)) == [c]
    assert Ballot.objects.count() == 1 and balance(member) == 1


def test_manual_close_and_no_vote_after(author, topic, member, other_member):
    poll = make_poll(author, topic, allow_change=True)
    with pytest.raises(NotAllowed):
        services.poll_close(actor=other_member, poll=poll)
    services.poll_close(actor=author, poll=poll)
    with pytest.raises(Conflict, match="closed"):
        services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    with pytest.raises(Conflict):
        services.poll_close(actor=author, poll=poll)
    assert AuditLog.objects.filter(action="poll.close").count() == 1


def test_minimum_level_to_vote(author, topic, member):
    poll = make_poll(author, topic, min_level=3)
    with pytest.raises(NotAllowed, match="Lv3"):
        services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    assert not Ballot.objects.exists()


def test_guests_may_not_vote(author, topic):
    from django.contrib.auth.models import AnonymousUser

    poll = make_poll(author, topic)
    with pytest.raises(NotAllowed, match="sign in"):
        services.poll_vote(actor=AnonymousUser(), poll=poll, option_ids=option_ids(poll)[:1])


# --- results ----------------------------------------------------------------------------------------
def widget(poll, user):
    request = RequestFactory().get("/")
    request.user = user
    pv = selectors.poll_view(poll=poll, user=user)
    return Template('{% include "polls/poll_widget.html" %}').render(Context({"pv": pv, "request": request,
                                                                              "user": user, "next": "/"}))


def test_results_counts_and_percentages(author, topic):
    poll = make_poll(author, topic, max_choices=2)
    a, b, c = option_ids(poll)
    voters = [UserFactory() for _ in range(4)]
    for v, choice in zip(voters, [[a], [a, b], [b], [a]], strict=True):
        services.poll_vote(actor=v, poll=poll, option_ids=choice)
    pv = selectors.poll_view(poll=poll, user=author)
    assert [(r.option.text, r.votes, r.percent) for r in pv.rows] == [("爬山", 3, 75), ("看电影", 2, 50), ("桌游", 0, 0)]
    assert pv.voter_count == 4
    html = widget(poll, author)
    assert 'value="75"' in html and "3 votes" in html


def test_results_after_vote(author, topic, member, other_member):
    poll = make_poll(author, topic, results_visibility="after_vote")
    services.poll_vote(actor=other_member, poll=poll, option_ids=option_ids(poll)[:1])
    before = widget(poll, member)
    assert "100%" not in before and "<meter" not in before and "1 voter" in before
    services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    assert "2 votes" in widget(poll, member)


def test_results_after_close(author, topic, member, other_member, clock):
    clock.set("2026-11-21 12:00")
    poll = make_poll(author, topic, results_visibility="after_close",
                     closes_at=clock.current + datetime.timedelta(hours=1))
    services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    assert "Results are shown when the poll closes." in widget(poll, member)
    clock.advance(hours=1)  # shown at the close time, even before the task runs
    assert "1 vote · 100%" in widget(poll, other_member)


def test_public_voters_listed_anonymous_not(author, topic, member, client):
    public = make_poll(author, topic)
    secret = make_poll(author, topic, question="匿名问题", is_anonymous=True)
    services.poll_vote(actor=member, poll=public, option_ids=option_ids(public)[:1])
    services.poll_vote(actor=member, poll=secret, option_ids=option_ids(secret)[:1])
    assert member.name in client.get(reverse("polls:detail", args=[public.pk])).content.decode()
    page = client.get(reverse("polls:detail", args=[secret.pk])).content.decode()
    assert member.name not in page and "1 vote · 100%" in page


def test_csv_export_for_moderators(author, topic, member, moderator, client):
    poll = make_poll(author, topic)
    services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[1:2])
    client.force_login(member)
    assert client.get(reverse("polls:export", args=[poll.pk])).status_code == 403
    client.force_login(moderator)
    rows = list(csv.reader(io.StringIO(client.get(reverse("polls:export", args=[poll.pk])).content.decode("utf-8-sig"))))
    assert rows[:4] == [["position", "option", "votes", "percent_of_voters"], ["1", "爬山", "0", "0"],
                        ["2", "看电影", "1", "100"], ["3", "桌游", "0", "0"]]
    assert rows[-1] == ["voters", "1"]
    ballots = list(csv.reader(io.StringIO(
        client.get(reverse("polls:export", args=[poll.pk]) + "?ballots=1").content.decode("utf-8-sig"))))
    assert ballots[1][:2] == [member.username, "看电影"]


def test_vote_through_the_page(author, topic, member, client):
    poll = make_poll(author, topic)
    client.force_login(member)
    response = client.post(reverse("polls:vote", args=[poll.pk]), {"option": option_ids(poll)[0],
                                                                   "next": topic.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    response = client.post(reverse("polls:vote", args=[poll.pk]), {"option": option_ids(poll)[1]}, follow=True)
    assert "You have already voted in this poll." in response.content.decode()
    response = client.post(reverse("polls:vote", args=[poll.pk]), {"option": option_ids(poll)[0],
                                                                   "next": "https://evil.example/"})
    assert response["Location"] == poll.get_absolute_url()


def test_live_payload_on_vote(author, topic, member, django_capture_on_commit_callbacks):
    poll = make_poll(author, topic)
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    event = TopicEvent.objects.filter(topic=topic, type="poll.updated").get()
    assert event.payload["poll_id"] == poll.pk and event.payload["voters"] == 1
    assert event.payload["options"][0] == {"id": option_ids(poll)[0], "votes": 1}


def test_live_payload_hides_counts_when_results_are_not_public(author, topic, member,
                                                              django_capture_on_commit_callbacks):
    poll = make_poll(author, topic, results_visibility="after_vote")
    with django_capture_on_commit_callbacks(execute=True):
        services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    assert TopicEvent.objects.get(type="poll.updated").payload["options"] is None


def test_topic_widget_query_count_does_not_grow(author, topic, member):
    template = Template("{% load polls_tags %}{% topic_polls topic as pvs %}{% for pv in pvs %}"
                        "{{ pv.voter_count }}{% for r in pv.rows %}{{ r.votes }}{% endfor %}{% endfor %}")
    request = RequestFactory().get("/")
    request.user = member
    set_level(member, 1)
    make_poll(author, topic)

    def render():
        fresh = type(member).objects.select_related("member_level").get(pk=member.pk)
        request.user = fresh
        with CaptureQueriesContext(connection) as ctx:
            template.render(Context({"topic": topic, "request": request}))
        return [q["sql"][:90] for q in ctx.captured_queries]

    render()  # the member's groups are cached from here on (forum.permissions)
    one = render()
    for i in range(3):
        poll = make_poll(author, topic, question=f"问题 {i}")
        for v in [UserFactory() for _ in range(2)]:
            services.poll_vote(actor=v, poll=poll, option_ids=option_ids(poll)[:1])
    two = render()
    assert len(two) == len(one) == 4, (one, two)
