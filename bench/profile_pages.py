#!/usr/bin/env python
"""Where a page's time goes, in process: the topic page, a topic list and the index, for a guest and a
signed-in member, with the guest page cache off (ANON_PAGE_CACHE_SECONDS=0), production settings.

    .venv/bin/python bench/profile_pages.py --db huoli_bench_pages            # timings and queries
    .venv/bin/python bench/profile_pages.py --db huoli_bench_pages --profile topic --who member
    .venv/bin/python bench/profile_pages.py --db huoli_bench_pages --explain  # planning vs execution

The database must hold seed_bulk data (bench/pages.py makes it; the issue-20 dataset is
`seed_bulk --members 200 --topics 2000 --posts 40000 --hot-topic-posts 100 --votes 120000`). Each page
is fetched with Django's test client (no server, no network): the mean of --repeat renders after a
warm-up, the number of queries, and with --profile a cProfile summary of one page (sorted by
cumulative time, then by own time). --explain runs EXPLAIN (ANALYZE, SUMMARY) on each query of each
page and prints its planning and execution time: that is how the five flair joins per member (20 ms
of planning on a topic list) were found. Nothing is written to the database."""

import argparse
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="huoli_bench_pages")
    p.add_argument("--redis-db", type=int, default=14)
    p.add_argument("--who", default="guest,member", help="guest, member or both (comma-separated)")
    p.add_argument("--pages", default="topic,list,index")
    p.add_argument("--repeat", type=int, default=100)
    p.add_argument("--profile", choices=["topic", "list", "index"], help="print a cProfile summary of this page")
    p.add_argument("--top", type=int, default=40, help="lines of the profile summary")
    p.add_argument("--explain", action="store_true", help="planning and execution time of each query")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.who_list = [w for w in args.who.split(",") if w]
    args.page_list = [x for x in args.pages.split(",") if x]
    if set(args.who_list) - {"guest", "member"} or set(args.page_list) - {"topic", "list", "index"}:
        p.error("--who takes guest and member, --pages topic, list and index")
    return args


def _capture(connections, fetch):
    """The (alias, query) pairs of every database connection during fetch()."""
    for conn in connections.all():
        conn.force_debug_cursor = True
        conn.queries_log.clear()
    try:
        fetch()
        return [(conn.alias, q) for conn in connections.all() for q in conn.queries]
    finally:
        for conn in connections.all():
            conn.force_debug_cursor = False


def child(args):
    import cProfile
    import io
    import pstats
    import time

    sys.path.insert(0, str(c.ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client

    from forum.models import Category, Topic

    topic = Topic.objects.filter(is_hidden=False).order_by("-post_count", "id").first()
    category = Category.objects.filter(read_group__isnull=True).order_by("-topic_count", "id").first()
    if topic is None or category is None:
        raise SystemExit("no bulk data: run bench/pages.py (or seed_bulk) on this database first")
    paths = {"topic": topic.get_absolute_url(), "list": category.get_absolute_url(), "index": "/"}
    member = get_user_model().objects.filter(is_staff=False, is_active=True).order_by("id").first()
    for who in args.who_list:
        client = Client(HTTP_HOST=c.LOOPBACK)
        if who == "member":
            client.force_login(member)
        for name in args.page_list:
            path = paths[name]
            for _ in range(5):
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"GET {path} as {who}: {response.status_code}")
            captured = _capture(connections, lambda client=client, path=path: client.get(path))
            started = time.perf_counter()
            for _ in range(args.repeat):
                client.get(path)
            mean = (time.perf_counter() - started) / args.repeat * 1000
            print(f"{who:6} {name:6} {mean:7.2f} ms/page  {len(captured):2} queries  {len(response.content):7,} bytes"
                  f"  ({path})", flush=True)
            if args.explain:
                for alias, q in captured:
                    sql = q["sql"]
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    with connections[alias].cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql)
                        lines = [row[0] for row in cursor.fetchall()]
                    timing = [x for x in lines if x.startswith(("Planning Time", "Execution Time"))]
                    print(f"    {sql.count(' JOIN '):2} joins  {' / '.join(timing)}  {sql[:70]}…")
            if args.profile == name:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(max(args.repeat // 4, 10)):
                    client.get(path)
                profiler.disable()
                for order in ("cumulative", "tottime"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
                    print(f"--- {who} {name}: sorted by {order} ---\n{out.getvalue()}")


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        return child(args)
    if not c.db_exists(args.db):
        raise SystemExit(f"no database {args.db}: run bench/pages.py first (it creates and seeds it)")
    cache_prefix = f"bench-profile-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="huoli-bench-static-") as static_root:
        env = c.production_env(database=args.db, redis_db=args.redis_db, static_root=static_root,
                               cache_prefix=cache_prefix, conn_max_age=60,
                               extra={"ANON_PAGE_CACHE_SECONDS": "0", "DJANGO_SETTINGS_MODULE": "config.settings"})
        c.prepare_static(env)
        try:
            argv = [a for a in (argv if argv is not None else sys.argv[1:])]
            return subprocess.run([c.PYTHON, __file__, "--child", *argv], env=env, cwd=c.ROOT).returncode
        finally:
            c.redis_delete_prefix(args.redis_db, cache_prefix)


if __name__ == "__main__":
    sys.exit(main())
