"""manage.py seed_bulk: large, deterministic forum data for benchmarks.

    manage.py seed_bulk --members 100000 --topics 50000 --posts 1000000 --votes 3000000 \\
        --hot-topic-posts 1000 --seed 1

Everything is planned in Python first from one seeded ``random.Random`` (who wrote what and
when, which posts are hidden, who voted for what), so every counter is computed from the rows
it summarises before anything is written: Post.upvotes/downvotes/score, Topic.post_count/
reply_count/vote_score/last_activity_at/last_poster/hot_score, Category.topic_count/post_count/
last_topic/last_activity_at and User.topic_count/post_count/upvotes_received. The rows then go
in with COPY on PostgreSQL (big bulk_create batches elsewhere) inside one transaction, and the
sequences are reset afterwards. Post HTML is rendered once per paragraph of a text pool with the
forum's own Markdown renderer and joined, so it equals render_markdown(source).

Bulk data is marked by its categories' slugs (``bulk-<run>-<n>``) and members' usernames
(``bk<run>_<n>``). A second run refuses unless --append is given.
"""

import bisect
import itertools
import random
import re
import time
from array import array
from datetime import UTC, datetime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from forum import cache as fragment_cache
from forum.markdown import render_markdown
from forum.models import Category, Post, PostVote, Tag, Topic, User
from forum.permissions import MEMBERS
from forum.ranking import hot_score_python

SPAN_DAYS = 60
HIDDEN_REPLY_RATE = 0.01
REPLY_TO_RATE = 0.12
UPVOTE_RATE = 0.85
SNIPPET_RATE = 0.08
CATEGORY_COUNT = 8
BULK_SLUG_RE = re.compile(r"^bulk-(\d+)-\d+$")

# --- word lists ------------------------------------------------------------------------------
ZH_SUBJECTS = [
    "社区运营", "新用户引导", "版主团队", "内容质量", "社区活跃度", "积分体系", "话题讨论", "用户留存",
    "线下活动", "技术分享", "数据看板", "每周精选", "产品迭代", "开源项目", "代码评审", "部署流程",
    "缓存策略", "数据库索引", "站内搜索", "推荐算法", "签到功能", "勋章系统", "移动端页面", "通知提醒",
]
ZH_VERBS = ["明显提升了", "影响了", "改变了", "拖慢了", "推动了", "简化了", "取决于", "离不开", "促进了", "拉低了"]
ZH_OBJECTS = [
    "社区氛围", "回帖率", "新人的第一次发帖", "整体体验", "页面加载速度", "核心用户的积极性", "讨论的深度",
    "团队的工作量", "接口的响应时间", "长期留存", "老用户的回访", "内容的可发现性",
]
ZH_CONNECTORS = ["不过", "所以", "另外", "其实", "同时", "总的来说，", "我觉得", "从数据上看，", "换个角度说，", "说实话，"]
ZH_TAILS = [
    "值得再讨论一下", "我们下周会复盘", "欢迎大家补充", "还有很多可以改进的地方", "效果比预期好",
    "需要更多的样本", "建议先小范围试点", "可以参考其他社区的做法", "这一点大家怎么看", "我们已经在测试了",
]
EN_SUBJECTS = [
    "the new onboarding flow", "our moderation team", "the weekly digest", "caching the topic list",
    "the points system", "search ranking", "the mobile layout", "this migration", "the release process",
    "community feedback", "the badge system", "the check-in streak", "the notification centre",
    "the database index", "the events calendar",
]
EN_VERBS = ["improved", "slowed down", "changed", "simplified", "depends on", "helped", "reshaped", "clarified"]
EN_OBJECTS = [
    "response times", "the reply rate", "retention of new members", "the quality of discussions",
    "our deployments", "the database load", "how people find old threads", "a newcomer's first week",
    "the moderators' workload", "weekend traffic",
]
EN_TAILS = [
    "more than we expected.", "in a way nobody predicted.", "so we should measure it again.",
    "which is worth a closer look.", "according to last month's numbers.", "and I think we can do better.",
    "for most of our members.", "once we fixed the obvious bugs.",
]
EN_OPENERS = ["", "However, ", "Also, ", "In practice, ", "Honestly, ", "To be fair, ", "Last week "]
SNIPPETS = [
    "```python\ntopics = Topic.objects.filter(category=category).order_by(\"-last_activity_at\")[:20]\n```",
    "```sql\nSELECT id, title FROM forum_topic ORDER BY hot_score DESC LIMIT 20;\n```",
    "```bash\n./scripts/demo\n```",
    "> 好的社区不是管出来的，是大家一起养出来的。",
    "> Make the right thing the easy thing.",
    "- 先定目标\n- 再看数据\n- 最后复盘",
    "1. Measure first\n2. Change one thing\n3. Measure again",
    "参考：[Django 文档](https://docs.djangoproject.com/zh-hans/5.2/)",
    "See [the PostgreSQL manual](https://www.postgresql.org/docs/15/) for details.",
    "**重点**：不要在高峰期做迁移。",
]
ZH_TITLE_TEMPLATES = [
    "如何提升{s}的效果？", "{s}的{n}条经验分享", "关于{s}的讨论（第{n}期）", "求助：{s}遇到了问题",
    "聊聊{s}和{s2}", "{s}：我们踩过的坑", "{s}到底该怎么做？", "周报 #{n}：{s}",
]
EN_TITLE_TEMPLATES = [
    "How do you handle {s}?", "Lessons from {s} (part {n})", "Question about {s}", "{S}: what worked for us",
    "Thoughts on {s} and {s2}", "Weekly notes #{n}: {s}",
]
ZH_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
ZH_GIVEN = list("伟芳娜敏静磊洋勇艳杰婷浩宇欣晨涛明丽强霞")
EN_FIRST = ["Alice", "Ben", "Chloe", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack",
            "Kate", "Leo", "Mia", "Noah", "Olivia", "Paul", "Quinn", "Ruby", "Sam", "Tina"]
