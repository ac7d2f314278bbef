#!/usr/bin/env python
"""Points benchmark on PostgreSQL: awards per second with concurrent writers, and the leaderboard
page latency with 100,000 members.

    .venv/bin/python bench/points.py                      # 8 writers x 1000 awards, 100,000 members
    .venv/bin/python bench/points.py --writers 4 --awards 500 --members 20000

1. Creates its own database (--database, default huoli_bench_points; refuses to touch one that
   exists), migrates it, and seeds N members with week / month / all-time leaderboard totals
   (site-wide and for one category) and check-in streaks, with SQL (generate_series).
2. Awards: W writer processes call engagement.points.services.points_award (the real service: row
   lock, idempotency check, ledger row, F() balance update, leaderboard upsert, after-commit
   events) with unique keys, (a) spread over all members and (b) all on 10 "hot" members (lock
   contention), plus (c) a run where every key is sent twice by two writers (half are duplicates).
   Prints awards/s over the wall time of the whole run, and checks afterwards that every balance
   equals its ledger sum.
3. Leaderboard: GET /leaderboard/ (week, all-time for a category, streaks) and
   GET /api/v1/leaderboard in-process through Django's test client, as a signed-in member ranked
   near the bottom (so their own rank is counted), and EXPLAIN ANALYZE of the two queries.
4. Drops the database (unless --keep).
"""

import argparse
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(name):
    return f"{PG_SERVER_URL}/{name}"


def _admin(sql, params=()):
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _safe(name):
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"not a safe database name: {name!r}")
    return name


def db_exists(name):
    return bool(_admin("SELECT 1 FROM pg_database WHERE datname = %s", [_safe(name)]))


def create_db(name):
    _admin(f'CREATE DATABASE "{_safe(name)}"')


def drop_db(name):
    _admin(f'DROP DATABASE IF EXISTS "{_safe(name)}" WITH (FORCE)')


def manage(*args, env):
    log("$ manage.py " + " ".join(args))
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], file=sys.stderr)
        raise RuntimeError(f"manage.py {' '.join(args)} failed")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database", default="huoli_bench_points")
    p.add_argument("--members", type=int, default=100_000)
    p.add_argument("--writers", type=int, default=8)
    p.add_argument("--awards", type=int, default=1000, help="awards per writer in each run")
    p.add_argument("--requests", type=int, default=40, help="page requests per leaderboard measured")
    p.add_argument("--keep", action="store_true", help="keep the database at the end")
    return p.parse_args()


def setup_django(database):
    os.environ["DATABASE_URL"] = database_url(database)
    os.environ["DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)  # local-memory cache, eager Celery: this measures the database path
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CONN_MAX_AGE"] = "600"
    import django

    django.setup()


def seed(members):
    from django.db import connection

    from engagement.points.periods import local_day, period_starts
    from forum.models import Category, User

    starts = period_starts(local_day())
    today = local_day()

    # members through the ORM (so columns other apps add get their defaults), in batches
    for first in range(1, members + 1, 5000):
        User.objects.bulk_create([
            User(username=f"bench{n}", email=f"bench{n}@example.com", password="!")
            for n in range(first, min(first + 5000, members + 1))
        ])
    category_id = Category.objects.create(name="基准", slug="bench").pk
    with connection.cursor() as cur:
        for period, start in starts.items():
            for bucket in (0, category_id):
                cur.execute(
                    """INSERT INTO points_pointsperiodtotal (period, period_start, category_id, member_id, points)
                       SELECT %s, %s, %s, id, 1 + (random() * 5000)::int FROM forum_user
                       WHERE username LIKE 'bench%%'""",
                    [period, start, bucket],
                )
        cur.execute(
            """INSERT INTO checkin_checkinstats (member_id, current_streak, longest_streak, last_day, total_days)
               SELECT id, s, s + (random() * 30)::int, %s - ((random() * 3)::int), s + 10
               FROM (SELECT id, 1 + (random() * 200)::int AS s FROM forum_user WHERE username LIKE 'bench%%') t""",
            [today],
        )
    with connection.cursor() as cur:  # what autovacuum does after a bulk load (visibility map, statistics)
        cur.execute("VACUUM ANALYZE points_pointsperiodtotal")
        cur.execute("VACUUM ANALYZE checkin_checkinstats")
    return category_id


# --- awards ----------------------------------------------------------------------------------------
def _writer(writer, member_ids, count, key_space, go, results):
    from django.db import connection

    connection.close()  # a connection of this process's own (never the parent's)
    import random

    from engagement.points.services import points_award
    from forum.models import User

    rng = random.Random(writer)
    members = [User(pk=pk) for pk in member_ids]
    go.wait()  # start together
    started = time.perf_counter()
    written = 0
    for i in range(count):
        if key_space == "dup":  # writers 2k and 2k+1 send the same (member, key) pairs
            key, member = f"dup-{writer // 2}-{i}", members[(writer // 2 * count + i) % len(members)]
        else:
            key, member = f"{key_space}-{writer}-{i}", rng.choice(members)
        entry = points_award(member=member, rule_code="event_participation", source_type="bench", source_id=key)
        written += 0 if entry.duplicate else 1
    finished = time.perf_counter()
    connection.close()
    results.put((started, finished, written))


def run_awards(label, member_ids, writers, awards, key_space):
    from django.db import connection

    connection.close()
    ctx = mp.get_context("fork")
    go, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(w, member_ids, awards, key_space, go, results)) for w in range(writers)]
    for p in procs:
        p.start()
    time.sleep(1.0)  # let every writer connect
    go.set()
    spans = [results.get() for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"a writer failed with exit code {p.exitcode}")
    start = min(s for s, _f, _w in spans)
    end = max(f for _s, f, _w in spans)
    calls = writers * awards
    written = sum(w for _s, _f, w in spans)
    rate = calls / (end - start)
    log(f"awards [{label}]: {calls} calls ({written} written) by {writers} writers in {end - start:.2f} s "
        f"= {rate:,.0f} awards/s")
    return rate


# --- leaderboard -------------------------------------------------------------------------------------
def time_page(client, url, n):
    client.get(url)  # warm
    times = []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    log(f"GET {url}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({n} requests)")
    return p50, p95


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cur.fetchall()]
    first = plan[0].strip()
    total = [line for line in plan if "Execution Time" in line]
    return first, total[0].strip() if total else ""


