"""The topic channel: every event type, as a reader receives it."""

import json

import pytest
from django.contrib.auth.models import Group

from forum import hooks, services
from forum.models import Category, Topic
from forum.moderation import registry
from realtime.models import TopicEvent
from tests.factories import CategoryFactory, TopicFactory, UserFactory
from tests.realtime.conftest import (
    closed_with,
    communicator,
    in_thread,
    nothing_more,
    receive,
    run,
    session_cookie,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(member, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return TopicFactory.create(author=member, category=category, title="实时话题的标题", body="开帖内容")


def act(capture, fn, *args, **kwargs):
    """A write as a view does it: the service, then its on-commit work."""

    def call():
        with capture(execute=True):
            return fn(*args, **kwargs)

    return in_thread(call)()


def test_guest_receives_new_reply_with_fragment_and_sequence(topic, other_member, django_capture_on_commit_callbacks):
    topic.refresh_from_db()
    assert topic.event_seq == 1  # the opening post was event 1

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/")
        connected, _ = await comm.connect()
        assert connected
        hello = await receive(comm)
        assert hello == {"type": "hello", "topic_id": topic.pk, "seq": 1, "reading": 1}
        post = await act(django_capture_on_commit_callbacks, services.post_create, actor=other_member, topic=topic,
                         body="**第二楼** 的回复")
        event = await receive(comm)
        await comm.disconnect()
        return post, event

    post, event = run(scenario)
    assert event["type"] == "post.created" and event["seq"] == 2
    assert event["post_id"] == post.pk and event["number"] == 2
    assert event["html"] == "<p><strong>第二楼</strong> 的回复</p>\n"
    assert event["author"]["username"] == other_member.username
    assert "email" not in json.dumps(event["author"])
    assert f'data-post-id="{post.pk}"' in event["fragment"]
    assert "<strong>第二楼</strong>" in event["fragment"]
    assert "csrfmiddlewaretoken" not in event["fragment"]
    assert Topic.objects.get(pk=topic.pk).event_seq == 2
    assert list(TopicEvent.objects.filter(topic=topic).values_list("seq", "type")) == [
        (1, "post.created"), (2, "post.created")]


def test_edit_hide_restore_vote_and_flags_reach_readers_in_order(topic, member, other_member, moderator,
                                                                django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    reply = services.post_create(actor=other_member, topic=topic, body="原始回复内容")

    cookie = session_cookie(member)

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/", cookie)
        assert (await comm.connect())[0]
        await receive(comm)  # hello
        await act(cap, services.post_edit, actor=other_member, post=reply, body="修改后的回复")
        await act(cap, services.post_vote, actor=member, post=reply, value=1)
        await act(cap, registry.run, "post", "hide", actor=moderator, obj=reply)
        await act(cap, registry.run, "post", "unhide", actor=moderator, obj=reply)
        await act(cap, services.post_delete, actor=other_member, post=reply)
        await act(cap, registry.run, "topic", "lock", actor=moderator, obj=topic)
        await act(cap, registry.run, "topic", "pin", actor=moderator, obj=topic)
        events = [await receive(comm) for _ in range(7)]
        assert await nothing_more(comm)
        await comm.disconnect()
        return events

    edited, voted, hidden, shown, deleted, locked, pinned = run(scenario)
    seqs = [e["seq"] for e in (edited, voted, hidden, shown, deleted, locked, pinned)]
    assert seqs == list(range(seqs[0], seqs[0] + 7))
    assert edited["type"] == "post.edited" and edited["html"] == "<p>修改后的回复</p>\n" and edited["edit_count"] == 1
    assert voted == {"type": "vote.changed", "topic_id": topic.pk, "post_id": reply.pk, "number": 2, "score": 1,
                     "upvotes": 1, "downvotes": 0, "seq": voted["seq"]}
    # a hidden or deleted post's event names the post and nothing of its content
    assert hidden == {"type": "post.hidden", "topic_id": topic.pk, "post_id": reply.pk, "number": 2,
                      "state": "hidden", "seq": hidden["seq"]}
    assert shown["type"] == "post.shown" and "修改后的回复" in shown["fragment"]
    assert deleted["type"] == "post.hidden" and deleted["state"] == "deleted" and "html" not in deleted
    assert (locked["type"], locked["change"], locked["locked"], locked["pinned"]) == ("topic.changed", "locked",
                                                                                      True, False)
    assert (pinned["change"], pinned["locked"], pinned["pinned"]) == ("pinned", True, True)


def test_vote_event_names_no_voter(topic, member, other_member, django_capture_on_commit_callbacks):
    reply = services.post_create(actor=other_member, topic=topic, body="一条回复")

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/")
        assert (await comm.connect())[0]
        await receive(comm)
        await act(django_capture_on_commit_callbacks, services.post_vote, actor=member, post=reply, value=-1)
        raw = await comm.receive_from(3)
        while json.loads(raw)["type"] == "presence":
            raw = await comm.receive_from(3)
        await comm.disconnect()
        return raw

    raw = run(scenario)
    assert json.loads(raw)["score"] == -1
    assert member.username not in raw and member.name not in raw


def test_hiding_the_topic_disconnects_readers_who_may_no_longer_read_it(topic, member, other_member, moderator,
                                                                       django_capture_on_commit_callbacks):
    cookies = [session_cookie(user) for user in (other_member, member, moderator)]

    async def scenario():
        reader, author, mod = (communicator(f"/ws/topic/{topic.pk}/", cookie) for cookie in cookies)
        for comm in (reader, author, mod):
            assert (await comm.connect())[0]
            await receive(comm)
        await act(django_capture_on_commit_callbacks, registry.run, "topic", "hide", actor=moderator, obj=topic)
        revoked = await receive(reader)
        assert await closed_with(reader, 4403)
        seen_by_author = await receive(author)
        seen_by_mod = await receive(mod)
        await author.disconnect()
        await mod.disconnect()
        return revoked, seen_by_author, seen_by_mod

    revoked, seen_by_author, seen_by_mod = run(scenario)
    assert revoked == {"type": "access.revoked", "topic_id": topic.pk}
    assert seen_by_author["type"] == seen_by_mod["type"] == "topic.hidden"
    assert seen_by_mod["hidden"] is True


def test_moving_the_topic_to_a_private_category_disconnects_guests(topic, moderator, django_capture_on_commit_callbacks):
    staff_group = Group.objects.create(name="Staff room")
    private = CategoryFactory(read_group=staff_group)
    moderator.groups.add(staff_group)

    def move():
        with django_capture_on_commit_callbacks(execute=True):
            old = topic.category
            Topic.objects.filter(pk=topic.pk).update(category=private)
            topic.category = private
            hooks.topic_moved.send(topic=topic, actor=moderator, old_category=old)

    cookie = session_cookie(moderator)

    async def scenario():
        guest = communicator(f"/ws/topic/{topic.pk}/")
        mod = communicator(f"/ws/topic/{topic.pk}/", cookie)
        for comm in (guest, mod):
            assert (await comm.connect())[0]
            await receive(comm)
        await in_thread(move)()
        revoked = await receive(guest)
        assert await closed_with(guest, 4403)
        moved = await receive(mod)
        await mod.disconnect()
        return revoked, moved

    revoked, moved = run(scenario)
    assert revoked["type"] == "access.revoked" and "category" not in revoked
    assert moved["type"] == "topic.moved" and moved["category"]["id"] == private.pk


def test_rolled_back_write_publishes_nothing(topic, other_member):
    from django.db import transaction

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.post_create(actor=other_member, topic=topic, body="will be rolled back")
        raise Boom
    topic.refresh_from_db()
    assert topic.event_seq == 1
    assert TopicEvent.objects.filter(topic=topic).count() == 1


def test_a_payload_json_cannot_hold_fails_the_caller_and_records_nothing(topic):
    from realtime.publish import publish_topic_event

    with pytest.raises(TypeError):
        publish_topic_event(topic.pk, "poll.changed", {"bars": {1, 2}})
    with pytest.raises(ValueError):
        publish_topic_event(topic.pk, "", {})
    assert TopicEvent.objects.filter(topic=topic).count() == 1


def test_generic_topic_event_from_another_app(topic, django_capture_on_commit_callbacks):
    """Polls and lotteries (later issues) publish through the same numbered channel."""
    from realtime.publish import publish_topic_event

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/")
        assert (await comm.connect())[0]
        await receive(comm)

        def draw():
            with django_capture_on_commit_callbacks(execute=True):
                publish_topic_event(topic.pk, "lottery.drawn", {"topic_id": topic.pk, "winners": ["member1"]})

        await in_thread(draw)()
        event = await receive(comm)
        await comm.disconnect()
        return event

    assert run(scenario) == {"type": "lottery.drawn", "topic_id": topic.pk, "winners": ["member1"], "seq": 2}


def test_redis_down_the_write_succeeds_and_the_event_is_logged(settings, topic, other_member,
                                                               django_capture_on_commit_callbacks, caplog):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}}
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(actor=other_member, topic=topic, body="Redis 挂了也要能发帖")
    assert post.pk is not None
    assert TopicEvent.objects.filter(topic=topic, seq=2, type="post.created").exists()
    assert "readers will catch up on reconnect" in caplog.text


def test_private_category_events_stay_out_of_other_categories(db):
    private = Category.objects.create(name="内部", slug="inside", read_group=Group.objects.create(name="Insiders"))
    author = UserFactory()
    author.groups.add(private.read_group)
    TopicFactory.create(author=author, category=private)
    assert TopicEvent.objects.count() == 0  # on-commit work did not run: nothing leaks before commit
