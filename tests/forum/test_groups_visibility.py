"""A members-only group's topics are readable by its members only, on every channel: the group page,
the forum's topic page and lists, the API, the follows feed, the RSS of featured topics and notifications.
(Search, WebSocket joins and the digest mail: tests/search, tests/realtime, tests/mailings.)"""

import pytest
from django.test import Client

from forum import services
from forum.models import Notification
from tests.factories import TopicFactory, UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = type("World", (), {})()
    w.group = make_group(name="内部小组", slug="inner", visibility="members")
    w.insider = add_member(w.group, UserFactory(username="insider"))
    w.outsider = UserFactory(username="outsider")
    w.topic = TopicFactory.create(author=w.insider, category=w.group.category, title="只给组员看的增长复盘",
                                  body="内部数据 @outsider")
    return w


def _client(user=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_group_page_and_topic_page(world):
    url = world.topic.get_absolute_url()
    assert _client(world.insider).get(url).status_code == 200
    assert _client(world.outsider).get(url).status_code == 403
    assert _client().get(url).status_code == 403
    page = _client(world.outsider).get(world.group.get_absolute_url())
    assert page.status_code == 200 and "只给组员看的增长复盘" not in page.content.decode()
    assert "只给组员看的增长复盘" in _client(world.insider).get(world.group.get_absolute_url()).content.decode()


def test_forum_lists_and_category_page(world):
    for path in ("/", "/latest/"):
        assert "只给组员看的增长复盘" not in _client(world.outsider).get(path).content.decode()
        assert "只给组员看的增长复盘" not in _client().get(path).content.decode()
    assert "只给组员看的增长复盘" in _client(world.insider).get("/latest/").content.decode()
    assert _client(world.outsider).get(world.group.category.get_absolute_url()).status_code == 403


def test_api(world):
    assert _client(world.outsider).get(f"/api/v1/topics/{world.topic.pk}").status_code in (403, 404)
    assert _client().get(f"/api/v1/topics/{world.topic.pk}/posts").status_code in (403, 404)
    assert _client(world.insider).get(f"/api/v1/topics/{world.topic.pk}").status_code == 200
    slugs = [c["slug"] for c in _client(world.outsider).get("/api/v1/categories").json()]
    assert world.group.category.slug not in slugs


def test_follows_feed(world):
    from engagement.follows import services as follow_services

    other = add_member(world.group, UserFactory())
    for reader in (other, world.outsider):
        follow_services.follow_create(actor=reader, member=world.insider)
    assert "只给组员看的增长复盘" in _client(other).get("/feed/").content.decode()
    assert "只给组员看的增长复盘" not in _client(world.outsider).get("/feed/").content.decode()


def test_featured_rss(world):
    editor = UserFactory(is_staff=True)
    services.topic_feature(actor=editor, topic=world.topic, featured=True)
    rss = _client().get("/feeds/featured.rss").content.decode()
    assert "只给组员看的增长复盘" not in rss


def test_notifications_and_mentions(world):
    # the opening post mentions @outsider, who may not read it: no notification
    services.post_notify_recipients(post_id=world.topic.posts.get(number=1).pk)
    assert not Notification.objects.filter(recipient=world.outsider, topic=world.topic).exists()
    follower = add_member(world.group, UserFactory())
    services.topic_subscribe(actor=follower, topic=world.topic, subscribed=True)
    reply = services.post_create(actor=world.insider, topic=world.topic, body="补充一点 @outsider")
    services.post_notify_recipients(post_id=reply.pk)
    assert Notification.objects.filter(recipient=follower, post=reply).exists()
    assert not Notification.objects.filter(recipient=world.outsider, post=reply).exists()


def test_removed_member_loses_access(world):
    from forum.groups import services as group_services

    owner = world.group.memberships.get(role="owner").member
    group_services.member_remove(actor=owner, group=world.group, member=world.insider, reason="离开社区")
    world.insider.refresh_from_db()
    assert _client(world.insider).get(world.topic.get_absolute_url()).status_code == 403


def test_public_group_topics_are_public(world):
    public = make_group(name="公开小组", slug="open", visibility="public")
    member = add_member(public, UserFactory())
    topic = TopicFactory.create(author=member, category=public.category, title="公开小组的分享")
    assert _client().get(topic.get_absolute_url()).status_code == 200
    # only members post in it
    from forum.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.post_create(actor=world.outsider, topic=topic, body="我也来说两句")


def test_hidden_group_is_not_listed_and_404s(world):
    hidden = make_group(name="秘密小组", slug="secret", visibility="hidden")
    assert "秘密小组" not in _client(world.outsider).get("/groups/").content.decode()
    assert _client(world.outsider).get(hidden.get_absolute_url()).status_code == 404
    member = add_member(hidden, UserFactory())
    assert "秘密小组" in _client(member).get("/groups/").content.decode()
    assert _client(member).get(hidden.get_absolute_url()).status_code == 200


def test_rules_are_sanitised(world):
    assert "<strong>只谈增长</strong>" in world.group.rules_html and "<script" not in world.group.rules_html
