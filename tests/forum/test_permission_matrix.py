"""The permission matrix: every write endpoint of the API (forum, moderation, check-in, polls,
lotteries; plus the queue), for anonymous, member, low-level member, category moderator inside and
outside their category, editor and staff. Exactly the allowed ones succeed; the others get 401
(guests) or 403 and write nothing. A write operation missing from this table fails the
completeness test."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from config.api import api
from engagement.levels.models import MemberLevel
from forum import services
from forum.moderation import moderators, reports
from forum.moderation.models import ModerationItem
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "member", "low_level", "catmod", "editor", "staff")
MEMBERS = {"member", "low_level", "catmod", "editor", "staff"}
MODS_IN = {"catmod", "staff"}   # may moderate inside alpha (catmod moderates alpha only)
MODS_GLOBAL = {"staff"}         # global powers (sanctions, beta as seen by catmod)


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff = UserFactory(is_staff=True)
    alpha, beta = CategoryFactory(slug="alpha"), CategoryFactory(slug="beta")
    owner = UserFactory()
    MemberLevel.objects.create(member=owner, level_number=4)
    topics = {c.slug: TopicFactory.create(author=owner, category=c, title=f"Topic in {c.slug}") for c in (alpha, beta)}
    replies = {slug: services.post_create(actor=owner, topic=t, body=f"reply in {slug}") for slug, t in topics.items()}
    items = {slug: reports.report_create(actor=UserFactory(), target=replies[slug], reason="spam").item
             for slug in topics}
    people = {"anonymous": None, "staff": staff}
    people["member"] = UserFactory()
    MemberLevel.objects.create(member=people["member"], level_number=4)
    people["low_level"] = UserFactory()
    MemberLevel.objects.create(member=people["low_level"], level_number=1)
    people["catmod"] = UserFactory()
    moderators.moderator_appoint(actor=staff, member=people["catmod"], category=alpha)
    people["editor"] = UserFactory()
    people["editor"].groups.add(Group.objects.get(name="Editors"))
    from engagement.checkin.models import CheckinSettings
    from engagement.lotteries import services as lotteries
    from engagement.polls import services as polls

    CheckinSettings.objects.update_or_create(pk=1, defaults={"makeup_cost": 0})  # a permission question, not points
    now = timezone.now()
    # members for a month, so that yesterday is a missed day they may make up (one who joined today has none)
    get_user_model().objects.filter(pk__in=[p.pk for p in people.values() if p is not None]).update(
        date_joined=now - datetime.timedelta(days=30))
    world_polls = {slug: polls.poll_create(actor=owner, topic=t, question=f"Poll in {slug}?", options=["Yes", "No"])
                   for slug, t in topics.items()}
    lottery = lotteries.lottery_create(actor=staff, title="Matrix draw", prize="A mug", winners_count=1,
                                       topic=topics["alpha"], opens_at=now - datetime.timedelta(hours=1),
                                       closes_at=now + datetime.timedelta(hours=1))
    return {"topics": topics, "replies": replies, "items": items, "owner": owner, "people": people,
            "polls": world_polls, "lottery": lottery}


def _json(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, content_type="application/json")


def _case(method, path, body=None):
    return lambda client, w: _json(client, method, path(w), body(w) if callable(body) else body)


LINKS = " ".join(f"[l{i}](https://example.com/{i})" for i in range(3))

def _tag():
    from forum.models import Tag

    return Tag.objects.get_or_create(slug="matrix", defaults={"name": "matrix"})[0]


def _claim_then_release(client, w):
    url = f"/api/v1/moderation/queue/{w['items']['alpha'].pk}"
    _json(client, "post", f"{url}/claim")
    return _json(client, "post", f"{url}/release")


def _fund_everyone(w, amount=50):
    from engagement.points import services as points

    for user in [w["owner"], *w["people"].values()]:
        if user is not None:
            points.points_award(member=user, rule_code="checkin_streak_bonus", amount=amount, source_type="matrix",
                                source_id="fund")


def _shop_redeem(client, w):
    from engagement.shop.models import ShopItem

    _fund_everyone(w)
    item = ShopItem.objects.create(slug="matrix-frame", name="Frame", kind="decoration", price=5)
    return _json(client, "post", f"/api/v1/shop/items/{item.pk}/redeem", {"request_key": "matrix"})


def _shop_order_verb(verb, body=None):
    def request(client, w):
        from engagement.shop import services as shop
        from engagement.shop.models import ShopItem

        _fund_everyone(w)
        item = ShopItem.objects.create(slug="matrix-mug", name="Mug", price=5, stock=3)
        order = shop.shop_redeem(actor=w["owner"], item_id=item.pk, request_key="matrix", recipient="Owner",
                                 phone="13800000000", address="1 Matrix Road")
        return _json(client, "post", f"/api/v1/shop/orders/{order.pk}/{verb}", body)
    return request


def _tip(client, w):
    _fund_everyone(w)
    return _json(client, "post", f"/api/v1/tips/posts/{w['replies']['alpha'].pk}",
                 {"amount": 5, "request_key": "matrix"})


def _bounty(w):
    """A bounty by the member persona on a topic in alpha, with a reply by the owner to accept."""
    from engagement.bounties import services as bounties
    from engagement.points import services as points

    asker = w["people"]["member"]
    points.points_adjust(actor=w["people"]["staff"], member=asker, amount=50, reason="matrix", key="bounty-matrix")
    topic = TopicFactory.create(author=asker, category=w["topics"]["alpha"].category, title="A bounty question")
    answer = services.post_create(actor=w["owner"], topic=topic, body="an answer")
    return bounties.bounty_offer(actor=asker, topic=topic, amount=20), answer


def _bounty_accept(client, w):
    bounty, answer = _bounty(w)
    return _json(client, "post", f"/api/v1/bounties/topics/{bounty.topic_id}/accept", {"post_id": answer.pk})


def _bounty_resolve(client, w):
    bounty, _answer = _bounty(w)
    return _json(client, "post", f"/api/v1/bounties/{bounty.pk}/resolve", {"reason": "abandoned"})


def _commission(w, *, submitted=False):
    """A commission by staff to the owner (who writes), optionally handed in with the owner's alpha topic."""
    from engagement.commissions import services as commissions

    commission = commissions.commission_invite(actor=w["people"]["staff"], writer=w["owner"], theme="矩阵约稿",
                                               reward=50, due_at=timezone.now() + datetime.timedelta(days=7))
    if submitted:
        commissions.commission_respond(actor=w["owner"], commission_id=commission.pk, accept=True)
        commissions.commission_submit(actor=w["owner"], commission_id=commission.pk, topic_id=w["topics"]["alpha"].pk)
    return commission


