"""PostgreSQL: bounties under concurrency. Many accepts (of different answers) and expiry runs at once
close the bounty once and pay once; a double-submitted offer holds the points once. Every balance
equals its ledger sum."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.bounties import services
from engagement.bounties.models import Bounty, BountyPayout
from engagement.points import services as points
from engagement.points.models import PointsAccount, PointsEntry
from engagement.points.selectors import accounts_out_of_balance
from forum import services as forum
from forum.errors import Conflict
from tests.engagement.test_tasks_pg import _run_at_once
from tests.factories import TopicFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.serial,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def rules(settings):
    settings.HUOLI_BOUNTIES = {"MIN_AMOUNT": 5, "MAX_AMOUNT": 500, "DAYS": 7, "EXPIRY_RULE": "refund",
                               "SPLIT_TOP": 2}
    settings.HUOLI = {**settings.HUOLI, "RATE_LIMITS": {}}


def _funded(amount):
    member = UserFactory()
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=amount, source_type="t",
                        source_id=str(member.pk))
    return member


def _balance(member):
    return PointsAccount.objects.get(member_id=member.pk).balance


def test_concurrent_accepts_and_expiry_pay_exactly_once():
    asker = _funded(300)
    topic = TopicFactory.create(author=asker)
    bounty = services.bounty_offer(actor=asker, topic=topic, amount=120)
    answers = [forum.post_create(actor=UserFactory(), topic=topic, body=f"回答 {i}") for i in range(3)]
    later = timezone.now() + timedelta(days=8)
    before = {m.pk: _balance(m) for m in [asker] + [a.author for a in answers]}

    def accept(post):
        try:
            return "accept", services.bounty_accept(actor=asker, topic_id=topic.pk, post_id=post.pk).status
        except Conflict:
            return "accept", "conflict"

    def expire():  # returns the bounty's status, whoever closed it
        return "expire", services.bounty_expire(bounty_id=bounty.pk, now=later)

    calls = [(lambda p=p: accept(p)) for p in answers * 2] + [expire, expire]
    results, errors = _run_at_once(lambda fn: fn(), [(c,) for c in calls])
    assert errors == []
    bounty.refresh_from_db()
    assert bounty.status in (Bounty.Status.ACCEPTED, Bounty.Status.REFUNDED)
    payouts = list(BountyPayout.objects.filter(bounty=bounty))
    assert len(payouts) == 1 and payouts[0].amount == 120
    paid_entries = PointsEntry.objects.filter(reason__in=["bounty_paid", "bounty_refund"])
    assert paid_entries.count() == 1
    accepts = [status for kind, status in results if kind == "accept"]
    assert {status for kind, status in results if kind == "expire"} <= {bounty.status}
    if bounty.status == Bounty.Status.ACCEPTED:
        assert accepts.count("accepted") == 1 and _balance(asker) == before[asker.pk]
        winner = bounty.accepted_post.author
        assert _balance(winner) == before[winner.pk] + 120
    else:
        assert "accepted" not in accepts and _balance(asker) == before[asker.pk] + 120
    assert accounts_out_of_balance() == []


def test_double_submitted_offer_holds_the_points_once():
    asker = _funded(300)
    topic = TopicFactory.create(author=asker)
    before = _balance(asker)

    def offer():
        try:
            return services.bounty_offer(actor=asker, topic=topic, amount=100).pk
        except Conflict:
            return "conflict"

    results, errors = _run_at_once(offer, [()] * 6)
    assert errors == []
    assert Bounty.objects.filter(topic=topic).count() == 1
    assert len([r for r in results if r != "conflict"]) == 1
    assert _balance(asker) == before - 100
    assert PointsEntry.objects.filter(member=asker, reason="bounty_escrow").count() == 1
    assert accounts_out_of_balance() == []
