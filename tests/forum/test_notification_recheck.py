"""Notifications are re-checked when they are delivered: a member who may not read the topic now
gets nothing, whatever the kind (subscription reply, direct reply, mention, featured), and no push
on their live member channel. The case from issue 14: a topic moved into a staff-only category
kept notifying its old subscribers, with a link."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from forum import selectors, services
from forum.models import Notification
from forum.moderation.move import topic_move
from realtime import publish
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_sends(monkeypatch):
    sent = []

    def record(group, message):
        sent.append(group)
        return True

    monkeypatch.setattr(publish, "_group_send", record)
    return sent


@pytest.fixture
def staff_only(db):
    return CategoryFactory(name="版务", slug="staff-only", read_group=Group.objects.get(name="Moderators"))


@pytest.fixture
def scene(moderator, django_capture_on_commit_callbacks):
    """A public topic by laowang, followed by xiaoli (subscribed) and by a moderator."""
    author = UserFactory(username="laowang")
    subscriber = UserFactory(username="xiaoli")
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory.create(author=author, category=CategoryFactory(slug="ops"), title="社区冷启动怎么做")
        services.topic_subscribe(actor=subscriber, topic=topic, subscribed=True)
        services.topic_subscribe(actor=moderator, topic=topic, subscribed=True)
        first_reply = services.post_create(actor=subscriber, topic=topic, body="我先说两句")
    return topic, author, subscriber, first_reply


def _reply(topic, django_capture_on_commit_callbacks, replier=None, **kwargs):
    replier = replier or UserFactory(username="laozhang")
    with django_capture_on_commit_callbacks(execute=True):
        return services.post_create(actor=replier, topic=topic, **kwargs)


def test_moved_topic_subscriber_is_not_notified(scene, moderator, staff_only, live_sends,
                                                django_capture_on_commit_callbacks, client):
    topic, author, subscriber, first_reply = scene
    with django_capture_on_commit_callbacks(execute=True):
        topic_move(actor=moderator, topic=topic, category=staff_only)
    live_sends.clear()

    # a second moderator (who may still post there) replies: a subscription reply, a direct reply to
    # xiaoli's post and a mention of both
    replier = UserFactory(username="banzhu")
    replier.groups.add(Group.objects.get(name="Moderators"))
    post = _reply(topic, django_capture_on_commit_callbacks, replier=replier, body="@xiaoli @laowang 继续讨论",
                  reply_to=first_reply)

    for locked_out in (subscriber, author):
        assert not Notification.objects.filter(recipient=locked_out, post=post).exists()
        assert publish.member_group(locked_out.pk) not in live_sends
    # the moderator, who may still read the topic, is notified and pushed to, as before
    assert Notification.objects.filter(recipient=moderator, post=post, kind=Notification.Kind.REPLY).exists()
    assert publish.member_group(moderator.pk) in live_sends

    # the page shows nothing about the topic, and the badge does not count it
    client.force_login(subscriber)
    page = client.get(reverse("forum:notifications")).content.decode()
    assert "社区冷启动怎么做" not in page and topic.get_absolute_url() not in page
    assert selectors.notifications_unread_count(user=subscriber) == 0


def test_notifications_made_before_the_move_stop_showing(scene, moderator, staff_only,
                                                         django_capture_on_commit_callbacks):
    topic, author, subscriber, first_reply = scene
    post = _reply(topic, django_capture_on_commit_callbacks, body="移动之前的回复")
    assert Notification.objects.filter(recipient=subscriber, post=post).exists()
    assert selectors.notifications_unread_count(user=subscriber) >= 1
    with django_capture_on_commit_callbacks(execute=True):
        topic_move(actor=moderator, topic=topic, category=staff_only)
    assert selectors.notifications_unread_count(user=subscriber) == 0
    assert list(selectors.notifications_for(user=subscriber).object_list) == []


def test_featuring_a_topic_its_author_may_no_longer_read_notifies_nobody(scene, moderator, staff_only,
                                                                         django_capture_on_commit_callbacks):
    topic, author, subscriber, first_reply = scene
    with django_capture_on_commit_callbacks(execute=True):
        topic_move(actor=moderator, topic=topic, category=staff_only)
        services.topic_feature(actor=moderator, topic=topic, featured=True, note="精华")
    assert not Notification.objects.filter(recipient=author, kind=Notification.Kind.FEATURED).exists()


def test_in_a_readable_topic_everyone_is_still_notified(scene, django_capture_on_commit_callbacks, live_sends):
    topic, author, subscriber, first_reply = scene
    post = _reply(topic, django_capture_on_commit_callbacks, body="@xiaoli 你好", reply_to=first_reply)
    assert Notification.objects.filter(recipient=subscriber, post=post, kind=Notification.Kind.MENTION).exists()
    assert Notification.objects.filter(recipient=author, post=post).exists()
    assert publish.member_group(subscriber.pk) in live_sends


def test_an_inactive_member_gets_nothing(scene, django_capture_on_commit_callbacks):
    topic, author, subscriber, first_reply = scene
    subscriber.is_active = False
    subscriber.save(update_fields=["is_active"])
    post = _reply(topic, django_capture_on_commit_callbacks, body="新回复")
    assert not Notification.objects.filter(recipient=subscriber, post=post).exists()
