#!/usr/bin/env python
"""Lottery benchmarks (huoli-draw-v1 and entry throughput), on a PostgreSQL database of its own
that is created (with all migrations) at the start and dropped at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_bench_lottery .venv/bin/python bench/lottery.py
    options: --entries 1000000 --winners 10 --workers 8 --entry-total 2000

Measures
1. the pure draw over N tickets (engagement/lotteries/draw.py and tools/verify_draw.py),
2. the full service draw over N entries stored in PostgreSQL (lottery_draw: read the tickets,
   digest, draw, mark the winners, notify, audit), and verify_lottery over the same lottery,
3. entry throughput: W threads of distinct members entering one lottery at once (every entry takes
   the lottery's row lock to get its number, so this is the serialised rate that keeps numbers
   gap-free), with and without a points cost.
"""

import argparse
import datetime
import hashlib
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huoli_bench_lottery")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402


def seconds(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def bulk_members(prefix, n):
    """n members inserted with one INSERT ... SELECT generate_series (fast), ids returned in order."""
    from forum.models import User

    cols, exprs, params = [], [], []
    for f in User._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f.column)
        if f.name == "username":
            exprs.append("%s || g")
            params.append(prefix)
        elif f.name == "email":
            exprs.append("%s || g || '@bench.invalid'")
            params.append(prefix)
        elif f.name == "password":
            exprs.append("'!'")
        else:
            value = f.get_db_prep_save(f.get_default(), connection)
            exprs.append("%s")
            params.append(value if value is not None or f.null else "")
    sql = (f"INSERT INTO {User._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
           f"FROM generate_series(1, %s) AS g RETURNING id")
    with connection.cursor() as cur:
        cur.execute(sql, [*params, n])
        return [row[0] for row in cur.fetchall()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--winners", type=int, default=10)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--entry-total", type=int, default=2000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/lottery.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM); dropping the benchmark database"))
    creation = connection.creation
    print("creating the benchmark database (migrations) ...", flush=True)
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(args)
    finally:
        creation.destroy_test_db(old_name, verbosity=0)
        print("benchmark database dropped")


def run(args):
    import importlib.util

    from engagement.lotteries import draw, services
    from engagement.lotteries.models import Lottery, LotteryEntry
    from forum.models import User

    spec = importlib.util.spec_from_file_location("verify_draw", ROOT / "tools" / "verify_draw.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)

    n, w = args.entries, args.winners
    print(f"PostgreSQL {connection.pg_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    tickets = [f"{i}:member{i}" for i in range(1, n + 1)]
    seed = hashlib.sha256(b"bench").digest()
    t_app, winners = seconds(lambda: draw.winners_of(tickets, server_seed=seed, public_salt="bench", winners_count=w))
    t_tool, winners_tool = seconds(lambda: tool.draw(seed, tickets, "bench", w))
    assert winners == winners_tool
    print(f"1. pure draw, {n:,} tickets, {w} winners: app {t_app:.3f} s, tools/verify_draw.py {t_tool:.3f} s")

    host = User.objects.create_user(username="bench_host", password=None, is_staff=True)
    now = timezone.now()
    lottery = services.lottery_create(actor=host, title="bench", prize="bench", winners_count=w,
                                      opens_at=now - datetime.timedelta(days=1),
                                      closes_at=now + datetime.timedelta(days=1))
    t_members, ids = seconds(lambda: bulk_members("b", n))
    with connection.cursor() as cur:
        t_entries, _ = seconds(lambda: cur.execute(
            f"INSERT INTO {LotteryEntry._meta.db_table} (lottery_id, member_id, number, ticket, created_at) "
            f"SELECT %s, u.id, row_number() OVER (ORDER BY u.id), "
            f"(row_number() OVER (ORDER BY u.id))::text || ':' || u.username, now() "
            f"FROM {User._meta.db_table} u WHERE u.username LIKE 'b%%' AND u.id >= %s", [lottery.pk, ids[0]]))
        cur.execute("ANALYZE")
    Lottery.objects.filter(pk=lottery.pk).update(entry_count=n, closes_at=timezone.now() - datetime.timedelta(seconds=1))
    print(f"   (setup: {n:,} members in {t_members:.1f} s, {n:,} entries in {t_entries:.1f} s)")
    t_draw, (drawn, _) = seconds(lambda: services.lottery_draw(actor=host, lottery=lottery))
    print(f"2. service draw over {n:,} stored entries (read, digest, draw, mark, notify, audit): {t_draw:.3f} s")
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    t_verify, _ = seconds(lambda: call_command("verify_lottery", str(lottery.pk), stdout=out))
    print(f"   manage.py verify_lottery {lottery.pk}: {t_verify:.3f} s -> {out.getvalue().strip()}")

    for cost in (0, 5):
        total = args.entry_total
        lot = services.lottery_create(actor=host, title=f"throughput {cost}", prize="x", winners_count=1,
                                      opens_at=timezone.now() - datetime.timedelta(days=1),
                                      closes_at=timezone.now() + datetime.timedelta(days=1), points_cost=cost)
        member_ids = bulk_members(f"t{cost}_", total)
        if cost:
            from engagement.points.services import points_adjust

            for mid in member_ids:
                points_adjust(actor=host, member=User(pk=mid), amount=cost, reason="bench", key=f"bench{mid}")
        chunks = [member_ids[i::args.workers] for i in range(args.workers)]
        errors = []
        barrier = threading.Barrier(args.workers)

        def worker(chunk, lot=lot, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                for mid in chunk:
                    services.lottery_enter(actor=User.objects.get(pk=mid), lottery=lot)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        lot.refresh_from_db()
        numbers = list(LotteryEntry.objects.filter(lottery=lot).order_by("number").values_list("number", flat=True))
        assert not errors, errors[:3]
        assert numbers == list(range(1, total + 1)), "numbers must be gap-free"
        print(f"3. entries{' with a ' + str(cost) + '-point cost' if cost else ''}: {total:,} by {args.workers} "
              f"concurrent workers in {elapsed:.2f} s = {total / elapsed:,.0f} entries/s (numbers 1..{total} gap-free)")


if __name__ == "__main__":
    main()
