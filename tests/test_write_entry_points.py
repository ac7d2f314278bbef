"""Every write entry point, enumerated, and the audit trail of each staff action through it.

The lists are read from the running site, not written by hand: the URL conf (every named pattern of the
project's apps), the OpenAPI schema (every POST, PUT, PATCH and DELETE operation), the Django admin (every
action of every registered model) and the management commands of the project's apps. Each must appear in
ENTRY_POINTS below, so a new one cannot be added without saying what it is:

- READ: shows or exports, writes nothing;
- MEMBER: a member's own write (post, vote, bookmark, check in, redeem...), which the audit log does not hold;
- SYSTEM: a command that computes, indexes or seeds, run by an operator on the server, not an action on
  someone's content;
- a scenario: a moderator or editor action. The test runs it as a member who may not (it must change nothing
  and leave no audit entry) and then as staff (it must change the object and leave exactly one entry).
"""

import datetime
import json
import uuid
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.core.management import get_commands
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from audit import labels as audit_labels
from audit.models import AuditLog
from config.api import api
from engagement.badges.models import Badge, MemberBadge
from engagement.events import services as event_services
from engagement.events.models import Event
from engagement.kol.models import KolDecision
from engagement.levels.models import MemberLevel
from engagement.lifecycle.models import RecallCampaign, RecallTemplate
from engagement.lotteries import services as lottery_services
from engagement.lotteries.models import Lottery
from engagement.points.models import PointsEntry
from engagement.points.selectors import account_get
from engagement.polls import services as poll_services
from engagement.polls.models import Poll
from engagement.shop import services as shop_services
from engagement.shop.models import ShopItem, ShopOrder
from forum import services
from forum.models import Post, Topic
from forum.moderation import reports
from forum.moderation.models import CategoryModerator, MemberSanction, ModerationItem
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("forum", "engagement", "cms", "search", "realtime", "audit", "config", "messaging", "mailings")
READ, MEMBER, SYSTEM = "read", "member", "system"


@dataclass
class Case:
    path: str
    data: dict = field(default_factory=dict)
    changed: object = None  # () -> bool: has the action taken effect?
    method: str = "post"
    json: bool = False
    refused_as: str = "member"  # the persona who may not


def _later(days=1, hours=0):
    return timezone.now() + datetime.timedelta(days=days, hours=hours)


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def w(db):
    """A small community with one of everything a staff action can act on."""
    staff = UserFactory(is_staff=True, is_superuser=True, username="staff")
    member = UserFactory(username="member")
    author = UserFactory(username="author")
    for person in (member, author):
        MemberLevel.objects.create(member=person, level_number=4)
    category = CategoryFactory(slug="general")
    CategoryFactory(slug="other")
    topic = TopicFactory.create(author=author, category=category, title="运营活动怎么做")
    reply = services.post_create(actor=author, topic=topic, body="a reply by the author")
    reports.report_create(actor=member, target=reply, reason="spam", message="广告")
    poll = poll_services.poll_create(actor=staff, topic=topic, question="选哪个?", options=["甲", "乙"])
    lottery = lottery_services.lottery_create(actor=staff, title="抽奖", prize="红包", winners_count=1,
                                              opens_at=timezone.now() - datetime.timedelta(hours=2),
                                              closes_at=_later())
    event = event_services.event_create(actor=staff, title="十二月活动", description="", starts_at=_later(1),
                                        ends_at=_later(3))
    item = ShopItem.objects.create(slug="mug", name="杯子", kind=ShopItem.Kind.PHYSICAL, price=10, stock=5)
    from engagement.points import services as points_services

    points_services.points_adjust(actor=staff, member=member, amount=100, reason="seed")
    order = shop_services.shop_redeem(actor=member, item_id=item.pk, request_key=uuid.uuid4().hex, recipient="张三",
                                      phone="13800000000", address="北京市朝阳区建国路1号")
    template = RecallTemplate.objects.first() or RecallTemplate.objects.create(
        name="回来看看", subject="{name}, 好久不见", body="{name}, 社区想你了")
    return {"staff": staff, "member": member, "author": author, "category": category, "topic": topic,
            "reply": reply, "poll": poll, "lottery": lottery, "event": event, "order": order,
            "template": template, "item": ModerationItem.objects.get(post=reply)}


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- the staff actions, one scenario each ------------------------------------------------------------------
def _topic_moderate(w):
    return Case(f"/t/{w['topic'].pk}/moderate/", {"action": "lock"}, lambda: _fresh(w["topic"]).is_locked)


def _post_delete(w):
    return Case(f"/p/{w['reply'].pk}/delete/", {"reason": "off topic"}, lambda: _fresh(w["reply"]).is_deleted)


def _mod_topic(w):
    return Case(f"/mod/t/{w['topic'].pk}/", {"action": "pin", "reason": "置顶", "scope": "category"},
                lambda: _fresh(w["topic"]).is_pinned)