EN_LAST = ["Smith", "Chen", "Wang", "Brown", "Lee", "Garcia", "Kim", "Lopez", "Zhang", "Miller"]
CATEGORY_NAMES = [
    ("压测·综合", "Load test: general"), ("压测·技术", "Load test: tech"), ("压测·运营", "Load test: ops"),
    ("压测·活动", "Load test: events"), ("压测·产品", "Load test: product"), ("压测·English", "Load test: English"),
    ("压测·求助", "Load test: help"), ("压测·闲聊", "Load test: off-topic"),
]
CATEGORY_COLORS = ["#d9480f", "#1971c2", "#2f9e44", "#9c36b5", "#e67700", "#0c8599", "#c2255c", "#5f3dc4"]
TAG_NAMES = [
    "运营", "新手", "求助", "经验分享", "Django", "PostgreSQL", "Python", "前端", "性能", "活动", "产品",
    "设计", "数据", "增长", "安全", "部署", "Redis", "搜索", "移动端", "开源", "feedback", "release",
    "howto", "meta",
]


class TextPool:
    """Paragraphs generated once from the word lists, each with its rendered HTML."""

    def __init__(self, rng, size):
        self.paragraphs = []
        for i in range(size):
            text = self._zh_paragraph(rng) if i % 5 < 3 else self._en_paragraph(rng)
            self.paragraphs.append((text, render_markdown(text)))
        self.snippets = [(s, render_markdown(s)) for s in SNIPPETS]

    @staticmethod
    def _zh_paragraph(rng):
        sentences = []
        for _ in range(rng.randint(1, 3)):
            sentences.append(
                f"{rng.choice(ZH_SUBJECTS)}{rng.choice(ZH_VERBS)}{rng.choice(ZH_OBJECTS)}，"
                f"{rng.choice(ZH_CONNECTORS)}{rng.choice(ZH_SUBJECTS)}{rng.choice(ZH_TAILS)}。"
            )
        return "".join(sentences)

    @staticmethod
    def _en_paragraph(rng):
        sentences = []
        for _ in range(rng.randint(1, 3)):
            sentence = (f"{rng.choice(EN_OPENERS)}{rng.choice(EN_SUBJECTS)} {rng.choice(EN_VERBS)} "
                        f"{rng.choice(EN_OBJECTS)} {rng.choice(EN_TAILS)}")
            sentences.append(sentence[0].upper() + sentence[1:])
        return " ".join(sentences)

    def body(self, rng):
        """(source, html) of one post: one to three paragraphs, sometimes a code block, quote,
        list or link at the end (never two block snippets in a row, so joining the paragraphs'
        HTML gives exactly what render_markdown(source) gives)."""
        picks = [self.paragraphs[rng.randrange(len(self.paragraphs))] for _ in range(rng.randint(1, 3))]
        if rng.random() < SNIPPET_RATE:
            picks.append(self.snippets[rng.randrange(len(self.snippets))])
        return "\n\n".join(p[0] for p in picks), "".join(p[1] for p in picks)


