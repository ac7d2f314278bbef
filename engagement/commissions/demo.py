"""Demo content for `manage.py seed_demo`: the editor's commissions in every state a newcomer should
see: one paid (on the commissions wall and its featured topic), one being written, one handed in and
waiting for review, one invitation not answered yet. Idempotent: commissions by (writer, theme)."""

from datetime import timedelta

from django.db import transaction

from forum import services as forum
from forum.models import Category, Topic, User

from . import services
from .models import Commission

PLAN = [
    # writer, theme, brief, reward, days to due, category, state, topic title, topic body
    ("wang_fang", "线下活动复盘：30 人读书会是怎么办起来的", "写一篇复盘：筹备、宣传、现场和之后的社群维护，2000 字左右。",
     500, 10, "community-ops", "paid", "约稿｜30 人读书会复盘：从筹备到社群维护",
     "## 筹备\n\n提前三周定主题和场地，用问卷收集大家想读的书。\n\n## 宣传\n\n只在社区内发帖，"
     "并请老会员各带一位朋友。\n\n## 现场\n\n每人 3 分钟分享，主持人控场。\n\n## 之后\n\n建群、每周一次线上打卡。"),
    ("chen_wei", "PostgreSQL 索引入门：给运营同学的 SQL 小课", "用运营能看懂的例子讲清楚索引是什么、什么时候需要。",
     400, 14, "tech-qa", "accepted", "", ""),
    ("sophie_w", "社区视觉规范：头像框和勋章的设计思路", "从设计师的角度讲讲积分商城里的装扮怎么做才让人想要。",
     300, 12, "general", "submitted", "约稿｜头像框和勋章：让人想要的虚拟奖励怎么设计",
     "虚拟奖励的价值来自**稀缺**和**可见**：头像框要在帖子列表里一眼能看到，勋章要讲一个故事。"),
    ("zhao_lei", "用数据看社区健康：五个必看指标", "面向版主和运营，讲清楚每个指标怎么看、异常时怎么办。",
     350, 20, "community-ops", "invited", "", ""),
]


def _user(ctx, name):
    return ctx.members.get(name) or User.objects.filter(username=name).first()


@transaction.atomic
def seed_demo(ctx):
    editor = _user(ctx, "editor_zhou")
    if editor is None:
        return ["commissions: skipped (no editor)"]
    for name, theme, brief, reward, days, slug, state, title, body in PLAN:
        writer = _user(ctx, name)
        if writer is None or Commission.objects.filter(writer=writer, theme=theme).exists():
            continue
        commission = services.commission_invite(actor=editor, writer=writer, theme=theme, brief=brief, reward=reward,
                                                due_at=ctx.now + timedelta(days=days),
                                                category=Category.objects.filter(slug=slug).first())
        if state == "invited":
            continue
        services.commission_respond(actor=writer, commission_id=commission.pk, accept=True, note="好的，没问题！")
        if state == "accepted":
            continue
        topic = Topic.objects.filter(title=title).first() or forum.topic_create(
            actor=writer, category=Category.objects.get(slug=slug), title=title, body=body)
        services.commission_submit(actor=writer, commission_id=commission.pk, topic_id=topic.pk)
        if state == "paid":
            services.commission_review(actor=editor, commission_id=commission.pk, approve=True,
                                       note="写得很实在，已设为精华。")
    counts = {s: Commission.objects.filter(status=s).count() for s in Commission.Status.values}
    return ["commissions: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)]
