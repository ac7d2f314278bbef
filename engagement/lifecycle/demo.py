"""Demo content for `manage.py seed_demo`: long-standing members with a history, so the lifecycle
queue shows every stage working. Three regulars who used to reply twice a week and have gone quiet
(at risk), two who stopped coming a month or more ago (churned), one who was away for two months and
has just come back (recalled), their posts in three older topics dated across the last three months;
then the classification for each of the last six weeks, so "Stages over time" has a history.
Idempotent: members by username, topics by title, and a classification rerun for a day replaces it."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from forum import services as forum
from forum.models import Category, Post, PostVote, Topic, User
from forum.ranking import hot_score_expression

from . import services
from .models import MemberStage, Stage

# username, display name, bio, joined days ago, the days ago they were active
_TWICE_A_WEEK = [88, 84, 80, 77, 73, 70, 66, 63, 59, 56, 52, 49, 45, 42, 38, 35, 31, 28, 24, 21, 17]
OLD_MEMBERS = [
    ("sun_laoshi", "孙老师 Sun", "中学信息技术老师，老会员。Teaches computing; here since the beginning.", 120,
     _TWICE_A_WEEK + [9]),
    ("gao_min", "高敏 Gao Min", "做了十年社区运营。Ten years of community work.", 110, _TWICE_A_WEEK[1:] + [6]),
    ("xu_tao", "徐涛 Xu Tao", "后端工程师，喜欢 PostgreSQL。Backend engineer.", 105, _TWICE_A_WEEK[2:] + [11]),
    ("li_na_old", "李娜 Li Na", "摄影爱好者。Amateur photographer.", 130, [75, 71, 66, 60, 55, 50, 46, 41]),
    ("tom_w", "Tom Wu", "Used to post in English corner every week.", 125, [72, 65, 58, 51, 44, 38]),
    ("he_jing", "何静 He Jing", "出差两个月，刚回来。Back after two months away.", 115, [95, 90, 86, 81, 77, 4, 2]),
]
OLD_TOPICS = [
    ("general", "【老帖】社区三周年线下聚会，大家都来了吗？", "sun_laoshi",
     "聚会的照片已经整理好了，欢迎大家在这里补充回忆。Photos from the meetup are in the album."),
    ("tech-qa", "【老帖】Python 3.12 升级踩坑记录，欢迎补充", "xu_tao",
     "我们把生产环境升到了 3.12，记录一下遇到的问题：\n\n- `distutils` 被移除\n- 部分 C 扩展需要重新编译"),
    ("community-ops", "【老帖】每周一问：你是怎么发现这个社区的？", "gao_min",
     "做运营的都想知道答案：你第一次是从哪里知道我们的？朋友推荐、搜索还是别的社区？"),
]
REPLIES = [
    "同意楼上，我也遇到过类似的情况。", "补充一点：记得先备份再操作。", "谢谢分享，收藏了！",
    "这个问题我们上个月也讨论过，结论差不多。", "我是朋友推荐来的，一直潜水，今天冒个泡。",
    "Thanks, this saved me an afternoon.", "Same here: the docs were not clear about it.",
    "照片拍得真好，下次聚会我一定参加。", "有没有人整理一份清单？可以放到新人必读里。",
    "我试了第二种办法，可以用。", "Good point. I'd add a short checklist at the top.",
    "支持！这种帖子多来一点。", "我们团队也是这样做的，效果不错。", "回头我写一篇详细的经验贴。",
    "这个思路很好，我拿去给同事看看。", "I found this place through a search for Django tips.",
]
TAILS = ["", " 👍", "（周末再细看）", " Will try it this week.", "——来自手机", "，顺便顶一下。", " +1", "，期待更新。",
         "（已转发给小组）", " Bookmarked."]


def _reply_texts(rng, count):
    """Distinct texts (the spam rule holds back the same text posted twice in a day)."""
    pairs = [(r, t) for r in REPLIES for t in TAILS]
    rng.shuffle(pairs)
    return [f"{r}{t}" for r, t in pairs[:count]]


def _member(username, display, bio, joined_days, now):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=f"{username}@huoli.local", display_name=display, bio=bio,
                    date_joined=now - datetime.timedelta(days=joined_days))
        user.set_unusable_password()
        user.save()
        forum.member_joined(member=user)
    return user


@transaction.atomic
def _seed_history(ctx):
    now = ctx.now
    members = {name: _member(name, display, bio, joined, now) for name, display, bio, joined, _days in OLD_MEMBERS}
    if Topic.objects.filter(title=OLD_TOPICS[0][1]).exists():
        return 0
    rng = random.Random("demo-lifecycle")
    # every (time, member) of activity, each dealt to one of the old topics
    activity = sorted(
        (now - datetime.timedelta(days=day, hours=rng.randint(1, 10), minutes=rng.randint(0, 59)), name)
        for name, _display, _bio, _joined, days in OLD_MEMBERS for day in days
    )
    threads = {}
    for index, (slug, title, author, body) in enumerate(OLD_TOPICS):
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            continue
        topic = forum.topic_create(actor=members[author], category=category, title=title, body=body)
        opened = now - datetime.timedelta(days=92 - index)
        threads[topic.pk] = (topic, [(topic.posts.get(number=1), opened)])
    if not threads:
        return 0
    topics = list(threads.values())
    texts = _reply_texts(rng, len(activity))
    for i, (when, name) in enumerate(activity):
        topic, posts = topics[i % len(topics)]
        post = forum.post_create(actor=members[name], topic=topic, body=texts[i])
        posts.append((post, when))
    for topic, posts in topics:
        for post, when in posts:
            Post.objects.filter(pk=post.pk).update(created_at=when)
        Topic.objects.filter(pk=topic.pk).update(created_at=posts[0][1], last_activity_at=posts[-1][1],
                                                 last_poster=posts[-1][0].author_id)
    _regulars_vote(ctx, rng, [p for _topic, posts in topics for p in posts])
    for topic, posts in topics:  # ranked as the old topics they are (every vote re-ranked them as new)
        Topic.objects.filter(pk=topic.pk).update(hot_score=hot_score_expression(posts[0][1]))
    return sum(len(posts) for _topic, posts in topics)


def _regulars_vote(ctx, rng, dated_posts):
    """The demo's regular members (seed_demo's accounts) came by about once a week since they joined:
    an upvote on an older post each week until two weeks ago, so their habit is on record and their
    recent posts read as activity, not as a return after a long silence."""
    for _name, member in sorted(ctx.members.items()):
        joined_days = (ctx.now - member.date_joined).days
        voted = set()
        for day in range(min(joined_days, 84) - 2, 14, -7):
            when = ctx.now - datetime.timedelta(days=day, hours=rng.randint(1, 12))
            choices = [p for p, at in dated_posts
                       if at < when and p.author_id != member.pk and p.pk not in voted and p.is_visible]
            if not choices:
                continue
            post = rng.choice(choices)
            forum.post_vote(actor=member, post=post, value=1)
            PostVote.objects.filter(post=post, user=member).update(created_at=when)
            voted.add(post.pk)


def seed_demo(ctx):
    made = _seed_history(ctx)
    today = timezone.localdate()
    for weeks_ago in range(5, -1, -1):  # oldest first: the last run leaves today's stages
        services.lifecycle_classify(today=today - datetime.timedelta(weeks=weeks_ago))
    counts = {Stage(stage).label: MemberStage.objects.filter(stage=stage).count() for stage in Stage.values}
    return [f"lifecycle: {made} older posts; stages now: " + ", ".join(f"{label} {n}" for label, n in counts.items())]
