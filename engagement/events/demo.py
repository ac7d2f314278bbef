"""Demo content for `manage.py seed_demo` (found automatically: forum's seed_demo runs the
`seed_demo(ctx)` of every installed app's `demo` module): a running event with a finished, drawn
lottery of 60 entries, an open poll and an open lottery (announced, with a poll of its own, in a topic
of the event's category, so the topic page shows both). Idempotent: looked up by title first.

The finished lottery is made the way a real one is (created, entered, drawn by a moderator with
the promised public salt); only its entry window is moved into the past before the draw, since a
new lottery cannot be created with a window that has already ended."""

from datetime import timedelta

from django.db import transaction

from engagement.lotteries import services as lottery_services
from engagement.lotteries.models import Lottery, LotteryEntry
from engagement.polls import services as poll_services
from forum.models import Topic, User
from forum.permissions import is_moderator

from . import services
from .models import Event

EVENT_TITLE = "活力社区一周年庆"
DRAWN_TITLE = "周年纪念 T 恤（已开奖）"
OPEN_TITLE = "机械键盘抽奖"
ENTRANTS = 60


def _host(ctx):
    for name in ("mod_lin", "admin"):
        user = ctx.members.get(name) if hasattr(ctx, "members") else None
        if user is not None and is_moderator(user):
            return user
    user = User.objects.filter(is_staff=True).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(username="demo_host", password=None, is_staff=True, display_name="活动小助手")
    return user


def _entrants(ctx):
    """The first 25 joined for the event (in its first days); the others are members of a few weeks."""
    people = []
    for i in range(1, ENTRANTS + 1):
        joined = (ctx.now - timedelta(days=3) + timedelta(hours=2 * i) if i <= 25
                  else ctx.now - timedelta(days=8 + (i * 7) % 19, hours=i))
        user, _ = User.objects.get_or_create(username=f"lucky{i:02d}", defaults={
            "display_name": f"幸运星{i:02d}", "email": f"lucky{i:02d}@demo.invalid", "password": "!",
            "date_joined": joined})
        people.append(user)
    return people


def _entries_in_window(lottery, opens, closes):
    """The entries were made just now: spread them over the lottery's entry window, in their order, each
    after its member joined (the draw reads the entries, so this runs before it)."""
    entries = list(LotteryEntry.objects.filter(lottery=lottery).select_related("member").order_by("number"))
    span = (closes - opens) / (len(entries) + 1)
    for k, entry in enumerate(entries, start=1):
        at = max(opens + span * k, entry.member.date_joined + timedelta(minutes=10))
        LotteryEntry.objects.filter(pk=entry.pk).update(created_at=min(at, closes - timedelta(minutes=1)))


@transaction.atomic
def seed_demo(ctx):
    if Event.objects.filter(title=EVENT_TITLE).exists():
        return [f"event “{EVENT_TITLE}” already there"]
    host = _host(ctx)
    now = ctx.now
    categories = list(getattr(ctx, "categories", {}).values())[:1]
    event = services.event_create(
        actor=host, title=EVENT_TITLE, starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=7),
        description="Huoli 一周岁啦！活动期间在本分类回复**积分翻倍**，参与投票和抽奖还有惊喜。\n\n"
                    "抽奖用公开可验证的 huoli-draw-v1 算法，每个抽奖页都有“如何验证”。",
        categories=categories, multipliers=[("reply_created", categories[0] if categories else None, "2")])

    drawn = services.event_lottery_create(
        actor=host, event=event, title=DRAWN_TITLE, prize="限量周年纪念 T 恤 5 件", winners_count=5,
        opens_at=now - timedelta(days=3), closes_at=now + timedelta(minutes=5),
        salt_source="seed_demo 运行当天的日期 (YYYY-MM-DD)")
    for person in _entrants(ctx):
        lottery_services.lottery_enter(actor=person, lottery=drawn)
    Lottery.objects.filter(pk=drawn.pk).update(closes_at=now - timedelta(days=1))
    _entries_in_window(drawn, now - timedelta(days=3), now - timedelta(days=1))
    drawn.refresh_from_db()
    lottery_services.lottery_draw(actor=host, lottery=drawn, public_salt=now.date().isoformat())

    services.event_poll_create(
        actor=host, event=event, question="下一次活动你想玩什么？", options=["摄影大赛", "技术问答马拉松", "线下聚会"],
        max_choices=2, closes_at=now + timedelta(days=6))
    # a topic of the event's category shows a poll and the open lottery's card on its page
    topic = Topic.objects.filter(category__in=categories).order_by("pk").first() if categories else None
    if topic is not None:
        poll_services.poll_create(actor=host, topic=topic, question="周年庆你最期待哪个环节？",
                                  options=["抽奖", "积分翻倍", "纪念徽章"], closes_at=now + timedelta(days=6))
        event.topics.add(topic)
    services.event_lottery_create(
        actor=host, event=event, title=OPEN_TITLE, prize="机械键盘 1 把（活动结束后开奖）", winners_count=1,
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=6), points_cost=5, topic=topic,
        salt_source="drand quicknet 在抽奖截止后的第一轮随机数")
    return [f"event “{EVENT_TITLE}”: a drawn lottery of {ENTRANTS} entries, an open poll and an open lottery"
            + (f", shown on topic #{topic.pk} with a poll of its own" if topic is not None else "")]
