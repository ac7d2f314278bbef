"""Bounties (悬赏): the escrow leaves the asker's balance when offered; accepting an answer pays
its author once; expiry refunds or splits among the best-voted answers, once even when the task
runs twice; moderators resolve abandoned bounties (audited). Every balance equals its ledger sum."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditLog
from engagement.bounties import services, tasks
from engagement.bounties.models import Bounty, BountyPayout
from engagement.points import services as points
from engagement.points.errors import InsufficientPoints
from engagement.points.models import PointsAccount, PointsEntry
from engagement.points.selectors import accounts_out_of_balance
from forum import services as forum
from forum.errors import Conflict, InvalidInput, NotAllowed
from forum.models import Notification
from tests.factories import TopicFactory, UserFactory


@pytest.fixture(autouse=True)
def rules(settings):
    settings.HUOLI_BOUNTIES = {"MIN_AMOUNT": 5, "MAX_AMOUNT": 500, "DAYS": 7, "EXPIRY_RULE": "refund",
                               "SPLIT_TOP": 2}
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {}}


def fund(member, amount):
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=amount, source_type="t",
                        source_id=str(member.pk))
    return member


def balance(member):
    account = PointsAccount.objects.filter(member_id=member.pk).first()
    return account.balance if account else 0


@pytest.fixture
def asker(db):
    return fund(UserFactory(), 300)


@pytest.fixture
def topic(asker):
    return TopicFactory.create(author=asker)


def answer(topic, body="这是我的回答"):
    return forum.post_create(actor=UserFactory(), topic=topic, body=body)


def test_offer_holds_the_points_in_escrow_once(asker, topic):
    bounty = services.bounty_offer(actor=asker, topic=topic, amount=100)
    assert balance(asker) == 200
    assert bounty.escrow_entry.amount == -100 and bounty.escrow_entry.reason == "bounty_escrow"
    topic.refresh_from_db()
    assert topic.sections == ["bounty", "bounty_open"]
    with pytest.raises(Conflict):
        services.bounty_offer(actor=asker, topic=topic, amount=100)
    assert balance(asker) == 200
    assert accounts_out_of_balance() == []


def test_offer_refused_for_bounds_others_topics_and_short_balance(asker, topic):
    for bad in (0, 4, 501, True, "x"):
        with pytest.raises(InvalidInput):
            services.bounty_offer(actor=asker, topic=topic, amount=bad)
    with pytest.raises(NotAllowed):
        services.bounty_offer(actor=fund(UserFactory(), 300), topic=topic, amount=50)
    with pytest.raises(InsufficientPoints):
        services.bounty_offer(actor=asker, topic=topic, amount=301 if 301 <= 500 else 500)
    assert not Bounty.objects.exists() and balance(asker) == 300
    assert accounts_out_of_balance() == []


def test_accept_pays_the_answer_author_exactly_once(asker, topic, django_capture_on_commit_callbacks):
    services.bounty_offer(actor=asker, topic=topic, amount=120)
    first, second = answer(topic), answer(topic)
    with django_capture_on_commit_callbacks(execute=True):
        bounty = services.bounty_accept(actor=asker, topic_id=topic.pk, post_id=first.pk)
    assert bounty.status == Bounty.Status.ACCEPTED and bounty.accepted_post_id == first.pk
    assert balance(first.author) == 120
    for post in (first, second):
        with pytest.raises(Conflict):
            services.bounty_accept(actor=asker, topic_id=topic.pk, post_id=post.pk)
    assert balance(first.author) == 120 and balance(second.author) == 0 and balance(asker) == 180
    assert Notification.objects.filter(recipient=first.author, message__contains="120").exists()
    topic.refresh_from_db()
    assert topic.sections == ["bounty"]
    assert accounts_out_of_balance() == []


def test_accept_refuses_others_own_replies_and_the_opening_post(asker, topic):
    services.bounty_offer(actor=asker, topic=topic, amount=50)
    reply = answer(topic)
    own = forum.post_create(actor=asker, topic=topic, body="我自己的补充")
    with pytest.raises(NotAllowed):
        services.bounty_accept(actor=reply.author, topic_id=topic.pk, post_id=reply.pk)
    with pytest.raises(InvalidInput):
        services.bounty_accept(actor=asker, topic_id=topic.pk, post_id=own.pk)
    with pytest.raises(InvalidInput):
        services.bounty_accept(actor=asker, topic_id=topic.pk, post_id=topic.posts.get(number=1).pk)
    assert Bounty.objects.get().is_open and not BountyPayout.objects.exists()


def test_expiry_refunds_once_under_a_retried_task(asker, topic, clock):
    clock.set("2026-12-01T10:00:00")
    bounty = services.bounty_offer(actor=asker, topic=topic, amount=80)
    answer(topic)
    clock.advance(days=6)
    assert tasks.bounties_expire_overdue_task() == []
    assert balance(asker) == 220
    clock.advance(days=1, seconds=1)
    assert tasks.bounties_expire_overdue_task() == [Bounty.Status.REFUNDED]
    assert tasks.bounty_expire_task(bounty.pk) == Bounty.Status.REFUNDED  # the retried task pays nothing
    assert services.bounty_expire(bounty_id=bounty.pk) == Bounty.Status.REFUNDED
    assert balance(asker) == 300
    assert PointsEntry.objects.filter(member=asker, reason="bounty_refund").count() == 1
    assert accounts_out_of_balance() == []


def test_expiry_splits_among_top_voted_answers(asker, topic, clock, settings):
    settings.HUOLI_BOUNTIES = {**settings.HUOLI_BOUNTIES, "EXPIRY_RULE": "split"}
    clock.set("2026-12-01T10:00:00")
    bounty = services.bounty_offer(actor=asker, topic=topic, amount=101)
    best, good, weak, unvoted = answer(topic), answer(topic), answer(topic), answer(topic)
    voters = [UserFactory() for _ in range(3)]
    for post, n in ((best, 3), (good, 2), (weak, 1)):
        for voter in voters[:n]:
            forum.post_vote(actor=voter, post=post, value=1)
    clock.advance(days=8)
    assert tasks.bounties_expire_overdue_task() == [Bounty.Status.SPLIT]
    assert tasks.bounty_expire_task(bounty.pk) == Bounty.Status.SPLIT
    assert (balance(best.author), balance(good.author), balance(weak.author), balance(unvoted.author)) == (51, 50, 0, 0)
    assert balance(asker) == 199
    assert BountyPayout.objects.filter(bounty=bounty).count() == 2
    assert accounts_out_of_balance() == []


def test_split_without_voted_answers_refunds(asker, topic, clock, settings):
    settings.HUOLI_BOUNTIES = {**settings.HUOLI_BOUNTIES, "EXPIRY_RULE": "split"}
    clock.set("2026-12-01T10:00:00")
    bounty = services.bounty_offer(actor=asker, topic=topic, amount=60)
    answer(topic)
    clock.advance(days=8)
    assert services.bounty_expire(bounty_id=bounty.pk) == Bounty.Status.REFUNDED
    assert balance(asker) == 300


def test_rule_is_kept_from_when_the_bounty_was_offered(asker, topic, clock, settings):
    clock.set("2026-12-01T10:00:00")
    bounty = services.bounty_offer(actor=asker, topic=topic, amount=60)
    settings.HUOLI_BOUNTIES = {**settings.HUOLI_BOUNTIES, "EXPIRY_RULE": "split"}
    post = answer(topic)
    forum.post_vote(actor=UserFactory(), post=post, value=1)
    clock.advance(days=8)
    assert services.bounty_expire(bounty_id=bounty.pk) == Bounty.Status.REFUNDED
    assert balance(post.author) == 0


def test_moderator_resolves_an_abandoned_bounty_audited(asker, topic, staff):
    bounty = services.bounty_offer(actor=asker, topic=topic, amount=70)
    reply = answer(topic)
    with pytest.raises(NotAllowed):
        services.bounty_resolve(actor=reply.author, bounty_id=bounty.pk, post_id=reply.pk, reason="我来")
    services.bounty_resolve(actor=staff, bounty_id=bounty.pk, post_id=reply.pk, reason="提问者长期未采纳")
    bounty.refresh_from_db()
    assert bounty.status == Bounty.Status.RESOLVED and bounty.accepted_post_id == reply.pk
    assert balance(reply.author) == 70
    log = AuditLog.objects.get(action="bounty.resolve")
    assert log.actor == staff and log.reason == "提问者长期未采纳" and log.target_id == str(bounty.pk)
    with pytest.raises(Conflict):
        services.bounty_resolve(actor=staff, bounty_id=bounty.pk, reason="again")
    assert accounts_out_of_balance() == []


def test_moderator_refund(asker, topic, staff):
    bounty = services.bounty_offer(actor=asker, topic=topic, amount=70)
    services.bounty_resolve(actor=staff, bounty_id=bounty.pk, reason="话题已失效")
    assert balance(asker) == 300 and Bounty.objects.get().status == Bounty.Status.RESOLVED
    assert timezone.now() - Bounty.objects.get().closed_at < timedelta(minutes=1)
