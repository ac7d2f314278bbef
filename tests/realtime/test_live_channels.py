"""Typing, presence, the member channel and the category/home feeds."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from forum import services
from forum.moderation import registry
from tests.factories import CategoryFactory, TopicFactory, UserFactory
from tests.realtime.conftest import communicator, in_thread, nothing_more, receive, run, session_cookie

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(member, category):
    return TopicFactory.create(author=member, category=category)


def write(capture, fn, **kwargs):
    def call():
        with capture(execute=True):
            return fn(**kwargs)

    return in_thread(call)()


# --- typing ------------------------------------------------------------------------------------
def test_typing_reaches_other_readers_once_per_interval_and_not_the_typist(topic, member, other_member):
    typist_cookie, reader_cookie = session_cookie(other_member), session_cookie(member)

    async def scenario():
        typist = communicator(f"/ws/topic/{topic.pk}/", typist_cookie)
        reader = communicator(f"/ws/topic/{topic.pk}/", reader_cookie)
        guest = communicator(f"/ws/topic/{topic.pk}/")
        for comm in (typist, reader, guest):
            assert (await comm.connect())[0]
            await receive(comm)
        await typist.send_json_to({"type": "typing"})
        seen_by_reader = await receive(reader)
        seen_by_guest = await receive(guest)
        await typist.send_json_to({"type": "typing"})  # again within 2 s
        refused = await receive(typist)
        assert await nothing_more(reader)
        # the interval passes (the cache key expires)
        await cache.adelete(f"live:typing:{topic.pk}:{other_member.pk}")
        await typist.send_json_to({"type": "typing"})
        again = await receive(reader)
        assert await nothing_more(typist)  # the typist never sees their own notice
        for comm in (typist, reader, guest):
            await comm.disconnect()
        return seen_by_reader, seen_by_guest, refused, again

    seen_by_reader, seen_by_guest, refused, again = run(scenario)
    expected = {"type": "typing", "topic_id": topic.pk, "user": {"username": other_member.username,
                                                                 "name": other_member.name}}
    assert seen_by_reader == seen_by_guest == again == expected
    assert refused == {"type": "error", "error": "rate_limited", "retry_after": 2}


def test_guests_and_members_who_cannot_reply_may_not_type(topic, other_member, moderator):
    registry.run("topic", "lock", actor=moderator, obj=topic)
    member_cookie, mod_cookie = session_cookie(other_member), session_cookie(moderator)

    async def scenario():
        guest = communicator(f"/ws/topic/{topic.pk}/")
        locked_out = communicator(f"/ws/topic/{topic.pk}/", member_cookie)
        mod = communicator(f"/ws/topic/{topic.pk}/", mod_cookie)
        for comm in (guest, locked_out, mod):
            assert (await comm.connect())[0]
            await receive(comm)
        await guest.send_json_to({"type": "typing"})
        await locked_out.send_json_to({"type": "typing"})
        guest_reply, member_reply = await receive(guest), await receive(locked_out)
        assert await nothing_more(mod)
        await mod.send_json_to({"type": "typing"})  # moderators may reply to locked topics
        seen = await receive(guest)
        for comm in (guest, locked_out, mod):
            await comm.disconnect()
        return guest_reply, member_reply, seen

    guest_reply, member_reply, seen = run(scenario)
    assert guest_reply == {"type": "error", "error": "login_required"}
    assert member_reply == {"type": "error", "error": "not_allowed"}
    assert seen["type"] == "typing" and seen["user"]["username"] == moderator.username


# --- presence ----------------------------------------------------------------------------------
def test_presence_counts_readers_and_drops_those_who_leave(topic):
    async def next_presence(comm):
        while True:
            message = await comm.receive_json_from(3)
            if message["type"] == "presence":
                return message

    async def scenario():
        a = communicator(f"/ws/topic/{topic.pk}/")
        b = communicator(f"/ws/topic/{topic.pk}/")
        assert (await a.connect())[0]
        hello_a = await receive(a)
        assert (await b.connect())[0]
        hello_b = await receive(b)
        both = await next_presence(a)
        while both["reading"] != 2:
            both = await next_presence(a)
        await b.disconnect()
        alone = await next_presence(a)
        while alone["reading"] != 1:
            alone = await next_presence(a)
        await a.disconnect()
        return hello_a, hello_b, both, alone

    hello_a, hello_b, both, alone = run(scenario)
    assert (hello_a["reading"], hello_b["reading"]) == (1, 2)
    assert both == {"type": "presence", "topic_id": topic.pk, "reading": 2}
    assert alone == {"type": "presence", "topic_id": topic.pk, "reading": 1}
    assert cache.get(f"live:reading:{topic.pk}") == 0


# --- member channel ----------------------------------------------------------------------------
def test_member_gets_their_notifications_live_with_unread_count(topic, member, other_member,
                                                               django_capture_on_commit_callbacks):
    author_cookie, replier_cookie = session_cookie(member), session_cookie(other_member)
    opening = topic.posts.get(number=1)

    async def scenario():
        mine = communicator(f"/ws/member/{member.pk}/", author_cookie)
        theirs = communicator(f"/ws/member/{other_member.pk}/", replier_cookie)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        hello = await receive(mine)
        await receive(theirs)
        reply = await write(django_capture_on_commit_callbacks, services.post_create, actor=other_member,
                            topic=topic, body="楼主你好")
        first = await receive(mine)
        await write(django_capture_on_commit_callbacks, services.post_vote, actor=other_member,
                    post=opening, value=1)
        second = await receive(mine)
        assert await nothing_more(theirs)  # another member's notifications never reach this channel
        await mine.disconnect()
        await theirs.disconnect()
        return hello, reply, first, second

    hello, reply, first, second = run(scenario)
    assert hello == {"type": "hello", "unread": 0}
    assert first["type"] == "notification" and first["kind"] == "reply" and first["unread"] == 1
    assert first["url"] == reply.get_absolute_url()
    assert other_member.name in first["text"] and topic.title in first["text"]
    assert first["actor"]["username"] == other_member.username
    assert second["kind"] == "vote" and second["unread"] == 2


def test_system_notifications_from_other_apps_arrive_too(member, django_capture_on_commit_callbacks):
    cookie = session_cookie(member)

    async def scenario():
        comm = communicator(f"/ws/member/{member.pk}/", cookie)
        assert (await comm.connect())[0]
        await receive(comm)
        await write(django_capture_on_commit_callbacks, services.notification_create, recipient=member,
                    kind="system", message="你获得了徽章：热心会员", url="/badges/")
        message = await receive(comm)
        await comm.disconnect()
        return message

    message = run(scenario)
    assert (message["kind"], message["text"], message["url"], message["unread"]) == (
        "system", "你获得了徽章：热心会员", "/badges/", 1)


# --- category and home feeds -------------------------------------------------------------------
def test_category_and_home_see_new_topics_and_activity(member, other_member, category,
                                                      django_capture_on_commit_callbacks):
    other_category = CategoryFactory()
    cap = django_capture_on_commit_callbacks

    async def scenario():
        feed = communicator(f"/ws/category/{category.pk}/")
        elsewhere = communicator(f"/ws/category/{other_category.pk}/")
        home = communicator("/ws/home/")
        for comm in (feed, elsewhere, home):
            assert (await comm.connect())[0]
            assert await receive(comm) == {"type": "hello"}
        topic = await write(cap, services.topic_create, actor=member, category=category, title="新话题来了",
                            body="内容内容")
        created_feed, created_home = await receive(feed), await receive(home)
        await write(cap, services.post_create, actor=other_member, topic=topic, body="第一条回复")
        activity_feed, activity_home = await receive(feed), await receive(home)
        assert await nothing_more(elsewhere)
        for comm in (feed, elsewhere, home):
            await comm.disconnect()
        return topic, created_feed, created_home, activity_feed, activity_home

    topic, created_feed, created_home, activity_feed, activity_home = run(scenario)
    assert created_feed == created_home
    assert created_feed["type"] == "topic.created" and created_feed["title"] == "新话题来了"
    assert created_feed["url"] == topic.get_absolute_url() and created_feed["category_id"] == category.pk
    assert activity_feed == activity_home
    assert (activity_feed["type"], activity_feed["reply_count"], activity_feed["post_count"]) == (
        "topic.activity", 1, 2)
    assert activity_feed["last_poster"]["username"] == other_member.username


def test_private_category_news_reaches_only_readers_of_that_category(member, django_capture_on_commit_callbacks):
    insiders = Group.objects.create(name="Insiders")
    private = CategoryFactory(read_group=insiders)
    member.groups.add(insiders)
    outsider = UserFactory()
    staff = UserFactory(is_staff=True)
    cookies = [session_cookie(u) for u in (member, outsider, staff)]

    async def scenario():
        guest = communicator("/ws/home/")
        insider, outside, staffer = (communicator("/ws/home/", c) for c in cookies)
        for comm in (guest, insider, outside, staffer):
            assert (await comm.connect())[0]
            await receive(comm)
        await write(django_capture_on_commit_callbacks, services.topic_create, actor=member, category=private,
                    title="内部消息话题", body="只给内部看")
        seen_inside, seen_by_staff = await receive(insider), await receive(staffer)
        assert await nothing_more(guest) and await nothing_more(outside)
        for comm in (guest, insider, outside, staffer):
            await comm.disconnect()
        return seen_inside, seen_by_staff

    seen_inside, seen_by_staff = run(scenario)
    assert seen_inside["title"] == seen_by_staff["title"] == "内部消息话题"


def test_hidden_topics_make_no_news(topic, member, moderator, other_member, django_capture_on_commit_callbacks):
    registry.run("topic", "hide", actor=moderator, obj=topic)

    async def scenario():
        home = communicator("/ws/home/")
        assert (await home.connect())[0]
        await receive(home)
        await write(django_capture_on_commit_callbacks, services.post_create, actor=moderator, topic=topic,
                    body="隐藏话题里的回复")
        quiet = await nothing_more(home)
        await home.disconnect()
        return quiet

    assert run(scenario)
