"""manage.py seed_demo: a small, living forum for a newcomer's first look.

Idempotent: every member, category and topic is looked up before it is made, and each topic
(with its replies, votes, flags and back-dated times) is written in one transaction, so a second
run changes nothing and an interrupted run can simply be started again.

Content goes through forum.services, so counters, hot scores and notifications are what the live
forum would have. The write rate limits are raised for the duration of the command, and Celery
runs eagerly so that reply and mention notifications exist when the command ends. Afterwards the
times are spread over the last two weeks and the caches that depend on them (topic activity, hot
score, category last topic) are recomputed from the rows.

Sections run in order: the forum's own (SECTIONS below), then, for every installed app that has a
``demo`` module (``engagement/demo.py``, ``cms/demo.py``...), its ``seed_demo(ctx)`` function. A
section gets a DemoContext (members by username, categories by slug, a seeded random.Random,
``now`` and ``say``) and returns a list of summary lines. It must be idempotent too.
"""

import importlib
import importlib.util
import os
import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from forum import cache as fragment_cache
from forum import ratelimit, services
from forum.models import Category, Notification, Post, PostRevision, PostVote, Topic, User
from forum.moderation import registry
from forum.permissions import EDITORS, MEMBERS, MODERATORS, can_read_topic
from forum.ranking import hot_score_expression


@dataclass
class DemoContext:
    now: object
    rng: random.Random
    say: object
    members: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    admin_password: str | None = None
    admin_created: bool = False


# --- members -----------------------------------------------------------------------------------
ADMIN = ("admin", "管理员 Admin", "Huoli 的站长。有问题请在「公告」分类留言。 Site admin of this demo.")
MEMBERS_DATA = [
    # username, display name, bio, group, days since joining
    ("mod_lin", "林晓 Lin Xiao", "版主，负责社区秩序和新人引导。Moderator; ask me anything about the rules.", MODERATORS, 80),
    ("editor_zhou", "周燕 Zhou Yan", "内容编辑，每周整理社区精选。Editor of the weekly digest.", EDITORS, 75),
    ("chen_wei", "陈伟", "后端工程师，Python / PostgreSQL 爱好者。", MEMBERS, 70),
    ("emma_li", "Emma Li", "Community manager in Shanghai. I collect good onboarding ideas.", MEMBERS, 65),
    ("wang_fang", "王芳", "社区运营三年，喜欢做线下活动和用户访谈。", MEMBERS, 60),
    ("jack_dev", "Jack Turner", "Frontend developer. CSS, accessibility and fast pages.", MEMBERS, 50),
    ("liu_yang", "刘洋", "计算机专业大三学生，正在学习 Django。", MEMBERS, 40),
    ("sophie_w", "Sophie Wang", "产品设计师 / Product designer. 中英文都可以交流。", MEMBERS, 35),
    ("zhao_lei", "赵磊", "产品经理，关注增长和数据分析。", MEMBERS, 30),
    ("mia_chen", "Mia Chen", "Learning English and Python at the same time. 一起加油！", MEMBERS, 20),
]

# --- categories --------------------------------------------------------------------------------
CATEGORIES = [
    # slug, name, description, colour, read group, post group
    ("announcements", "公告 Announcements", "站务公告与版本更新。Site news and release notes.", "#d9480f", None, MODERATORS),
    ("general", "综合讨论 General", "什么都可以聊，友善第一。Anything goes, kindness first.", "#1971c2", None, None),
    ("community-ops", "运营交流 Community ops", "社区运营、活动和增长的经验交流。", "#2f9e44", None, None),
    ("tech-qa", "技术问答 Tech Q&A", "编程、部署和工具的问题与解答。Questions and answers about code.", "#9c36b5", None, None),
    ("english-corner", "English corner", "Practise your English with friendly people. 用英语交流的角落。", "#0c8599", None, None),
    ("moderators", "版主议事厅 Moderators", "仅版主可见：举报处理和社区规则讨论。Moderators only.", "#495057", MODERATORS,
     MODERATORS),
]

