"""The rewards shop: redemption (spend + stock + order in one transaction, idempotent per request
key), limits, level and sale window, operator verbs once each with audit, refund once under a
retried task, address privacy, titles next to the name, and the economy-health selectors."""

import datetime

import pytest
from django.utils import translation

from audit.models import AuditLog
from engagement.points import services as points
from engagement.points.errors import InsufficientPoints
from engagement.points.models import PointsAccount, PointsEntry
from engagement.shop import selectors, services, tasks
from engagement.shop.models import MemberTitle, ShopItem, ShopOrder
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import User
from tests.factories import UserFactory

ADDRESS = {"recipient": "王芳", "phone": "138 0000 0000", "address": "上海市徐汇区漕溪北路 100 号"}


def fund(member, amount, key="seed"):
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=amount, source_type="test",
                        source_id=key)


def balance(member):
    return PointsAccount.objects.get(member_id=member.pk).balance


@pytest.fixture
def mug(db):
    return ShopItem.objects.create(slug="mug", name="活力马克杯", price=100, stock=2)


@pytest.fixture
def buyer(db):
    member = UserFactory()
    fund(member, 500)
    return member


def test_redeem_spends_decrements_stock_and_writes_the_order(mug, buyer, ledger_consistent):
    order = services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="k1", **ADDRESS)
    mug.refresh_from_db()
    assert (order.status, order.price, mug.stock, balance(buyer)) == ("placed", 100, 1, 400)
    assert order.spend_entry.amount == -100 and order.spend_entry.reason == "shop_redeem"
    assert order.address == ADDRESS["address"]


def test_same_request_key_writes_one_order_and_one_spend(mug, buyer, ledger_consistent):
    first = services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="same", **ADDRESS)
    again = services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="same", **ADDRESS)
    assert again.pk == first.pk and again.duplicate
    mug.refresh_from_db()
    assert mug.stock == 1 and balance(buyer) == 400
    assert PointsEntry.objects.filter(member=buyer, kind="spend").count() == 1


def test_sold_out_and_short_balance_leave_nothing_behind(mug, buyer, ledger_consistent):
    services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="a", **ADDRESS)
    services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="b", **ADDRESS)
    with pytest.raises(Conflict) as exc:
        services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="c", **ADDRESS)
    assert exc.value.code == "sold_out"
    poor = UserFactory()
    fund(poor, 50)
    mug.stock = 5
    mug.save()
    with pytest.raises(InsufficientPoints):
        services.shop_redeem(actor=poor, item_id=mug.pk, request_key="x", **ADDRESS)
    mug.refresh_from_db()
    assert mug.stock == 5 and balance(poor) == 50
    assert not ShopOrder.objects.filter(member=poor).exists()


def test_per_member_limit_level_gate_and_sale_window(mug, buyer, clock):
    now = clock.set("2026-12-01T12:00:00")
    mug.per_member_limit, mug.stock = 1, 10
    mug.save()
    services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="one", **ADDRESS)
    with pytest.raises(Conflict) as exc:
        services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="two", **ADDRESS)
    assert exc.value.code == "limit_reached"
    gated = ShopItem.objects.create(slug="vip", name="VIP", kind="decoration", price=10, min_level=5)
    with pytest.raises(NotAllowed) as exc:
        services.shop_redeem(actor=buyer, item_id=gated.pk, request_key="g")
    assert exc.value.code == "level_too_low"
    later = ShopItem.objects.create(slug="later", name="Later", kind="decoration", price=10, sale_starts_at=now + datetime.timedelta(days=1),
                                    sale_ends_at=now + datetime.timedelta(days=2))
    with pytest.raises(Conflict):
        services.shop_redeem(actor=buyer, item_id=later.pk, request_key="l1")
    clock.advance(days=1, hours=1)
    assert services.shop_redeem(actor=buyer, item_id=later.pk, request_key="l1").status == "fulfilled"
    clock.advance(days=1)
    with pytest.raises(Conflict):
        services.shop_redeem(actor=buyer, item_id=later.pk, request_key="l2")


def test_physical_items_need_a_delivery_address(mug, buyer):
    with pytest.raises(InvalidInput) as exc:
        services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="k", recipient="王芳", phone="123456")
    assert exc.value.field == "address"
    with pytest.raises(InvalidInput):
        services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="bad key!", **ADDRESS)