def _mod_post(w):
    return Case(f"/mod/p/{w['reply'].pk}/", {"action": "hide", "reason": "spam"}, lambda: _fresh(w["reply"]).is_hidden)


def _mod_member(w):
    return Case(f"/mod/u/{w['author'].username}/", {"action": "sanction", "kind": "silence", "reason": "flood",
                                                    "until": ""},
                lambda: MemberSanction.objects.filter(member=w["author"]).exists())


def _mod_moderators(w):
    return Case("/mod/moderators/", {"action": "appoint", "username": "author", "category": "general",
                                     "reason": "helpful"},
                lambda: CategoryModerator.objects.filter(member=w["author"]).exists())


def _mod_item_action(w):
    return Case(f"/mod/items/{w['item'].pk}/resolve/", {"resolution": "dismissed", "action": "none", "note": "ok"},
                lambda: _fresh(w["item"]).status != ModerationItem.Status.OPEN)


def _points_adjust(w):
    return Case("/u/author/points/adjust/", {"amount": "15", "reason": "good work", "key": uuid.uuid4().hex},
                lambda: account_get(member=w["author"]).balance >= 15)


def _badge_grant(w):
    return Case("/u/author/badges/grant/", {"badge": "kol", "reason": "好文章"},
                lambda: MemberBadge.objects.filter(member=w["author"], badge__slug="kol",
                                                   revoked_at__isnull=True).exists())


def _badge_revoke(w):
    from engagement.badges import services as badge_services

    badge_services.badge_grant(actor=w["staff"], member=w["author"], badge=Badge.objects.get(slug="kol"),
                               reason="seed")
    return Case("/u/author/badges/revoke/", {"badge": "kol", "reason": "mistake"},
                lambda: MemberBadge.objects.filter(member=w["author"], badge__slug="kol",
                                                   revoked_at__isnull=False).exists())


def _poll_close(w):
    return Case(f"/polls/{w['poll'].pk}/close/", {}, lambda: _fresh(w["poll"]).closed_at is not None)


def _lottery_new(w):
    return Case("/lotteries/new/", {"title": "新年抽奖", "prize": "红包", "winners_count": "2",
                                    "opens_at": _local(_later(1)), "closes_at": _local(_later(2)), "salt_source": ""},
                lambda: Lottery.objects.filter(title="新年抽奖").exists())


def _lottery_draw(w):
    Lottery.objects.filter(pk=w["lottery"].pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=5))
    return Case(f"/lotteries/{w['lottery'].pk}/draw/", {"public_salt": ""},
                lambda: _fresh(w["lottery"]).state == Lottery.State.DRAWN)


def _lottery_cancel(w):
    return Case(f"/lotteries/{w['lottery'].pk}/cancel/", {"reason": "prize withdrawn"},
                lambda: _fresh(w["lottery"]).state == Lottery.State.CANCELLED)


def _lottery_edit(w):
    lottery = w["lottery"]
    return Case(f"/lotteries/{lottery.pk}/edit/", {"title": "改名的抽奖", "prize": "红包", "winners_count": "1",
                                                   "opens_at": _local(lottery.opens_at),
                                                   "closes_at": _local(lottery.closes_at), "salt_source": "",
                                                   "reason": "typo"},
                lambda: _fresh(lottery).title == "改名的抽奖")


def _event_new(w):
    return Case("/events/new/", {"title": "新活动", "starts_at": _local(_later(5)), "ends_at": _local(_later(6))},
                lambda: Event.objects.filter(title="新活动").exists())


def _event_edit(w):
    event = w["event"]
    return Case(f"/events/{event.pk}/edit/", {"title": "改名的活动", "starts_at": _local(event.starts_at),
                                              "ends_at": _local(event.ends_at), "reason": "rename"},
                lambda: _fresh(event).title == "改名的活动")


def _event_cancel(w):
    return Case(f"/events/{w['event'].pk}/cancel/", {"reason": "weather"},
                lambda: _fresh(w["event"]).cancelled_at is not None)


def _event_poll_new(w):
    return Case(f"/events/{w['event'].pk}/polls/new/", {"question": "活动投票", "options": "A\nB", "max_choices": "1",
                                                        "results_visibility": "always"},
                lambda: Poll.objects.filter(question="活动投票").exists())


def _event_lottery_new(w):
    return Case(f"/events/{w['event'].pk}/lotteries/new/", {
        "title": "活动抽奖", "prize": "礼包", "winners_count": "1", "opens_at": _local(_later(1)),
        "closes_at": _local(_later(2)), "salt_source": ""}, lambda: Lottery.objects.filter(title="活动抽奖").exists())


def _kol_decide(w):
    return Case("/kol/u/author/decide/", {"action": "accept", "reason": "great writer"},
                lambda: KolDecision.objects.filter(member=w["author"]).exists())


