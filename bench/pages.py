#!/usr/bin/env python
"""Page benchmark: anonymous readers on the topic page, a category's topic list and the index.

    .venv/bin/python bench/pages.py                       # default server, default data
    .venv/bin/python bench/pages.py --servers all         # daphne, uvicorn and sync, side by side
    .venv/bin/python bench/pages.py --fresh --posts 200000 --members 20000 --topics 10000

The app is served as in production: HUOLI_ENV=production, DEBUG off, a generated SECRET_KEY,
SECURE_SSL_REDIRECT=false (no TLS on loopback), ALLOWED_HOSTS=127.0.0.1, PostgreSQL with
persistent connections (CONN_MAX_AGE), a Redis cache on a database number of its own (its keys
are deleted at the end; Redis is never flushed), static files collected into a temporary folder,
2 worker processes. The data is seed_bulk's, in a PostgreSQL database of the benchmark's own
(created, migrated and seeded when missing or empty; reused when it already holds bulk data,
so a second run starts in seconds; --fresh rebuilds it, --drop removes it at the end).

Each page is loaded with `wrk -t2 -c16 -d15s --latency` after a short warm-up; requests/s,
p50 and p99 are printed for each, with the command lines to reproduce them. Servers are killed
at the end, on error and on Ctrl-C too.
"""

import argparse
import shlex
import sys
import tempfile
import time
import uuid
from html import escape
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

# gunicorn sync workers: fastest on the topic page and the topic list in the measurements in
# bench/README.md, and the only one of the three that can keep persistent database connections
DEFAULT_SERVER = "sync"
TARGETS = {"topic": 135.0, "list": 210.0}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--servers", default=DEFAULT_SERVER,
                   help=f"comma-separated of {', '.join(c.SERVER_KINDS)}, or 'all' (default: {DEFAULT_SERVER})")
    p.add_argument("--db", default="huoli_bench_pages", help="PostgreSQL database of this benchmark")
    p.add_argument("--fresh", action="store_true", help="drop and rebuild the database first")
    p.add_argument("--drop", action="store_true", help="drop the database at the end")
    p.add_argument("--redis-db", type=int, default=14, help="Redis database number for the cache (1-15)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--duration", type=int, default=15, help="seconds per page (max 120)")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per page")
    p.add_argument("--pages", default="topic,list,index", help="which pages: topic,list,index")
    seed = p.add_argument_group("data (seed_bulk, used only when the database is empty)")
    seed.add_argument("--members", type=int, default=100_000)
    seed.add_argument("--topics", type=int, default=50_000)
    seed.add_argument("--posts", type=int, default=1_000_000)
    seed.add_argument("--votes", type=int, default=3_000_000)
    seed.add_argument("--hot-topic-posts", type=int, default=1000)
    seed.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    kinds = list(c.SERVER_KINDS) if args.servers == "all" else [s.strip() for s in args.servers.split(",") if s]
    unknown = [k for k in kinds if k not in c.SERVER_KINDS]
    if unknown or not kinds:
        p.error(f"unknown server(s) {unknown}; choose from {', '.join(c.SERVER_KINDS)} or 'all'")
    args.kinds = kinds
    args.page_names = [x.strip() for x in args.pages.split(",") if x.strip()]
    if set(args.page_names) - {"topic", "list", "index"}:
        p.error("--pages takes topic, list and index")
    if not 1 <= args.duration <= 120 or not 0 <= args.warmup <= 30:
        p.error("--duration must be 1-120 and --warmup 0-30 seconds")
    if not 1 <= args.redis_db <= 15:
        p.error("--redis-db must be 1-15")
    return args


def has_bulk_data(db):
    try:
        rows = c.query(db, "SELECT count(*) FROM forum_category WHERE slug LIKE 'bulk-%%'")
    except Exception:  # noqa: BLE001 - no tables yet
        return False
    return rows[0][0] > 0


def prepare_database(args, env):
    if args.fresh and c.db_exists(args.db):
        c.log(f"dropping {args.db} (--fresh)")
        c.drop_db(args.db)
    if not c.db_exists(args.db):
        c.log(f"creating database {args.db}")
        c.create_db(args.db)
    c.manage("migrate", "--noinput", "-v0", env=env, quiet=True)
    if has_bulk_data(args.db):
        c.log(f"reusing the bulk data in {args.db}")
        return
    started = time.monotonic()
    c.manage("seed_bulk", "--members", str(args.members), "--topics", str(args.topics), "--posts", str(args.posts),
             "--votes", str(args.votes), "--hot-topic-posts", str(args.hot_topic_posts), "--seed", str(args.seed),
             env=env)
    c.log(f"seed_bulk took {time.monotonic() - started:.1f} s")


def pick_pages(db):
    """The topic with the most posts (page 1 shows 20), the bulk category with the most topics,
    and the index; with a fragment of each page's content to check that it really rendered."""
    topic_id, slug, title, post_count = c.query(
        db, "SELECT id, slug, title, post_count FROM forum_topic WHERE is_hidden = false "
            "ORDER BY post_count DESC, id LIMIT 1")[0]
    if post_count < 20:
        raise SystemExit(f"the largest topic has only {post_count} posts; the benchmark needs one with at least 20")
    twentieth = c.query(db, "SELECT html FROM forum_post WHERE topic_id = %s AND number = 20", [topic_id])[0][0]
    cat_slug, cat_name, topic_count = c.query(
        db, "SELECT slug, name, topic_count FROM forum_category WHERE read_group_id IS NULL "
            "ORDER BY topic_count DESC, id LIMIT 1")[0]
    newest = c.query(db, "SELECT t.title FROM forum_topic t JOIN forum_category k ON k.id = t.category_id "
                         "WHERE k.slug = %s AND t.is_hidden = false ORDER BY t.is_pinned DESC, "
                         "t.last_activity_at DESC, t.id DESC LIMIT 1", [cat_slug])[0][0]
    return {
        "topic": (f"/t/{topic_id}/{quote(slug or '-')}/", [escape(title, quote=False), twentieth[:60]],
                  f"topic {topic_id} ({post_count} posts), page 1 = 20 posts"),
        "list": (f"/c/{quote(cat_slug)}/", [escape(newest, quote=False)],
                 f"category {cat_slug} ({topic_count} topics), page 1 = 20 topics"),
        "index": ("/", [escape(cat_name, quote=False)], "index"),
    }


