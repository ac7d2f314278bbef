"""Virtual shop items take effect on redemption: a badge is held (and taken back on cancel), a
make-up card pays engagement.checkin's make-up instead of points, a lottery ticket pays a lottery's
entry cost, a decoration frames the name in the member flair (no query per name)."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from engagement.badges.models import Badge, MemberBadge
from engagement.checkin import services as checkin
from engagement.checkin.models import CheckIn
from engagement.points import services as points
from engagement.points.models import PointsAccount, PointsEntry
from engagement.shop import services
from engagement.shop.models import MemberDecoration, ShopItem, ShopOrder
from forum.errors import Conflict
from forum.models import User
from tests.factories import UserFactory


def balance(member):
    return PointsAccount.objects.get(member_id=member.pk).balance


@pytest.fixture
def buyer(db):
    # a member for a year: yesterday is in their make-up window (a member who joined today has none)
    member = UserFactory(date_joined=timezone.now() - datetime.timedelta(days=365))
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=1000, source_type="test",
                        source_id="seed")
    return member


def test_badge_item_awards_the_badge_once_and_cancel_takes_it_back(buyer, staff, ledger_consistent):
    badge = Badge.objects.create(slug="supporter", name="社区支持者", rule=Badge.Rule.MANUAL)
    item = ShopItem.objects.create(slug="badge-supporter", name="徽章：社区支持者", kind="badge", badge=badge, price=150)
    order = services.shop_redeem(actor=buyer, item_id=item.pk, request_key="b1")
    assert order.status == "fulfilled"
    held = MemberBadge.objects.get(member=buyer, badge=badge)
    assert held.revoked_at is None and held.reason == f"shop order #{order.pk}"
    # a second purchase of a badge already held is refused and spends nothing
    with pytest.raises(Conflict):
        services.shop_redeem(actor=buyer, item_id=item.pk, request_key="b2")
    assert balance(buyer) == 850 and ShopOrder.objects.filter(member=buyer).count() == 1
    services.order_cancel(actor=staff, order_id=order.pk, reason="误购")
    assert not MemberBadge.objects.filter(member=buyer, badge=badge).exists()
    assert balance(buyer) == 1000


def test_badges_page_lists_the_bought_badge(client, buyer):
    badge = Badge.objects.create(slug="early-bird", name="早起鸟", rule=Badge.Rule.MANUAL)
    item = ShopItem.objects.create(slug="badge-early", name="徽章：早起鸟", kind="badge", badge=badge, price=50)
    services.shop_redeem(actor=buyer, item_id=item.pk, request_key="b")
    html = client.get(reverse("engagement:member_badges", args=[buyer.username])).content.decode()
    assert "早起鸟" in html


def test_makeup_card_pays_the_makeup_instead_of_points(buyer, clock, staff, ledger_consistent):
    clock.set("2026-12-03T09:00:00")
    card = ShopItem.objects.create(slug="makeup-card", name="补签卡", kind="makeup_card", price=80)
    order = services.shop_redeem(actor=buyer, item_id=card.pk, request_key="c1")
    assert order.status == "fulfilled" and order.used_at is None
    before = balance(buyer)
    row = checkin.checkin_makeup(actor=buyer)
    assert row.is_makeup and row.day == datetime.date(2026, 12, 2)
    assert balance(buyer) == before  # the card paid: no make-up spend
    assert not PointsEntry.objects.filter(member=buyer, reason=checkin.MAKEUP_REASON).exists()
    order.refresh_from_db()
    assert order.used_at is not None and order.used_for == "checkin-2026-12-02"
    # a used card cannot be cancelled for a refund
    with pytest.raises(Conflict):
        services.order_cancel(actor=staff, order_id=order.pk, reason="想退")
    # with no card left, the next make-up pays points again
    clock.advance(days=2)
    checkin.checkin_makeup(actor=buyer)
    assert PointsEntry.objects.filter(member=buyer, reason=checkin.MAKEUP_REASON).count() == 1


def test_checkin_page_offers_the_card(client, buyer):
    card = ShopItem.objects.create(slug="makeup-card", name="补签卡", kind="makeup_card", price=80)
    services.shop_redeem(actor=buyer, item_id=card.pk, request_key="c1")
    services.shop_redeem(actor=buyer, item_id=card.pk, request_key="c2")
    client.force_login(buyer)
    html = client.get(reverse("engagement:checkin")).content.decode()
    assert "(2 left)" in html or "剩 2 张" in html
    assert client.get("/api/v1/checkin").json()["makeup_cards"] == 2


def test_lottery_ticket_pays_the_entry_cost(buyer, staff, ledger_consistent):
    from engagement.lotteries.services import lottery_create, lottery_enter

    now = timezone.now()
    lottery = lottery_create(actor=staff, title="年末抽奖", prize="机械键盘", winners_count=1,
                             opens_at=now - datetime.timedelta(minutes=5), closes_at=now + datetime.timedelta(days=1),
                             points_cost=30)
    ticket = ShopItem.objects.create(slug="lottery-ticket", name="抽奖券", kind="lottery_ticket", price=20)
    services.shop_redeem(actor=buyer, item_id=ticket.pk, request_key="t1")
    before = balance(buyer)
    entry = lottery_enter(actor=buyer, lottery=lottery)
    assert entry.points_entry is None and balance(buyer) == before
    assert ShopOrder.objects.get(member=buyer, item=ticket).used_for == f"lottery-{lottery.pk}"
    other = UserFactory()
    points.points_award(member=other, rule_code="checkin_streak_bonus", amount=100, source_type="t", source_id="1")
    lottery_enter(actor=other, lottery=lottery)  # no ticket: pays the points
    assert balance(other) == 70


def test_decoration_frames_the_name_without_a_query(buyer, staff, django_assert_num_queries):
    from engagement.selectors import with_member_flair

    frame = ShopItem.objects.create(slug="frame-gold", name="金色头像框", kind="decoration", decoration_style="gold",
                                    price=300)
    order = services.shop_redeem(actor=buyer, item_id=frame.pk, request_key="d1")
    assert MemberDecoration.objects.get(member=buyer).style == "gold"
    template = Template("{% load engagement_tags %}{% member_flair m %}")
    template.render(Context({"m": with_member_flair(User.objects.filter(pk=buyer.pk)).get()}))  # warm caches
    member = with_member_flair(User.objects.filter(pk=buyer.pk)).get()
    with django_assert_num_queries(0):
        html = template.render(Context({"m": member}))
    assert 'data-decoration="gold"' in html and "金色头像框" in html
    # a member loaded without the join shows no decoration and costs no query for it
    plain = User.objects.get(pk=buyer.pk)
    from engagement.shop.selectors import shown_decoration

    with django_assert_num_queries(0):
        assert shown_decoration(plain) is None
    services.order_cancel(actor=staff, order_id=order.pk, reason="退款")
    assert not MemberDecoration.objects.filter(member=buyer).exists()


def test_decoration_shows_on_topic_pages(client, buyer):
    from tests.factories import TopicFactory

    frame = ShopItem.objects.create(slug="frame-jade", name="翡翠头像框", kind="decoration", decoration_style="jade",
                                    price=300)
    services.shop_redeem(actor=buyer, item_id=frame.pk, request_key="d1")
    topic = TopicFactory.create(author=buyer)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert 'data-decoration="jade"' in html


def test_badge_and_decoration_items_need_their_parameters(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ShopItem(slug="b", name="b", kind="badge", price=1).full_clean()
    with pytest.raises(ValidationError):
        ShopItem(slug="d", name="d", kind="decoration", price=1).full_clean()
    assert not CheckIn.objects.exists()