def _recall(w):
    from engagement.lifecycle.models import MemberStage, Stage

    today = timezone.localdate()
    MemberStage.objects.create(member=w["author"], stage=Stage.AT_RISK, since=today, classified_on=today)
    return Case("/lifecycle/recall/", {"name": "Spring", "template": w["template"].pk, "stage": str(Stage.AT_RISK),
                                       "bonus_points": "0"},
                lambda: RecallCampaign.objects.filter(name="Spring").exists())


def _template_new(w):
    return Case("/lifecycle/templates/new/", {"name": "新模板", "subject": "{name}, 你好", "body": "{name}, 回来看看"},
                lambda: RecallTemplate.objects.filter(name="新模板").exists())


def _template_edit(w):
    return Case(f"/lifecycle/templates/{w['template'].pk}/", {"name": "改过的模板", "subject": "{name}, 你好",
                                                             "body": "{name}, 回来看看"},
                lambda: _fresh(w["template"]).name == "改过的模板")


def _order_action(w):
    return Case(f"/shop/manage/orders/{w['order'].pk}/fulfil/", {},
                lambda: _fresh(w["order"]).status != ShopOrder.Status.PLACED)


def _feature_topic(w):
    return Case(f"/featured/t/{w['topic'].pk}/", {"action": "feature", "note": "好文"},
                lambda: _fresh(w["topic"]).is_featured)


def _feature_post(w):
    return Case(f"/featured/p/{w['reply'].pk}/", {"action": "feature", "note": "好回复"},
                lambda: _fresh(w["reply"]).is_featured)


def _featured_admin(w):
    return Case("/cms/featured/", {"target": str(w["topic"].pk), "note": "编辑推荐"},
                lambda: _fresh(w["topic"]).is_featured, refused_as="member")


def _digest_admin(w):
    from cms.models import DigestPage

    return Case("/cms/digest/", {}, lambda: DigestPage.objects.exists(), refused_as="member")


def _bounty(w):
    from engagement.bounties import services as bounty_services
    from engagement.bounties.models import Bounty
    from engagement.points import services as points_services

    existing = Bounty.objects.filter(topic=w["topic"]).first()
    if existing is not None:  # the guest test builds every scenario in one world
        return existing
    points_services.points_adjust(actor=w["staff"], member=w["author"], amount=50, reason="seed")
    return bounty_services.bounty_offer(actor=w["author"], topic=w["topic"], amount=20)


def _bounty_resolved(bounty):
    return lambda: not _fresh(bounty).is_open


def _bounty_resolve(w):
    bounty = _bounty(w)
    return Case(f"/bounties/{bounty.pk}/resolve/", {"post": "", "reason": "abandoned"}, _bounty_resolved(bounty))


def _commission(w, *, submitted=False):
    from engagement.commissions import services as commissions

    writer = UserFactory()
    commission = commissions.commission_invite(actor=w["staff"], writer=writer, theme="约稿：社区新人指南",
                                               reward=100, due_at=_later(7))
    if submitted:
        commissions.commission_respond(actor=writer, commission_id=commission.pk, accept=True)
        topic = TopicFactory.create(author=writer, category=w["category"], title="约稿交稿：新人指南")
        commissions.commission_submit(actor=writer, commission_id=commission.pk, topic_id=topic.pk)
    return commission


def _commission_is(commission, status):
    return lambda: _fresh(commission).status == status


def _commission_invite(w):
    from engagement.commissions.models import Commission

    return Case("/commissions/new/", {"writer": "author", "theme": "写一篇新人指南", "reward": "100",
                                      "due_at": _later(7).date().isoformat()},
                lambda: Commission.objects.filter(theme="写一篇新人指南").exists())


def _commission_review(w):
    commission = _commission(w, submitted=True)
    return Case(f"/commissions/{commission.pk}/review/", {"approve": "1"}, _commission_is(commission, "paid"))


def _commission_cancel(w):
    commission = _commission(w)
    return Case(f"/commissions/{commission.pk}/cancel/", {"reason": "选题取消"}, _commission_is(commission, "cancelled"))


def _api_commission_invite(w):
    from engagement.commissions.models import Commission

    return _api("/api/v1/commissions", {"writer": "author", "theme": "API 约稿", "reward": 100,
                                        "due_at": _later(7).date().isoformat()},
                lambda: Commission.objects.filter(theme="API 约稿").exists())


def _api_commission_review(w):
    commission = _commission(w, submitted=True)
    return _api(f"/api/v1/commissions/{commission.pk}/review", {"approve": True}, _commission_is(commission, "paid"))


def _api_commission_cancel(w):
    commission = _commission(w)
    return _api(f"/api/v1/commissions/{commission.pk}/cancel", {"reason": "选题取消"},
                _commission_is(commission, "cancelled"))


def _pm_report(w):
    """A message by the author, reported by the member (who is in the conversation)."""
    from messaging import services as pm

    conversation = pm.conversation_start(actor=w["author"], recipients=["member"], body="买不买广告位？")
    return pm.message_report(actor=w["member"], message_id=conversation.messages.get(seq=1).pk, reason="广告")