def check_page(base, path, must_contain):
    status, body = c.fetch(base + path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}, not 200:\n{body[:1500]}")
    missing = [m for m in must_contain if m not in body]
    if missing:
        raise RuntimeError(f"GET {path} is missing {missing!r}: not the page we meant to measure")
    return len(body.encode())


def bench_server(kind, args, env, pages):
    results = {}
    group = c.start_server(kind, env=env, workers=args.workers)
    try:
        group.wait_ready("/")
        base = f"http://{c.LOOPBACK}:{group.port}"
        for name in args.page_names:
            path, must_contain, _label = pages[name]
            size = check_page(base, path, must_contain)
            if args.warmup:
                c.run_wrk(base + path, threads=args.threads, connections=args.connections, duration=args.warmup)
            load = c.load_average()[0]
            result = c.run_wrk(base + path, threads=args.threads, connections=args.connections,
                               duration=args.duration)
            if not group.alive():
                raise RuntimeError(f"{kind} died during the run:\n{group.log_tail()}")
            results[name] = (result, size, load)
            flag = "" if result.ok else f"  !! {result.non_2xx} non-2xx, {result.socket_errors} socket errors"
            if not result.ok:
                print(f"--- {kind} log (last lines) ---\n{group.log_tail(2000)}", file=sys.stderr)
            c.log(f"{kind:8} {name:6} {result.requests_per_sec:8.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
                  f"p99 {result.p99_ms:7.2f} ms  ({size:,} bytes, load {load:.1f}){flag}")
    except Exception:
        print(f"--- {kind} log (last lines) ---\n{group.log_tail(3000)}", file=sys.stderr)
        raise
    finally:
        group.stop()
    return results


def main(argv=None):
    args = parse_args(argv)
    run_id = uuid.uuid4().hex[:8]
    cache_prefix = f"bench-pages-{run_id}"
    all_results = {}
    with tempfile.TemporaryDirectory(prefix="huoli-bench-static-") as static_root:
        env = c.production_env(database=args.db, redis_db=args.redis_db, static_root=static_root,
                               cache_prefix=cache_prefix)
        try:
            prepare_database(args, env)
            c.prepare_static(env)
            pages = pick_pages(args.db)
            for name in args.page_names:
                c.log(f"{name}: {pages[name][2]} -> {pages[name][0]}")
            for kind in args.kinds:
                # each server starts with a cold cache of its own
                server_env = dict(env, CACHE_KEY_PREFIX=f"{cache_prefix}-{kind}")
                c.log(f"starting {kind}: {c.SERVER_KINDS[kind]}")
                all_results[kind] = bench_server(kind, args, server_env, pages)
        finally:
            c.stop_all_servers()
            try:
                deleted = c.redis_delete_prefix(args.redis_db, cache_prefix)
                c.log(f"deleted {deleted} cache keys of this run from redis db {args.redis_db}")
            except Exception as exc:  # noqa: BLE001 - cleaning up must not hide the real error
                c.log(f"could not clean the cache keys: {exc}")
            if args.drop:
                c.drop_db(args.db)
                c.log(f"dropped {args.db}")
    report(args, all_results, pages)
    return 0 if all(r.ok for res in all_results.values() for r, _s, _l in res.values()) else 1


def report(args, all_results, pages):
    print()
    print(f"Anonymous readers, wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, "
          f"{args.workers} workers, database {args.db}")
    print(f"{'server':10}{'page':8}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'target':>10}")
    for kind, results in all_results.items():
        for name, (r, _size, _load) in results.items():
            target = TARGETS.get(name)
            mark = "" if target is None else (f"{target:>8.0f} {'ok' if r.requests_per_sec >= target else 'MISSED'}")
            print(f"{kind:10}{name:8}{r.requests_per_sec:10.1f}{r.p50_ms:10.2f}{r.p99_ms:10.2f}  {mark}")
    if len(all_results) > 1:
        def score(kind):  # the pages with targets decide; the index only when nothing else ran
            rows = all_results[kind]
            chosen = [n for n in rows if n in TARGETS] or list(rows)
            return sum(rows[n][0].requests_per_sec for n in chosen)

        best = max(all_results, key=score)
        print(f"fastest on {', '.join(n for n in args.page_names if n in TARGETS) or 'these pages'}: "
              f"{best} ({c.SERVER_KINDS[best]})")
    print()
    print("Reproduce:")
    print("  cd " + shlex.quote(str(c.ROOT)) + " && .venv/bin/python bench/pages.py "
          + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    for kind, results in all_results.items():
        for name, (r, _size, _load) in results.items():
            print(f"  # {kind} {name}: {r.command}  ({pages[name][2]})")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        c.stop_all_servers()
        sys.exit(130)