def _commission_invite(client, w):
    return _json(client, "post", "/api/v1/commissions",
                 {"writer": w["owner"].username, "theme": "新约稿", "reward": 50,
                  "due_at": (timezone.now() + datetime.timedelta(days=7)).date().isoformat()})


def _commission_respond(client, w):
    return _json(client, "post", f"/api/v1/commissions/{_commission(w).pk}/respond", {"accept": True})


def _commission_submit(client, w):
    from engagement.commissions import services as commissions

    commission = _commission(w)
    commissions.commission_respond(actor=w["owner"], commission_id=commission.pk, accept=True)
    return _json(client, "post", f"/api/v1/commissions/{commission.pk}/submit",
                 {"topic_id": w["topics"]["alpha"].pk})


def _commission_review(client, w):
    return _json(client, "post", f"/api/v1/commissions/{_commission(w, submitted=True).pk}/review", {"approve": True})


def _commission_cancel(client, w):
    return _json(client, "post", f"/api/v1/commissions/{_commission(w).pk}/cancel", {"reason": "取消"})


def _pm_conversation(w):
    """A conversation between the owner and the member persona only."""
    from messaging import services as pm

    return pm.conversation_start(actor=w["owner"], recipients=[w["people"]["member"].username], body="私信")


def _pm_case(path, body=None, method="post"):
    def request(client, w):
        conversation = _pm_conversation(w)
        return _json(client, method, path(w, conversation), body)
    return request