def _pm_resolved(report):
    from messaging.models import MessageReport

    return lambda: MessageReport.objects.get(pk=report.pk).status != MessageReport.Status.OPEN


def _pm_report_resolve(w):
    report = _pm_report(w)
    return Case(f"/messages/reports/{report.pk}/", {"action": "hide", "reason": "spam"}, _pm_resolved(report))


def _api_pm_report_resolve(w):
    report = _pm_report(w)
    return Case(f"/api/v1/moderation/message-reports/{report.pk}/resolve", {"action": "dismiss", "reason": "ok"},
                _pm_resolved(report), json=True)


# --- the API's staff operations ----------------------------------------------------------------------------
def _api(path, body, changed):
    return Case(path, body, changed, json=True)


def _api_bounty_resolve(w):
    bounty = _bounty(w)
    return _api(f"/api/v1/bounties/{bounty.pk}/resolve", {"reason": "abandoned"}, _bounty_resolved(bounty))


def _api_claim(w):
    return _api(f"/api/v1/moderation/queue/{w['item'].pk}/claim", {},
                lambda: _fresh(w["item"]).claimed_by_id == w["staff"].pk)


def _api_release(w):
    from forum.moderation import queue

    queue.item_claim(actor=w["staff"], item=w["item"])
    return _api(f"/api/v1/moderation/queue/{w['item'].pk}/release", {},
                lambda: _fresh(w["item"]).claimed_by_id is None)


def _api_resolve(w):
    return _api(f"/api/v1/moderation/queue/{w['item'].pk}/resolve", {"resolution": "dismissed", "note": "ok"},
                lambda: _fresh(w["item"]).status != ModerationItem.Status.OPEN)


def _api_topic(w):
    return _api(f"/api/v1/moderation/topics/{w['topic'].pk}", {"action": "hide", "reason": "spam"},
                lambda: _fresh(w["topic"]).is_hidden)


def _api_post(w):
    return _api(f"/api/v1/moderation/posts/{w['reply'].pk}", {"action": "hide", "reason": "spam"},
                lambda: _fresh(w["reply"]).is_hidden)


def _api_sanction(w):
    return _api(f"/api/v1/moderation/members/{w['author'].pk}/sanctions", {"kind": "silence", "reason": "flood"},
                lambda: MemberSanction.objects.filter(member=w["author"]).exists())


def _api_remove_posts(w):
    return _api(f"/api/v1/moderation/members/{w['author'].pk}/remove-posts", {"reason": "spam wave"},
                lambda: Post.objects.filter(author=w["author"], is_deleted=True).exists())


def _api_post_delete(w):
    return Case(f"/api/v1/posts/{w['reply'].pk}", {}, lambda: _fresh(w["reply"]).is_deleted, method="delete")


def _api_poll_close(w):
    return _api(f"/api/v1/polls/{w['poll'].pk}/close", {}, lambda: _fresh(w["poll"]).closed_at is not None)


def _api_order(verb, status):
    def build(w):
        if verb == "ship":
            shop_services.order_fulfil(actor=w["staff"], order_id=w["order"].pk)
        body = {"tracking_note": "SF123"} if verb == "ship" else {"reason": "out of stock"} if verb == "cancel" else {}
        return _api(f"/api/v1/shop/orders/{w['order'].pk}/{verb}", body,
                    lambda: _fresh(w["order"]).status == status)
    return build


# --- the Django admin's actions ------------------------------------------------------------------------------
def _admin_verb(model, action, changed):
    def build(w):
        obj = w["topic"] if model is Topic else w["reply"]
        if action.endswith(("unpin", "unlock", "unhide", "restore")):
            field_name = {"unpin": "is_pinned", "unlock": "is_locked", "unhide": "is_hidden",
                          "restore": "is_deleted"}[action.split("_")[1]]
            model.objects.filter(pk=obj.pk).update(**{field_name: True})
        return Case(f"/admin/forum/{model._meta.model_name}/", {"action": action, "_selected_action": [obj.pk]},
                    lambda: changed(_fresh(obj)))
    return build


def _admin_reverse_entries(w):
    from engagement.points import services as points_services

    entry = points_services.points_adjust(actor=w["staff"], member=w["author"], amount=10, reason="seed")
    return Case("/admin/points/pointsentry/", {"action": "reverse_entries", "_selected_action": [entry.pk],
                                               "confirm": "1", "reason": "vote ring"},
                lambda: PointsEntry.objects.filter(member=w["author"]).count() == 2)


def _admin_credit_state(w):
    from engagement.tasks.models import Task, TaskProgress

    task = Task.objects.create(slug="verify-later", name="验证邮箱", trigger=Task.Trigger.VERIFY_EMAIL,
                               cadence=Task.Cadence.ONCE, reward_points=5)
    return Case("/admin/tasks/task/", {"action": "credit_state", "_selected_action": [task.pk]},
                lambda: TaskProgress.objects.filter(task=task, completed_at__isnull=False).exists())