# --- topics --------------------------------------------------------------------------------------
# category, author, title, body, tags, days ago, replies [(author, body, replying to post number)],
# options: pinned / locked / an edit of the opening post by its author
TOPICS = [
    dict(
        category="announcements", author="admin", days=13.5, pinned=True, tags=["公告", "新手"],
        title="欢迎来到 Huoli 活力社区！新手必读",
        body="""大家好，欢迎来到 **Huoli 活力社区** 👋

这里是一个讨论社区运营、技术和日常生活的地方。发帖之前，请花一分钟看看下面几条：

1. **友善**：对事不对人，不做人身攻击。
2. **具体**：提问时写清楚背景、你试过什么、结果是什么。
3. **分类**：技术问题发到「技术问答」，运营话题发到「运营交流」。
4. **投票**：觉得有帮助的回复，点个 👍 让更多人看到。

> 好的社区不是管出来的，是大家一起养出来的。

有任何问题可以 @mod_lin 或者在本帖回复。Markdown 的写法可以参考 [CommonMark 教程](https://commonmark.org/help/)。""",
        replies=[
            ("mod_lin", "补充一点：帖子发出后可以编辑，编辑记录会保留。被举报的内容版主会在 24 小时内处理。", None),
            ("admin", "English speakers are welcome too — check out the **English corner** category.", None),
        ],
    ),
    dict(
        category="announcements", author="mod_lin", days=6.2, tags=["公告", "release"],
        title="版本更新：投票、书签和通知上线 / Release notes",
        body="""本周上线了三个新功能：

- **投票**：每个帖子可以赞同或反对，不能给自己投票。
- **书签**：收藏有用的回复，在个人页面查看。
- **通知**：有人回复你的帖子、@ 你或者给你点赞时会收到通知。

This week we shipped **votes**, **bookmarks** and **notifications**. Please report bugs in this thread.""",
        replies=[("admin", "感谢大家的反馈，通知的合并显示会在下个版本改进。", None)],
    ),
    dict(
        category="general", author="liu_yang", days=12.8, tags=["效率", "工具"],
        title="大家平时都用什么方式记笔记？",
        body="""最近课程越来越多，笔记乱成一团。试过纸质本、OneNote，都坚持不下来。

大家都用什么工具？有没有什么**整理方法**可以推荐？""",
        replies=[
            ("chen_wei", "我用纯 Markdown 文件 + Git，按月份建文件夹。好处是永远不会被某个软件绑架。", 1),
            ("sophie_w", "推荐试试「卡片笔记法」：每张卡片只写一个想法，再用链接把它们连起来。", 1),
            ("jack_dev", "Obsidian here. The graph view is mostly eye candy, but backlinks are genuinely useful.", None),
            ("emma_li", "@liu_yang 关键不是工具，而是每周固定半小时回顾。不回顾的笔记等于没记。", None),
            ("liu_yang", "谢谢大家！决定先用 Markdown + 每周回顾试一个月，到时候来汇报 😄", 5),
        ],
    ),
    dict(
        category="general", author="wang_fang", days=9.1, tags=["活动", "上海"],
        title="周末上海有没有一起去徒步的？",
        body="这周六打算去佘山走一圈，大概 10 公里，节奏比较慢，适合新手。有兴趣的回复一下，人多的话我建个群。",
        replies=[
            ("mia_chen", "我想去！需要准备什么吗？", None),
            ("wang_fang", "@mia_chen 带水、防晒和一双舒服的鞋就行，午饭我们在山脚下吃。", 2),
            ("zhao_lei", "这周加班去不了，下次一定 🙏", None),
        ],
    ),
    dict(
        category="general", author="mia_chen", days=7.4, tags=["效率"],
        title="分享一个提高专注力的小方法：番茄钟 + 白噪音",
        body="""试了两周，效果出乎意料：

1. 25 分钟专注，5 分钟休息；
2. 戴耳机放雨声白噪音；
3. 手机放在另一个房间。

> 专注不是意志力问题，而是环境设计问题。

最大的变化是晚上不再觉得「一天什么都没做」。""",
        replies=[
            ("liu_yang", "手机放另一个房间这条太真实了，放在桌上根本忍不住。", None),
            ("sophie_w", "I do the same with a 50/10 split for design work — 25 minutes is too short to get into flow.", None),
        ],
    ),
    dict(
        category="general", author="emma_li", days=4.3, tags=["meta", "English"],
        title="What brought you to this community?",
        body="""I'll start: I run a small developer community in Shanghai and wanted a place to compare notes with people doing the same.

What about you? 中文回复也完全没问题！""",
        replies=[
            ("chen_wei", "被朋友拉进来的，留下来是因为技术问答区的回答质量很高。", None),
            ("jack_dev", "I was looking for a forum that is fast on a phone. This one is.", None),
            ("zhao_lei", "想找做社区增长的同行交流，这里的运营板块很对口。", None),
            ("mia_chen", "To practise English! The English corner is my favourite place here.", None),
        ],
    ),
    dict(
        category="community-ops", author="wang_fang", days=13.0, tags=["运营", "KOL"],
        title="如何发掘社区中的 KOL 用户？",
        body="""我们社区现在日活两千左右，想找出一批有影响力的用户重点运营，但不知道从哪些指标入手。

目前想到的几个维度：

- 发帖和回复的**数量**
- 收到的**赞同数**
- 回复被其他人引用的次数
- 带来的新用户（邀请）

大家是怎么做的？有没有踩过坑？""",
        replies=[
            ("zhao_lei", """我们的做法是算一个加权分：

| 指标 | 权重 |
| --- | --- |
| 收到的赞同 | 0.4 |
| 被回复次数 | 0.3 |
| 活跃天数 | 0.3 |

单看发帖数很容易被水帖刷上去。""", 1),
            ("emma_li", "Be careful with pure metrics: some of our most valuable members post rarely but every answer is gold. We also ask moderators for nominations.", 1),
            ("mod_lin", "同意 @emma_li，我们每个月会让版主提名 5 个人，再结合数据看。", 3),
            ("wang_fang", "很有启发！我先按 @zhao_lei 的表格跑一版数据，下周来分享结果。", 2),
        ],
    ),
    dict(
        category="community-ops", author="zhao_lei", days=10.6, tags=["运营", "增长", "数据"],
        title="新用户第一周留存只有 18%，该从哪里下手？",
        body="""看了一下数据，注册后第一周还会回来的用户只有 18%。

我的猜测是新人发了第一个帖子后没人回复，就再也不来了。有人做过「新人首帖必回」这样的机制吗？""",
        replies=[
            ("wang_fang", "做过！我们安排了三个志愿者每天看新人帖，24 小时内必回，第一周留存从 20% 涨到了 31%。", 1),
            ("emma_li", "Also look at the empty state: what does a newcomer see right after signing up? A list of 3 good starter topics helped us.", None),
            ("sophie_w", "从设计上看，注册流程里让用户选 2-3 个感兴趣的分类，首页就不会是一片陌生内容。", None),
        ],
    ),
    dict(
        category="community-ops", author="emma_li", days=8.0, tags=["运营", "积分"],
        title="签到和积分体系：激励还是负担？",
        body="""Our community is debating whether to add daily check-ins with points.

支持的人说能提高日活，反对的人说会带来大量「签到党」，只签到不发言。你们的经验呢？""",
        replies=[
            ("wang_fang", "我们上线签到后日活涨了 40%，但发帖量几乎没变……所以要看你想要什么指标。", None),
            ("chen_wei", "积分一定要能「花掉」，否则很快就没有吸引力了。比如兑换周边、抽奖。", None),
            ("zhao_lei", "建议连续签到的奖励设上限，避免变成负担。断签的焦虑感是真实存在的。", 2),
        ],
    ),
    dict(
        category="community-ops", author="wang_fang", days=5.5, locked=True, tags=["活动", "复盘"],
        title="线下活动复盘：第一次 Meetup 来了 42 个人",
        body="""上周六办了第一次线下 Meetup，报名 60 人，实到 42 人。几点复盘：

**做得好的**
- 提前一周发议程，每个分享不超过 15 分钟
- 签到时发姓名贴，破冰容易很多

**可以改进的**
- 场地 Wi-Fi 太差，投屏卡了好几次
- 没有安排合影，结束时大家就散了

感谢所有来参加的朋友！照片已经发到群里。本帖锁定，讨论请移步新帖。""",
        replies=[
            ("mia_chen", "第一次参加线下活动，氛围特别好，期待下一次！", None),
            ("jack_dev", "Great event. Next time I can help with the projector setup.", None),
        ],
    ),
    dict(
        category="community-ops", author="mod_lin", days=3.2, tags=["版主", "工具"],
        title="版主工作量太大，有什么工具推荐？",
        body="最近举报量明显上升，每天要花两个小时处理。大家有没有好用的工具或者流程，能减轻版主的负担？",
        replies=[
            ("chen_wei", "可以先做关键词预审，命中的帖子自动进入待审核队列，版主只需要看队列。", None),
            ("emma_li", "We rotate moderators weekly so nobody burns out, and we publish a short moderation log so members see the rules are applied fairly.", None),
        ],
    ),
    dict(
        category="tech-qa", author="liu_yang", days=11.7, tags=["Django", "Python"],
        title="Django ORM 中 select_related 和 prefetch_related 有什么区别？",
        body="""看文档有点绕，什么时候用哪个？下面这段代码在模板里循环的时候查询特别多：

```python
topics = Topic.objects.all()[:20]
for topic in topics:
    print(topic.author.username, topic.tags.count())
```""",
        edit="\n\n**更新**：已经解决了，感谢 @chen_wei 的详细解释！",
        replies=[
            ("chen_wei", """简单说：

- `select_related` 用 **JOIN**，适合外键和一对一（比如 `topic.author`）；
- `prefetch_related` 多发**一条查询**再在 Python 里拼起来，适合多对多和反向外键（比如 `topic.tags`）。

```python
topics = (
    Topic.objects.select_related("author")
    .prefetch_related("tags")[:20]
)
```

这样不管多少个话题，都只有两条查询。可以用 `django-debug-toolbar` 验证。""", 1),
            ("jack_dev", "Also note that `topic.tags.count()` ignores the prefetch and runs a COUNT each time — use `len(topic.tags.all())` instead.", 2),
            ("liu_yang", "原来 `.count()` 也会绕过 prefetch，学到了！", 3),
        ],
    ),
    dict(
        category="tech-qa", author="chen_wei", days=9.8, tags=["PostgreSQL", "搜索"],
        title="PostgreSQL 中文全文搜索怎么做？",
        body="""用 `to_tsvector('simple', '如何发掘社区中的KOL用户')` 整句只会变成一个词，根本搜不到「社区」。

有没有不装扩展的方案？服务器上装不了 zhparser。""",
        replies=[
            ("jack_dev", "Could pg_trgm help? It works on any text without a tokenizer.", None),
            ("chen_wei", """试过了，`word_similarity('社区', ...)` 对中文基本是 0。最后的方案是在 Python 里用 jieba 分词：

```python
import jieba
words = " ".join(jieba.cut_for_search(text))
```

把分好的词存一列，用 `simple` 配置建 tsvector 和 GIN 索引，查询时每个词一个 `SearchQuery` 用 `&` 连起来。效果不错。""", 2),
            ("zhao_lei", "收藏了，我们的站内搜索正好有这个问题。", None),
        ],
    ),
    dict(
        category="tech-qa", author="jack_dev", days=7.9, tags=["Celery", "Python"],
        title="How do I debug a slow Celery task?",
        body="""One of our tasks sometimes takes 30+ seconds instead of 2. It sends notifications to the subscribers of a topic.

```python
@shared_task
def notify(post_id):
    post = Post.objects.get(pk=post_id)
    for sub in post.topic.subscriptions.all():
        send_notification(sub.user, post)
```

Where should I start?""",
        replies=[
            ("chen_wei", "先看 `sub.user`：循环里每次都会查一次用户表，典型的 N+1。加上 `.select_related(\"user\")`。", 1),
            ("emma_li", "Also check whether `send_notification` talks to an external service synchronously — timeouts there look exactly like this.", 1),
            ("jack_dev", "It was both! select_related cut the queries and a 5 s timeout on the push service fixed the spikes. Thanks!", None),
        ],
    ),
    dict(
        category="tech-qa", author="zhao_lei", days=5.0, tags=["Redis", "缓存", "性能"],
        title="Redis 缓存同时失效，数据库被打爆了怎么办？",
        body="""我们给热门页面加了 60 秒缓存，结果每到整点缓存一起过期，数据库 CPU 直接 100%。

这种情况一般怎么处理？""",
        replies=[
            ("chen_wei", """这是典型的缓存雪崩，常见三招：

1. 过期时间加**随机抖动**，比如 60 ± 10 秒；
2. 用锁保证同一时间只有一个请求去重建缓存；
3. 后台任务**提前刷新**热门 key。""", 1),
            ("jack_dev", "+1 for jitter. It's one line of code and fixes most of it.", 2),
        ],
    ),
    dict(
        category="tech-qa", author="sophie_w", days=2.6, tags=["CSS", "移动端"],
        title="手机上 375px 宽度时表格溢出怎么处理？",
        body="帖子里的 Markdown 表格在 iPhone 上会把整个页面撑宽，出现横向滚动条。有什么优雅的办法？",
        replies=[
            ("jack_dev", """Wrap the table in a scroll container instead of letting it stretch the page:

```css
.post-body table {
  display: block;
  overflow-x: auto;
  max-width: 100%;
}
```""", 1),
            ("sophie_w", "完美解决，谢谢 @jack_dev！", 2),
        ],
    ),
    dict(
        category="english-corner", author="emma_li", days=11.2, tags=["English", "writing"],
        title="Tips for writing good bug reports",
        body="""A good bug report saves everyone time. My checklist:

1. **What you did** — the exact steps.
2. **What you expected** to happen.
3. **What happened instead** — with the error message copied, not paraphrased.
4. Your browser / OS / version.

> If it can't be reproduced, it can't be fixed.

What would you add?""",
        replies=[
            ("jack_dev", "A screenshot or a short screen recording. It answers half of the follow-up questions.", None),
            ("liu_yang", "As a student I learned a lot from this. Maybe also: search first, it may be a known issue?", None),
            ("emma_li", "@liu_yang Great point — linking to a related issue is very helpful.", 3),
        ],
    ),
    dict(
        category="english-corner", author="mia_chen", days=6.8, tags=["English", "practice"],
        title="Let's practise: describe your city in three sentences",
        body="""I'll go first: Hangzhou is green and calm. The West Lake is beautiful in every season. The food is a little sweet for me!

Please correct my mistakes, I want to learn. 🙂""",
        replies=[
            ("wang_fang", "Shanghai never sleeps. You can find coffee at 2 a.m. The metro is my second home.", None),
            ("sophie_w", "Your English is great, Mia! Only tiny thing: \"a little too sweet for me\" sounds more natural.", 1),
            ("chen_wei", "Chengdu is relaxed. People drink tea all afternoon. Spicy food is everywhere.", None),
            ("mia_chen", "Thank you @sophie_w, I will remember \"a little too sweet\"!", 3),
        ],
    ),
    dict(
        category="english-corner", author="sophie_w", days=1.9, tags=["books", "community"],
        title="Book recommendations: building communities",
        body="""Looking for books about building online communities. So far I have:

- *Get Together* by Bailey Richardson et al.
- *The Art of Community* by Jono Bacon

Any others? Chinese books are welcome too.""",
        replies=[
            ("emma_li", "*Buzzing Communities* by Richard Millington is practical and full of numbers.", None),
            ("wang_fang", "中文的推荐《社群运营的艺术》，案例都是国内的社区。", None),
        ],
    ),
    dict(
        category="general", author="editor_zhou", days=1.2, tags=["精选"],
        title="每周精选 #1：本周值得一读的 5 个帖子",
        body="""本周的社区精选 / This week's picks:

1. **如何发掘社区中的 KOL 用户？** —— 指标表格很实用
2. **Django ORM 中 select_related 和 prefetch_related 有什么区别？** —— 新手必看
3. **PostgreSQL 中文全文搜索怎么做？** —— jieba 分词方案
4. **Tips for writing good bug reports** —— a checklist worth bookmarking
5. **线下活动复盘：第一次 Meetup** —— 办活动前可以先看看

欢迎在回复里推荐下周的精选 🙌""",
        replies=[
            ("wang_fang", "谢谢收录！推荐下周看看「新用户第一周留存」那个帖子，讨论很精彩。", None),
            ("mia_chen", "This digest is very useful for people who don't visit every day.", None),
        ],
    ),
    dict(
        category="moderators", author="mod_lin", days=2.1, tags=["版主"],
        title="本周举报处理汇总（内部）",
        body="""本周共收到举报 17 条：

- 广告 9 条：已删除，3 个账号已封禁
- 人身攻击 2 条：已隐藏，私信提醒
- 误报 6 条：无需处理

下周开始试行关键词预审，请大家留意误伤。""",
        replies=[("admin", "辛苦了！关键词列表放在后台的设置里，可以直接编辑。", None)],
    ),
]


