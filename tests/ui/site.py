"""A small community for the layout, contrast and translation tests (issue 15): a member, an editor and a moderator,
a topic whose opening post has a long code block, a wide table and a long link, replies, a badge, points, a
check-in streak, a notification and the CMS pages the footer links to."""

import datetime

from django.contrib.auth.models import Group

from engagement.badges.models import Badge, MemberBadge
from engagement.checkin.models import CheckinStats
from engagement.checkin.selectors import local_day
from engagement.levels.models import MemberLevel
from engagement.points import services as points_services
from forum import services
from tests.factories import CategoryFactory, TopicFactory, UserFactory

WIDE_BODY = (
    "A post with things that are wider than a phone.\n\n"
    "```python\n"
    "def a_function_with_a_very_long_line():  # " + "x" * 160 + "\n"
    "    return {'key': 'value', 'another_key': 'another value', 'and_more': [1, 2, 3, 4, 5, 6, 7, 8, 9]}\n"
    "```\n\n"
    "| " + " | ".join(f"column {i}" for i in range(12)) + " |\n"
    "| " + " | ".join("---" for _ in range(12)) + " |\n"
    "| " + " | ".join(f"value-{i}-without-spaces" for i in range(12)) + " |\n\n"
    "https://example.com/a/very/long/link/" + "segment-" * 20 + "end\n\n"
    + "没有空格的很长的一行中文" * 12
)


def build_site():
    staff = UserFactory(username="staff_admin", display_name="Staff Admin", is_staff=True, is_superuser=True)
    member = UserFactory(username="reader", display_name="读者 Reader")
    editor = UserFactory(username="editor", display_name="编辑 Editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    moderator = UserFactory(username="moderator", display_name="版主 Moderator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    writer = UserFactory(username="writer", display_name="作者 A writer with a long name")
    for user, level in ((member, 3), (editor, 4), (moderator, 5), (writer, 2)):
        MemberLevel.objects.create(member=user, level_number=level)
    category = CategoryFactory(name="技术问答 Tech Q&A", slug="tech")
    topic = TopicFactory.create(author=writer, category=category, title="部署后静态文件 404，怎么排查？",
                                body=WIDE_BODY, tags=["django", "deploy"])
    reply = services.post_create(actor=member, topic=topic, body="先看 `STATIC_ROOT` 和 collectstatic。")
    services.post_create(actor=writer, topic=topic, body="谢谢，已经解决了。", reply_to=reply)
    services.post_vote(actor=member, post=topic.posts.get(number=1), value=1)
    for i in range(3):
        TopicFactory.create(author=member, category=category, title=f"第 {i + 1} 个话题：社区运营经验分享")
    points_services.points_adjust(actor=staff, member=member, amount=120, reason="活动奖励")
    badge = Badge.objects.create(slug="helper", name="热心肠", description="回答了很多问题", icon="🤝")
    MemberBadge.objects.create(member=member, badge=badge)
    CheckinStats.objects.create(member=member, current_streak=3, longest_streak=7, last_day=local_day(),
                                total_days=9)
    services.post_create(actor=writer, topic=topic, body="@reader 看看这个", reply_to=reply)
    from cms.demo import seed_cms_demo

    seed_cms_demo()
    return {"staff": staff, "member": member, "editor": editor, "moderator": moderator, "writer": writer,
            "category": category, "topic": topic, "when": datetime.datetime.now()}