def _admin_fulfil_orders(w):
    return Case("/admin/shop/shoporder/", {"action": "fulfil_orders", "_selected_action": [w["order"].pk]},
                lambda: _fresh(w["order"]).status != ShopOrder.Status.PLACED)


def _staff_group(w, **kwargs):
    from forum.groups import services as group_services

    return group_services.group_create(actor=w["staff"], name="测试小组", slug=f"t{uuid.uuid4().hex[:8]}", questions=[],
                                      **kwargs)


def _group_create(w):
    from forum.groups.models import MemberGroup

    return Case("/groups/new/", {"name": "新小组", "slug": "fresh", "visibility": "public",
                                 "admission": "application", "purpose": "试试"},
                lambda: MemberGroup.objects.filter(slug="fresh").exists())


def _group_edit(w):
    from forum.groups.models import MemberGroup

    group = _staff_group(w)
    return Case(f"/groups/{group.slug}/edit/", {"name": "测试小组", "purpose": "改过的宗旨", "visibility": "public",
                                                "admission": "open"},
                lambda: MemberGroup.objects.get(pk=group.pk).purpose == "改过的宗旨")


def _group_application(w):
    from forum.groups import services as group_services
    from forum.groups.models import Membership

    group = _staff_group(w)
    application = group_services.application_create(actor=w["author"], group=group, answers=[])
    return Case(f"/groups/{group.slug}/applications/{application.pk}/", {"decision": "approve", "reason": "欢迎"},
                lambda: Membership.objects.filter(group=group, member=w["author"]).exists())


def _group_members(w):
    from forum.groups import services as group_services
    from forum.groups.models import Membership

    group = _staff_group(w)
    group_services.group_invite(actor=w["staff"], group=group, member=w["author"])
    return Case(f"/groups/{group.slug}/members/", {"action": "remove", "username": "author", "reason": "违规"},
                lambda: not Membership.objects.filter(group=group, member=w["author"]).exists())


def _group_invite(w):
    from forum.groups.models import Membership

    group = _staff_group(w)
    return Case("/group-invite/", {"group": group.slug, "username": "author", "reason": "KOL 候选"},
                lambda: Membership.objects.filter(group=group, member=w["author"]).exists())


def _api_group_decide(w):
    from forum.groups import services as group_services
    from forum.groups.models import Membership

    group = _staff_group(w)
    application = group_services.application_create(actor=w["author"], group=group, answers=[])
    return Case(f"/api/v1/groups/{group.slug}/applications/{application.pk}/decision",
                {"decision": "approve", "reason": "欢迎"},
                lambda: Membership.objects.filter(group=group, member=w["author"]).exists(), json=True)


def _api_group_member_action(w):
    from forum.groups import services as group_services
    from forum.groups.models import Membership

    group = _staff_group(w)
    group_services.group_invite(actor=w["staff"], group=group, member=w["author"])
    return Case(f"/api/v1/groups/{group.slug}/members/{w['author'].pk}/actions",
                {"action": "remove", "reason": "违规"},
                lambda: not Membership.objects.filter(group=group, member=w["author"]).exists(), json=True)


def _group_promotions(w):
    from forum.groups import services as group_services
    from forum.groups.models import Membership

    main = _staff_group(w)
    group_services.promotion_propose(group=main, member=w["author"], evidence={"days": 40})
    proposal = main.proposals.get()
    return Case(f"/groups/{main.slug}/promotions/", {"proposal": proposal.pk, "decision": "promote"},
                lambda: Membership.objects.filter(group=main, member=w["author"]).exists())


def _group_recruit(w):
    from forum.groups.models import RecruitmentRound

    group = _staff_group(w)
    return Case(f"/groups/{group.slug}/recruit/", {"action": "open", "title": "副组长招募", "min_level": "3",
                                                   "handbook_url": "/pages/handbook/"},
                lambda: RecruitmentRound.objects.filter(group=group).exists())


def _group_events(w):
    from forum.groups.models import GroupEvent

    group = _staff_group(w)
    return Case(f"/groups/{group.slug}/events/", {"title": "每周二知识分享", "body": "本周主题", "weekday": "1",
                                                  "time": "20:00"},
                lambda: GroupEvent.objects.filter(group=group).exists())