# --- sections ----------------------------------------------------------------------------------
def _verified_email(user):
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    EmailAddress.objects.filter(user=user, email=user.email).update(verified=True)


def seed_accounts(ctx):
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (MEMBERS, EDITORS, MODERATORS)}
    lines = []
    username, display_name, bio = ADMIN
    admin = User.objects.filter(username=username).first()
    if admin is None:
        ctx.admin_password = os.environ.get("HUOLI_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        admin = User.objects.create_superuser(username=username, email="admin@huoli.local",
                                              password=ctx.admin_password, display_name=display_name, bio=bio,
                                              date_joined=ctx.now - timedelta(days=90))
        services.member_joined(member=admin)
        ctx.admin_created = True
    _verified_email(admin)
    ctx.members[username] = admin

    created = 0
    for username, display_name, bio, group, joined_days in MEMBERS_DATA:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@huoli.local", display_name=display_name, bio=bio,
                        date_joined=ctx.now - timedelta(days=joined_days))
            user.set_unusable_password()
            user.save()
            services.member_joined(member=user)
            if group != MEMBERS:
                user.groups.add(groups[group])
            created += 1
        _verified_email(user)
        ctx.members[username] = user
    lines.append(f"members: {created} created, {len(MEMBERS_DATA) - created} already there "
                 f"(plus admin; demo members have no password: set one with `manage.py changepassword <name>`)")
    return lines


