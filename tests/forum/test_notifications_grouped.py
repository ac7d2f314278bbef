"""Notifications grouped (issue 15): upvotes of one post and replies in one topic collapse into one
row ("3 人赞了你的回复") with the latest actors; each row links to the post's anchor in its topic
page, not to the actor; opening the page marks what it shows read (and the count follows); the
page's queries do not grow with the notifications."""

import pytest
from django.test import Client
from django.utils import timezone, translation

from forum import selectors, services
from forum.models import Notification
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


def page_for(user, path="/notifications/"):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client, client.get(path)


@pytest.fixture
def thread(member):
    services.member_joined(member=member)
    topic = TopicFactory.create(title="Grouping topic title")
    reply = services.post_create(actor=member, topic=topic, body="my reply to be upvoted")
    return topic, reply


def notify(recipient, kind, actor, post, minutes_ago=0):
    return Notification.objects.create(recipient=recipient, kind=kind, actor=actor, post=post, topic=post.topic,
                                       url=post.get_absolute_url(),
                                       created_at=timezone.now() - timezone.timedelta(minutes=minutes_ago))


def test_three_upvotes_of_a_reply_are_one_row_linking_to_the_post(member, thread):
    topic, reply = thread
    voters = [UserFactory(display_name=f"Voter {i}") for i in range(4)]
    for i, voter in enumerate(voters):
        notify(member, Notification.Kind.VOTE, voter, reply, minutes_ago=10 - i)
    _client, response = page_for(member)
    html = response.content.decode()
    assert html.count("data-notification-group=") == 1
    assert "4 people upvoted your reply in “Grouping topic title”" in html
    link = f'href="{topic.get_absolute_url()}#p{reply.number}"'
    assert link in html
    assert "Voter 3, Voter 2, Voter 1" in html and "and 1 other" in html  # the latest three, newest first
    group = response.context["items"][0]
    assert [a.pk for a in group.actors] == [voters[3].pk, voters[2].pk, voters[1].pk]
    # the row's link goes to the post, never to an actor's profile
    row = html[html.index("data-notification-group="):]
    row = row[:row.index("</li>")]
    assert 'href="/u/' not in row


def test_replies_in_one_topic_group_and_mentions_stay_apart(member, thread):
    topic, reply = thread
    a, b = UserFactory(), UserFactory()
    p2 = services.post_create(actor=a, topic=topic, body="first answer")
    p3 = services.post_create(actor=b, topic=topic, body="second answer")
    notify(member, Notification.Kind.REPLY, a, p2, minutes_ago=5)
    notify(member, Notification.Kind.REPLY, b, p3, minutes_ago=4)
    notify(member, Notification.Kind.MENTION, a, p2, minutes_ago=3)
    notify(member, Notification.Kind.MENTION, b, p3, minutes_ago=2)
    groups = list(selectors.notification_groups(user=member).object_list)
    assert [(g.kind, g.count) for g in groups] == [("mention", 1), ("mention", 1), ("reply", 2)]
    html = page_for(member)[1].content.decode()
    assert "2 people replied in “Grouping topic title”" in html
    assert f'href="{topic.get_absolute_url()}#p{p3.number}"' in html  # the newest reply of the group


def test_opening_the_page_marks_the_shown_groups_read_and_the_count_follows(member, thread):
    _topic, reply = thread
    for _ in range(3):
        notify(member, Notification.Kind.VOTE, UserFactory(), reply)
    assert selectors.notifications_unread_count(user=member) == 3
    client, response = page_for(member)
    assert 'class="notification-group is-unread"' in response.content.decode()  # seen as new this once
    assert selectors.notifications_unread_count(user=member) == 0
    html = client.get("/notifications/").content.decode()
    assert "is-unread" not in html
    assert '<span data-live-unread>0</span>' in html  # the header's badge shows the new count


def test_only_shown_groups_are_marked_read(member, thread):
    topic, reply = thread
    for i in range(3):  # three separate groups: mentions in three posts
        post = services.post_create(actor=UserFactory(), topic=topic, body=f"mention {i}")
        notify(member, Notification.Kind.MENTION, post.author, post, minutes_ago=100 - i)
    for _ in range(2):
        notify(member, Notification.Kind.VOTE, UserFactory(), reply, minutes_ago=1)
    page = selectors.notification_groups(user=member, per_page=2)
    shown = [g.key for g in page.object_list]
    assert services.notifications_mark_read(actor=member, group_keys=shown) == 3  # 2 votes + newest mention
    assert selectors.notifications_unread_count(user=member) == 2


def test_marking_read_pushes_the_new_count_to_the_member_channel(member, thread, django_capture_on_commit_callbacks,
                                                                 monkeypatch):
    from realtime import publish

    _topic, reply = thread
    notify(member, Notification.Kind.VOTE, UserFactory(), reply)
    sent = []
    monkeypatch.setattr(publish, "_group_send", lambda group, message: sent.append((group, message)))
    with django_capture_on_commit_callbacks(execute=True):
        page_for(member)
    assert ("member.%d" % member.pk, {"type": "live.send", "text": '{"type":"notifications.read","unread":0}'}) in sent


def test_a_member_sees_only_their_own_notifications(member, other_member, thread):
    _topic, reply = thread
    notify(other_member, Notification.Kind.VOTE, UserFactory(), reply)
    assert "data-notification-group=" not in page_for(member)[1].content.decode()
    assert Client().get("/notifications/").status_code == 302  # guests sign in first


def _fill(member, reply, groups):
    topic = reply.topic
    for i in range(groups):
        post = services.post_create(actor=UserFactory(), topic=topic, body=f"answer {i}")
        notify(member, Notification.Kind.REPLY, post.author, post, minutes_ago=i)
        notify(member, Notification.Kind.VOTE, UserFactory(), post)
        notify(member, Notification.Kind.VOTE, UserFactory(), post)


# user, groups count, groups page, newest rows, actors, SAVEPOINT + mark-read UPDATE + RELEASE, the header's
# unread count (forgotten by the mark-read); the session and the member's groups come from the cache
NOTIFICATIONS_PAGE = 9


@pytest.mark.parametrize("n", [4, 8])
def test_notifications_page_fixed_queries(member, thread, django_assert_num_queries, n):
    _topic, reply = thread
    _fill(member, reply, n)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member)
    client.get("/")  # warm the shared caches (level ladder) as any earlier page would
    Notification.objects.filter(recipient=member).update(read_at=None)
    with django_assert_num_queries(NOTIFICATIONS_PAGE):
        response = client.get("/notifications/")
    assert response.status_code == 200
    assert len(response.context["items"]) == n + 1  # the replies in one topic are one group, each post's votes one