ENTRY_POINTS = {
    # forum pages
    "url forum:index": READ, "url forum:latest": READ, "url forum:category": READ, "url forum:topic_short": READ,
    "url forum:topic_unread": READ, "url forum:topic": READ, "url forum:post": READ, "url forum:member": READ,
    "url forum:avatar_default": READ, "url forum:notifications": MEMBER, "url forum:bookmarks": READ,
    "url forum:topic_new": MEMBER, "url forum:topic_reply": MEMBER, "url forum:topic_subscribe": MEMBER,
    "url forum:post_edit": MEMBER, "url forum:post_vote": MEMBER, "url forum:post_bookmark": MEMBER,
    "url forum:profile_edit": MEMBER, "url forum:api_tokens": MEMBER, "url forum:api_token_revoke": MEMBER,
    "url forum:report": MEMBER, "url forum:mod_apply": MEMBER, "url forum:image_upload": MEMBER,
    # the composer (forum/composer): a preview and drafts are a member's own, no staff write
    "url forum:composer_preview": MEMBER, "url forum:composer_draft": MEMBER, "url forum:composer_draft_discard": MEMBER,
    "url forum:composer_mentions": READ, "url forum:post_history": READ, "url forum:post_quote": READ,
    "url forum:post_fragment": READ,
    "url forum:topic_moderate": _topic_moderate, "url forum:post_delete": _post_delete,
    "url forum:mod_queue": READ, "url forum:mod_item": READ, "url forum:mod_item_action": _mod_item_action,
    "url forum:mod_topic": _mod_topic, "url forum:mod_post": _mod_post, "url forum:mod_member": _mod_member,
    "url forum:mod_audit": READ, "url forum:mod_moderators": _mod_moderators,
    # member groups (forum.groups)
    "url groups:index": READ, "url groups:detail": READ, "url groups:join": MEMBER, "url groups:leave": MEMBER,
    "url groups:apply": MEMBER, "url groups:withdraw": MEMBER, "url groups:topic_new": MEMBER,
    "url groups:handbook": MEMBER, "url groups:applications": READ, "url groups:create": _group_create,
    "url groups:promotions": _group_promotions, "url groups:recruit": _group_recruit,
    "url groups:events": _group_events,
    "api POST /api/v1/groups/{slug}/join": MEMBER, "api POST /api/v1/groups/{slug}/applications": MEMBER,
    "api POST /api/v1/groups/{slug}/applications/{application_id}/decision": _api_group_decide,
    "api POST /api/v1/groups/{slug}/members/{member_id}/actions": _api_group_member_action,
    "url groups:edit": _group_edit, "url groups:application": _group_application, "url groups:members": _group_members,
    "url groups:invite": _group_invite,
    "url forum:set_language": READ,  # a GET link that sets the language cookie: no data changes
    # engagement pages
    "url engagement:me_points": READ, "url engagement:member_points": READ,
    "url engagement:points_adjust": _points_adjust, "url engagement:checkin": MEMBER,
    "url engagement:checkin_makeup": MEMBER, "url engagement:leaderboard": READ, "url engagement:badges": READ,
    "url engagement:badge": READ, "url engagement:badge_choose": MEMBER, "url engagement:member_badges": READ,
    "url engagement:badge_grant": _badge_grant, "url engagement:badge_revoke": _badge_revoke,
    "url polls:detail": READ, "url polls:vote": MEMBER, "url polls:fragment": READ, "url polls:close": _poll_close,
    "url polls:export": READ, "url polls:new": MEMBER,
    "url lotteries:new": _lottery_new, "url lotteries:detail": READ, "url lotteries:audit": READ,
    "url lotteries:enter": MEMBER, "url lotteries:fragment": READ, "url lotteries:draw": _lottery_draw,
    "url lotteries:cancel": _lottery_cancel, "url lotteries:edit": _lottery_edit,
    "url events:list": READ, "url events:new": _event_new, "url events:detail": READ, "url events:edit": _event_edit,
    "url events:cancel": _event_cancel, "url events:poll_new": _event_poll_new,
    "url events:lottery_new": _event_lottery_new,
    "url kol:queue": READ, "url kol:decisions": READ, "url kol:member": READ, "url kol:decide": _kol_decide,
    "url lifecycle:dashboard": READ, "url lifecycle:export": READ,
    "url console:dashboard": READ, "url console:export": READ, "url lifecycle:recall": _recall,
    "url lifecycle:campaigns": READ, "url lifecycle:template_new": _template_new,
    "url lifecycle:template_edit": _template_edit,
    "url shop:index": READ, "url shop:manage": READ, "url shop:order_action": _order_action, "url shop:item": MEMBER,
    "url shop:my_orders": READ, "url shop:economy": READ, "url tasks:checklist": READ, "url tasks:card": READ,
    "url commissions:wall": READ, "url commissions:mine": READ, "url commissions:desk": READ,
    "url commissions:detail": READ, "url commissions:respond": MEMBER, "url commissions:submit": MEMBER,
    "url commissions:invite": _commission_invite, "url commissions:review": _commission_review,
    "url commissions:cancel": _commission_cancel,
    "api POST /api/v1/commissions": _api_commission_invite,
    "api POST /api/v1/commissions/{commission_id}/respond": MEMBER,
    "api POST /api/v1/commissions/{commission_id}/submit": MEMBER,
    "api POST /api/v1/commissions/{commission_id}/review": _api_commission_review,
    "api POST /api/v1/commissions/{commission_id}/cancel": _api_commission_cancel,
    "url bounties:list": READ, "url bounties:accept": MEMBER, "url bounties:resolve": _bounty_resolve,
    "url tips:tip_post": MEMBER,
    "url forum:tag": READ, "url follows:feed": READ, "url follows:button": READ, "url follows:toggle": MEMBER,
    # cms and search pages
    "url cms:featured": READ, "url cms:feature_topic": _feature_topic, "url cms:feature_post": _feature_post,
    "url cms_featured_admin": _featured_admin, "url post_chooser:chosen": READ, "url cms_digest_admin": _digest_admin,
    "url forum:chooser": READ,
    "url cms:feed_digests_rss": READ, "url cms:feed_digests_atom": READ, "url cms:feed_collections_rss": READ,
    "url cms:feed_collections_atom": READ, "url cms:feed_featured_rss": READ, "url cms:feed_featured_atom": READ,
    "url search:search": READ, "url search:suggest": READ, "url search:similar": READ, "url healthz": READ,
    # private messages (a moderator's look at a reported message is a read, audited by itself)
    "url messaging:inbox": READ, "url messaging:new": MEMBER, "url messaging:conversation": MEMBER,
    "url messaging:leave": MEMBER, "url messaging:report": MEMBER, "url messaging:blocks": MEMBER,
    "url mailings:preferences": MEMBER, "url mailings:unsubscribe": MEMBER,
    "url messaging:badge": READ, "url messaging:reports": READ, "url messaging:report_detail": _pm_report_resolve,
    # the JSON API's writes
    "api POST /api/v1/topics/{topic_id}/posts": MEMBER, "api POST /api/v1/topics": MEMBER,
    "api PATCH /api/v1/posts/{post_id}": MEMBER, "api DELETE /api/v1/posts/{post_id}": _api_post_delete,
    "api POST /api/v1/posts/{post_id}/vote": MEMBER, "api POST /api/v1/posts/{post_id}/bookmark": MEMBER,
    "api POST /api/v1/notifications/read": MEMBER, "api POST /api/v1/reports": MEMBER,
    "api POST /api/v1/images": MEMBER,
    "api POST /api/v1/moderation/queue/{item_id}/claim": _api_claim,
    "api POST /api/v1/moderation/queue/{item_id}/release": _api_release,
    "api POST /api/v1/moderation/queue/{item_id}/resolve": _api_resolve,
    "api POST /api/v1/moderation/topics/{topic_id}": _api_topic,
    "api POST /api/v1/moderation/posts/{post_id}": _api_post,
    "api POST /api/v1/moderation/members/{member_id}/sanctions": _api_sanction,
    "api POST /api/v1/moderation/members/{member_id}/remove-posts": _api_remove_posts,
    "api POST /api/v1/checkin": MEMBER, "api POST /api/v1/checkin/makeup": MEMBER,
    "api POST /api/v1/polls/{poll_id}/vote": MEMBER, "api POST /api/v1/polls/{poll_id}/close": _api_poll_close,
    "api POST /api/v1/lotteries/{lottery_id}/enter": MEMBER, "api POST /api/v1/shop/items/{item_id}/redeem": MEMBER,
    "api POST /api/v1/shop/orders/{order_id}/fulfil": _api_order("fulfil", ShopOrder.Status.FULFILLED),
    "api POST /api/v1/shop/orders/{order_id}/ship": _api_order("ship", ShopOrder.Status.SHIPPED),
    "api POST /api/v1/shop/orders/{order_id}/cancel": _api_order("cancel", ShopOrder.Status.CANCELLED),
    "api POST /api/v1/tips/posts/{post_id}": MEMBER,
    "api POST /api/v1/bounties/topics/{topic_id}/accept": MEMBER,
    "api POST /api/v1/bounties/{bounty_id}/resolve": _api_bounty_resolve,
    "api POST /api/v1/conversations": MEMBER, "api POST /api/v1/conversations/{conversation_id}/messages": MEMBER,
    "api POST /api/v1/conversations/{conversation_id}/read": MEMBER,
    "api POST /api/v1/conversations/{conversation_id}/leave": MEMBER,
    "api POST /api/v1/messages/{message_id}/report": MEMBER, "api POST /api/v1/members/{member_id}/block": MEMBER,
    "api DELETE /api/v1/members/{member_id}/block": MEMBER,
    "api POST /api/v1/members/{member_id}/follow": MEMBER, "api DELETE /api/v1/members/{member_id}/follow": MEMBER,
    "api POST /api/v1/categories/{category_id}/follow": MEMBER,
    "api DELETE /api/v1/categories/{category_id}/follow": MEMBER,
    "api POST /api/v1/tags/{tag_id}/follow": MEMBER, "api DELETE /api/v1/tags/{tag_id}/follow": MEMBER,
    "api POST /api/v1/moderation/message-reports/{report_id}/resolve": _api_pm_report_resolve,
    # the Django admin's actions
    "admin forum.Topic topic_pin": _admin_verb(Topic, "topic_pin", lambda t: t.is_pinned),
    "admin forum.Topic topic_unpin": _admin_verb(Topic, "topic_unpin", lambda t: not t.is_pinned),
    "admin forum.Topic topic_lock": _admin_verb(Topic, "topic_lock", lambda t: t.is_locked),
    "admin forum.Topic topic_unlock": _admin_verb(Topic, "topic_unlock", lambda t: not t.is_locked),
    "admin forum.Topic topic_hide": _admin_verb(Topic, "topic_hide", lambda t: t.is_hidden),
    "admin forum.Topic topic_unhide": _admin_verb(Topic, "topic_unhide", lambda t: not t.is_hidden),
    "admin forum.Post post_hide": _admin_verb(Post, "post_hide", lambda p: p.is_hidden),
    "admin forum.Post post_unhide": _admin_verb(Post, "post_unhide", lambda p: not p.is_hidden),
    "admin forum.Post post_delete": _admin_verb(Post, "post_delete", lambda p: p.is_deleted),
    "admin forum.Post post_restore": _admin_verb(Post, "post_restore", lambda p: not p.is_deleted),
    "admin points.PointsEntry reverse_entries": _admin_reverse_entries,
    "admin shop.ShopOrder fulfil_orders": _admin_fulfil_orders,
    "admin tasks.Task credit_state": _admin_credit_state,
    # management commands
    "command kol_compute": SYSTEM, "command console_backfill": SYSTEM, "command lifecycle_classify": SYSTEM, "command search_reindex": SYSTEM,
    "command outbox_relay": SYSTEM, "command mail_digest": SYSTEM, "command seed_bulk": SYSTEM, "command seed_demo": SYSTEM, "command verify_lottery": READ,
}


