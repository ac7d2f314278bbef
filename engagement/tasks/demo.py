"""Demo content for `manage.py seed_demo`: the newcomer checklist, daily and weekly tasks (one in
the tech Q&A category) and an event task when a demo event is running, with a few demo members part
of the way through. Idempotent: tasks by slug; progress counts each demo source once."""

from django.db import transaction
from django.utils import timezone

from forum.models import Category, User

from . import services
from .models import Task

T, C = Task.Trigger, Task.Cadence
TASKS = [
    # slug, name, English name, description, trigger, count, category slug, cadence, reward
    ("newcomer-verify-email", "验证邮箱", "Verify your email", "点击注册邮件里的链接。", T.VERIFY_EMAIL, 1, "", C.ONCE, 5),
    ("newcomer-profile", "完善个人资料", "Complete your profile", "上传头像并写一句自我介绍。", T.PROFILE_COMPLETE, 1, "",
     C.ONCE, 10),
    ("newcomer-checkin", "完成第一次签到", "Check in for the first time", "每天签到可以领积分。", T.CHECKIN, 1, "", C.ONCE, 5),
    ("newcomer-post", "发布第一个帖子", "Write your first post", "发一个主题或回复，向大家问好。", T.POST_CREATED, 1, "",
     C.ONCE, 10),
    ("newcomer-vote", "第一次点赞", "Upvote a post", "遇到好内容，点个赞支持作者。", T.VOTE_CAST, 1, "", C.ONCE, 5),
    ("newcomer-follow", "关注一个主题", "Follow a topic", "关注后有新回复会通知你。", T.FOLLOW_TOPIC, 1, "", C.ONCE, 5),
    ("daily-checkin", "每日签到", "Daily check-in", "", T.CHECKIN, 1, "", C.DAILY, 2),
    ("daily-replies", "今日回复 3 次", "Reply 3 times today", "参与讨论，帮助其他成员。", T.REPLY_CREATED, 3, "", C.DAILY, 5),
    ("daily-votes", "今日点赞 5 次", "Upvote 5 posts today", "", T.VOTE_CAST, 5, "", C.DAILY, 3),
    ("weekly-topics", "本周发布 2 个主题", "Start 2 topics this week", "", T.TOPIC_CREATED, 2, "", C.WEEKLY, 20),
    ("weekly-tech-answers", "本周在技术问答回复 5 次", "Answer 5 times in Tech Q&A this week",
     "技术问答区需要你的经验。", T.POSTS_IN_CATEGORY, 5, "tech-qa", C.WEEKLY, 30),
    ("weekly-upvotes", "本周获得 10 个赞", "Receive 10 upvotes this week", "", T.UPVOTE_RECEIVED, 10, "", C.WEEKLY,
     25),
]

# username -> [(trigger, source)] of demo progress
PROGRESS = {
    "mia_chen": [(T.VERIFY_EMAIL, "email"), (T.CHECKIN, "day-demo-1"), (T.POST_CREATED, "post-demo-1")],
    "liu_yang": [(T.VERIFY_EMAIL, "email"), (T.PROFILE_COMPLETE, "profile"), (T.VOTE_CAST, "post-demo-2"),
                 (T.REPLY_CREATED, "post-demo-3")],
    "sophie_w": [(T.VERIFY_EMAIL, "email"), (T.CHECKIN, "day-demo-1"), (T.TOPIC_CREATED, "post-demo-4")],
    "zhao_lei": [(T.VERIFY_EMAIL, "email"), (T.PROFILE_COMPLETE, "profile"), (T.CHECKIN, "day-demo-1"),
                 (T.POST_CREATED, "post-demo-5"), (T.VOTE_CAST, "post-demo-6"), (T.FOLLOW_TOPIC, "topic-demo-1")],
}


@transaction.atomic
def seed_demo(ctx):
    categories = {c.slug: c for c in Category.objects.all()}
    for order, (slug, name, name_en, desc, trigger, count, cat, cadence, reward) in enumerate(TASKS):
        Task.objects.get_or_create(slug=slug, defaults={
            "name": name, "name_en": name_en, "description": desc, "trigger": trigger, "count": count,
            "category": categories.get(cat) if cat else None, "cadence": cadence, "reward_points": reward,
            "sort_order": order * 10})
    from django.apps import apps

    if apps.is_installed("engagement.events"):
        from engagement.events.models import Event

        now = timezone.now()
        event = Event.objects.filter(cancelled_at__isnull=True, starts_at__lte=now, ends_at__gt=now).first()
        if event is not None:
            Task.objects.get_or_create(slug=f"event-{event.pk}-posts", defaults={
                "name": f"「{event.title}」期间发帖 3 次", "name_en": f"Post 3 times during “{event.title}”",
                "trigger": T.POST_CREATED, "count": 3, "cadence": C.EVENT, "event": event, "reward_points": 15,
                "sort_order": 500})
    done = 0
    for username, actions in PROGRESS.items():
        member = ctx.members.get(username) or User.objects.filter(username=username).first()
        if member is None:
            continue
        for trigger, source in actions:
            done += len(services.task_progress_record(member=member, trigger=trigger, source=source))
    return [f"tasks: {Task.objects.count()} tasks, {done} completions for demo members"]
