"""What a signed-in page now reads from the cache instead of the database (issue 20) is never stale
where a member would notice: the unread badge, the member's groups (moderator powers), the topic's
tags and the read mark."""

import pytest
from django.contrib.auth.models import Group

from forum import permissions, selectors, services
from forum.models import Notification, TopicRead
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # a new request's user object


def test_the_unread_count_follows_new_and_read_notifications(member, other_member,
                                                             django_capture_on_commit_callbacks):
    topic = TopicFactory.create(author=member)
    assert selectors.notifications_unread_count(user=fresh(member)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(actor=other_member, topic=topic, body="a reply")  # notifies the author
    assert Notification.objects.filter(recipient=member).count() == 1
    assert selectors.notifications_unread_count(user=fresh(member)) == 1
    services.notifications_mark_read(actor=member)
    assert selectors.notifications_unread_count(user=fresh(member)) == 0


def test_joining_or_leaving_a_group_counts_at_once(member):
    moderators, _ = Group.objects.get_or_create(name=permissions.MODERATORS)
    assert not permissions.is_moderator(fresh(member))
    member.groups.add(moderators)
    assert permissions.is_moderator(fresh(member))
    assert moderators.pk in permissions.group_ids(fresh(member))
    moderators.user_set.remove(member)  # the reverse side of the relation too
    assert not permissions.is_moderator(fresh(member))


def test_renaming_a_group_counts_at_once(member):
    group = Group.objects.create(name="Helpers")
    member.groups.add(group)
    assert permissions.group_names(fresh(member)) == {"Helpers"}
    group.name = "Hosts"
    group.save()
    assert permissions.group_names(fresh(member)) == {"Hosts"}


def test_tags_changed_outside_the_services_show_at_once(member):
    topic = TopicFactory.create(author=member, tags=["旧标签"])
    assert [t.name for t in selectors.topic_tags(topic=topic)] == ["旧标签"]
    topic.tags.clear()  # as the admin's form does
    assert selectors.topic_tags(topic=topic) == []


def test_the_read_mark_only_moves_forward(member, other_member):
    topic = TopicFactory.create(author=other_member)
    for i in range(4):
        services.post_create(actor=other_member, topic=topic, body=f"reply {i}")
    topic = selectors.topic_get(topic_id=topic.pk, user=member)
    assert topic.my_last_read is None and topic.my_subscribed is False
    services.topic_mark_read(actor=member, topic=topic, number=3)
    assert TopicRead.objects.get(user=member, topic=topic).last_read_number == 3
    services.topic_mark_read(actor=member, topic=selectors.topic_get(topic_id=topic.pk, user=member), number=2)
    assert TopicRead.objects.get(user=member, topic=topic).last_read_number == 3
    services.topic_mark_read(actor=member, topic=topic, number=99)  # clipped to the topic's posts
    assert TopicRead.objects.get(user=member, topic=topic).last_read_number == 5
    again = selectors.topic_get(topic_id=topic.pk, user=member)
    assert again.my_last_read == 5
    services.topic_subscribe(actor=member, topic=again, subscribed=True)
    assert selectors.topic_is_subscribed(topic=selectors.topic_get(topic_id=topic.pk, user=member), user=member)


def test_a_new_member_is_not_anyones_moderator():
    assert permissions.group_ids(fresh(UserFactory())) == frozenset()