def _pm_start(client, w):
    return _json(client, "post", "/api/v1/conversations", {"recipients": [w["owner"].username], "body": "你好"})


def _pm_report(client, w):
    conversation = _pm_conversation(w)
    return _json(client, "post", f"/api/v1/messages/{conversation.messages.get(seq=1).pk}/report", {"reason": "spam"})


def _pm_resolve(client, w):
    from messaging import services as pm

    conversation = _pm_conversation(w)
    report = pm.message_report(actor=w["people"]["member"], message_id=conversation.messages.get(seq=1).pk,
                               reason="spam")
    return _json(client, "post", f"/api/v1/moderation/message-reports/{report.pk}/resolve",
                 {"action": "dismiss", "reason": "fine"})


def _image_upload(client, w):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, format="PNG")
    return client.post("/api/v1/images", {"image": SimpleUploadedFile("a.png", buf.getvalue(), "image/png")})


# (name, operation in the schema, request, personas allowed)

def _matrix_group(w, admission="application"):
    """A group none of the personas owns or deputises (staff manage every group), made once per world."""
    from tests.factories import make_group

    key = f"group_{admission}"
    if key not in w:
        w[key] = make_group(name=f"矩阵小组 {admission}", slug=f"matrix-{admission}", admission=admission,
                            questions=(), staff=w["people"]["staff"], owner=UserFactory())
        w[f"{key}_target"] = UserFactory()
        from forum.groups import services as group_services

        group_services.group_invite(actor=w["people"]["staff"], group=w[key], member=w[f"{key}_target"])
    return w[key]


def _group_decide(client, w):
    from forum.groups import services as group_services

    group = _matrix_group(w)
    application = group_services.application_create(actor=UserFactory(), group=group, answers=[])
    return _json(client, "post", f"/api/v1/groups/{group.slug}/applications/{application.pk}/decision",
                 {"decision": "approve", "reason": "ok"})


def _group_member_action(client, w):
    group = _matrix_group(w)
    return _json(client, "post", f"/api/v1/groups/{group.slug}/members/{w['group_application_target'].pk}/actions",
                 {"action": "mute", "reason": "刷屏", "until": "2099-01-01"})


