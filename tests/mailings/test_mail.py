"""Email notifications end to end: each kind of mail through a real SMTP server on loopback, with
its headers, both parts, the unsubscribe link working without sign-in, and the member's language;
preferences for every kind, summaries in one mail, and no mail about what the member can no longer
read or has already read on the site."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from engagement.levels.models import MemberLevel
from forum import services as forum
from forum.models import Notification
from mailings import services, tasks
from mailings.models import DEFAULTS, Frequency, Kind, MailItem, MailPreference, MailSend
from tests.factories import CategoryFactory, TopicFactory, UserFactory

from .conftest import parts

pytestmark = pytest.mark.django_db


def send_due():
    return tasks.mail_send_due.apply().get()


@pytest.fixture
def people(db):
    author = UserFactory(username="author", display_name="作者")
    other = UserFactory(username="other", display_name="路人甲")
    staff = UserFactory(username="boss", is_staff=True, is_superuser=True)
    for person in (author, other):
        MemberLevel.objects.create(member=person, level_number=4)
    # badges earned on the way (first post ...) would mail too; the tests below look at other kinds
    services.preferences_save(actor=author, choices={Kind.SYSTEM: Frequency.NEVER})
    return author, other, staff


@pytest.fixture
def topic(people, django_capture_on_commit_callbacks):
    author, _other, _staff = people
    with django_capture_on_commit_callbacks(execute=True):
        return TopicFactory.create(author=author, category=CategoryFactory(), title="怎么做社区活动")


def _make(kind, people, topic, cap):
    author, other, staff = people
    with cap(execute=True):
        if kind == Kind.REPLY:
            forum.post_create(actor=other, topic=topic, body="我来补充一点经验")
        elif kind == Kind.QUOTE:
            opening = topic.posts.get(number=1)
            forum.post_create(actor=other, topic=topic, body="回复你的一楼", reply_to=opening)
        elif kind == Kind.MENTION:
            elsewhere = TopicFactory.create(author=other, category=topic.category, title="另一个话题的标题")
            forum.post_create(actor=other, topic=elsewhere, body="@author 你怎么看？")
        elif kind == Kind.PRIVATE_MESSAGE:
            from messaging import services as pm

            pm.conversation_start(actor=other, recipients=["author"], body="私下问一句：活动预算多少？")
        elif kind == Kind.FEATURED:
            forum.topic_feature(actor=staff, topic=topic, featured=True, note="好帖")
        elif kind == Kind.PROMOTION:
            from engagement.levels.services import level_sync
            from engagement.points import services as points

            MemberLevel.objects.filter(member=author).update(level_number=1)
            points.points_adjust(actor=staff, member=author, amount=5000, reason="升级测试")
            level_sync(member_id=author.pk)
        elif kind == Kind.BOUNTY:
            from engagement.points import services as points
            from engagement.tips.services import tip_post

            points.points_adjust(actor=staff, member=other, amount=100, reason="打赏测试")
            tip_post(actor=other, post_id=topic.posts.get(number=1).pk, amount=5, request_key="tip-1")
        elif kind == Kind.SHOP:
            from engagement.points import services as points
            from engagement.shop import services as shop
            from engagement.shop.models import ShopItem

            points.points_adjust(actor=staff, member=author, amount=100, reason="商城测试")
            item = ShopItem.objects.create(slug="mug", name="杯子", kind=ShopItem.Kind.PHYSICAL, price=10, stock=5)
            order = shop.shop_redeem(actor=author, item_id=item.pk, request_key="k1", recipient="张三",
                                     phone="13800000000", address="北京市朝阳区建国路1号")
            shop.order_ship(actor=staff, order_id=order.pk, tracking_note="顺丰 SF123")
        elif kind == Kind.SYSTEM:
            from engagement.badges import services as badges
            from engagement.badges.models import Badge

            badges.badge_grant(actor=staff, member=author, badge=Badge.objects.get(slug="kol"), reason="好作者")


MAILED = [Kind.REPLY, Kind.QUOTE, Kind.MENTION, Kind.PRIVATE_MESSAGE, Kind.FEATURED, Kind.PROMOTION, Kind.BOUNTY,
          Kind.SHOP, Kind.SYSTEM]


@pytest.mark.parametrize("kind", MAILED)
def test_each_kind_reaches_the_smtp_server_with_headers_parts_and_unsubscribe(smtp, people, topic, kind,
                                                                           django_capture_on_commit_callbacks):
    author = people[0]
    # this kind at once, every other kind never (badges earned on the way would mail too)
    services.preferences_save(actor=author, choices={k: Frequency.IMMEDIATELY if k == kind else Frequency.NEVER
                                                     for k in Kind.values if k != Kind.DIGEST})
    _make(kind, people, topic, django_capture_on_commit_callbacks)
    assert MailItem.objects.filter(member=author, kind=kind).exists(), list(MailItem.objects.values("kind"))
    report = send_due()
    mails = smtp.to("author@example.com")
    assert report["failed"] == 0 and len(mails) == 1
    mail = mails[0]
    assert mail["From"].addresses[0].display_name == "活力社区"
    link = re.search(r"<(https://huoli\.example\.org/mail/unsubscribe/[^/>]+/)>", mail["List-Unsubscribe"]).group(1)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(mail)
    assert link in text and link.replace("&", "&amp;") in html
    assert "https://huoli.example.org/" in text and 'href="https://huoli.example.org/' in html
    assert "邮件设置" in text and mail["Content-Language"] == "zh-Hans"
    # the one-click unsubscribe, as a mail client sends it: a POST with no cookie, no CSRF token
    path = link.replace("https://huoli.example.org", "")
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert MailPreference.objects.get(member=author, kind=kind).frequency == Frequency.NEVER


def test_the_mail_is_in_the_members_language(smtp, people, topic, django_capture_on_commit_callbacks):
    author = people[0]
    services.preferences_save(actor=author, choices={Kind.REPLY: Frequency.IMMEDIATELY}, language="en")
    _make(Kind.REPLY, people, topic, django_capture_on_commit_callbacks)
    send_due()
    mail = smtp.to("author@example.com")[-1]
    text, html = parts(mail)
    assert mail["Subject"].strip() == "路人甲 replied in “怎么做社区活动”"
    assert "Email settings" in text and "Unsubscribe" in html and mail["Content-Language"] == "en"


def test_defaults_and_never(smtp, people, topic, django_capture_on_commit_callbacks):
    author = people[0]
    assert DEFAULTS[Kind.MENTION] == Frequency.IMMEDIATELY and DEFAULTS[Kind.REPLY] == Frequency.DAILY
    services.preferences_save(actor=author, choices={Kind.REPLY: Frequency.NEVER})
    _make(Kind.REPLY, people, topic, django_capture_on_commit_callbacks)
    assert not MailItem.objects.filter(member=author, kind=Kind.REPLY).exists()
    send_due()
    assert [m for m in smtp.to("author@example.com") if "我来补充" in parts(m)[0]] == []


def test_summaries_gather_items_into_one_mail_at_the_summary_hour(smtp, people, topic,
                                                                 django_capture_on_commit_callbacks):
    author, other, _staff = people
    services.preferences_save(actor=author, choices={Kind.REPLY: Frequency.DAILY, Kind.QUOTE: Frequency.DAILY})
    _make(Kind.REPLY, people, topic, django_capture_on_commit_callbacks)
    _make(Kind.QUOTE, people, topic, django_capture_on_commit_callbacks)
    items = list(MailItem.objects.filter(member=author))
    assert len(items) == 2 and len({i.due_at for i in items}) == 1
    due = items[0].due_at
    assert timezone.localtime(due).hour == 8 and due > timezone.now()
    assert send_due()["sent"] == 0  # not yet
    report = services.due_send(now=due)
    assert report["sent"] == 1
    mail = smtp.to("author@example.com")[-1]
    assert mail["Subject"].strip() == "你的每日摘要：2 条新动态"
    text, _html = parts(mail)
    assert "我来补充一点经验" in text and "回复你的一楼" in text


def test_weekly_due_time_is_next_monday():
    from datetime import datetime

    tz = timezone.get_current_timezone()
    wednesday = timezone.make_aware(datetime(2026, 12, 2, 15, 0), tz)
    due = timezone.localtime(services.due_time(Frequency.WEEKLY, wednesday))
    assert (due.weekday(), due.hour, due.day) == (0, 8, 7)
    morning = timezone.make_aware(datetime(2026, 12, 2, 7, 0), tz)
    assert timezone.localtime(services.due_time(Frequency.DAILY, morning)).day == 2


def test_no_mail_about_what_is_gone_or_read(smtp, people, topic, django_capture_on_commit_callbacks):
    author, other, staff = people
    services.preferences_save(actor=author, choices={Kind.REPLY: Frequency.IMMEDIATELY})
    with django_capture_on_commit_callbacks(execute=True):
        reply = forum.post_create(actor=other, topic=topic, body="马上会被隐藏")
    from forum.moderation.hide import post_hide

    with django_capture_on_commit_callbacks(execute=True):
        post_hide(actor=staff, post=reply, hidden=True, reason="spam")
    with django_capture_on_commit_callbacks(execute=True):
        forum.post_create(actor=other, topic=topic, body="作者已经在网站上看过")
    Notification.objects.filter(recipient=author, post__source="作者已经在网站上看过").update(read_at=timezone.now())
    report = send_due()
    assert smtp.to("author@example.com") == []
    assert report["sent"] == 0
    assert set(MailItem.objects.filter(member=author).values_list("outcome", flat=True)) == {"gone", "read"}


def test_pm_read_on_the_site_or_from_a_muted_author_is_not_mailed(smtp, people, django_capture_on_commit_callbacks):
    from messaging import services as pm

    author, other, _staff = people
    with django_capture_on_commit_callbacks(execute=True):
        convo = pm.conversation_start(actor=other, recipients=["author"], body="第一封")
    pm.conversation_read(actor=author, conversation_id=convo.pk)
    pm.member_block(actor=author, target=other, kind="ignore")
    with django_capture_on_commit_callbacks(execute=True):
        pm.message_send(actor=other, conversation_id=convo.pk, body="被忽略")
    send_due()
    assert smtp.to("author@example.com") == []
    assert MailItem.objects.filter(member=author).count() == 1  # the muted one was never queued


def test_a_claimed_mail_is_never_sent_twice(smtp, people, topic, django_capture_on_commit_callbacks):
    author = people[0]
    services.preferences_save(actor=author, choices={Kind.REPLY: Frequency.IMMEDIATELY})
    _make(Kind.REPLY, people, topic, django_capture_on_commit_callbacks)
    item = MailItem.objects.get(member=author)
    # a run that crashed after writing the send record, before marking the item done
    MailSend.objects.create(member=author, key=f"item:{item.pk}", kind=item.kind)
    report = send_due()
    assert report == {"sent": 0, "skipped": 1, "failed": 0} and smtp.to("author@example.com") == []


def test_preferences_page_and_bad_unsubscribe_link(people):
    author = people[0]
    client = Client()
    assert client.get("/me/email/").status_code == 302
    client.force_login(author)
    page = client.get("/me/email/").content.decode()
    assert 'name="pm"' in page and 'name="digest"' in page
    assert client.post("/me/email/", {"pm": "daily", "digest": "never", "language": "en"}).status_code == 302
    assert MailPreference.objects.get(member=author, kind="pm").frequency == "daily"
    assert client.post("/me/email/", {"digest": "daily"}).status_code == 200  # the digest is weekly or never
    assert Client().get("/mail/unsubscribe/forged-token/").status_code == 400
    assert Client().post("/mail/unsubscribe/forged-token/").status_code == 400
