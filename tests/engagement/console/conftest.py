"""A small community with hand-computed numbers (times are Asia/Shanghai, the site's time zone).

Members: operator (staff, joined 2025), carol (joined 2026-02-20), alice (joined 03-02 10:00),
bob (joined 03-03 00:30 Shanghai = 03-02 16:30 UTC), dave (joined 03-03 09:00, email not verified).

03-02 10:30 alice opens T1 in qa                          alice active
03-02 23:30 carol upvotes T1#1                            carol active on 03-02 (15:30 UTC)
03-03 00:30 carol replies to T1 (first reply, 14 h)       carol active on 03-03 (16:30 UTC 03-02!)
03-03 08:00 bob opens T2 in news; 09:00 replies to himself (no first reply: his own)
03-03 09:00 dave checks in
03-03 12:00 alice opens T3 in qa; 14:00 carol replies (2 h)
03-04 10:00 alice upvotes T2#1
03-05       bob checks in
03-06 10:00 dave upvotes T1#1
03-10 10:00 alice upvotes T1#2

DAU 03-02..03-10: 2, 4, 1, 1, 1, 0, 0, 0, 1. WAU 03-10 (03-04..03-10): alice, bob, dave = 3. MAU 4.
Funnel (signups 03-02..03-10): 3 signed up, 2 verified (not dave), 1 profile (alice's bio),
1 first post, 1 came back (alice on 03-03). Cohort week 03-02: 3 members, week 0: 3, week 1: 1.
First replies: T1 50400 s, T3 7200 s, T2 none: median 28800 s (8 h), 1 of 3 unanswered.
Points: topic_created +5 (03-02) +5 (03-03) in qa, reply_created +2 +2 in qa, shop_redeem -10 (03-05).
Moderation: item 1 (news) opened 03-03 10:00, handled 13:00 (3 h); item 2 (qa) opened 03-04 23:00,
handled 03-05 01:00 (2 h); item 3 (qa) opened 03-05 09:00, open. Median 2.5 h (qa alone: 2 h).
Event 03-03 00:00 - 03-05 00:00: participants alice, dave (dave joined in it), 2 posts; others
active during it: carol, bob. After (03-05..03-18): alice, dave active (100 %); bob (50 %).
Recall sent 03-04 to carol (came back, 20 bonus) and bob. KOL run 03-05: carol, bob ranked; bob
accepted 03-05: 1 proposed, 1 accepted.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from engagement.checkin.models import CheckIn
from engagement.events.models import Event, EventAction, EventParticipation
from engagement.kol.models import KolDecision, KolRun, KolScore
from engagement.lifecycle.models import RecallCampaign, RecallRecipient
from engagement.points.models import PointsEntry
from forum.models import Category, ModerationItem, Post, PostVote, Report, Topic, User

SH = ZoneInfo("Asia/Shanghai")
FIRST, LAST = datetime.date(2026, 3, 2), datetime.date(2026, 3, 10)


def at(text):
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SH)


def _member(username, joined, *, verified=True, bio="", staff=False):
    user = User.objects.create_user(username=username, email=f"{username}@example.com", password="x" * 12,
                                    date_joined=at(joined), bio=bio, is_staff=staff)
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


def _topic(author, category, when, title):
    topic = Topic.objects.create(category=category, title=title, author=author, created_at=at(when),
                                 last_activity_at=at(when), post_count=1)
    post = Post.objects.create(topic=topic, number=1, author=author, source="body", html="<p>body</p>",
                               created_at=at(when))
    return topic, post


def _reply(topic, author, when, number):
    return Post.objects.create(topic=topic, number=number, author=author, source="re", html="<p>re</p>",
                               created_at=at(when))


class Community:
    pass


@pytest.fixture
def community(db):
    c = Community()
    c.operator = _member("operator", "2025-01-01T09:00", staff=True)
    c.carol = _member("carol", "2026-02-20T09:00")
    c.alice = _member("alice", "2026-03-02T10:00", bio="我喜欢社区运营")
    c.bob = _member("bob", "2026-03-03T00:30")
    c.dave = _member("dave", "2026-03-03T09:00", verified=False)
    c.qa = Category.objects.create(name="问答", slug="qa", position=1)
    c.news = Category.objects.create(name="新闻", slug="news", position=2)
    c.t1, p1 = _topic(c.alice, c.qa, "2026-03-02T10:30", "T1")
    PostVote.objects.create(post=p1, user=c.carol, value=1, created_at=at("2026-03-02T23:30"))
    p1b = _reply(c.t1, c.carol, "2026-03-03T00:30", 2)
    c.t2, p2 = _topic(c.bob, c.news, "2026-03-03T08:00", "T2")
    _reply(c.t2, c.bob, "2026-03-03T09:00", 2)
    CheckIn.objects.create(member=c.dave, day=datetime.date(2026, 3, 3), created_at=at("2026-03-03T09:00"))
    c.t3, _p3 = _topic(c.alice, c.qa, "2026-03-03T12:00", "T3")
    p3b = _reply(c.t3, c.carol, "2026-03-03T14:00", 2)
    PostVote.objects.create(post=p2, user=c.alice, value=1, created_at=at("2026-03-04T10:00"))
    CheckIn.objects.create(member=c.bob, day=datetime.date(2026, 3, 5), created_at=at("2026-03-05T08:00"))
    PostVote.objects.create(post=p1, user=c.dave, value=1, created_at=at("2026-03-06T10:00"))
    PostVote.objects.create(post=p1b, user=c.alice, value=1, created_at=at("2026-03-10T10:00"))

    balance = {}

    def points(member, amount, reason, when, category=None, kind="earn"):
        balance[member.pk] = balance.get(member.pk, 0) + amount
        PointsEntry.objects.create(member=member, amount=amount, kind=kind, reason=reason,
                                   category_id=category.pk if category else None,
                                   lifetime_amount=max(amount, 0), balance_after=balance[member.pk],
                                   idempotency_key=f"{member.pk}:{reason}:{when}", created_at=at(when))

    points(c.alice, 5, "topic_created", "2026-03-02T10:30", c.qa)
    points(c.alice, 5, "topic_created", "2026-03-03T12:00", c.qa)
    points(c.carol, 2, "reply_created", "2026-03-03T00:30", c.qa)
    points(c.carol, 2, "reply_created", "2026-03-03T14:00", c.qa)
    points(c.bob, 20, "checkin", "2026-03-05T08:00")
    points(c.bob, -10, "shop_redeem", "2026-03-05T09:00", kind="spend")

    i1 = ModerationItem.objects.create(topic=c.t2, post=p2, category=c.news, created_at=at("2026-03-03T10:00"),
                                       status="resolved", resolved_at=at("2026-03-03T13:00"), resolution="dismissed")
    Report.objects.create(item=i1, reporter=c.alice, reason="spam", created_at=at("2026-03-03T10:00"))
    i2 = ModerationItem.objects.create(topic=c.t1, post=p1b, category=c.qa, created_at=at("2026-03-04T23:00"),
                                       status="resolved", resolved_at=at("2026-03-05T01:00"), resolution="upheld")
    Report.objects.create(item=i2, reporter=c.bob, reason="abuse", created_at=at("2026-03-04T23:00"))
    i3 = ModerationItem.objects.create(topic=c.t3, post=p3b, category=c.qa, created_at=at("2026-03-05T09:00"))
    Report.objects.create(item=i3, reporter=c.dave, reason="other", created_at=at("2026-03-05T09:00"))

    c.event = Event.objects.create(title="春季问答周", starts_at=at("2026-03-03T00:00"), ends_at=at("2026-03-05T00:00"),
                                   created_by=c.operator)
    EventParticipation.objects.create(event=c.event, member=c.alice, first_at=at("2026-03-03T12:00"))
    EventParticipation.objects.create(event=c.event, member=c.dave, first_at=at("2026-03-03T09:00"))
    EventAction.objects.create(event=c.event, member=c.alice, kind="post", object_id=c.t3.pk,
                               at=at("2026-03-03T12:00"))
    EventAction.objects.create(event=c.event, member=c.dave, kind="post", object_id=999, at=at("2026-03-03T09:30"))

    c.campaign = RecallCampaign.objects.create(name="三月召回", subject="s", body="b", stage=3,
                                               created_at=at("2026-03-04T09:00"), recipient_count=2)
    RecallRecipient.objects.create(campaign=c.campaign, member=c.carol, stage=3, notified_at=at("2026-03-04T09:00"),
                                   returned_at=at("2026-03-06T09:00"), bonus_awarded=20)
    RecallRecipient.objects.create(campaign=c.campaign, member=c.bob, stage=3, notified_at=at("2026-03-04T09:00"))

    run = KolRun.objects.create(day=datetime.date(2026, 3, 5), window_days=30, window_start=at("2026-02-04T00:00"),
                                window_end=at("2026-03-06T00:00"), status="done")
    KolScore.objects.create(run=run, member=c.carol, rank=1, score=80)
    KolScore.objects.create(run=run, member=c.bob, rank=2, score=60)
    KolDecision.objects.create(member=c.bob, kind="accepted", reason="good", decided_by=c.operator,
                               decided_at=at("2026-03-05T12:00"))
    c.operators, _created = Group.objects.get_or_create(name="Operators")  # a migration makes it; a flush may not restore it
    return c