def seed_categories(ctx):
    created = 0
    base = Category.objects.exclude(slug__in=[c[0] for c in CATEGORIES]).count()
    for position, (slug, name, description, color, read_group, post_group) in enumerate(CATEGORIES, start=1):
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            category = Category.objects.create(
                slug=slug, name=name, description=description, color=color, position=base + position,
                read_group=Group.objects.get(name=read_group) if read_group else None,
                post_group=Group.objects.get(name=post_group) if post_group else None,
            )
            created += 1
        ctx.categories[slug] = category
    return [f"categories: {created} created, {len(CATEGORIES) - created} already there"]


def _spread_times(rng, now, days_ago, count):
    """The opening post `days_ago` days ago, replies at growing intervals, all before `now`."""
    start = now - timedelta(days=days_ago, minutes=rng.randint(0, 300))
    times = [start]
    for _ in range(count - 1):
        gap = timedelta(minutes=rng.randint(20, 60 * 18))
        times.append(min(times[-1] + gap, now - timedelta(minutes=rng.randint(5, 30))))
    for i in range(1, len(times)):  # keep the order strict even when capped at `now`
        if times[i] <= times[i - 1]:
            times[i] = times[i - 1] + timedelta(seconds=30)
    return times


def _voters(ctx, rng, post, topic, k):
    eligible = [m for name, m in sorted(ctx.members.items())
                if m.pk != post.author_id and can_read_topic(m, topic)]
    return rng.sample(eligible, min(k, len(eligible)))


