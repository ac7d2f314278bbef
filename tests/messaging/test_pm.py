"""Private messages: who may start, write, read and report; blocks and ignores; what staff may see.
Through the services, the pages and the API (the WebSocket in test_pm_live.py)."""

import json

import pytest
from django.test import Client

from audit.models import AuditLog
from forum.errors import InvalidInput, NotAllowed, RateLimited
from messaging import selectors, services
from messaging.models import Message, MessageReport
from tests.factories import UserFactory

from .conftest import levelled

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def start(actor, *names, body="你好，周末一起去爬山吗？", subject=""):
    return services.conversation_start(actor=actor, recipients=list(names), body=body, subject=subject)


# --- starting: level, per-day limit, size ------------------------------------------------------------
def test_a_low_level_member_may_not_start_but_may_answer(pm_settings, alice):
    newcomer = levelled(level=1, username="newbie")
    with pytest.raises(NotAllowed) as refused:
        start(newcomer, "alice")
    assert refused.value.code == "pm_level"
    conversation = start(alice, "newbie")
    message = services.message_send(actor=newcomer, conversation_id=conversation.pk, body="好的！")
    assert message.seq == 2


def test_moderators_need_no_level(pm_settings, moderator, alice):
    assert start(moderator, "alice").participants.count() == 2


def test_per_day_limit_on_new_conversations(pm_settings, alice, bob, carol):
    start(alice, "bob")
    start(alice, "carol")
    with pytest.raises(RateLimited) as limited:
        start(alice, "bob", body="第三个")
    assert limited.value.code == "pm_rate" and limited.value.retry_after > 0
    # answering in an existing conversation is not limited
    conversation = selectors.inbox(user=alice)[0].conversation
    for n in range(5):
        services.message_send(actor=alice, conversation_id=conversation.pk, body=f"消息 {n}")


def test_group_size_is_capped(pm_settings, alice, bob, carol):
    levelled(username="dave")
    with pytest.raises(InvalidInput):
        start(alice, "bob", "carol", "dave")
    conversation = start(alice, "bob", "carol")
    assert sorted(conversation.participants.values_list("member__username", flat=True)) == ["alice", "bob", "carol"]


def test_unknown_recipient_and_self_only(pm_settings, alice):
    with pytest.raises(InvalidInput):
        start(alice, "nobody-here")
    with pytest.raises(InvalidInput):
        start(alice, "alice")


# --- markdown, quotes, numbering, unread --------------------------------------------------------------
def test_markdown_is_sanitised_and_quotes_stay_in_the_conversation(pm_settings, alice, bob, carol):
    conversation = start(alice, "bob", body="**重要**<script>alert(1)</script> [链接](javascript:alert(1))")
    first = conversation.messages.get(seq=1)
    assert "<strong>重要</strong>" in first.html and "<script>" not in first.html
    assert "&lt;script&gt;" in first.html and 'href="javascript' not in first.html
    reply = services.message_send(actor=bob, conversation_id=conversation.pk, body="收到", quote_id=first.pk)
    assert reply.quote_id == first.pk and reply.seq == 2
    other = start(alice, "carol")
    with pytest.raises(InvalidInput):
        services.message_send(actor=bob, conversation_id=conversation.pk, body="引用别处",
                              quote_id=other.messages.get(seq=1).pk)


def test_unread_counts_and_reading(pm_settings, alice, bob):
    conversation = start(alice, "bob")
    services.message_send(actor=alice, conversation_id=conversation.pk, body="还在吗？")
    assert selectors.unread_total(user=bob) == 2 and selectors.unread_total(user=alice) == 0
    assert selectors.inbox(user=bob)[0].unread == 2
    services.conversation_read(actor=bob, conversation_id=conversation.pk, seq=1)
    assert selectors.unread_total(user=bob) == 1
    services.conversation_read(actor=bob, conversation_id=conversation.pk, seq=0)  # never goes back
    assert selectors.unread_total(user=bob) == 1
    services.conversation_read(actor=bob, conversation_id=conversation.pk)
    assert selectors.unread_total(user=bob) == 0


def test_header_badge_shows_the_unread_count(pm_settings, alice, bob):
    start(alice, "bob")
    response = client_for(bob).get("/messages/badge/")
    assert response.status_code == 200 and b'data-pm-unread>1<' in response.content
    assert client_for(None).get("/messages/badge/").status_code == 204
    # the page itself only holds the placeholder htmx fills (no query of ours on every page)
    page = client_for(bob).get("/")
    assert b'hx-get="/messages/badge/"' in page.content


# --- leaving ---------------------------------------------------------------------------------------------
def test_leaving_ends_access_and_tells_the_others(pm_settings, alice, bob, carol):
    conversation = start(alice, "bob", "carol")
    services.conversation_leave(actor=carol, conversation_id=conversation.pk)
    assert [m.kind for m in conversation.messages.order_by("seq")] == ["text", "left"]
    with pytest.raises(NotAllowed):
        selectors.conversation_get(user=carol, conversation_id=conversation.pk)
    with pytest.raises(NotAllowed):
        services.message_send(actor=carol, conversation_id=conversation.pk, body="我又回来了")
    assert selectors.inbox(user=carol) == []
    assert client_for(carol).get(f"/messages/c/{conversation.pk}/").status_code == 404
    page = client_for(bob).get(f"/messages/c/{conversation.pk}/")
    assert 'class="pm-message pm-system"' in page.content.decode() and "卡罗尔" in page.content.decode()


