#!/usr/bin/env python
"""Rewards-shop benchmark: redemptions per second with concurrent writers, then the balance/ledger
check, on a PostgreSQL database of its own that is created (with all migrations) at the start and
dropped at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_bench_shop .venv/bin/python bench/shop.py
    options: --writers 8 --members 2000 --redemptions 4000 --items 8

Each writer is a thread with its own connection calling engagement.shop.services.shop_redeem, the
real service (item row lock, idempotency by request key, level / window / limit checks, ledger spend
under the account lock, stock decrement, order row). Two runs:
  (a) "hot": every redemption on one item with limited stock (every call serialises on its row lock),
      stock = redemptions / 2 so half the calls end "sold out";
  (b) "spread": redemptions spread over --items items with unlimited stock, 10% repeated request keys.
Prints redemptions/s over the wall time and p50 / p99 per call, then verifies: orders == stock sold,
no negative balance, every cached balance equals its ledger sum, one spend row per order.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huoli_bench_shop")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--redemptions", type=int, default=4000)
    parser.add_argument("--items", type=int, default=8)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/shop.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM); dropping the benchmark database"))
    old_name = connection.settings_dict["NAME"]
    print("creating the benchmark database (migrations) ...", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        print("benchmark database dropped")


def run(args):
    from django.db.models import Count, Sum

    from engagement.points.errors import InsufficientPoints
    from engagement.points.models import PointsAccount, PointsEntry
    from engagement.points.selectors import accounts_out_of_balance
    from engagement.shop import services
    from engagement.shop.models import ShopItem, ShopOrder
    from forum.errors import Conflict
    from forum.models import User

    print(f"PostgreSQL {connection.pg_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{args.writers} writers")
    User.objects.bulk_create([User(username=f"shopper{i}", email=f"shopper{i}@bench.invalid", password="!")
                              for i in range(args.members)], batch_size=1000)
    members = list(User.objects.filter(username__startswith="shopper").order_by("pk"))
    # fund every member through the ledger (the real award path), enough for many redemptions
    from engagement.points import services as points

    t0 = time.perf_counter()
    for m in members:
        points.points_award(member=m, rule_code="checkin_streak_bonus", amount=100_000, source_type="bench",
                            source_id="fund")
    print(f"funded {len(members):,} members in {time.perf_counter() - t0:.1f} s")

    def timed_run(label, plan):
        outcome, latencies, errors = Counter(), [], []
        chunks = [plan[i::args.writers] for i in range(args.writers)]
        barrier = threading.Barrier(args.writers + 1)

        def worker(chunk):
            local = []
            try:
                barrier.wait()
                for member, item_id, key in chunk:
                    start = time.perf_counter()
                    try:
                        order = services.shop_redeem(actor=member, item_id=item_id, request_key=key)
                        outcome["duplicate" if order.duplicate else "ok"] += 1
                    except InsufficientPoints:
                        outcome["short"] += 1
                    except Conflict as exc:
                        outcome[exc.code] += 1
                    local.append(time.perf_counter() - start)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))
            finally:
                latencies.extend(local)
                connection.close()

        threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        assert not errors, errors[:3]
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0
        print(f"{label}: {len(plan):,} calls in {wall:.2f} s = {len(plan) / wall:,.0f} calls/s, "
              f"{outcome['ok'] / wall:,.0f} orders/s; p50 {statistics.median(latencies) * 1000:.1f} ms, "
              f"p99 {p99 * 1000:.1f} ms; outcomes {dict(outcome)}")
        return outcome

    rng = random.Random(1)
    stock = args.redemptions // 2
    hot = ShopItem.objects.create(slug="hot", name="Hot", kind="decoration", price=10, stock=stock)
    plan = [(rng.choice(members), hot.pk, f"h{n}") for n in range(args.redemptions)]
    out = timed_run("(a) hot item", plan)
    hot.refresh_from_db()
    assert out["ok"] == stock and hot.stock == 0 and ShopOrder.objects.filter(item=hot).count() == stock

    items = [ShopItem.objects.create(slug=f"s{i}", name=f"S{i}", kind="decoration", price=7) for i in range(args.items)]
    plan = []
    for n in range(args.redemptions):
        if plan and rng.random() < 0.1:
            plan.append(plan[-1])  # the same request again (a double submit / retried call)
        else:
            plan.append((rng.choice(members), rng.choice(items).pk, f"s{n}"))
    timed_run("(b) spread over items", plan)

    bad = accounts_out_of_balance()
    negative = PointsAccount.objects.filter(balance__lt=0).count()
    orders = ShopOrder.objects.count()
    spends = PointsEntry.objects.filter(reason="shop_redeem").aggregate(n=Count("id"), s=Sum("amount"))
    paid = ShopOrder.objects.aggregate(s=Sum("price"))["s"] or 0
    print(f"check: {orders:,} orders, {spends['n']:,} spend rows, {-(spends['s'] or 0):,} points spent == "
          f"{paid:,} paid; balances out of step with the ledger: {len(bad)}; negative balances: {negative}")
    assert not bad and not negative and spends["n"] == orders and -(spends["s"] or 0) == paid


if __name__ == "__main__":
    main()