def _create_topic(ctx, spec, index):
    rng = random.Random(f"demo-topic-{index}")
    category = ctx.categories[spec["category"]]
    author = ctx.members[spec["author"]]
    replies = spec.get("replies", [])
    times = _spread_times(rng, ctx.now, spec["days"], 1 + len(replies))
    with transaction.atomic():
        topic = services.topic_create(actor=author, category=category, title=spec["title"], body=spec["body"],
                                      tags=spec.get("tags", ()))
        posts = [topic.posts.get(number=1)]
        for reply_author, body, reply_to in replies:
            target = posts[reply_to - 1] if reply_to else None
            posts.append(services.post_create(actor=ctx.members[reply_author], topic=topic, body=body,
                                              reply_to=target))
        if spec.get("edit"):
            services.post_edit(actor=author, post=posts[0], body=spec["body"] + spec["edit"])
        topic.refresh_from_db()
        # votes from distinct members: the opening post gets the most, later replies fewer
        vote_count = 0
        for i, post in enumerate(posts):
            k = rng.randint(3, 7) if i == 0 else rng.randint(0, 4)
            for voter in _voters(ctx, rng, post, topic, k):
                value = 1 if rng.random() < 0.88 else -1
                services.post_vote(actor=voter, post=post, value=value)
                vote_count += 1
        moderator = ctx.members["mod_lin"]
        if spec.get("pinned"):
            registry.run("topic", "pin", actor=moderator, obj=topic)
        if spec.get("locked"):
            registry.run("topic", "lock", actor=moderator, obj=topic)
        # back-date: posts, their votes and revisions, then the topic's activity and hot score
        for post, when in zip(posts, times, strict=True):
            Post.objects.filter(pk=post.pk).update(created_at=when)
            Post.objects.filter(pk=post.pk, edited_at__isnull=False).update(
                edited_at=when + timedelta(hours=rng.randint(1, 20)))
            PostVote.objects.filter(post=post).update(created_at=when + timedelta(minutes=rng.randint(5, 600)))
            PostRevision.objects.filter(post=post).update(created_at=when + timedelta(hours=1))
        Topic.objects.filter(pk=topic.pk).update(
            created_at=times[0], last_activity_at=times[-1], last_poster=posts[-1].author_id,
        )
        Topic.objects.filter(pk=topic.pk).update(hot_score=hot_score_expression(times[0]))
    # notifications are made after commit (the notify task): date them with their post
    for post, when in zip(posts, times, strict=True):
        Notification.objects.filter(post=post).update(created_at=when + timedelta(minutes=rng.randint(1, 120)))
    return len(posts), vote_count


