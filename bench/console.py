"""The operator's console at scale, on seed_bulk data in PostgreSQL: the daily rollup and the page.

    .venv/bin/python bench/console.py                 # 100,000 members, 1,000,000 posts, 3,000,000 votes
    .venv/bin/python bench/console.py --members 500 --topics 300 --posts 5000 --votes 15000   # a quick check

Creates its own database (huoli_bench_console) on the PostgreSQL server named by --pg (default
postgres://postgres@127.0.0.1:5432), migrates it and fills it with ``manage.py seed_bulk`` (times spread
over 60 days). Then, in a fresh child process (``bench/console.py --child``), with Redis and
Elasticsearch left out (the local-memory cache, the database search backend):

- backfill: ``rollup_days`` over the last --days days (30), oldest first, as ``console_backfill`` runs it;
  reports the total and the slowest day;
- rollup: the busiest of those days (most posts) rolled up again --repeat times (5): the median and the
  slowest run (what the hourly beat task does twice, for yesterday and today);
- page: /console/ through Django's in-process test client, signed in as a member of the Operators group,
  for the default range (the last 30 days) and with a category filter: --requests (15) requests each after
  2 warm-ups, the median and the slowest, and the number of SQL queries per request.

The aims of issue 21: one day's rollup under 30 s, the page under 200 ms. The database is dropped at the end
(--keep to leave it, --reuse to skip seeding a kept one).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "huoli_bench_console"


def admin_connection(pg):
    import psycopg

    return psycopg.connect(f"{pg}/postgres", autocommit=True)


def run(cmd, env):
    print("$", " ".join(cmd[1:]), flush=True)
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def _ms(values):
    return {"median_ms": round(statistics.median(values) * 1000, 1), "max_ms": round(max(values) * 1000, 1)}


def run_child(args):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import datetime

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from engagement.console import rollup
    from engagement.console.permissions import OPERATORS
    from forum.models import Category, Post, User

    report = {}
    last = rollup.local_day(Post.objects.latest("created_at").created_at)
    first = last - datetime.timedelta(days=args.days - 1)
    per_day = []

    def progress(n, total, label):
        per_day.append(time.monotonic())
        print(f"  backfill {n}/{total} {label}", flush=True)

    started = time.monotonic()
    rollup.rollup_days(first, last, progress=progress)
    total = time.monotonic() - started
    steps = [b - a for a, b in zip([started, *per_day], per_day, strict=False)]
    report["backfill"] = {"days": args.days, "seconds": round(total, 2), "slowest_day_s": round(max(steps), 2)}

    busiest = (Post.objects.filter(created_at__gte=rollup.day_start(first))
               .annotate(d=TruncDate("created_at", tzinfo=rollup.site_tz())).values("d")
               .annotate(n=Count("id")).order_by("-n").first())
    day = busiest["d"]
    times = []
    for _n in range(args.repeat):
        started = time.monotonic()
        rollup.rollup_day(day)
        times.append(time.monotonic() - started)
    report["rollup"] = {"day": day.isoformat(), "posts_that_day": busiest["n"],
                        "median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2)}

    operator, _created = User.objects.get_or_create(username="bench_operator",
                                                    defaults={"email": "bench_operator@bench.invalid"})
    operator.groups.add(Group.objects.get_or_create(name=OPERATORS)[0])
    client = Client()
    client.force_login(operator)
    category = Category.objects.annotate(n=Count("topics")).order_by("-n").first()
    query = f"?start={first.isoformat()}&end={last.isoformat()}"
    for name, url in (("page", "/console/" + query), ("page_category", f"/console/{query}&category={category.slug}")):
        for _n in range(2):
            assert client.get(url).status_code == 200
        times = []
        for _n in range(args.requests):
            started = time.monotonic()
            response = client.get(url)
            times.append(time.monotonic() - started)
            assert response.status_code == 200 and b"<svg" in response.content
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        report[name] = {**_ms(times), "queries": len(ctx.captured_queries), "bytes": len(response.content)}
    report["rows"] = {"members": User.objects.count(), "posts": Post.objects.count()}
    print(json.dumps(report), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--votes", type=int, default=3_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Reuse a kept, already seeded database.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args)

    url = f"{args.pg}/{DB_NAME}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "CONN_MAX_AGE": "0"}
    for key in ("REDIS_URL", "ELASTICSEARCH_URL", "HUOLI_TESTING"):
        env.pop(key, None)
    python = sys.executable
    if not args.reuse:
        with admin_connection(args.pg) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    reports = {}
    try:
        if not args.reuse:
            run([python, "manage.py", "migrate", "-v", "0"], env)
            reports["seed_bulk_seconds"] = round(run(
                [python, "manage.py", "seed_bulk", "--members", str(args.members), "--topics", str(args.topics),
                 "--posts", str(args.posts), "--votes", str(args.votes), "--seed", "1"], env), 1)
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        out = subprocess.run([python, __file__, "--child", "--days", str(args.days), "--repeat", str(args.repeat),
                              "--requests", str(args.requests)], cwd=ROOT, env=env, check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        reports.update(json.loads(out.strip().splitlines()[-1]))
    finally:
        if not args.keep:
            with admin_connection(args.pg) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            print(f"dropped database {DB_NAME}")
    print(json.dumps(reports, indent=2))


if __name__ == "__main__":
    main()