def topic_title(rng, n):
    s, s2 = rng.sample(ZH_SUBJECTS, 2) if rng.random() < 0.65 else rng.sample(EN_SUBJECTS, 2)
    if "\u4e00" <= s[0] <= "\u9fff":
        return rng.choice(ZH_TITLE_TEMPLATES).format(s=s, s2=s2, n=n)
    return rng.choice(EN_TITLE_TEMPLATES).format(s=s, s2=s2, S=s[0].upper() + s[1:], n=n)


def member_name(rng):
    if rng.random() < 0.6:
        return rng.choice(ZH_SURNAMES) + "".join(rng.choice(ZH_GIVEN) for _ in range(rng.randint(1, 2)))
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


class Inserter:
    """Append rows (tuples in `fields` order) to one table: COPY on PostgreSQL, bulk_create
    batches elsewhere. Columns not named get their field default."""

    def __init__(self, model, fields, *, batch_size=2000):
        self.model = model
        self.fields = list(fields)
        meta = model._meta
        given = set(self.fields)
        self.extra = [f for f in meta.concrete_fields if f.attname not in given and not f.primary_key]
        self.extra_values = tuple(f.get_default() for f in self.extra)
        self.pg = connection.vendor == "postgresql"
        self.batch_size = batch_size
        self.count = 0

    def __enter__(self):
        if self.pg:
            qn = connection.ops.quote_name
            meta = self.model._meta
            columns = [meta.get_field(a).column for a in self.fields] + [f.column for f in self.extra]
            sql = f"COPY {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
            self._cursor = connection.cursor()
            self._copy_cm = self._cursor.copy(sql)
            self._copy = self._copy_cm.__enter__()
            self._write = self._copy.write_row
        else:
            self._buffer = []
        return self

    def add(self, row):
        self.count += 1
        if self.pg:
            self._write(row + self.extra_values)
        else:
            self._buffer.append(self.model(**dict(zip(self.fields, row, strict=True))))
            if len(self._buffer) >= self.batch_size:
                self._flush()

    def _flush(self):
        if self._buffer:
            self.model.objects.bulk_create(self._buffer, batch_size=self.batch_size)
            self._buffer = []

    def __exit__(self, exc_type, exc, tb):
        if self.pg:
            try:
                self._copy_cm.__exit__(exc_type, exc, tb)
            finally:
                self._cursor.close()
        elif exc_type is None:
            self._flush()
        return False