def _refresh_category_activity(categories):
    for category in categories:
        last = (Topic.objects.filter(category=category, is_hidden=False)
                .order_by("-last_activity_at", "-id").first())
        Category.objects.filter(pk=category.pk).update(
            last_topic=last, last_activity_at=last.last_activity_at if last else None
        )


def seed_topics(ctx):
    created = posts = votes = 0
    for index, spec in enumerate(TOPICS):
        category = ctx.categories[spec["category"]]
        if Topic.objects.filter(category=category, title=spec["title"]).exists():
            continue
        n_posts, n_votes = _create_topic(ctx, spec, index)
        created += 1
        posts += n_posts
        votes += n_votes
    _refresh_category_activity(ctx.categories.values())
    if created:
        # the times were changed behind the services' backs: retire cached anonymous pages
        for topic_id in Topic.objects.filter(category__in=ctx.categories.values()).values_list("pk", flat=True):
            fragment_cache.bump_topic(topic_id)
        for category in ctx.categories.values():
            fragment_cache.bump_category(category.pk)
    # the service marks a fresh topic as read and subscribed for its author: keep that, but
    # also date the members' "last seen" at their latest post, as a live forum would
    for member in ctx.members.values():
        latest = Post.objects.filter(author=member).order_by("-created_at").values_list("created_at", flat=True)
        latest = latest.first()
        if latest and member.last_seen_at is None:
            User.objects.filter(pk=member.pk, last_seen_at__isnull=True).update(last_seen_at=latest)
    return [f"topics: {created} created with {posts} posts and {votes} votes, "
            f"{len(TOPICS) - created} already there"]


