"""PostgreSQL: many threads awarding and spending for the same members at once, with duplicate
idempotency keys. Afterwards every balance equals its ledger sum, none is negative and no key
was credited twice.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_engagement \
     .venv/bin/python -m pytest tests/engagement/test_concurrency.py -m postgres"""

import random
import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, Sum

from engagement.points import services
from engagement.points.errors import InsufficientPoints
from engagement.points.models import PointsAccount, PointsEntry, PointsPeriodTotal
from engagement.points.selectors import accounts_out_of_balance
from tests.factories import UserFactory

THREADS = 24
OPS_PER_THREAD = 60
MEMBERS = 4
KEYS = 40  # award keys per member, shared by every thread: most attempts are duplicates


def award_amount(key):
    return 1 + key % 7


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_awards_and_spends():
    assert connection.vendor == "postgresql"
    members = [UserFactory() for _ in range(MEMBERS)]
    errors = []
    attempts = Counter()
    barrier = threading.Barrier(THREADS)

    def worker(seed):
        rng = random.Random(seed)
        try:
            barrier.wait()
            for _ in range(OPS_PER_THREAD):
                member = rng.choice(members)
                if rng.random() < 0.6:
                    key = rng.randrange(KEYS)
                    attempts["award"] += 1
                    services.points_award(member=member, rule_code="checkin_streak_bonus", amount=award_amount(key),
                                          source_type="concurrency", source_id=str(key))
                else:
                    attempts["spend"] += 1
                    try:
                        services.points_spend(member=member, amount=rng.randint(1, 12), reason="concurrency",
                                              key=str(rng.randrange(30)))
                    except InsufficientPoints:
                        attempts["refused"] += 1
        except Exception as exc:  # noqa: BLE001 - every unexpected error fails the test below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    ids = [m.pk for m in members]
    assert attempts["award"] > 500 and attempts["spend"] > 300
    assert PointsEntry.objects.filter(member_id__in=ids, kind="spend").exists()
    assert accounts_out_of_balance(member_ids=ids) == []
    assert not PointsAccount.objects.filter(member_id__in=ids, balance__lt=0).exists()
    # no idempotency key credited twice (the unique index), and every award key exactly once
    dupes = PointsEntry.objects.values("idempotency_key").annotate(n=Count("id")).filter(n__gt=1)
    assert list(dupes) == []
    for member in members:
        earned = PointsEntry.objects.filter(member=member, kind="earn")
        keys = [int(k) for k in earned.values_list("source_id", flat=True)]
        assert len(keys) == len(set(keys))
        lifetime = PointsAccount.objects.get(member=member).lifetime_earned
        assert lifetime == sum(award_amount(k) for k in keys)
        # the leaderboard totals were kept on the same writes
        total = PointsPeriodTotal.objects.filter(member=member, period="a", category_id=0).aggregate(s=Sum("points"))
        assert total["s"] == lifetime
    # the running balance recorded on each row never went below zero
    assert not PointsEntry.objects.filter(member_id__in=ids, balance_after__lt=0).exists()
