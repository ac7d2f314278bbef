"""Demo content for `manage.py seed_demo`: a few private conversations between demo members, one of
them a small group, with quotes. Idempotent: a conversation is recognised by its subject
and creator."""

from django.conf import settings
from django.test.utils import override_settings

from forum.models import User

from . import services
from .models import Conversation

CONVERSATIONS = [
    # starter, recipients, subject, [(author, text, quotes the message numbered)]
    ("wang_fang", ["chen_wei"], "线下活动场地", [
        ("wang_fang", "陈伟你好！下个月的线下分享会想借用你们公司的会议室，大概 30 人，方便吗？", None),
        ("chen_wei", "应该可以，我问一下行政。周六下午还是周日？", None),
        ("wang_fang", "周六下午两点到五点最好。**需要投影仪**。", None),
        ("chen_wei", "好的，投影仪有的。确定了告诉你 👍", 3),
    ]),
    ("emma_li", ["sophie_w", "jack_dev"], "Onboarding redesign", [
        ("emma_li", "Hi both! I'd like to redo the newcomer checklist page. Sophie, could you sketch a mobile-first layout?", None),
        ("sophie_w", "当然可以！I'll share a Figma link by Friday.", None),
        ("jack_dev", "I can build it once the design is ready. Keep it under 360 px wide first, please.", 1),
    ]),
    ("liu_yang", ["mod_lin"], "关于帖子被隐藏", [
        ("liu_yang", "林版主好，我昨天的帖子被隐藏了，是因为链接太多吗？", None),
        ("mod_lin", "是的，新成员一帖最多 2 个链接。删掉几个链接后可以申请恢复。", None),
    ]),
]


def seed_demo(ctx):
    made = 0
    # demo members start low on the level ladder: the demo shows conversations, not the level gate
    with override_settings(HUOLI={**settings.HUOLI, "PM_MIN_LEVEL": 0, "PM_NEW_PER_DAY": 1000}):
        for starter, recipients, subject, lines in CONVERSATIONS:
            people = {u.username: u for u in User.objects.filter(username__in=[starter, *recipients])}
            if len(people) != 1 + len(recipients):
                continue
            if Conversation.objects.filter(subject=subject, created_by=people[starter]).exists():
                continue
            first_author, first_text, _quote = lines[0]
            conversation = services.conversation_start(actor=people[first_author], recipients=recipients,
                                                       subject=subject, body=first_text)
            for author, text, quotes in lines[1:]:
                quote = conversation.messages.get(seq=quotes) if quotes else None
                services.message_send(actor=people[author], conversation_id=conversation.pk, body=text,
                                      quote_id=quote.pk if quote else None)
            made += 1
    return [f"messages: {Conversation.objects.count()} conversations ({made} new)"]

