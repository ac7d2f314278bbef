"""Bounties on the forum's pages: offered from the new-topic form (too few points write no topic),
shown on the topic page, accepted with the asker's button (the accepted answer shown first, in the
bounty section above the replies), the open-bounties list, the moderator's resolve page, the API."""

import pytest
from django.urls import reverse

from engagement.bounties.models import Bounty
from engagement.points import services as points
from engagement.points.models import PointsAccount
from engagement.points.selectors import accounts_out_of_balance
from forum import services as forum
from forum import tokens
from forum.models import Topic
from tests.factories import CategoryFactory, UserFactory


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def rules(settings):
    settings.HUOLI_BOUNTIES = {"MIN_AMOUNT": 5, "MAX_AMOUNT": 500, "DAYS": 7, "EXPIRY_RULE": "refund"}
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {}}


@pytest.fixture
def asker(db):
    member = UserFactory()
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=200, source_type="t", source_id="1")
    return member


def balance(member):
    return PointsAccount.objects.get(member_id=member.pk).balance


def data(category, amount):
    return {"category": category.pk, "title": "Django 迁移冲突怎么解决？", "body": "两个分支都加了迁移。",
            "tags": "django", "poll-results_visibility": "always", "bounty_amount": amount}


def test_new_topic_with_bounty_then_accept_from_the_page(client, asker):
    category = CategoryFactory()
    client.force_login(asker)
    assert 'name="bounty_amount"' in client.get(reverse("forum:topic_new")).text
    response = client.post(reverse("forum:topic_new"), data(category, "50"))
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert Bounty.objects.get(topic=topic).amount == 50 and balance(asker) == 150
    helper = UserFactory(display_name="热心网友")
    reply = forum.post_create(actor=helper, topic=topic, body="用 makemigrations --merge 合并。")
    page = client.get(topic.get_absolute_url()).text
    assert "50" in page and "Accept this answer" in page
    accept = reverse("bounties:accept", args=[topic.pk, reply.pk])
    client.force_login(helper)  # the answerer sees no accept button and may not accept
    assert "Accept this answer" not in client.get(topic.get_absolute_url()).text
    client.post(accept)
    assert Bounty.objects.get().is_open
    client.force_login(asker)
    response = client.post(accept, follow=True)
    assert "the bounty was paid" in response.text
    assert balance(helper) == 50
    html = response.text
    assert "data-accepted-answer" in html and html.index("data-accepted-answer") < html.index(f'id="p{reply.number}"')
    assert "Accept this answer" not in html
    client.post(accept)
    assert balance(helper) == 50 and accounts_out_of_balance() == []


def test_too_few_points_write_no_topic_and_keep_the_input(client, asker):
    client.force_login(asker)
    response = client.post(reverse("forum:topic_new"), data(CategoryFactory(), "300"))
    assert response.status_code == 400 and "Not enough points" in response.text
    assert "Django 迁移冲突怎么解决？" in response.text
    assert not Topic.objects.exists() and balance(asker) == 200


def test_list_resolve_page_and_api(client, asker, staff):
    topic = forum.topic_create(actor=asker, category=CategoryFactory(), title="求推荐 Python 书", body="入门用")
    from engagement.bounties import services

    bounty = services.bounty_offer(actor=asker, topic=topic, amount=30)
    reply = forum.post_create(actor=UserFactory(), topic=topic, body="《流畅的 Python》")
    assert "求推荐 Python 书" in client.get(reverse("bounties:list")).text
    resolve = reverse("bounties:resolve", args=[bounty.pk])
    client.force_login(asker)
    assert client.get(resolve).status_code == 403
    client.force_login(staff)
    assert client.post(resolve, {"post": reply.pk, "reason": ""}).status_code == 400
    assert client.post(resolve, {"post": reply.pk, "reason": "提问者未回来"}).status_code == 302
    assert balance(reply.author) == 30
    body = client.get(f"/api/v1/bounties/topics/{topic.pk}").json()
    assert body["status"] == "resolved" and body["payouts"][0]["amount"] == 30
    _t, secret = tokens.api_token_create(actor=asker, name="t")
    response = client.post(f"/api/v1/bounties/topics/{topic.pk}/accept", {"post_id": reply.pk},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 409
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/bounties/topics/{topic_id}/accept" in paths and "/api/v1/bounties/{bounty_id}/resolve" in paths