def seed_drafts(ctx):
    """The composer's server-side drafts (forum/composer): the admin, the one demo account that can
    sign in, finds a half-written reply and a new-topic draft restored when opening those composers."""
    from forum.composer import services as composer_services

    admin = ctx.members.get(ADMIN[0])
    topic = Topic.objects.filter(category__in=ctx.categories.values(), is_hidden=False).order_by("pk").first()
    if admin is None or topic is None:
        return []
    composer_services.draft_save(
        actor=admin, place=f"reply:{topic.pk}",
        body="补充一点：我们上个月也试过类似的做法，**关键是先找到愿意带头的几位老会员**。\n\n"
             "具体步骤我整理一下再发，先存个草稿。")
    category = next(iter(ctx.categories.values()))
    composer_services.draft_save(
        actor=admin, place=f"new:{category.pk}", category_id=category.pk, title="新人引导流程的改进建议",
        body="## 现状\n\n新会员注册后不知道从哪里开始。\n\n## 想法\n\n- 首页加一个「新人必读」入口\n- ")
    return [f"drafts: a reply draft in “{topic.title}” and a new-topic draft in {category.name} for {ADMIN[0]}"]


def seed_moderation(ctx):
    """A member the moderators are watching, so /mod/u/<username>/ and the audit log have a story: an
    advertising reply, two reports on it, a week's silence by the moderator and a staff note."""
    from forum.moderation import bans, notes, reports
    from forum.moderation.models import StaffNote

    watched = User.objects.filter(username="promo_xu").first()
    if watched is None:
        watched = User(username="promo_xu", email="promo_xu@huoli.local", display_name="推广小徐",
                       date_joined=ctx.now - timedelta(days=9))
        watched.set_unusable_password()
        watched.save()
        services.member_joined(member=watched)
    _verified_email(watched)
    if StaffNote.objects.filter(member=watched).exists():
        return ["moderation: the watched member is there already"]
    moderator = User.objects.get(username="mod_lin")
    topic = (Topic.objects.filter(category__slug__in=[c[0] for c in CATEGORIES], is_hidden=False, is_locked=False)
             .exclude(category__slug="announcements").order_by("id").first())
    if topic is None:
        return ["moderation: no topic to reply in"]
    reply = services.post_create(actor=watched, topic=topic,
                                 body="低价代写论文、刷粉丝，加微信 promo-xu-2026，量大从优！")
    for name, reason, message in (("chen_wei", "spam", "典型的广告，已经第二次了"),
                                  ("emma_li", "spam", "Advertising in a help thread.")):
        reporter = User.objects.filter(username=name).first()
        if reporter is not None:
            reports.report_create(actor=reporter, target=reply, reason=reason, message=message)
    bans.member_sanction(actor=moderator, member=watched, kind="silence", reason="连续发广告，禁言一周",
                         until=ctx.now + timedelta(days=7))
    notes.note_create(actor=moderator, member=watched,
                      text="已私信提醒：再发广告将永久封禁。注册邮箱与上月封禁的账号相似，请留意。")
    return ["moderation: promo_xu wrote an ad, was reported twice, silenced for a week, and has a staff note"]


