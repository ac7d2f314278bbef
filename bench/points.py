#!/usr/bin/env python
"""Points benchmark on PostgreSQL: awards per second with concurrent writers, and the leaderboard
page latency with 100,000 members.

    .venv/bin/python bench/points.py                      # 8 writers x 1000 awards, 100,000 members
    .venv/bin/python bench/points.py --writers 4 --awards 500 --members 20000
    .venv/bin/python bench/points.py --redis redis://127.0.0.1:6379/0   # + Redis cache and rankings

1. Creates its own database (--database, default huoli_bench_points; refuses to touch one that
   exists), migrates it, and seeds N members with week / month / all-time leaderboard totals
   (site-wide and for five categories) and check-in streaks, with SQL (generate_series).
2. Awards: W writer processes (fork; each opens its own connection) call
   engagement.points.services.points_award, the real service (rules snapshot, multipliers, daily
   cap, row lock, idempotency key, ledger row, balance, leaderboard totals, after-commit level /
   badge / ranking upkeep, Celery eager). Three runs: (a) "mixed": a forum day's mix of reasons
   (replies, upvotes, topics, check-ins, poll votes, events) over skewed members and five
   categories, about 10% of the calls re-sending a key already sent; (b) "hot": every call on 10
   members (lock contention); (c) "dup": every key sent by two writers. Prints calls/s over the wall
   time of each run and p50 / p99 per call, then verifies that every balance equals its ledger sum,
   none is negative, no key was written twice and the all-time totals match lifetime earned.
3. Leaderboard: GET /leaderboard/ (week, all-time for a category, streaks) and
   GET /api/v1/leaderboard in-process through Django's test client, as a signed-in member ranked
   near the bottom (so their own rank is counted), p50 / p95; on the database path, and with
   --redis on the Redis sorted sets too (after the Celery rebuild, timed). EXPLAIN ANALYZE of the
   two database queries.
4. Drops the database (unless --keep) and, with --redis, deletes its own keys (prefix = the
   database name; never FLUSHDB).
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
    p.add_argument("--redis", default="", help="a Redis URL: cache and leaderboard rankings in Redis "
                   "(keys under the prefix <database>:, deleted at the end)")
    return p.parse_args()


def bench_env(database, redis_url):
    env = {"DATABASE_URL": database_url(database), "DEBUG": "false", "CELERY_TASK_ALWAYS_EAGER": "true",
           "CACHE_KEY_PREFIX": database, "CHANNELS_PREFIX": database}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def setup_django(database, redis_url):
    os.environ.pop("REDIS_URL", None)  # without --redis: local-memory cache, database rankings
    os.environ.update(bench_env(database, redis_url))
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
    category_ids = [Category.objects.create(name=f"基准{n}", slug=f"bench{n}").pk for n in range(5)]
    with connection.cursor() as cur:
        for period, start in starts.items():
            for bucket in (0, *category_ids):
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
        cur.execute("CREATE TABLE bench_seed_alltime AS SELECT member_id, points FROM points_pointsperiodtotal "
                    "WHERE period = 'a' AND category_id = 0")
    with connection.cursor() as cur:  # what autovacuum does after a bulk load (visibility map, statistics)
        cur.execute("VACUUM ANALYZE points_pointsperiodtotal")
        cur.execute("VACUUM ANALYZE checkin_checkinstats")
    return category_ids


# --- awards ----------------------------------------------------------------------------------------
# the mix of a forum day: (rule, share of the calls); caps apply as configured (reply 30/day, ...)
MIX = [("reply_created", 0.45), ("upvote_received", 0.25), ("topic_created", 0.10), ("checkin", 0.10),
       ("poll_vote", 0.05), ("event_participation", 0.05)]


def make_plan(kind, member_ids, category_ids, writers, awards, seed=1):
    """Per writer, the list of (member_id, rule_code, source_id, category_id) it sends.

    mixed: members skewed (half the calls go to 2% of the members), rules from MIX, five categories,
           and about 10% of the calls re-send a key already sent (by any writer): Celery retries and
           double deliveries;
    hot:   every call on 10 members, no cap (event participation): lock contention;
    dup:   writers 2k and 2k+1 send the same keys: half the calls are duplicates."""
    import random

    rng = random.Random(seed)
    plans = [[] for _ in range(writers)]
    if kind == "mixed":
        hot = member_ids[: max(1, len(member_ids) // 50)]
        sent = []
        rules, weights = zip(*MIX, strict=True)
        for i in range(writers * awards):
            if sent and rng.random() < 0.10:
                call = rng.choice(sent)
            else:
                member = rng.choice(hot) if rng.random() < 0.5 else rng.choice(member_ids)
                rule = rng.choices(rules, weights)[0]
                source = f"day-{member}" if rule == "checkin" else f"{kind}-{i}"
                call = (member, rule, source, None if rule == "checkin" else rng.choice(category_ids))
                sent.append(call)
            plans[i % writers].append(call)
    elif kind == "hot":
        for w in range(writers):
            plans[w] = [(member_ids[rng.randrange(10)], "event_participation", f"hot-{w}-{i}",
                         rng.choice(category_ids)) for i in range(awards)]
    else:  # dup
        for w in range(writers):
            pair = w // 2
            plans[w] = [(member_ids[(pair * awards + i) % len(member_ids)], "event_participation",
                         f"dup-{pair}-{i}", category_ids[i % len(category_ids)]) for i in range(awards)]
    return plans


def _writer(plan, go, results):
    # the parent closed its connection before forking: this writer opens one of its own
    from django.db import connection

    from engagement.points.services import points_award
    from forum.models import User

    go.wait()  # start together
    latencies, written, duplicates, capped = [], 0, 0, 0
    started = time.perf_counter()
    for member_id, rule, source_id, category_id in plan:
        t = time.perf_counter()
        entry = points_award(member=User(pk=member_id), rule_code=rule, source_type="bench", source_id=source_id,
                             category=category_id)
        latencies.append(time.perf_counter() - t)
        if entry is None:
            capped += 1
        elif entry.duplicate:
            duplicates += 1
        else:
            written += 1
    finished = time.perf_counter()
    connection.close()
    results.put((started, finished, written, duplicates, capped, latencies))


def warm():
    """What a long-running worker has in memory: URL patterns, the rules and the level ladder."""
    from django.urls import get_resolver

    from engagement.levels.selectors import level_ladder
    from engagement.points.selectors import rules_snapshot

    get_resolver().url_patterns  # noqa: B018 - loads every URLconf
    rules_snapshot()
    level_ladder()


def run_awards(label, plans):
    from django.db import connection

    warm()
    connection.close()  # never share the parent's connection with the children
    ctx = mp.get_context("fork")
    go, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(plan, go, results)) for plan in plans]
    for p in procs:
        p.start()
    time.sleep(1.0)  # let every writer start
    go.set()
    spans = [results.get() for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"a writer failed with exit code {p.exitcode}")
    start = min(s[0] for s in spans)
    end = max(s[1] for s in spans)
    calls = sum(len(plan) for plan in plans)
    written, duplicates, capped = (sum(s[i] for s in spans) for i in (2, 3, 4))
    latencies = sorted(x for s in spans for x in s[5])
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    rate = calls / (end - start)
    log(f"awards [{label}]: {calls} calls by {len(plans)} writers in {end - start:.2f} s = {rate:,.0f} awards/s "
        f"({written} written, {duplicates} duplicates, {capped} capped); per award p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    return {"rate": rate, "p50": p50, "p99": p99, "written": written, "duplicates": duplicates, "capped": capped,
            "calls": calls}


def verify():
    """Every balance equals its ledger sum, none is negative, no key was written twice, and the
    all-time leaderboard totals equal the seed plus lifetime earned."""
    from django.db import connection

    from engagement.points.selectors import accounts_out_of_balance

    wrong = accounts_out_of_balance()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM points_pointsaccount WHERE balance < 0")
        negative = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM (SELECT idempotency_key FROM points_pointsentry "
                    "GROUP BY idempotency_key HAVING count(*) > 1) d")
        dup_keys = cur.fetchone()[0]
        cur.execute("""SELECT count(*) FROM points_pointsaccount a
                       LEFT JOIN points_pointsperiodtotal t ON t.member_id = a.member_id AND t.period = 'a'
                            AND t.category_id = 0
                       LEFT JOIN bench_seed_alltime s ON s.member_id = a.member_id
                       WHERE COALESCE(t.points, 0) <> a.lifetime_earned + COALESCE(s.points, 0)""")
        totals_off = cur.fetchone()[0]
    ok = not wrong and not negative and not dup_keys and not totals_off
    log(f"verify: balances == ledger sums: {not wrong} ({len(wrong)} differ); negative balances: {negative}; "
        f"keys written twice: {dup_keys}; all-time totals off: {totals_off}")
    return ok


# --- leaderboard -------------------------------------------------------------------------------------
def time_page(client, url, n, label=""):
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
    log(f"GET {url}{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({n} requests)")
    return p50, p95


def time_boards(client, n, label):
    return {
        "week": time_page(client, "/leaderboard/?board=points&period=week", n, label),
        "all, category": time_page(client, "/leaderboard/?board=points&period=all&category=bench0", n, label),
        "streaks": time_page(client, "/leaderboard/?board=streak&kind=current", n, label),
        "api week": time_page(client, "/api/v1/leaderboard?board=points&period=week", n, label),
    }


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
        env = {**os.environ, **bench_env(args.database, args.redis)}
        if not args.redis:
            env.pop("REDIS_URL", None)
        manage("migrate", "--noinput", env=env)
        setup_django(args.database, args.redis)

        from django.db import connection
        from django.test import Client, override_settings

        from engagement.leaderboards import rankings
        from engagement.points.periods import local_day, period_starts
        from forum.models import User

        t = time.perf_counter()
        category_ids = seed(args.members)
        log(f"seeded {args.members:,} members with leaderboard totals and streaks in {time.perf_counter() - t:.1f} s")
        member_ids = list(User.objects.filter(username__startswith="bench").values_list("pk", flat=True))
        if args.redis:
            t = time.perf_counter()
            rankings.rebuild_all(today=local_day())
            log(f"Redis rankings rebuilt from the database in {time.perf_counter() - t:.1f} s")

        runs = {
            "mixed": run_awards("mixed reasons, skewed members, ~10% re-sent keys",
                                make_plan("mixed", member_ids, category_ids, args.writers, args.awards)),
            "hot": run_awards("10 hot members", make_plan("hot", member_ids, category_ids, args.writers, args.awards)),
            "dup": run_awards("every key sent by two writers",
                              make_plan("dup", member_ids, category_ids, args.writers, args.awards)),
        }
        connection.close()
        ok = verify()

        # the viewer: a member near the bottom of the week's board, so their rank is counted
        week = period_starts(local_day())["w"]
        with connection.cursor() as cur:
            cur.execute("SELECT member_id FROM points_pointsperiodtotal WHERE period='w' AND period_start=%s "
                        "AND category_id=0 ORDER BY points ASC, member_id LIMIT 1", [week])
            viewer = User.objects.get(pk=cur.fetchone()[0])
        client = Client()
        client.force_login(viewer)
        boards = {}
        with override_settings(LEADERBOARDS_REDIS=False):
            boards["database"] = time_boards(client, args.requests, " [database]")
        if args.redis:
            boards["redis"] = time_boards(client, args.requests, " [redis]")
        top = explain("SELECT member_id, points FROM points_pointsperiodtotal WHERE period='w' AND period_start=%s "
                      "AND category_id=0 AND points > 0 ORDER BY points DESC, member_id LIMIT 50", [week])
        mine = explain("SELECT count(*) FROM points_pointsperiodtotal WHERE period='w' AND period_start=%s "
                       "AND category_id=0 AND points > 1", [week])
        log(f"top 50 plan: {top[0]} | {top[1]}")
        log(f"own rank (count above) plan: {mine[0]} | {mine[1]}")

        print()
        print("== bench/points.py results ==")
        print(f"command: .venv/bin/python bench/points.py --members {args.members} --writers {args.writers} "
              f"--awards {args.awards}" + (f" --redis {args.redis}" if args.redis else ""))
        print(f"PostgreSQL {connection.cursor().connection.info.server_version}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f} / {os.getloadavg()[1]:.2f}")
        for name, r in runs.items():
            print(f"awards/s [{name}], {args.writers} writers: {r['rate']:,.0f} ({r['calls']} calls: {r['written']} "
                  f"written, {r['duplicates']} duplicates, {r['capped']} capped); per award p50 {r['p50']:.2f} ms, "
                  f"p99 {r['p99']:.2f} ms")
        print(f"verified (balances == ledger sums, none negative, no key twice, totals match): {ok}")
        for source, results in boards.items():
            for name, (p50, p95) in results.items():
                print(f"leaderboard [{source}] {name} with {args.members:,} members: p50 {p50:.1f} ms, "
                      f"p95 {p95:.1f} ms")
        print(f"top-50 query: {top[1]}; own-rank count: {mine[1]}")
        if not ok:
            sys.exit(1)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up if migrate failed
            pass
        if args.redis and not args.keep:
            try:
                import redis

                r = redis.Redis.from_url(args.redis)
                keys = list(r.scan_iter(match=f"{args.database}:*", count=1000))
                for i in range(0, len(keys), 1000):
                    r.delete(*keys[i:i + 1000])
            except Exception:  # noqa: BLE001
                pass
        if args.keep:
            log(f"kept database {args.database}")
        else:
            drop_db(args.database)
            log(f"dropped database {args.database}")


if __name__ == "__main__":
    main()
