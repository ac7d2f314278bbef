"""PostgreSQL: 1,000 redemption attempts by 300 members for an item with stock 100, from many
threads at once. Exactly 100 orders, stock 0, no negative balance, every balance equals its ledger
sum, and each order's spend is one ledger row.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_i22 \
     .venv/bin/python -m pytest tests/engagement/test_shop_concurrency.py -m postgres"""

import random
import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum

from engagement.points import services as points
from engagement.points.errors import InsufficientPoints
from engagement.points.models import PointsAccount, PointsEntry
from engagement.points.selectors import accounts_out_of_balance
from engagement.shop import services
from engagement.shop.models import ShopItem, ShopOrder
from forum.errors import Conflict
from forum.models import User

THREADS = 16
ATTEMPTS = 1000
MEMBERS = 300
STOCK = 100
PRICE = 30


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_1000_redemptions_by_300_members_sell_exactly_the_stock():
    assert connection.vendor == "postgresql"
    User.objects.bulk_create([User(username=f"buyer{i}", email=f"buyer{i}@example.com") for i in range(MEMBERS)])
    members = list(User.objects.filter(username__startswith="buyer").order_by("pk"))
    rng = random.Random(7)
    for m in members:  # some can afford one, some several, some none
        points.points_award(member=m, rule_code="checkin_streak_bonus", amount=rng.choice([10, 40, 70, 200]),
                            source_type="test", source_id="fund")
    item = ShopItem.objects.create(slug="hot", name="Hot", kind="decoration", price=PRICE, stock=STOCK)
    plan = [(rng.choice(members), f"r{n % 900}") for n in range(ATTEMPTS)]  # some request keys repeat
    chunks = [plan[i::THREADS] for i in range(THREADS)]
    outcome, errors = Counter(), []
    barrier = threading.Barrier(THREADS)

    def worker(chunk):
        try:
            barrier.wait()
            for member, key in chunk:
                try:
                    order = services.shop_redeem(actor=member, item_id=item.pk, request_key=key)
                    outcome["duplicate" if order.duplicate else "ok"] += 1
                except InsufficientPoints:
                    outcome["short"] += 1
                except Conflict as exc:
                    outcome[exc.code] += 1
        except Exception as exc:  # noqa: BLE001 - any unexpected error fails the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sum(outcome.values()) == ATTEMPTS
    assert outcome["ok"] == STOCK and outcome["sold_out"] > 0
    item.refresh_from_db()
    assert item.stock == 0
    assert ShopOrder.objects.filter(item=item).count() == STOCK
    ids = [m.pk for m in members]
    assert not PointsAccount.objects.filter(member_id__in=ids, balance__lt=0).exists()
    assert accounts_out_of_balance(member_ids=ids) == []
    spends = PointsEntry.objects.filter(member_id__in=ids, reason="shop_redeem")
    assert spends.count() == STOCK and spends.aggregate(s=Sum("amount"))["s"] == -PRICE * STOCK
    assert set(ShopOrder.objects.values_list("spend_entry_id", flat=True)) == set(spends.values_list("id", flat=True))