class DeferredConstraints:
    """PostgreSQL: drop the foreign keys, unique constraints and secondary indexes of the tables
    about to be filled, and put them back afterwards. Checking a deferred foreign key row by row
    at commit and growing a b-tree one random key at a time are what make a naive bulk load
    slow; re-adding a constraint validates it with one set-based scan and an index is built from
    a sort. Primary keys and check constraints stay. DDL is transactional in PostgreSQL: if the
    load fails, the rollback restores everything."""

    def __init__(self, models):
        self.tables = [m._meta.db_table for m in models]
        self.constraints = []
        self.indexes = []

    def drop(self):
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            # fire deferred checks of rows written earlier in this transaction now: PostgreSQL
            # refuses ALTER TABLE on a table with pending trigger events
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(
                    "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY conname", [table])
                constraints = cursor.fetchall()
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND tablename = %s AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
                    [table, table])
                indexes = cursor.fetchall()
                for name, kind, definition in constraints:
                    cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                    self.constraints.append((table, name, kind, definition))
                for name, definition in indexes:
                    cursor.execute(f"DROP INDEX {qn(name)}")
                    self.indexes.append(definition)

    def restore(self, say):
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            # unique constraints and indexes first, foreign keys (which only need primary keys) last
            for table, name, kind, definition in self.constraints:
                if kind == "u":
                    cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
            for definition in self.indexes:
                cursor.execute(definition)
            say(f"{sum(k == 'u' for *_x, k, _d in self.constraints)} unique constraints and "
                f"{len(self.indexes)} indexes rebuilt")
            for table, name, kind, definition in self.constraints:
                if kind == "f":
                    cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
            say(f"{sum(k == 'f' for *_x, k, _d in self.constraints)} foreign keys validated")


def _next_id(model):
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