SECTIONS = [
    ("accounts", seed_accounts),
    ("categories", seed_categories),
    ("topics", seed_topics),
    ("drafts", seed_drafts),
    ("moderation", seed_moderation),
]


def app_sections():
    """`seed_demo(ctx)` of every installed app (other than the forum) that has a `demo` module."""
    found = []
    for app_config in apps.get_app_configs():
        if app_config.name == "forum":
            continue
        module_name = f"{app_config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        if hasattr(module, "seed_demo"):
            found.append((app_config.label, module.seed_demo))
    return found


class Command(BaseCommand):
    help = "Load demo members, categories, topics, replies and votes (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024, help="Seed for the random parts (votes, times).")
        parser.add_argument("--only", action="append", metavar="SECTION",
                            help="Run only this section (repeatable), e.g. --only accounts.")

    def handle(self, *args, **options):
        from celery import current_app

        limits = {action: (10**9, window) for action, (_limit, window) in settings.HUOLI["RATE_LIMITS"].items()}
        was_eager = current_app.conf.task_always_eager
        current_app.conf.task_always_eager = True
        ctx = DemoContext(now=timezone.now(), rng=random.Random(options["seed"]), say=self.stdout.write)
        sections = SECTIONS + app_sections()
        if options["only"]:
            known = {name for name, _fn in sections}
            unknown = sorted(set(options["only"]) - known)
            if unknown:
                raise CommandError(f"Unknown section(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
            sections = [(name, fn) for name, fn in sections if name in options["only"]]
        try:
            with override_settings(HUOLI={**settings.HUOLI, "RATE_LIMITS": limits}), ratelimit.suspended():
                for name, section in sections:
                    for line in section(ctx) or ():
                        self.stdout.write(f"  [{name}] {line}")
        finally:
            current_app.conf.task_always_eager = was_eager

        totals = {
            "members": User.objects.filter(username__in=[ADMIN[0]] + [m[0] for m in MEMBERS_DATA]).count(),
            "categories": Category.objects.filter(slug__in=[c[0] for c in CATEGORIES]).count(),
            "topics": Topic.objects.filter(category__slug__in=[c[0] for c in CATEGORIES]).count(),
            "posts": Post.objects.filter(topic__category__slug__in=[c[0] for c in CATEGORIES]).count(),
            "votes": PostVote.objects.filter(post__topic__category__slug__in=[c[0] for c in CATEGORIES]).count(),
        }
        self.stdout.write(self.style.SUCCESS(
            "Demo forum ready: " + ", ".join(f"{n} {what}" for what, n in totals.items())
        ))
        if ctx.admin_created:
            self.stdout.write(self.style.WARNING(f"Admin login: admin / {ctx.admin_password}"))
        else:
            self.stdout.write("Admin login: admin (existing account, password unchanged; "
                              "reset it with `manage.py changepassword admin`)")