def main():
    args = parse_args()
    if db_exists(args.database):
        sys.exit(f"database {args.database} exists: drop it or pass another --database")
    log(f"creating database {args.database}")
    create_db(args.database)
    try:
        env = {**os.environ, "DATABASE_URL": database_url(args.database), "DEBUG": "false"}
        env.pop("REDIS_URL", None)
        manage("migrate", "--noinput", env=env)
        setup_django(args.database)

        from django.db import connection
        from django.test import Client

        from engagement.points.periods import local_day, period_starts
        from engagement.points.selectors import accounts_out_of_balance
        from forum.models import User

        t = time.perf_counter()
        seed(args.members)
        log(f"seeded {args.members:,} members with leaderboard totals and streaks in {time.perf_counter() - t:.1f} s")
        member_ids = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))

        spread = run_awards("spread over all members", member_ids, args.writers, args.awards, "spread")
        hot = run_awards("10 hot members", member_ids[:10], args.writers, args.awards, "hot")
        dup = run_awards("every key sent by two writers", member_ids[:1000], args.writers, args.awards, "dup")
        connection.close()
        wrong = accounts_out_of_balance()
        log(f"balances equal to ledger sums: {'yes' if not wrong else f'NO, {len(wrong)} differ'}")

        # the viewer: a member near the bottom of the week's board, so their rank is counted
        week = period_starts(local_day())["w"]
        with connection.cursor() as cur:
            cur.execute("SELECT member_id FROM points_pointsperiodtotal WHERE period='w' AND period_start=%s "
                        "AND category_id=0 ORDER BY points ASC, member_id LIMIT 1", [week])
            viewer = User.objects.get(pk=cur.fetchone()[0])
        client = Client()
        client.force_login(viewer)
        results = {
            "week": time_page(client, "/leaderboard/?board=points&period=week", args.requests),
            "all, category": time_page(client, "/leaderboard/?board=points&period=all&category=bench", args.requests),
            "streaks": time_page(client, "/leaderboard/?board=streak&kind=current", args.requests),
            "api week": time_page(client, "/api/v1/leaderboard?board=points&period=week", args.requests),
        }
        top = explain("SELECT member_id, points FROM points_pointsperiodtotal WHERE period='w' AND period_start=%s "
                      "AND category_id=0 AND points > 0 ORDER BY points DESC, member_id LIMIT 50", [week])
        mine = explain("SELECT count(*) FROM points_pointsperiodtotal WHERE period='w' AND period_start=%s "
                       "AND category_id=0 AND points > 1", [week])
        log(f"top 50 plan: {top[0]} | {top[1]}")
        log(f"own rank (count above) plan: {mine[0]} | {mine[1]}")

        print()
        print("== bench/points.py results ==")
        print(f"command: .venv/bin/python bench/points.py --members {args.members} --writers {args.writers} "
              f"--awards {args.awards}")
        print(f"PostgreSQL {connection.cursor().connection.info.server_version}, {os.cpu_count()} CPUs")
        print(f"awards/s, {args.writers} concurrent writers: spread {spread:,.0f}; 10 hot members {hot:,.0f}; "
              f"half duplicates {dup:,.0f}")
        print(f"balances == ledger sums after the runs: {not wrong}")
        for name, (p50, p95) in results.items():
            print(f"leaderboard {name} with {args.members:,} members: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        print(f"top-50 query: {top[1]}; own-rank count: {mine[1]}")
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up if migrate failed
            pass
        if args.keep:
            log(f"kept database {args.database}")
        else:
            drop_db(args.database)
            log(f"dropped database {args.database}")


if __name__ == "__main__":
    main()