# --- the enumerations ----------------------------------------------------------------------------------------
def _url_names():
    names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = getattr(pattern.callback, "__module__", "") or ""
                if module.split(".")[0] in PROJECT_APPS:
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return {f"url {name}" for name in names if not name.startswith("api:")}


def _api_writes():
    schema = api.get_openapi_schema()
    return {f"api {method.upper()} {path}" for path, operations in schema["paths"].items() for method in operations
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE")}


def _admin_actions():
    found = set()
    for model, model_admin in admin.site._registry.items():
        if type(model_admin).__module__.split(".")[0] not in PROJECT_APPS:
            continue
        for action in model_admin.actions or ():
            name = action if isinstance(action, str) else action.__name__
            found.add(f"admin {model._meta.label} {name}")
    return found


def _commands():
    return {f"command {name}" for name, app in get_commands().items() if app.split(".")[0] in PROJECT_APPS}


def test_every_entry_point_is_in_the_table():
    found = _url_names() | _api_writes() | _admin_actions() | _commands()
    assert sorted(found - set(ENTRY_POINTS)) == [], "a new entry point: say what it is in ENTRY_POINTS"
    assert sorted(set(ENTRY_POINTS) - found) == [], "ENTRY_POINTS names an entry point that is gone"


STAFF_ACTIONS = sorted(key for key, kind in ENTRY_POINTS.items() if callable(kind))


def _send(client, case):
    if case.method == "delete":
        return client.delete(case.path)
    if case.json:
        return client.post(case.path, json.dumps(case.data), content_type="application/json")
    return client.post(case.path, case.data)


@pytest.mark.parametrize("key", STAFF_ACTIONS)
def test_a_staff_action_leaves_one_audit_entry_and_a_refused_one_none(w, key):
    case = ENTRY_POINTS[key](w)
    assert not case.changed(), "the scenario starts with the action not yet taken"
    before = AuditLog.objects.count()
    refused = Client()
    refused.force_login(w[case.refused_as])
    response = _send(refused, case)
    assert response.status_code in (302, 400, 403, 404), (response.status_code, response.content[:300])
    assert not case.changed() and AuditLog.objects.count() == before
    allowed = Client()
    allowed.force_login(w["staff"])
    response = _send(allowed, case)
    assert response.status_code in (200, 201, 204, 302), (response.status_code, response.content[:600])
    assert case.changed(), response.content[:600]
    entries = list(AuditLog.objects.order_by("pk")[before:])
    assert len(entries) == 1, [e.action for e in entries]
    assert entries[0].actor_id == w["staff"].pk
    assert audit_labels.action_label(entries[0].action), f"no label for {entries[0].action} (audit.labels.register)"


def test_a_guest_is_refused_every_staff_action_and_nothing_is_written(w):
    guest = Client()
    for key in STAFF_ACTIONS:
        case = ENTRY_POINTS[key](w)
        before = AuditLog.objects.count()
        response = _send(guest, case)
        assert response.status_code in (302, 401, 403, 404), (key, response.status_code)
        assert AuditLog.objects.count() == before, key