# --- blocking and ignoring -------------------------------------------------------------------------------
def test_a_blocked_member_cannot_start_or_write_one_to_one(pm_settings, alice, bob):
    conversation = start(alice, "bob")
    services.member_block(actor=alice, target=bob)
    with pytest.raises(NotAllowed) as refused:
        services.message_send(actor=bob, conversation_id=conversation.pk, body="为什么不理我")
    assert refused.value.code == "pm_blocked"
    with pytest.raises(NotAllowed):
        start(bob, "alice", body="新对话")
    services.member_unblock(actor=alice, target=bob)
    services.message_send(actor=bob, conversation_id=conversation.pk, body="又可以了")


def test_ignored_members_messages_are_hidden_everywhere(pm_settings, alice, bob, carol, django_capture_on_commit_callbacks):
    conversation = start(alice, "bob", "carol")
    services.member_block(actor=carol, target=bob, kind="ignore")
    with django_capture_on_commit_callbacks() as callbacks:
        services.message_send(actor=bob, conversation_id=conversation.pk, body="鲍勃的秘密消息")
    assert selectors.unread_total(user=carol) == 1  # only alice's opening message
    _c, _p, _m, items = selectors.conversation_get(user=carol, conversation_id=conversation.pk)
    assert all("鲍勃的秘密消息" not in m.source for m in items)
    assert "鲍勃的秘密消息" not in client_for(carol).get(f"/messages/c/{conversation.pk}/").content.decode()
    api = client_for(carol).get(f"/api/v1/conversations/{conversation.pk}/messages")
    assert api.status_code == 200 and "鲍勃的秘密消息" not in api.content.decode()
    assert selectors.search_messages(user=carol, query="秘密") == []
    assert [m.source for m in selectors.search_messages(user=alice, query="秘密")] == ["鲍勃的秘密消息"]
    assert callbacks  # the others' unread counts go out after commit


# --- nobody else reads a conversation: pages, API, search ------------------------------------------------
@pytest.fixture
def private(pm_settings, alice, bob):
    conversation = start(alice, "bob", body="只有我们两个知道的事")
    return conversation


@pytest.mark.parametrize("who", ["outsider", "staff", "moderator", "guest"])
def test_outsiders_and_staff_get_nothing(private, who, moderator):
    user = {"outsider": UserFactory(), "staff": UserFactory(is_staff=True, is_superuser=True),
            "moderator": moderator, "guest": None}[who]
    client = client_for(user)
    page = client.get(f"/messages/c/{private.pk}/")
    assert page.status_code in (302, 404)
    assert "只有我们两个" not in page.content.decode()
    api = client.get(f"/api/v1/conversations/{private.pk}/messages")
    assert api.status_code in (401, 403) and "只有我们两个" not in api.content.decode()
    send = client.post(f"/api/v1/conversations/{private.pk}/messages", json.dumps({"body": "插一句"}),
                       content_type="application/json")
    assert send.status_code in (401, 403)
    inbox = client.get("/api/v1/conversations")
    if user is None:
        assert inbox.status_code == 401
    else:
        assert inbox.status_code == 200 and [c["id"] for c in inbox.json()] == []
    message = private.messages.get(seq=1)
    report = client.post(f"/api/v1/messages/{message.pk}/report", json.dumps({"reason": "看看"}),
                         content_type="application/json")
    assert report.status_code in (401, 403)
    assert Message.objects.filter(conversation=private).count() == 1
    assert client.get(f"/admin/messaging/message/{message.pk}/change/").status_code in (302, 404)


def test_site_search_never_finds_private_messages(private, alice):
    response = client_for(alice).get("/search/", {"q": "两个知道"})
    assert response.status_code == 200
    assert f"/messages/c/{private.pk}/" not in response.content.decode()
    assert "只有我们两个知道的事" not in response.content.decode()


