"""Groups: admission (open, application, invitation), the review screen, roles with powers scoped to the
group, the deputy handbook gate, and kicking an advertiser."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditLog
from forum import services
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.groups import services as group_services
from forum.groups.models import Application, Membership
from forum.models import CategoryModerator, Notification, Post
from forum.moderation import registry
from forum.moderation.models import ModerationItem
from tests.factories import CategoryFactory, TopicFactory, UserFactory, add_member, make_group

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def g():
    w = type("W", (), {})()
    w.staff = UserFactory(is_staff=True, username="staffer")
    w.owner = UserFactory(username="owner")
    w.main = make_group(name="主群", slug="main", visibility="members", owner=w.owner, staff=w.staff)
    w.sub = make_group(name="新人小组", slug="sub", visibility="members", parent=w.main, owner=w.owner,
                       staff=w.staff, questions=("你做过什么运营项目？", "每周能投入多少时间？"))
    w.deputy = add_member(w.sub, UserFactory(username="deputy"), role="deputy")
    w.member = add_member(w.sub, UserFactory(username="member"))
    w.applicant = UserFactory(username="applicant")
    w.application = group_services.application_create(actor=w.applicant, group=w.sub,
                                                      answers=["做过社群", "每周五小时"])
    w.outsider = UserFactory(username="outsider")
    return w


# --- admission ---------------------------------------------------------------------------------
def test_open_group_join_and_leave():
    group = make_group(name="公开小组", slug="open", admission="open")
    member = UserFactory()
    group_services.group_join(actor=member, group=group)
    assert Membership.objects.filter(group=group, member=member).exists()
    with pytest.raises(Conflict):
        group_services.group_join(actor=member, group=group)
    group_services.group_leave(actor=member, group=group)
    assert not member.groups.filter(pk=group.members_group_id).exists()


def test_application_group_refuses_join_and_needs_every_answer(g):
    with pytest.raises(NotAllowed):
        group_services.group_join(actor=g.outsider, group=g.sub)
    with pytest.raises(InvalidInput) as err:
        group_services.application_create(actor=g.outsider, group=g.sub, answers=["只答一个"])
    assert err.value.field == "answer_1"
    with pytest.raises(Conflict):
        group_services.application_create(actor=g.applicant, group=g.sub, answers=["再来", "一次"])


def test_pending_applications_per_member_are_limited(g, settings):
    settings.HUOLI = {**settings.HUOLI, "GROUP_PENDING_APPLICATIONS_MAX": 2}
    other = make_group(name="第二组", slug="second", questions=(), staff=g.staff)
    third = make_group(name="第三组", slug="third", questions=(), staff=g.staff)
    group_services.application_create(actor=g.applicant, group=other, answers=[])
    with pytest.raises(Conflict) as err:
        group_services.application_create(actor=g.applicant, group=third, answers=[])
    assert err.value.code == "too_many_pending"


def test_approve_with_reason_the_applicant_sees(g):
    group_services.application_decide(actor=g.deputy, application=g.application, approve=True, reason="作品扎实")
    assert Membership.objects.filter(group=g.sub, member=g.applicant, via="application").exists()
    note = Notification.objects.get(recipient=g.applicant)
    assert "作品扎实" in note.message and note.url == g.sub.get_absolute_url()
    entry = AuditLog.objects.get(action="moderation.group_application_approve")
    assert entry.actor == g.deputy and entry.subject == g.applicant and entry.scope_id == g.sub.category_id
    with pytest.raises(Conflict):
        group_services.application_decide(actor=g.owner, application=g.application, approve=False, reason="晚了")


def test_reject_needs_a_reason_and_tells_it(g):
    with pytest.raises(InvalidInput):
        group_services.application_decide(actor=g.deputy, application=g.application, approve=False, reason="")
    group_services.application_decide(actor=g.deputy, application=g.application, approve=False,
                                      reason="请先在论坛多发几篇干货")
    assert "请先在论坛多发几篇干货" in Notification.objects.get(recipient=g.applicant).message
    page = _client(g.applicant).get(g.sub.get_absolute_url()).content.decode()
    assert "请先在论坛多发几篇干货" in page


def test_review_screen_shows_the_applicants_content(g):
    moderator = UserFactory(is_staff=True)
    open_cat = CategoryFactory()
    t = TopicFactory.create(author=g.applicant, category=open_cat, title="我的私域增长实践")
    services.topic_feature(actor=moderator, topic=t, featured=True)
    services.post_feature(actor=moderator, post=t.posts.get(number=1), featured=True)
    from forum.moderation import bans, reports

    reports.report_create(actor=g.member, target=g.applicant, reason="spam", message="疑似广告号")
    bans.member_sanction(actor=moderator, member=g.applicant, kind="silence", reason="刷屏",
                         until=timezone.now() + datetime.timedelta(days=1))
    page = _client(g.deputy).get(g.application.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("做过社群", "每周五小时", "我的私域增长实践", "疑似广告号", "刷屏"):
        assert text in html
    # approve from the page, then the next pending application or the list
    response = _client(g.deputy).post(g.application.get_absolute_url(), {"decision": "approve", "reason": "欢迎"})
    assert response.status_code == 302
    assert Membership.objects.filter(group=g.sub, member=g.applicant).exists()


def test_bad_review_input_is_a_clear_400(g):
    response = _client(g.deputy).post(g.application.get_absolute_url(), {"decision": "maybe"})
    assert response.status_code == 400
    response = _client(g.deputy).post(g.application.get_absolute_url(), {"decision": "reject", "reason": ""})
    assert response.status_code == 400 and "请给出理由" in response.content.decode() or response.status_code == 400
    assert Application.objects.get(pk=g.application.pk).status == "pending"


def test_staff_invite_directly(g):
    kol = UserFactory()
    group_services.group_invite(actor=g.staff, group=g.main, member=kol, reason="KOL 候选")
    assert Membership.objects.get(group=g.main, member=kol).via == "invitation"
    with pytest.raises(NotAllowed):
        group_services.group_invite(actor=g.deputy, group=g.sub, member=UserFactory())


def test_apply_page_keeps_answers_on_error(g):
    c = _client(g.outsider)
    response = c.post(f"/groups/{g.sub.slug}/apply/", {"answer_0": "我的回答", "answer_1": ""})
    assert response.status_code == 400 and "我的回答" in response.content.decode()
    response = c.post(f"/groups/{g.sub.slug}/apply/", {"answer_0": "我的回答", "answer_1": "十小时"})
    assert response.status_code == 302 and Application.objects.filter(applicant=g.outsider).exists()


# --- roles -------------------------------------------------------------------------------------
def test_deputy_moderates_inside_the_group_only(g):
    inside = TopicFactory.create(author=g.member, category=g.sub.category, title="组内的一个话题")
    outside = TopicFactory.create(author=g.member, category=CategoryFactory(), title="组外的一个话题")
    registry.run("topic", "lock", actor=g.deputy, obj=inside, data={"reason": "讨论结束"})
    registry.run("topic", "pin", actor=g.deputy, obj=inside)
    registry.run("topic", "hide", actor=g.deputy, obj=inside)
    inside.refresh_from_db()
    assert inside.is_locked and inside.is_pinned and inside.is_hidden
    for verb in ("lock", "pin", "hide"):
        with pytest.raises(NotAllowed):
            registry.run("topic", verb, actor=g.deputy, obj=outside)
    # nor in the main group, whose deputy they are not
    main_topic = TopicFactory.create(author=g.owner, category=g.main.category, title="主群的话题")
    with pytest.raises(NotAllowed):
        registry.run("topic", "lock", actor=g.deputy, obj=main_topic)
    with pytest.raises(NotAllowed):  # a global pin is site moderation
        registry.run("topic", "pin", actor=g.deputy, obj=inside, data={"scope": "global"})


def test_handbook_gate(g):
    fresh = add_member(g.sub, UserFactory(username="fresh"), role="deputy", acknowledged=False)
    topic = TopicFactory.create(author=g.member, category=g.sub.category, title="待锁定的话题")
    with pytest.raises(NotAllowed) as err:
        group_services.application_decide(actor=fresh, application=g.application, approve=True)
    assert err.value.code == "handbook_required"
    with pytest.raises(NotAllowed):
        registry.run("topic", "lock", actor=fresh, obj=topic)
    assert _client(fresh).get(f"/groups/{g.sub.slug}/members/").status_code == 403
    # the page refuses without the box ticked
    assert _client(fresh).post(f"/groups/{g.sub.slug}/handbook/", {}).status_code == 400
    assert _client(fresh).post(f"/groups/{g.sub.slug}/handbook/", {"confirm": "yes"}).status_code == 302
    fresh.refresh_from_db()
    registry.run("topic", "lock", actor=fresh, obj=topic)
    assert CategoryModerator.objects.filter(member=fresh, category=g.sub.category, is_active=True).exists()
    assert AuditLog.objects.filter(action="moderation.group_handbook_acknowledge", actor=fresh).exists()


def test_suspended_and_removed_deputies_lose_their_powers(g):
    topic = TopicFactory.create(author=g.member, category=g.sub.category, title="又一个话题")
    with pytest.raises(InvalidInput):
        group_services.deputy_set_status(actor=g.owner, group=g.sub, member=g.deputy, status="suspend", reason="")
    group_services.deputy_set_status(actor=g.owner, group=g.sub, member=g.deputy, status="suspend",
                                     reason="连续两周没有审核")
    g.deputy.refresh_from_db()
    with pytest.raises(NotAllowed):
        registry.run("topic", "lock", actor=g.deputy, obj=topic)
    assert "连续两周没有审核" in Notification.objects.filter(recipient=g.deputy).first().message
    group_services.deputy_set_status(actor=g.owner, group=g.sub, member=g.deputy, status="restore", reason="回来了")
    g.deputy.refresh_from_db()
    registry.run("topic", "lock", actor=g.deputy, obj=topic)
    group_services.deputy_set_status(actor=g.owner, group=g.sub, member=g.deputy, status="remove", reason="卸任")
    g.deputy.refresh_from_db()
    assert Membership.objects.get(group=g.sub, member=g.deputy).role == "member"
    assert not g.deputy.moderates_categories


def test_mute_stops_posting_in_the_group_only(g):
    topic = TopicFactory.create(author=g.owner, category=g.sub.category, title="可回复的话题")
    with pytest.raises(InvalidInput):
        group_services.member_mute(actor=g.deputy, group=g.sub, member=g.member, until="", reason="刷屏")
    with pytest.raises(InvalidInput):  # well-formed but impossible: a clear 400, not a 500
        group_services.member_mute(actor=g.deputy, group=g.sub, member=g.member, until="2030-02-30", reason="刷屏")
    group_services.member_mute(actor=g.deputy, group=g.sub, member=g.member,
                               until=timezone.now() + datetime.timedelta(days=3), reason="刷屏")
    with pytest.raises(NotAllowed) as err:
        services.post_create(actor=g.member, topic=topic, body="还想说")
    assert err.value.code == "group_muted"
    services.post_create(actor=g.member, topic=TopicFactory.create(category=CategoryFactory()), body="别处可以说")
    group_services.member_unmute(actor=g.deputy, group=g.sub, member=g.member)
    services.post_create(actor=g.member, topic=topic, body="又能说了")


def test_kick_an_advertiser_in_one_action(g):
    spammer = add_member(g.sub, UserFactory(username="spammer"))
    t = TopicFactory.create(author=spammer, category=g.sub.category, title="加微信领资料", body="加我微信 abc")
    services.post_create(actor=spammer, topic=t, body="再加一次微信")
    elsewhere = TopicFactory.create(author=spammer, category=CategoryFactory(), title="组外的帖子")
    response = _client(g.deputy).post(f"/groups/{g.sub.slug}/members/", {"action": "kick", "username": "spammer",
                                                                        "reason": "发广告"})
    assert response.status_code == 302
    assert not Membership.objects.filter(group=g.sub, member=spammer).exists()
    assert not Post.objects.filter(author=spammer, topic__category=g.sub.category, is_hidden=False).exists()
    assert Post.objects.filter(topic=elsewhere, is_hidden=False).exists()  # nothing outside the group
    assert ModerationItem.objects.filter(member=spammer, status="open", reports__reason="spam").exists()
    assert AuditLog.objects.filter(action="moderation.group_kick_advertiser", subject=spammer).count() == 1
    assert AuditLog.objects.filter(action="moderation.post_hide", actor=g.deputy).count() == 2


def test_deputy_cannot_act_on_owners_or_other_deputies(g):
    other = add_member(g.sub, UserFactory(), role="deputy")
    with pytest.raises(NotAllowed):
        group_services.member_remove(actor=g.deputy, group=g.sub, member=other, reason="不喜欢")
    with pytest.raises(NotAllowed):
        group_services.member_remove(actor=g.deputy, group=g.sub, member=g.owner, reason="不喜欢")
    with pytest.raises(NotAllowed):
        group_services.deputy_appoint(actor=g.deputy, group=g.sub, member=g.member)


def test_composer_posts_into_the_group(g):
    response = _client(g.member).post(f"/groups/{g.sub.slug}/new/", {"title": "我的第一篇组内分享", "body": "内容"})
    assert response.status_code == 302
    assert g.sub.category.topics.filter(title="我的第一篇组内分享").exists()
    assert _client(g.outsider).post(f"/groups/{g.sub.slug}/new/", {"title": "外人来发帖试试", "body": "x"}).status_code == 403
    assert _client(g.member).post(f"/groups/{g.sub.slug}/new/", {"title": "", "body": ""}).status_code == 400


# --- group health on the operator's console ------------------------------------------------------
def test_group_health_overview_for_the_console(g, django_assert_num_queries):
    from forum.groups import selectors as group_selectors

    now = timezone.now()
    topic = TopicFactory.create(author=g.member, category=g.sub.category)
    services.post_create(actor=g.deputy, topic=topic, body="本周的回复")
    old = services.post_create(actor=g.member, topic=topic, body="两周前的回复")
    Post.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=10))
    Application.objects.filter(pk=g.application.pk).update(created_at=now - datetime.timedelta(hours=5))
    group_services.application_decide(actor=g.deputy, application=g.application, approve=True, reason="好")
    waiting = UserFactory()
    group_services.application_create(actor=waiting, group=g.sub, answers=["一", "二"])
    with django_assert_num_queries(4):
        rows = group_selectors.health_overview(now=now + datetime.timedelta(minutes=1))
    assert [r["group"].slug for r in rows] == ["main", "sub"]  # the main group, then its sub-group
    sub = rows[1]
    assert sub["is_sub"] and sub["active_week"] == 2  # the opener and the deputy posted this week
    assert sub["posts_per_week"] == [0, 0, 1, 2]  # oldest week first: one post 10 days ago, two this week
    assert (sub["approved_30d"], sub["rejected_30d"], sub["pending"]) == (1, 0, 1)
    assert sub["median_review_hours"] == 5.0
    assert rows[0]["posts_per_week"] == [0, 0, 0, 0] and rows[0]["median_review_hours"] is None

    operator = UserFactory(is_staff=True)
    page = _client(operator).get("/console/").content.decode()
    assert 'id="groups"' in page and "新人小组" in page
    csv = _client(operator).get("/console/export.csv").content.decode("utf-8-sig")
    assert "新人小组" in csv and "0 / 0 / 1 / 2" in csv


def test_staff_invite_from_the_kol_page(g):
    """The KOL candidate's page offers the groups the viewer may invite into; the invite admits the
    member, tells them, and comes back to the page with a message."""
    kol_page = f"/kol/u/{g.outsider.username}/"
    staff = _client(g.staff)
    page = staff.get(kol_page).content.decode()
    assert 'action="/group-invite/"' in page and 'value="sub"' in page and 'value="main"' in page
    response = staff.post("/group-invite/", {"group": "sub", "username": g.outsider.username, "reason": "KOL",
                                             "next": kol_page}, follow=True)
    assert response.redirect_chain[-1][0] == kol_page
    assert Membership.objects.filter(group=g.sub, member=g.outsider, via="invitation").exists()
    assert "新人小组" in response.content.decode()
    assert Notification.objects.filter(recipient=g.outsider).exists()
    again = staff.post("/group-invite/", {"group": "sub", "username": g.outsider.username})
    assert again.status_code == 409
    plain = _client(g.member).post("/group-invite/", {"group": "sub", "username": g.applicant.username})
    assert plain.status_code == 403 and not Membership.objects.filter(group=g.sub, member=g.applicant).exists()
    assert staff.post("/group-invite/", {"group": "sub", "username": "nobody"}).status_code == 400
