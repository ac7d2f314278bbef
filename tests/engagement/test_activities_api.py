"""The JSON API of polls, lotteries and events (/api/v1/): what a reader sees, the writes, and the
same refusals as the pages with the API's error envelope (400/401/403/404/409)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from engagement.events import services as event_services
from engagement.lotteries import selectors as lottery_selectors
from engagement.lotteries import services as lottery_services
from engagement.lotteries.models import Lottery
from engagement.polls import services as poll_services
from engagement.polls.models import Ballot
from forum import tokens
from forum.models import Category
from tests.engagement.activities import (
    balance,
    english,  # noqa: F401  (autouse)
    give_points,
)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def bearer(user):
    _token, secret = tokens.api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def topic(author, category):
    return TopicFactory.create(author=author, category=category, title="Weekend plans")


@pytest.fixture
def poll(author, topic):
    return poll_services.poll_create(actor=author, topic=topic, question="Where?", options=["Hills", "Lake", "Town"],
                                     max_choices=2)


def option_ids(poll):
    return list(poll.options.order_by("position").values_list("pk", flat=True))


def error(response):
    return response.json()["error"]


# --- polls ----------------------------------------------------------------------------------------
def test_poll_detail_for_a_guest(client, poll, topic, member):
    poll_services.poll_vote(actor=member, poll=poll, option_ids=option_ids(poll)[:1])
    data = client.get(f"{API}/polls/{poll.pk}").json()
    assert data["question"] == "Where?" and data["topic"]["id"] == topic.pk and data["is_multiple"]
    assert data["voter_count"] == 1 and data["show_results"] and not data["can_vote"] and not data["has_voted"]
    assert [(o["text"], o["votes"], o["percent"]) for o in data["options"]] == [
        ("Hills", 1, 100), ("Lake", 0, 0), ("Town", 0, 0)]
    assert data["options"][0]["voters"] == [{"username": member.username, "name": member.name,
                                             "url": member.get_absolute_url()}]


def test_hidden_results_are_null_until_the_reader_votes(client, author, topic, member, other_member):
    poll = poll_services.poll_create(actor=author, topic=topic, question="Secret?", options=["A", "B"],
                                     results_visibility="after_vote")
    poll_services.poll_vote(actor=other_member, poll=poll, option_ids=option_ids(poll)[:1])
    data = client.get(f"{API}/polls/{poll.pk}", **bearer(member)).json()
    assert not data["show_results"] and data["can_vote"] and data["options"][0]["votes"] is None
    response = client.post(f"{API}/polls/{poll.pk}/vote", {"option_ids": option_ids(poll)[1:]},
                           content_type="application/json", **bearer(member))
    data = response.json()
    assert response.status_code == 200 and data["show_results"] and data["has_voted"]
    assert [o["votes"] for o in data["options"]] == [1, 1] and data["options"][1]["mine"]


def test_vote_and_its_refusals(client, poll, member):
    auth = bearer(member)
    url = f"{API}/polls/{poll.pk}/vote"
    a, b, c = option_ids(poll)
    response = client.post(url, {"option_ids": [a, b, c]}, content_type="application/json", **auth)
    assert response.status_code == 400 and error(response) == {
        "code": "invalid", "message": "You may choose at most 2 options.", "field": "options"}
    response = client.post(url, {"option_ids": [a]}, content_type="application/json", **auth)
    assert response.status_code == 200 and response.json()["has_voted"]
    response = client.post(url, {"option_ids": [b]}, content_type="application/json", **auth)
    assert response.status_code == 409 and error(response)["code"] == "already_voted"
    assert error(response)["message"] == "You have already voted in this poll."
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert client.post(url, {"option_ids": [a]}, content_type="application/json").status_code == 401
    assert client.post(f"{API}/polls/999999/vote", {"option_ids": [a]}, content_type="application/json",
                       **auth).status_code == 404


def test_minimum_level_is_a_403_with_the_pages_message(client, author, topic, member):
    poll = poll_services.poll_create(actor=author, topic=topic, question="Seniors?", options=["A", "B"], min_level=3)
    data = client.get(f"{API}/polls/{poll.pk}", **bearer(member)).json()
    assert not data["can_vote"] and "Lv3" in data["vote_refusal"]
    response = client.post(f"{API}/polls/{poll.pk}/vote", {"option_ids": option_ids(poll)[:1]},
                           content_type="application/json", **bearer(member))
    assert response.status_code == 403 and "Lv3" in error(response)["message"]


def test_close_by_its_author_only(client, poll, author, member):
    response = client.post(f"{API}/polls/{poll.pk}/close", **bearer(member))
    assert response.status_code == 403 and error(response)["message"] == "Only the poll's author or a moderator may close it."
    response = client.post(f"{API}/polls/{poll.pk}/close", **bearer(author))
    assert response.status_code == 200 and not response.json()["is_open"] and response.json()["closed_at"]
    assert client.post(f"{API}/polls/{poll.pk}/close", **bearer(author)).status_code == 409
    response = client.post(f"{API}/polls/{poll.pk}/vote", {"option_ids": option_ids(poll)[:1]},
                           content_type="application/json", **bearer(member))
    assert response.status_code == 409 and error(response)["code"] == "poll_closed"


def test_a_poll_in_a_private_category_is_403(client, member):
    private = Category.objects.create(name="Staff room", slug="staff-room",
                                      read_group=Group.objects.get(name="Moderators"))
    staff = UserFactory(is_staff=True)
    topic = TopicFactory.create(author=staff, category=private)
    poll = poll_services.poll_create(actor=staff, topic=topic, question="Private?", options=["A", "B"])
    assert client.get(f"{API}/polls/{poll.pk}").status_code == 403
    assert client.get(f"{API}/polls/{poll.pk}", **bearer(member)).status_code == 403
    assert client.get(f"{API}/polls/{poll.pk}", **bearer(staff)).status_code == 200
    assert client.get(f"{API}/polls/999999").status_code == 404


# --- lotteries ------------------------------------------------------------------------------------
def make_lottery(staff, **overrides):
    now = timezone.now()
    fields = dict(title="Keyboard draw", prize="A keyboard", winners_count=1,
                  opens_at=now - datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(hours=1))
    fields.update(overrides)
    return lottery_services.lottery_create(actor=staff, **fields)


def test_lottery_detail_enter_and_audit(client, staff, member):
    lottery = make_lottery(staff, points_cost=3)
    give_points(member, 10, staff)
    data = client.get(f"{API}/lotteries/{lottery.pk}").json()
    assert data["phase"] == "open" and data["points_cost"] == 3 and data["my_entry"] is None
    assert data["seed_commitment"] == lottery.seed_commitment and data["winners"] == []
    response = client.post(f"{API}/lotteries/{lottery.pk}/enter", **bearer(member))
    assert response.status_code == 201 and response.json() == {
        "lottery_id": lottery.pk, "number": 1, "ticket": f"1:{member.username}", "points_spent": 3}
    assert balance(member) == 7
    response = client.post(f"{API}/lotteries/{lottery.pk}/enter", **bearer(member))
    assert response.status_code == 409 and error(response)["code"] == "already_entered"
    assert balance(member) == 7
    mine = client.get(f"{API}/lotteries/{lottery.pk}", **bearer(member)).json()["my_entry"]
    assert mine["ticket"] == f"1:{member.username}" and mine["won"] is None
    audit = client.get(f"{API}/lotteries/{lottery.pk}/audit").json()
    assert audit == lottery_selectors.lottery_audit(lottery=Lottery.objects.get(pk=lottery.pk))
    assert audit["server_seed"] is None and audit["entries"] == [f"1:{member.username}"]


def test_lottery_winners_after_the_draw(client, staff, member):
    lottery = make_lottery(staff)
    lottery_services.lottery_enter(actor=member, lottery=lottery)
    Lottery.objects.filter(pk=lottery.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    lottery_services.lottery_draw(actor=staff, lottery=Lottery.objects.get(pk=lottery.pk))
    data = client.get(f"{API}/lotteries/{lottery.pk}", **bearer(member)).json()
    assert data["phase"] == "drawn" and data["my_entry"]["won"] is True and data["drawn_at"]
    assert data["winners"] == [{"rank": 1, "ticket": f"1:{member.username}", "member": {
        "username": member.username, "name": member.name, "url": member.get_absolute_url()}}]
    audit = client.get(f"{API}/lotteries/{lottery.pk}/audit").json()
    assert audit["server_seed"] and audit["winners"] == [f"1:{member.username}"]


def test_lottery_refusals(client, staff, member):
    closed = make_lottery(staff, opens_at=timezone.now() + datetime.timedelta(hours=1),
                          closes_at=timezone.now() + datetime.timedelta(hours=2))
    response = client.post(f"{API}/lotteries/{closed.pk}/enter", **bearer(member))
    assert response.status_code == 409 and error(response)["code"] == "not_open"
    senior = make_lottery(staff, min_level=3)
    response = client.post(f"{API}/lotteries/{senior.pk}/enter", **bearer(member))
    assert response.status_code == 403 and "Lv3" in error(response)["message"]
    costly = make_lottery(staff, points_cost=50)
    response = client.post(f"{API}/lotteries/{costly.pk}/enter", **bearer(member))
    assert response.status_code == 409 and error(response)["code"] == "insufficient_points"
    assert client.post(f"{API}/lotteries/{costly.pk}/enter").status_code == 401
    assert client.get(f"{API}/lotteries/999999").status_code == 404
    assert client.get(f"{API}/lotteries/999999/audit").status_code == 404


# --- events ---------------------------------------------------------------------------------------
def test_events_list_and_detail(client, staff, member, topic, category):
    now = timezone.now()
    running = event_services.event_create(actor=staff, title="Anniversary", description="**Double** points",
                                          starts_at=now - datetime.timedelta(days=1),
                                          ends_at=now + datetime.timedelta(days=1), categories=[category],
                                          topics=[topic], multipliers=[("reply_created", category, "2")])
    event_services.event_create(actor=staff, title="Next month", description="", starts_at=now + datetime.timedelta(days=30),
                                ends_at=now + datetime.timedelta(days=31))
    past = event_services.event_create(actor=staff, title="Last year", description="",
                                       starts_at=now - datetime.timedelta(days=400),
                                       ends_at=now - datetime.timedelta(days=399))
    poll = event_services.event_poll_create(actor=staff, event=running, question="Next event?", options=["A", "B"])
    event_services.event_lottery_create(actor=staff, event=running, title="Mug draw", prize="A mug", winners_count=1,
                                        opens_at=now - datetime.timedelta(hours=1),
                                        closes_at=now + datetime.timedelta(hours=1))
    lists = client.get(f"{API}/events").json()
    assert [e["title"] for e in lists["running"]] == ["Anniversary"]
    assert [e["title"] for e in lists["upcoming"]] == ["Next month"]
    assert [e["title"] for e in lists["past"]] == ["Last year"]
    data = client.get(f"{API}/events/{running.pk}", **bearer(member)).json()
    assert data["status"] == "running" and "<strong>Double</strong>" in data["description_html"]
    assert [p["id"] for p in data["polls"]] == [poll.pk] and data["polls"][0]["can_vote"]
    assert [x["title"] for x in data["lotteries"]] == ["Mug draw"]
    assert data["topics"] == [{"id": topic.pk, "title": topic.title, "url": topic.get_absolute_url()}]
    assert data["multipliers"] == [{"multiplier": "2.00", "rule": "reply_created", "category": category.slug}]
    assert data["stats"] is None and data["participant_list"] is None
    ended = client.get(f"{API}/events/{past.pk}").json()
    assert ended["status"] == "past" and ended["stats"]["participants"] == 0 and ended["participant_list"] == []
    assert client.get(f"{API}/events/999999").status_code == 404


def test_the_schema_documents_the_routes(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in ("/api/v1/polls/{poll_id}", "/api/v1/polls/{poll_id}/vote", "/api/v1/polls/{poll_id}/close",
                 "/api/v1/lotteries/{lottery_id}", "/api/v1/lotteries/{lottery_id}/enter",
                 "/api/v1/lotteries/{lottery_id}/audit", "/api/v1/events", "/api/v1/events/{event_id}"):
        assert path in paths, path