# --- reports: the moderator sees the message and its neighbours, audited ---------------------------------
def test_report_shows_only_the_context_and_is_audited(pm_settings, alice, bob, moderator, settings):
    settings.HUOLI = {**settings.HUOLI, "PM_REPORT_CONTEXT": 1}
    conversation = start(alice, "bob", body="第一条")
    for n in range(2, 7):
        services.message_send(actor=bob if n % 2 == 0 else alice, conversation_id=conversation.pk, body=f"第{n}条")
    reported = conversation.messages.get(seq=4)  # bob's
    with pytest.raises(NotAllowed):
        services.message_report(actor=bob, message_id=reported.pk, reason="自己的")
    with pytest.raises(NotAllowed):
        services.message_report(actor=UserFactory(), message_id=reported.pk, reason="路人")
    report = services.message_report(actor=alice, message_id=reported.pk, reason="骚扰")
    staff = client_for(moderator)
    listing = staff.get("/messages/reports/")
    assert listing.status_code == 200 and "骚扰" in listing.content.decode()
    before = AuditLog.objects.count()
    page = staff.get(f"/messages/reports/{report.pk}/").content.decode()
    assert "第3条" in page and "第4条" in page and "第5条" in page
    assert "第一条" not in page and "第2条" not in page and "第6条" not in page
    assert AuditLog.objects.count() == before + 1
    entry = AuditLog.objects.latest("pk")
    assert entry.action == "pm.report_viewed" and entry.actor_id == moderator.pk and entry.data["seq"] == [3, 4, 5]
    # a member is refused the moderators' pages, and nothing is logged
    assert client_for(alice).get(f"/messages/reports/{report.pk}/").status_code == 403
    assert AuditLog.objects.count() == before + 1
    response = staff.post(f"/messages/reports/{report.pk}/", {"action": "hide", "reason": "骚扰信息"})
    assert response.status_code == 302
    assert MessageReport.objects.get(pk=report.pk).status == "hidden"
    assert Message.objects.get(pk=reported.pk).is_hidden
    bob_page = client_for(bob).get(f"/messages/c/{conversation.pk}/").content.decode()
    assert "第4条" not in bob_page
    assert AuditLog.objects.filter(action="pm.report_hidden").count() == 1


# --- pages: the flows a member goes through ---------------------------------------------------------------
def test_pages_start_reply_quote_block_leave(pm_settings, alice, bob):
    a, b = client_for(alice), client_for(bob)
    assert a.get("/messages/new/?to=bob").status_code == 200
    response = a.post("/messages/new/", {"recipients": "bob", "subject": "周末", "body": "去**爬山**吗？"})
    assert response.status_code == 302
    url = response["Location"]
    inbox = b.get("/messages/").content.decode()
    assert "周末" in inbox and "爱丽丝" in inbox
    page = b.get(url).content.decode()
    assert "<strong>爬山</strong>" in page
    first = Message.objects.get(seq=1)
    quoting = b.get(url + f"?quote={first.pk}").content.decode()
    assert f'name="quote" value="{first.pk}"' in quoting and 'class="pm-quote"' in quoting
    assert b.post(url, {"body": "好呀", "quote": first.pk}).status_code == 302
    assert Message.objects.get(seq=2).quote_id == first.pk
    assert selectors.unread_total(user=bob) == 0  # reading the page marked it read
    assert b.post("/messages/blocks/", {"username": "alice", "kind": "block"}).status_code == 302
    refused = a.post(url, {"body": "还在吗"})  # the refusal, with what they wrote kept in the form
    assert refused.status_code == 200
    assert "这位成员不接收你的私信。" in refused.content.decode()
    assert '<textarea id="pm-reply" name="body" rows="4" required>还在吗</textarea>' in refused.content.decode()
    assert Message.objects.filter(source="还在吗").count() == 0
    assert b.post(url.rstrip("/") + "/leave/").status_code == 302
    assert b.get(url).status_code == 404


def test_a_members_page_offers_to_write_to_them_and_own_messages_offer_no_report(pm_settings, alice, bob):
    write = b'href="/messages/new/?to=bob" data-pm-write'
    assert write in client_for(alice).get(bob.get_absolute_url()).content
    assert write not in client_for(bob).get(bob.get_absolute_url()).content
    assert write not in client_for(None).get(bob.get_absolute_url()).content
    conversation = start(alice, "bob")
    mine = client_for(alice).get(conversation.get_absolute_url()).content.decode()
    theirs = client_for(bob).get(conversation.get_absolute_url()).content.decode()
    report = f'/messages/m/{conversation.messages.get().pk}/report/'
    assert report not in mine and report in theirs


def test_api_round_trip(pm_settings, alice, bob):
    a, b = client_for(alice), client_for(bob)
    created = a.post("/api/v1/conversations", json.dumps({"recipients": ["bob"], "body": "API 你好"}),
                     content_type="application/json")
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    assert b.get("/api/v1/messages/unread").json() == {"unread": 1}
    sent = b.post(f"/api/v1/conversations/{cid}/messages", json.dumps({"body": "收到"}),
                  content_type="application/json")
    assert sent.status_code == 201 and sent.json()["seq"] == 2
    after = a.get(f"/api/v1/conversations/{cid}/messages?after=1").json()
    assert [m["seq"] for m in after] == [2] and after[0]["html"] == "<p>收到</p>\n"
    read = a.post(f"/api/v1/conversations/{cid}/read", json.dumps({}), content_type="application/json")
    assert read.json() == {"read_seq": 2, "unread_total": 0}
    blocked = a.post(f"/api/v1/members/{bob.pk}/block", json.dumps({"kind": "ignore"}),
                     content_type="application/json")
    assert blocked.json() == {"member_id": bob.pk, "kind": "ignore"}
    assert a.delete(f"/api/v1/members/{bob.pk}/block").json()["kind"] == "none"
    assert b.post(f"/api/v1/conversations/{cid}/leave").status_code == 200
    assert b.get(f"/api/v1/conversations/{cid}/messages").status_code == 403