class Plan:
    """Who writes what, when, and who votes for what: every row and every counter, in memory."""

    def __init__(self, *, members, topics, posts, votes, hot_topic_posts, seed, categories, now):
        self.rng = random.Random(seed)
        self.text_rng = random.Random(f"{seed}-text")
        self.n_members, self.n_topics, self.n_posts = members, topics, posts
        self.n_categories = categories
        self.hot_posts = hot_topic_posts
        self.now_ts = now.timestamp()
        self.start_ts = self.now_ts - SPAN_DAYS * 86400
        self._plan_members()
        self._plan_topics()
        self._plan_posts()
        self._plan_votes(votes)
        self._compute_counters()

    def _plan_members(self):
        rng = self.rng
        self.m_name = [member_name(rng) for _ in range(self.n_members)]
        self.m_joined = [self.start_ts - rng.uniform(0, 365 * 86400) for _ in range(self.n_members)]
        # a few members write most of the posts
        weights = [rng.lognormvariate(0, 1.3) for _ in range(self.n_members)]
        self.m_cum = list(itertools.accumulate(weights))

    def _author(self):
        return min(bisect.bisect(self.m_cum, self.rng.random() * self.m_cum[-1]), self.n_members - 1)

    def _plan_topics(self):
        rng, n = self.rng, self.n_topics
        cat_weights = [rng.uniform(0.5, 2.0) for _ in range(self.n_categories)]
        self.t_category = rng.choices(range(self.n_categories), weights=cat_weights, k=n)
        self.t_author = [self._author() for _ in range(n)]
        self.t_created = [rng.uniform(self.start_ts, self.now_ts - 600) for _ in range(n)]
        self.t_title = [topic_title(rng, i + 1) for i in range(n)]
        self.t_tags = [rng.sample(range(len(TAG_NAMES)), rng.choice((0, 1, 1, 2, 2, 3))) for _ in range(n)]
        # how many posts each topic gets: one opening post each, the hot topic exactly
        # `hot_posts`, and the other replies spread with a long tail (lognormal weights)
        self.t_posts = [1] * n
        self.hot_index = None
        others = list(range(n))
        if self.hot_posts:
            self.hot_index = rng.randrange(n)
            self.t_posts[self.hot_index] = self.hot_posts
            self.t_title[self.hot_index] = "【热帖】" + self.t_title[self.hot_index]
            self.t_created[self.hot_index] = self.now_ts - rng.uniform(10, 14) * 86400
            others.remove(self.hot_index)
        replies = self.n_posts - sum(self.t_posts)
        if replies and others:
            weights = list(itertools.accumulate(rng.lognormvariate(0, 1.0) for _ in others))
            counts = [0] * n
            for i in rng.choices(others, cum_weights=weights, k=replies):
                counts[i] += 1
            for i in others:
                self.t_posts[i] += counts[i]

    def _plan_posts(self):
        rng = self.rng
        total = self.n_posts
        self.p_topic = array("l", bytes(8 * total))
        self.p_number = array("l", bytes(8 * total))
        self.p_author = array("l", bytes(8 * total))
        self.p_ts = array("d", bytes(8 * total))
        self.p_reply_to = array("l", [-1]) * total
        self.p_visible = bytearray(b"\x01") * total
        self.t_first = array("l", bytes(8 * self.n_topics))
        p = 0
        for t in range(self.n_topics):
            count, created = self.t_posts[t], self.t_created[t]
            self.t_first[t] = p
            span = self.now_ts - created
            # replies cluster soon after the opening post
            offsets = sorted(span * rng.random() ** 3 for _ in range(count - 1))
            self.p_topic[p], self.p_number[p], self.p_ts[p] = t, 1, created
            self.p_author[p] = self.t_author[t]
            for k, offset in enumerate(offsets, start=1):
                q = p + k
                self.p_topic[q], self.p_number[q], self.p_ts[q] = t, k + 1, created + offset
                self.p_author[q] = self._author()
                if rng.random() < HIDDEN_REPLY_RATE:
                    self.p_visible[q] = 0
                if rng.random() < REPLY_TO_RATE:
                    self.p_reply_to[q] = p + rng.randrange(k)
            p += count
        # ids follow time, as they would on a live forum
        order = sorted(range(total), key=self.p_ts.__getitem__)
        self.p_rank = array("l", bytes(8 * total))
        for rank, q in enumerate(order):
            self.p_rank[q] = rank
        self.p_order = order

    def _plan_votes(self, votes):
        rng = self.rng
        total = self.n_posts
        self.p_up = array("l", bytes(8 * total))
        self.p_down = array("l", bytes(8 * total))
        self.v_post, self.v_user = array("l"), array("l")
        self.v_value, self.v_ts = array("b"), array("d")
        visible = [q for q in range(total) if self.p_visible[q]]
        if not votes or not visible or self.n_members < 2:
            return
        capacity = len(visible) * (self.n_members - 1)
        if votes > capacity:
            raise CommandError(f"--votes {votes} is more than {capacity}, the number of possible "
                               "(post, member) pairs.")
        # opening posts and a long tail of popular replies collect most of the votes
        weights = list(itertools.accumulate(
            rng.lognormvariate(0, 1.2) * (3.0 if self.p_number[q] == 1 else 1.0) for q in visible
        ))
        per_post = [0] * total
        for q in rng.choices(visible, cum_weights=weights, k=votes):
            per_post[q] += 1
        limit = self.n_members - 1
        overflow = 0
        for q in visible:
            k = per_post[q]
            if k > limit:
                overflow += k - limit
                per_post[q] = limit
        # a post that would need more voters than there are members passes its votes on
        for q in visible:
            if not overflow:
                break
            room = limit - per_post[q]
            if room > 0:
                extra = min(room, overflow)
                per_post[q] += extra
                overflow -= extra
        members = range(self.n_members)
        for q in self.p_order:  # in post id order: the (post, user) index grows at its end
            k = per_post[q]
            if not k:
                continue
            author = self.p_author[q]
            voters = [u for u in rng.sample(members, k + 1) if u != author][:k]
            ts, span = self.p_ts[q], max(self.now_ts - self.p_ts[q], 1.0)
            up = 0
            for u in voters:
                value = 1 if rng.random() < UPVOTE_RATE else -1
                up += value == 1
                self.v_post.append(q)
                self.v_user.append(u)
                self.v_value.append(value)
                self.v_ts.append(ts + span * rng.random() ** 2)
            self.p_up[q], self.p_down[q] = up, k - up

    def _compute_counters(self):
        n_t, n_c, n_m = self.n_topics, self.n_categories, self.n_members
        self.u_topics, self.u_posts, self.u_upvotes = [0] * n_m, [0] * n_m, [0] * n_m
        self.t_reply = [0] * n_t
        self.t_vote_score = [0] * n_t
        self.t_last_ts = [0.0] * n_t
        self.t_last_poster = [0] * n_t
        self.c_topics, self.c_posts = [0] * n_c, [0] * n_c
        self.c_last_topic, self.c_last_ts = [None] * n_c, [None] * n_c
        for t in range(n_t):
            self.u_topics[self.t_author[t]] += 1
            first, count = self.t_first[t], self.t_posts[t]
            last = first + count - 1
            self.t_last_ts[t] = self.p_ts[last]
            self.t_last_poster[t] = self.p_author[last]
            self.t_vote_score[t] = self.p_up[first] - self.p_down[first]
            c = self.t_category[t]
            self.c_topics[c] += 1
            if self.c_last_ts[c] is None or self.t_last_ts[t] > self.c_last_ts[c]:
                self.c_last_ts[c], self.c_last_topic[c] = self.t_last_ts[t], t
        for q in range(self.n_posts):
            author = self.p_author[q]
            self.u_upvotes[author] += self.p_up[q]
            if self.p_visible[q]:
                self.u_posts[author] += 1
                self.c_posts[self.t_category[self.p_topic[q]]] += 1
                if self.p_number[q] > 1:
                    self.t_reply[self.p_topic[q]] += 1


