"""Demo content for `manage.py seed_demo`: a main group with two sub-groups, an owner, a deputy whose powers are
on and one who has not yet acknowledged the handbook, members, group topics and pending applications.
(The promotion candidate: engagement/ladder/demo.py.) Idempotent: groups by slug, memberships and
applications once per member, topics by title."""

from django.db import transaction

from forum import services as forum
from forum.models import Topic, User

from . import services
from .models import Application, MemberGroup, Membership

RULES = ("1. 只分享亲手做过的运营实践，附上数据或截图。\n2. 禁止广告、引流和互推。\n"
         "3. 每周二 20:00 线上分享会，轮流主讲。\n4. 提问前先搜索，回答时说清前提。")
GROUPS = [
    # slug, name, purpose, visibility, admission, parent slug, questions
    ("ops-core", "运营核心群", "从各小组晋升上来的核心运营者：复盘、共创、带新人。", "members", "invitation", None, []),
    ("ops-camp", "新人成长营", "刚入行的运营新人：每周一个小任务，互相点评。", "members", "application", "ops-core",
     ["你现在负责什么样的社区或产品？", "你希望在成长营里解决什么问题？"]),
    ("ops-writers", "内容创作组", "写干货、做选题、练表达：优秀作品会被推荐到首页。", "public", "application", "ops-core",
     ["贴一篇你写过的文章链接或简介。"]),
]
MEMBERS = {"ops-camp": ["emma_li", "jack_dev", "sophie_w"], "ops-writers": ["sophie_w", "liu_yang"],
           "ops-core": ["mia_chen"]}
DEPUTIES = {"ops-camp": ("wang_fang", True), "ops-writers": ("chen_wei", False)}
APPLICANTS = {"ops-camp": [("zhao_lei", ["一个 3000 人的技术交流群", "新人留存怎么做"]),
                           ("liu_yang", ["公司产品的用户社区", "活动策划的节奏"])],
              "ops-writers": [("jack_dev", ["写过一篇 Django 部署踩坑记录"])]}
TOPICS = [
    ("ops-camp", "wang_fang", "【本周任务】给你的社区写一份新人欢迎帖",
     "要求：300 字以内，包含三件新人第一周最该做的事。周日前在本帖回复，周二分享会上点评。"),
    ("ops-camp", "emma_li", "我的新人欢迎帖初稿，求拍砖",
     "欢迎来到我们的社区！第一周建议你：1. 完善头像和简介；2. 在「新人报到」发一帖；3. 给三个你喜欢的回答点赞。"),
    ("ops-writers", "sophie_w", "选题会：下个月的三篇干货写什么？",
     "我先提一个：《一场线上活动从策划到复盘的 12 个检查点》。大家补充。"),
    ("ops-core", "mia_chen", "核心群周报：本周各小组数据",
     "新人成长营新增 3 人，内容创作组产出 5 篇干货，其中 2 篇被推荐到首页。"),
]


def _user(ctx, name):
    return ctx.members.get(name) or User.objects.filter(username=name).first()


@transaction.atomic
def seed_demo(ctx):
    admin = _user(ctx, "admin")
    if admin is None:
        return ["groups: skipped (no admin)"]
    groups = {}
    for slug, name, purpose, visibility, admission, parent, questions in GROUPS:
        group = MemberGroup.objects.filter(slug=slug).first()
        if group is None:
            group = services.group_create(actor=admin, name=name, slug=slug, purpose=purpose, rules=RULES,
                                          visibility=visibility, admission=admission,
                                          parent=groups.get(parent), questions=questions,
                                          handbook_url="/pages/")
        groups[slug] = group
    for slug, names in MEMBERS.items():
        for name in names:
            member = _user(ctx, name)
            if member and not Membership.objects.filter(group=groups[slug], member=member).exists():
                services.group_invite(actor=admin, group=groups[slug], member=member, reason="演示数据")
    for slug, (name, acknowledged) in DEPUTIES.items():
        member = _user(ctx, name)
        if member is None:
            continue
        if not Membership.objects.filter(group=groups[slug], member=member).exists():
            services.group_invite(actor=admin, group=groups[slug], member=member, reason="演示数据")
        membership = Membership.objects.get(group=groups[slug], member=member)
        if membership.role == Membership.Role.MEMBER:
            services.deputy_appoint(actor=admin, group=groups[slug], member=member, reason="主动承担审核")
            if acknowledged:
                services.deputy_acknowledge_handbook(actor=member, group=groups[slug])
    for slug, name, title, body in TOPICS:
        author = _user(ctx, name)
        if author and not Topic.objects.filter(title=title).exists():
            forum.topic_create(actor=User.objects.get(pk=author.pk), category=groups[slug].category, title=title,
                               body=body)
    for slug, entries in APPLICANTS.items():
        for name, answers in entries:
            member = _user(ctx, name)
            group = groups[slug]
            if member is None or Membership.objects.filter(group=group, member=member).exists():
                continue
            if not Application.objects.filter(group=group, applicant=member).exists():
                services.application_create(actor=member, group=group, answers=answers)
    pending = Application.objects.filter(status=Application.Status.PENDING).count()
    return [f"groups: {MemberGroup.objects.count()} groups, {Membership.objects.count()} memberships, "
            f"{pending} applications waiting (/groups/)"]
