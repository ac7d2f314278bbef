"""Demo content for `manage.py seed_demo`: an open bounty with answers (the asker has not chosen
yet) and one whose answer was accepted, so /bounties/ and both topic pages show it working.
Idempotent: topics by title, bounties one per topic, payouts once per (bounty, member)."""

from django.db import transaction

from engagement.points import services as points
from forum import services as forum
from forum.errors import ForumError
from forum.models import Category, Topic, User

from . import services
from .models import Bounty

BOUNTIES = [
    # asker, category, title, body, amount, answers [(author, body)], accept the answer of
    ("liu_yang", "tech-qa", "【悬赏 80】Django 部署后静态文件 404，怎么排查？",
     "本地 `runserver` 一切正常，部署到服务器用 gunicorn + nginx 之后 CSS 全部 404。\n\n"
     "已经执行过 `collectstatic`，`STATIC_ROOT` 也设置了。求一个排查思路，解决了悬赏 80 积分。", 80,
     [("chen_wei", "先看 nginx 的 `location /static/` 指向的是不是 `STATIC_ROOT`，路径末尾的斜杠很容易错。"),
      ("jack_dev", "Check the nginx error log: `tail -f /var/log/nginx/error.log` shows the exact path it tried.")], None),
    ("mia_chen", "community-ops", "【悬赏 50】新人第一周流失严重，有什么低成本的挽留办法？",
     "我们的小社区每周来 30 个新人，一周后只剩 5 个还在发帖。有没有不需要开发资源的办法？", 50,
     [("wang_fang", "给每个新人安排一个「引路人」，第一周内回复他的第一帖。我们这样做之后留存翻倍。"),
      ("emma_li", "A newcomer checklist with small point rewards worked for us: first post, first vote, join a group.")],
     "wang_fang"),
]


@transaction.atomic
def seed_demo(ctx):
    made = 0
    for asker_name, slug, title, body, amount, answers, accept in BOUNTIES:
        asker = ctx.members.get(asker_name) or User.objects.filter(username=asker_name).first()
        category = Category.objects.filter(slug=slug).first()
        if asker is None or category is None:
            continue
        topic = Topic.objects.filter(title=title).first()
        if topic is None:
            topic = forum.topic_create(actor=asker, category=category, title=title, body=body)
        points.points_award(member=asker, rule_code="checkin_streak_bonus", amount=amount, source_type="demo",
                            source_id=f"bounty-{topic.pk}")
        if not Bounty.objects.filter(topic=topic).exists():
            try:
                services.bounty_offer(actor=asker, topic=topic, amount=amount)
            except ForumError:
                continue
            made += 1
        posts = {}
        for author_name, text in answers:
            author = ctx.members.get(author_name) or User.objects.filter(username=author_name).first()
            post = topic.posts.filter(author=author, number__gt=1).first()
            posts[author_name] = post or forum.post_create(actor=author, topic=topic, body=text)
        bounty = Bounty.objects.get(topic=topic)
        if accept and bounty.is_open:
            services.bounty_accept(actor=asker, topic_id=topic.pk, post_id=posts[accept].pk)
    return [f"bounties: {Bounty.objects.filter(status=Bounty.Status.OPEN).count()} open, "
            f"{Bounty.objects.exclude(status=Bounty.Status.OPEN).count()} closed ({made} new)"]