def _dt(ts, _fromts=datetime.fromtimestamp):
    return _fromts(ts, UTC)


class Command(BaseCommand):
    help = "Generate large deterministic forum data (members, topics, posts, votes) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=1000)
        parser.add_argument("--topics", type=int, default=500)
        parser.add_argument("--posts", type=int, default=10000,
                            help="Total posts, opening posts included.")
        parser.add_argument("--hot-topic-posts", type=int, default=0,
                            help="Make one topic with exactly this many posts (opening post included).")
        parser.add_argument("--votes", type=int, default=None, help="Votes on posts (default: 3 per post).")
        parser.add_argument("--categories", type=int, default=CATEGORY_COUNT)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--append", action="store_true",
                            help="Add another batch even though bulk data already exists.")
        parser.add_argument("--pool", type=int, default=4000, help="Distinct paragraphs in the text pool.")

    def handle(self, *args, **options):
        members, topics, posts = options["members"], options["topics"], options["posts"]
        hot = options["hot_topic_posts"] or 0
        votes = options["votes"] if options["votes"] is not None else 3 * posts
        categories = options["categories"]
        if members < 1 or topics < 1 or categories < 1 or posts < 1:
            raise CommandError("--members, --topics, --posts and --categories must be at least 1.")
        if not 1 <= categories <= len(CATEGORY_NAMES) * 100:
            raise CommandError("--categories must be between 1 and 800.")
        if hot < 0 or votes < 0:
            raise CommandError("--hot-topic-posts and --votes cannot be negative.")
        if posts < topics:
            raise CommandError(f"--posts ({posts}) must be at least --topics ({topics}): every topic has an opening post.")
        if hot and hot > posts - (topics - 1):
            raise CommandError(f"--hot-topic-posts {hot} does not fit: {topics - 1} other topics need an opening "
                               f"post each, so at most {posts - (topics - 1)} posts are left for the hot topic.")

        existing_runs = sorted({
            int(m.group(1)) for m in (BULK_SLUG_RE.match(s) for s in
                                      Category.objects.filter(slug__startswith="bulk-").values_list("slug", flat=True))
            if m
        })
        if existing_runs and not options["append"]:
            raise CommandError(
                f"Bulk data already exists ({len(existing_runs)} run(s): categories bulk-{existing_runs[-1]}-*). "
                "Use --append to add another batch, or seed an empty database."
            )
        run = (existing_runs[-1] + 1) if existing_runs else 1

        started = time.monotonic()
        self._t0 = started
        self._say(f"planning {members:,} members, {topics:,} topics, {posts:,} posts, {votes:,} votes "
                  f"(seed {options['seed']}, run {run})")
        plan = Plan(members=members, topics=topics, posts=posts, votes=votes, hot_topic_posts=hot,
                    seed=options["seed"], categories=categories, now=timezone.now())
        pool = TextPool(plan.text_rng, options["pool"])
        self._say("plan ready")

        with transaction.atomic():
            deferred = None
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                deferred = DeferredConstraints([User, User.groups.through, Topic, Topic.tags.through, Post, PostVote])
                deferred.drop()
            ids = self._write(plan, pool, run)
            if deferred is not None:
                deferred.restore(self._say)
        self._say("committed")
        # retire cached anonymous pages that list categories (the index, latest)
        for c in range(plan.n_categories):
            fragment_cache.bump_category(ids["category"] + c)
        if connection.vendor == "postgresql":
            self._reset_sequences()
            with connection.cursor() as cursor:
                for model in (User, Category, Topic, Post, PostVote, Topic.tags.through):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            self._say("sequences reset, tables analysed")

        elapsed = time.monotonic() - started
        hot_line = ""
        if plan.hot_index is not None:
            hot_line = f"; hot topic id {ids['topic'] + plan.hot_index} with {hot:,} posts"
        self.stdout.write(self.style.SUCCESS(
            f"seed_bulk run {run}: {members:,} members, {categories} categories, {topics:,} topics, "
            f"{posts:,} posts, {len(plan.v_post):,} votes in {elapsed:.1f} s{hot_line}"
        ))

    def _say(self, message):
        self.stdout.write(f"[{time.monotonic() - self._t0:7.1f} s] {message}")
        self.stdout.flush()

    def _write(self, plan, pool, run):
        rng = plan.text_rng
        ids = {"user": _next_id(User), "category": _next_id(Category), "topic": _next_id(Topic),
               "post": _next_id(Post)}
        uid, cid, tid, pid = ids["user"], ids["category"], ids["topic"], ids["post"]

        # categories, counters included; last_topic is set once the topics exist
        position = (Category.objects.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        with Inserter(Category, ["id", "name", "slug", "description", "color", "position", "topic_count",
                                 "post_count", "last_activity_at"]) as ins:
            for c in range(plan.n_categories):
                zh, en = CATEGORY_NAMES[c % len(CATEGORY_NAMES)]
                suffix = f" {c // len(CATEGORY_NAMES) + 1}" if c >= len(CATEGORY_NAMES) else ""
                last = plan.c_last_ts[c]
                ins.add((cid + c, f"{zh}{suffix}", f"bulk-{run}-{c + 1}", f"{en}{suffix}: generated by seed_bulk.",
                         CATEGORY_COLORS[c % len(CATEGORY_COLORS)], position + c, plan.c_topics[c],
                         plan.c_posts[c], _dt(last) if last is not None else None))
        self._say(f"{plan.n_categories} categories")

        with Inserter(User, ["id", "password", "username", "email", "display_name", "date_joined", "is_active",
                             "topic_count", "post_count", "upvotes_received"]) as ins:
            for m in range(plan.n_members):
                username = f"bk{run}_{m + 1}"
                ins.add((uid + m, "!seed-bulk", username, f"{username}@bulk.invalid", plan.m_name[m],
                         _dt(plan.m_joined[m]), True, plan.u_topics[m], plan.u_posts[m], plan.u_upvotes[m]))
        members_group, _created = Group.objects.get_or_create(name=MEMBERS)
        with Inserter(User.groups.through, ["user_id", "group_id"]) as ins:
            for m in range(plan.n_members):
                ins.add((uid + m, members_group.pk))
        self._say(f"{plan.n_members:,} members")

        with Inserter(Topic, ["id", "category_id", "title", "slug", "author_id", "created_at", "last_activity_at",
                              "last_poster_id", "post_count", "reply_count", "view_count", "vote_score",
                              "hot_score"]) as ins:
            for t in range(plan.n_topics):
                created = _dt(plan.t_created[t])
                title = plan.t_title[t]
                ins.add((tid + t, cid + plan.t_category[t], title, slugify(title, allow_unicode=True)[:80],
                         uid + plan.t_author[t], created, _dt(plan.t_last_ts[t]), uid + plan.t_last_poster[t],
                         plan.t_posts[t], plan.t_reply[t], plan.t_posts[t] * (3 + t % 17),
                         plan.t_vote_score[t],
                         hot_score_python(vote_score=plan.t_vote_score[t], reply_count=plan.t_reply[t],
                                          created_at=created)))
        tags = []
        for name in TAG_NAMES:
            slug = slugify(name, allow_unicode=True)
            tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name__iexact=name).first()
            tags.append(tag or Tag.objects.create(name=name, slug=slug))
        with Inserter(Topic.tags.through, ["topic_id", "tag_id"]) as ins:
            for t in range(plan.n_topics):
                for k in plan.t_tags[t]:
                    ins.add((tid + t, tags[k].pk))
        for c in range(plan.n_categories):
            if plan.c_last_topic[c] is not None:
                Category.objects.filter(pk=cid + c).update(last_topic_id=tid + plan.c_last_topic[c])
        self._say(f"{plan.n_topics:,} topics")

        total = plan.n_posts
        step = max(total // 10, 1)
        with Inserter(Post, ["id", "topic_id", "number", "author_id", "source", "html", "reply_to_id", "created_at",
                             "is_hidden", "upvotes", "downvotes", "score"], batch_size=1000) as ins:
            rank_ = plan.p_rank
            for done, q in enumerate(plan.p_order, start=1):
                source, html = pool.body(rng)
                reply_to = plan.p_reply_to[q]
                up, down = plan.p_up[q], plan.p_down[q]
                ins.add((pid + rank_[q], tid + plan.p_topic[q], plan.p_number[q], uid + plan.p_author[q], source,
                         html, pid + rank_[reply_to] if reply_to >= 0 else None, _dt(plan.p_ts[q]),
                         not plan.p_visible[q], up, down, up - down))
                if done % step == 0 and done < total:
                    self._say(f"posts {done:,}/{total:,}")
        self._say(f"{total:,} posts")

        n_votes = len(plan.v_post)
        step = max(n_votes // 5, 1)
        with Inserter(PostVote, ["post_id", "user_id", "value", "created_at"], batch_size=2000) as ins:
            rank_, v_post, v_user, v_value, v_ts = plan.p_rank, plan.v_post, plan.v_user, plan.v_value, plan.v_ts
            for i in range(n_votes):
                ins.add((pid + rank_[v_post[i]], uid + v_user[i], v_value[i], _dt(v_ts[i])))
                if (i + 1) % step == 0 and i + 1 < n_votes:
                    self._say(f"votes {i + 1:,}/{n_votes:,}")
        self._say(f"{n_votes:,} votes")
        return ids

    def _reset_sequences(self):
        statements = connection.ops.sequence_reset_sql(
            no_style(), [User, Category, Topic, Post, PostVote, Tag, Topic.tags.through, User.groups.through]
        )
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