def test_operator_fulfils_ships_each_once_and_audits(mug, buyer, staff):
    order = services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="k", **ADDRESS)
    with pytest.raises(NotAllowed):
        services.order_fulfil(actor=buyer, order_id=order.pk)
    services.order_fulfil(actor=staff, order_id=order.pk)
    services.order_fulfil(actor=staff, order_id=order.pk)
    services.order_ship(actor=staff, order_id=order.pk, tracking_note="SF1234567")
    services.order_ship(actor=staff, order_id=order.pk, tracking_note="SF1234567")
    order.refresh_from_db()
    assert (order.status, order.tracking_note) == ("shipped", "SF1234567")
    assert list(AuditLog.objects.filter(target_id=str(order.pk)).order_by("id").values_list("action", flat=True)) == [
        "shop.order_fulfil", "shop.order_ship"]
    with pytest.raises(Conflict):
        services.order_cancel(actor=staff, order_id=order.pk, reason="too late")


def test_cancel_refunds_once_under_a_retried_task(mug, buyer, staff, ledger_consistent):
    order = services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="k", **ADDRESS)
    assert balance(buyer) == 400
    tasks.shop_order_cancel_task.apply(args=[order.pk, staff.pk, "缺货"]).get()
    tasks.shop_order_cancel_task.apply(args=[order.pk, staff.pk, "缺货"]).get()  # the retry
    services.order_cancel(actor=staff, order_id=order.pk, reason="缺货")
    order.refresh_from_db()
    mug.refresh_from_db()
    assert order.status == "cancelled" and order.refund_entry.amount == 100
    assert balance(buyer) == 500 and mug.stock == 2
    assert PointsEntry.objects.filter(member=buyer, kind="reversal").count() == 1
    assert AuditLog.objects.filter(action="shop.order_cancel", target_id=str(order.pk)).count() == 1
    with pytest.raises(Conflict):
        services.order_ship(actor=staff, order_id=order.pk, tracking_note="x")


def test_title_is_shown_next_to_the_name_and_taken_down_on_cancel(buyer, staff):
    title = ShopItem.objects.create(slug="t", name="称号：热心肠", kind="title", title_text="热心肠", price=50)
    order = services.shop_redeem(actor=buyer, item_id=title.pk, request_key="t1")
    assert order.status == "fulfilled" and order.address == ""
    assert selectors.shown_title(User.objects.get(pk=buyer.pk)) == "热心肠"
    services.order_cancel(actor=staff, order_id=order.pk, reason="误购")
    assert selectors.shown_title(User.objects.get(pk=buyer.pk)) is None
    assert not MemberTitle.objects.exists()


def test_economy_health_figures(mug, buyer, staff):
    other = UserFactory()
    fund(other, 300, key="o")
    services.shop_redeem(actor=buyer, item_id=mug.pk, request_key="a", **ADDRESS)
    cancelled = services.shop_redeem(actor=other, item_id=mug.pk, request_key="b", **ADDRESS)
    services.order_cancel(actor=staff, order_id=cancelled.pk, reason="test")
    with translation.override("zh-hans"):
        health = selectors.economy_health()
    assert health["circulation"] == {"total": 400 + 300, "holders": 2}
    week = health["weekly"][-1]
    assert (week["sources"], week["sinks"], week["active_members"]) == (500 + 300 + 100, 200, 2)
    assert week["issued_per_active"] == 450.0
    assert [(r["member__username"], r["points"]) for r in health["top_earners"]] == [
        (buyer.username, 500), (other.username, 300)]
    assert [r["points"] for r in health["top_spenders"]] == [100, 100]
    sale = [s for s in health["shop_sales"] if s["item_id"] == mug.pk][0]
    assert (sale["orders"], sale["points"], sale["cancelled"], sale["stock"]) == (1, 100, 1, 1)
    assert week["circulation"] == 700  # the last week ends with today's total
    reasons = {r["reason"]: r for r in health["by_reason"] if r["kind"] == "spend"}
    assert reasons["shop_redeem"]["label"] == "积分商城" and reasons["shop_redeem"]["kind_label"] == "消费"
    assert all(r["label"] != r["reason"] for r in health["by_reason"])


def test_title_renders_next_to_the_name_in_the_member_flair(buyer, django_assert_num_queries):
    from django.template import Context, Template

    from engagement.selectors import with_member_flair

    item = ShopItem.objects.create(slug="t2", name="称号", kind="title", title_text="夜猫子", price=10)
    services.shop_redeem(actor=buyer, item_id=item.pk, request_key="t")
    template = Template("{% load engagement_tags %}{% member_flair m %}")
    template.render(Context({"m": with_member_flair(User.objects.filter(pk=buyer.pk)).get()}))  # warms the level ladder
    member = with_member_flair(User.objects.filter(pk=buyer.pk)).get()
    with django_assert_num_queries(0):
        html = template.render(Context({"m": member}))
    assert '<span class="member-title">夜猫子</span>' in html