CASES = [
    ("topic_create", "POST /api/v1/topics",
     _case("post", lambda w: "/api/v1/topics", {"category": "alpha", "title": "A brand new topic", "body": "text"}),
     MEMBERS),
    ("topic_create_3_links", "POST /api/v1/topics",
     _case("post", lambda w: "/api/v1/topics", {"category": "alpha", "title": "Links everywhere", "body": LINKS}),
     {"member", "staff"}),  # level privileges: catmod and editor are new (level 1) members here
    ("reply", "POST /api/v1/topics/{topic_id}/posts",
     _case("post", lambda w: f"/api/v1/topics/{w['topics']['alpha'].pk}/posts", {"body": "a reply"}), MEMBERS),
    ("edit_others_post_in", "PATCH /api/v1/posts/{post_id}",
     _case("patch", lambda w: f"/api/v1/posts/{w['replies']['alpha'].pk}", {"body": "edited"}), MODS_IN),
    ("edit_others_post_out", "PATCH /api/v1/posts/{post_id}",
     _case("patch", lambda w: f"/api/v1/posts/{w['replies']['beta'].pk}", {"body": "edited"}), MODS_GLOBAL),
    ("delete_others_post_in", "DELETE /api/v1/posts/{post_id}",
     _case("delete", lambda w: f"/api/v1/posts/{w['replies']['alpha'].pk}"), MODS_IN),
    ("delete_others_post_out", "DELETE /api/v1/posts/{post_id}",
     _case("delete", lambda w: f"/api/v1/posts/{w['replies']['beta'].pk}"), MODS_GLOBAL),
    ("vote", "POST /api/v1/posts/{post_id}/vote",
     _case("post", lambda w: f"/api/v1/posts/{w['replies']['alpha'].pk}/vote", {"value": 1}), MEMBERS),
    ("bookmark", "POST /api/v1/posts/{post_id}/bookmark",
     _case("post", lambda w: f"/api/v1/posts/{w['replies']['alpha'].pk}/bookmark"), MEMBERS),
    ("notifications_read", "POST /api/v1/notifications/read",
     _case("post", lambda w: "/api/v1/notifications/read", {"ids": []}), MEMBERS),
    ("report", "POST /api/v1/reports",
     _case("post", lambda w: "/api/v1/reports", lambda w: {"target": "topic", "id": w["topics"]["beta"].pk,
                                                          "reason": "spam"}), MEMBERS),
    ("queue_list", "GET /api/v1/moderation/queue",
     lambda client, w: client.get("/api/v1/moderation/queue"), {"catmod", "staff"}),
    ("claim_in", "POST /api/v1/moderation/queue/{item_id}/claim",
     _case("post", lambda w: f"/api/v1/moderation/queue/{w['items']['alpha'].pk}/claim"), MODS_IN),
    ("claim_out", "POST /api/v1/moderation/queue/{item_id}/claim",
     _case("post", lambda w: f"/api/v1/moderation/queue/{w['items']['beta'].pk}/claim"), MODS_GLOBAL),
    ("release_in", "POST /api/v1/moderation/queue/{item_id}/release", lambda client, w: _claim_then_release(client, w),
     MODS_IN),
    ("resolve_in", "POST /api/v1/moderation/queue/{item_id}/resolve",
     _case("post", lambda w: f"/api/v1/moderation/queue/{w['items']['alpha'].pk}/resolve",
           {"resolution": "dismissed"}), MODS_IN),
    ("resolve_out", "POST /api/v1/moderation/queue/{item_id}/resolve",
     _case("post", lambda w: f"/api/v1/moderation/queue/{w['items']['beta'].pk}/resolve",
           {"resolution": "dismissed"}), MODS_GLOBAL),
    ("lock_in", "POST /api/v1/moderation/topics/{topic_id}",
     _case("post", lambda w: f"/api/v1/moderation/topics/{w['topics']['alpha'].pk}", {"action": "lock"}), MODS_IN),
    ("lock_out", "POST /api/v1/moderation/topics/{topic_id}",
     _case("post", lambda w: f"/api/v1/moderation/topics/{w['topics']['beta'].pk}", {"action": "lock"}),
     MODS_GLOBAL),
    ("hide_post_in", "POST /api/v1/moderation/posts/{post_id}",
     _case("post", lambda w: f"/api/v1/moderation/posts/{w['replies']['alpha'].pk}", {"action": "hide"}), MODS_IN),
    ("hide_post_out", "POST /api/v1/moderation/posts/{post_id}",
     _case("post", lambda w: f"/api/v1/moderation/posts/{w['replies']['beta'].pk}", {"action": "hide"}),
     MODS_GLOBAL),
    ("ban", "POST /api/v1/moderation/members/{member_id}/sanctions",
     _case("post", lambda w: f"/api/v1/moderation/members/{w['owner'].pk}/sanctions",
           {"kind": "ban", "reason": "spam"}), MODS_GLOBAL),
    ("remove_posts", "POST /api/v1/moderation/members/{member_id}/remove-posts",
     _case("post", lambda w: f"/api/v1/moderation/members/{w['owner'].pk}/remove-posts", {"reason": "spam"}),
     MODS_GLOBAL),
    # images for posts and messages: every member (level 1 may post one image a post)
    ("image_upload", "POST /api/v1/images", _image_upload, MEMBERS),
    # engagement
    ("checkin", "POST /api/v1/checkin", _case("post", lambda w: "/api/v1/checkin"), MEMBERS),
    ("checkin_makeup", "POST /api/v1/checkin/makeup", _case("post", lambda w: "/api/v1/checkin/makeup"), MEMBERS),
    ("poll_vote", "POST /api/v1/polls/{poll_id}/vote",
     _case("post", lambda w: f"/api/v1/polls/{w['polls']['alpha'].pk}/vote",
           lambda w: {"option_ids": [w["polls"]["alpha"].options.order_by("position")[0].pk]}), MEMBERS),
    ("poll_close_in", "POST /api/v1/polls/{poll_id}/close",
     _case("post", lambda w: f"/api/v1/polls/{w['polls']['alpha'].pk}/close"), MODS_IN),
    ("poll_close_out", "POST /api/v1/polls/{poll_id}/close",
     _case("post", lambda w: f"/api/v1/polls/{w['polls']['beta'].pk}/close"), MODS_GLOBAL),
    ("lottery_enter", "POST /api/v1/lotteries/{lottery_id}/enter",
     _case("post", lambda w: f"/api/v1/lotteries/{w['lottery'].pk}/enter"), MEMBERS),
    # the points economy (issue 22): shop operators are staff; tips need level 2 (the owner's own post is refused)
    ("shop_redeem", "POST /api/v1/shop/items/{item_id}/redeem", _shop_redeem, MEMBERS),
    ("shop_fulfil", "POST /api/v1/shop/orders/{order_id}/fulfil", _shop_order_verb("fulfil"), MODS_GLOBAL),
    ("shop_ship", "POST /api/v1/shop/orders/{order_id}/ship", _shop_order_verb("ship", {"tracking_note": "SF1"}),
     MODS_GLOBAL),
    ("shop_cancel", "POST /api/v1/shop/orders/{order_id}/cancel", _shop_order_verb("cancel", {"reason": "test"}),
     MODS_GLOBAL),
    ("tip", "POST /api/v1/tips/posts/{post_id}", _tip, {"member"}),
    # bounties: only the asker accepts; moderators of the topic's category resolve
    ("bounty_accept", "POST /api/v1/bounties/topics/{topic_id}/accept", _bounty_accept, {"member"}),
    ("bounty_resolve", "POST /api/v1/bounties/{bounty_id}/resolve", _bounty_resolve, MODS_IN),
    # commissions: editors (and staff) invite, review and withdraw; only the invited writer (none of the
    # personas: the owner writes) responds and hands in
    ("commission_invite", "POST /api/v1/commissions", _commission_invite, {"editor", "staff"}),
    ("commission_respond", "POST /api/v1/commissions/{commission_id}/respond", _commission_respond, set()),
    ("commission_submit", "POST /api/v1/commissions/{commission_id}/submit", _commission_submit, set()),
    ("commission_review", "POST /api/v1/commissions/{commission_id}/review", _commission_review, {"editor", "staff"}),
    ("commission_cancel", "POST /api/v1/commissions/{commission_id}/cancel", _commission_cancel, {"editor", "staff"}),
    # private messages: starting needs level 2 (global moderators and staff none); only participants write, read
    # and report; only global moderators resolve reports
    ("pm_start", "POST /api/v1/conversations", _pm_start, {"member", "staff"}),
    ("pm_send", "POST /api/v1/conversations/{conversation_id}/messages",
     _pm_case(lambda w, c: f"/api/v1/conversations/{c.pk}/messages", {"body": "回复"}), {"member"}),
    ("pm_read", "POST /api/v1/conversations/{conversation_id}/read",
     _pm_case(lambda w, c: f"/api/v1/conversations/{c.pk}/read", {}), {"member"}),
    ("pm_leave", "POST /api/v1/conversations/{conversation_id}/leave",
     _pm_case(lambda w, c: f"/api/v1/conversations/{c.pk}/leave"), {"member"}),
    ("pm_report", "POST /api/v1/messages/{message_id}/report", _pm_report, {"member"}),
    ("pm_block", "POST /api/v1/members/{member_id}/block",
     _case("post", lambda w: f"/api/v1/members/{w['owner'].pk}/block", {"kind": "block"}), MEMBERS),
    ("pm_unblock", "DELETE /api/v1/members/{member_id}/block",
     _case("delete", lambda w: f"/api/v1/members/{w['owner'].pk}/block"), MEMBERS),
    ("pm_resolve", "POST /api/v1/moderation/message-reports/{report_id}/resolve", _pm_resolve, MODS_GLOBAL),
    # following: every signed-in member follows and unfollows members, categories they may read and tags
    ("follow_member", "POST /api/v1/members/{member_id}/follow",
     _case("post", lambda w: f"/api/v1/members/{w['owner'].pk}/follow"), MEMBERS),
    ("unfollow_member", "DELETE /api/v1/members/{member_id}/follow",
     _case("delete", lambda w: f"/api/v1/members/{w['owner'].pk}/follow"), MEMBERS),
    ("follow_category", "POST /api/v1/categories/{category_id}/follow",
     _case("post", lambda w: f"/api/v1/categories/{w['topics']['alpha'].category_id}/follow"), MEMBERS),
    ("unfollow_category", "DELETE /api/v1/categories/{category_id}/follow",
     _case("delete", lambda w: f"/api/v1/categories/{w['topics']['alpha'].category_id}/follow"), MEMBERS),
    ("follow_tag", "POST /api/v1/tags/{tag_id}/follow", _case("post", lambda w: f"/api/v1/tags/{_tag().pk}/follow"),
     MEMBERS),
    ("unfollow_tag", "DELETE /api/v1/tags/{tag_id}/follow",
     _case("delete", lambda w: f"/api/v1/tags/{_tag().pk}/follow"), MEMBERS),
    # member groups: any member joins an open group or applies; only the group's owners and deputies (and
    # staff) decide and act on its members: category moderators and editors have no power there
    ("group_join", "POST /api/v1/groups/{slug}/join",
     lambda c, w: _json(c, "post", f"/api/v1/groups/{_matrix_group(w, 'open').slug}/join"), MEMBERS),
    ("group_apply", "POST /api/v1/groups/{slug}/applications",
     lambda c, w: _json(c, "post", f"/api/v1/groups/{_matrix_group(w).slug}/applications", {"answers": []}),
     MEMBERS),
    ("group_decide", "POST /api/v1/groups/{slug}/applications/{application_id}/decision", _group_decide,
     MODS_GLOBAL),
    ("group_member_action", "POST /api/v1/groups/{slug}/members/{member_id}/actions", _group_member_action,
     MODS_GLOBAL),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name,operation,request_fn,allowed", CASES, ids=[c[0] for c in CASES])
def test_permission_matrix(client, world, persona, name, operation, request_fn, allowed):
    user = world["people"][persona]
    if user is not None:
        client.force_login(user)
    open_items = ModerationItem.objects.filter(status="open").count()
    response = request_fn(client, world)
    if persona in allowed:
        assert 200 <= response.status_code < 300, (name, persona, response.status_code, response.content[:300])
    else:
        expected = 401 if persona == "anonymous" else 403
        assert response.status_code == expected, (name, persona, response.status_code, response.content[:300])
        assert ModerationItem.objects.filter(status="open").count() == open_items


def test_every_write_operation_is_in_the_matrix():
    schema = api.get_openapi_schema()
    covered = {c[1] for c in CASES}
    writes = set()
    for path, methods in schema["paths"].items():
        for method in methods:
            if method != "get" or "moderation" in path:
                writes.add(f"{method.upper()} {path}")
    assert writes - covered == set()


# --- the WebSocket action: typing in a locked topic (only those who may still reply) ---------------
TYPING_ALLOWED = {"alpha": {"catmod", "staff"}, "beta": {"staff"}}


@pytest.mark.parametrize("where", ["alpha", "beta"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_websocket_typing_matrix(world, settings, monkeypatch, persona, where):
    import channels.db

    from forum.moderation import lock
    from tests.realtime.conftest import communicator, nothing_more, receive, run, session_cookie

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    topic = world["topics"][where]
    lock.topic_lock(actor=world["people"]["staff"], topic=topic, locked=True)
    cookie = session_cookie(world["people"][persona])

    allowed = persona in TYPING_ALLOWED[where]

    async def scenario():
        comm = communicator(f"/ws/topic/{topic.pk}/", cookie)
        assert (await comm.connect())[0]
        await receive(comm)  # hello
        await comm.send_json_to({"type": "typing"})
        # allowed: the typist hears nothing back (the notice goes to the others); refused: an error
        result = await nothing_more(comm) if allowed else await receive(comm)
        await comm.disconnect()
        return result

    result = run(scenario)
    if allowed:
        assert result is True
    else:
        assert result["type"] == "error"
        assert result["error"] == ("login_required" if persona == "anonymous" else "not_allowed")
