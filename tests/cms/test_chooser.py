"""The searchable Wagtail choosers for topics, posts and polls."""

import json

import pytest
from django.urls import reverse

from forum import services
from forum.moderation import registry
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def _results(client, name, **params):
    response = client.get(reverse(f"{name}:choose_results"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_topic_chooser_searches_titles_and_hides_hidden_and_private(editor_client, moderator, private_category):
    wanted = TopicFactory.create(title="社区运营的十个技巧 tips")
    other = TopicFactory.create(title="今天吃什么 lunch")
    hidden = TopicFactory.create(title="社区运营 hidden-one")
    registry.run("topic", "hide", actor=moderator, obj=hidden)
    staff = UserFactory(is_staff=True)
    TopicFactory.create(author=staff, category=private_category, title="社区运营 private-one")

    html = _results(editor_client, "topic_chooser", q="社区运营")
    assert wanted.title in html
    assert other.title not in html and "hidden-one" not in html and "private-one" not in html
    everything = _results(editor_client, "topic_chooser")
    assert wanted.title in everything and other.title in everything

    modal = editor_client.get(reverse("topic_chooser:choose"))
    assert modal.status_code == 200 and "Choose a topic" in json.loads(modal.content)["html"]
    chosen = editor_client.get(reverse("topic_chooser:chosen", args=[wanted.pk]))
    result = json.loads(chosen.content)["result"]
    assert result["id"] == str(wanted.pk) and result["title"] == wanted.title


def test_post_chooser_searches_bodies_and_shows_topic_and_author(editor_client, member, other_member):
    topic = TopicFactory.create(author=member, title="关于签到的讨论")
    reply = services.post_create(actor=other_member, topic=topic, body="我每天都签到，连续签到奖励很棒")
    services.post_create(actor=other_member, topic=topic, body="完全无关的回复")
    html = _results(editor_client, "post_chooser", q="连续签到")
    assert "连续签到奖励很棒" in html and "完全无关" not in html
    result = json.loads(editor_client.get(reverse("post_chooser:chosen", args=[reply.pk])).content)["result"]
    assert result["title"].startswith(f"关于签到的讨论 #{reply.number} · {other_member.name}")


def test_poll_chooser_lists_polls(editor_client, moderator):
    from engagement.polls.services import poll_create

    poll_create(actor=moderator, question="你最喜欢哪个版块", options=["技术", "生活"])
    assert "你最喜欢哪个版块" in _results(editor_client, "poll_chooser", q="版块")


def test_members_cannot_open_the_chooser(client, member):
    client.force_login(member)
    response = client.get(reverse("topic_chooser:choose_results"))
    assert response.status_code in (302, 403)
    assert "社区" not in response.content.decode()
