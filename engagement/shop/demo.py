"""Demo content for `manage.py seed_demo` (found automatically: the forum's seed_demo runs the
`seed_demo(ctx)` of every installed app's `demo` module): a shop with physical and virtual items and
a few orders from demo members (one shipped, one waiting at the order desk, one title shown next to
a name). Idempotent: items by slug, orders by their request key; points come from a demo grant
keyed once per member."""

from django.db import transaction

from engagement.points import services as points
from forum.errors import ForumError
from forum.models import User

from . import services
from .models import ShopItem, ShopOrder

ITEMS = [
    # slug, name, kind, price, stock, per-member limit, title text, description
    ("mug", "活力马克杯", "physical", 300, 50, 2, "", "陶瓷马克杯，印有活力社区标志。Ceramic mug with the Huoli logo."),
    ("tshirt", "社区纪念 T 恤", "physical", 800, 20, 1, "", "纯棉，尺码随机。Cotton, size chosen at random."),
    ("title-night-owl", "头衔：夜猫子", "title", 120, None, 1, "夜猫子", "显示在你名字旁边。Shown next to your name."),
    ("title-helper", "头衔：热心肠", "title", 200, None, 1, "热心肠", "显示在你名字旁边。Shown next to your name."),
    ("lottery-ticket", "抽奖券", "lottery_ticket", 50, None, 5, "", "参加下一次社区抽奖。"),
    ("makeup-card", "补签卡", "makeup_card", 80, 100, 3, "", "补上一天漏掉的签到。"),
    ("frame-gold", "金色头像框", "decoration", 500, None, 1, "", "个人主页装扮。Profile decoration."),
    ("badge-supporter", "徽章：社区支持者", "badge", 400, None, 1, "", "一枚只能用积分换到的徽章。A badge only points can buy."),
]
BADGE = ("supporter", "社区支持者", "用积分支持社区的成员", "💖")
ADDRESS = {"recipient": "演示收件人", "phone": "13800000000", "address": "上海市徐汇区演示路 1 号（演示数据）"}


def _member(ctx, name):
    return ctx.members.get(name) or User.objects.filter(username=name).first()


@transaction.atomic
def seed_demo(ctx):
    from engagement.badges.models import Badge

    badge, _created = Badge.objects.get_or_create(slug=BADGE[0], defaults={
        "name": BADGE[1], "description": BADGE[2], "icon": BADGE[3], "rule": Badge.Rule.MANUAL, "position": 90})
    for order, (slug, name, kind, price, stock, limit, title, desc) in enumerate(ITEMS):
        ShopItem.objects.get_or_create(slug=slug, defaults={
            "name": name, "kind": kind, "price": price, "stock": stock, "per_member_limit": limit,
            "title_text": title, "description": desc, "sort_order": order,
            "badge": badge if kind == "badge" else None, "decoration_style": "gold" if kind == "decoration" else ""})
    operator = User.objects.filter(is_staff=True).order_by("pk").first()
    plan = [("chen_wei", "mug", "shipped"), ("wang_fang", "title-helper", ""), ("emma_li", "mug", "placed"),
            ("liu_yang", "title-night-owl", ""), ("chen_wei", "frame-gold", ""), ("jack_dev", "makeup-card", ""),
            ("sophie_w", "badge-supporter", "")]
    for username, slug, want in plan:
        member = _member(ctx, username)
        if member is None:
            continue
        item = ShopItem.objects.get(slug=slug)
        points.points_award(member=member, rule_code="checkin_streak_bonus", amount=item.price + 200,
                            source_type="demo", source_id=f"shop-{slug}")
        try:
            order = services.shop_redeem(actor=member, item_id=item.pk, request_key=f"demo-{slug}",
                                         **(ADDRESS if item.is_physical else {}))
        except ForumError:
            continue
        if want == "shipped" and operator is not None and order.status != ShopOrder.Status.SHIPPED:
            services.order_ship(actor=operator, order_id=order.pk, tracking_note="顺丰 SF0000000000（演示）")
    return [f"shop: {ShopItem.objects.count()} items, {ShopOrder.objects.count()} orders"]
