"""Search latency on the PostgreSQL database backend, over seed_bulk data.

    .venv/bin/python bench/search.py --posts 200000 --topics 20000 --members 5000
    .venv/bin/python bench/search.py --reuse          # keep and reuse huoli_bench_search

Uses its own database (huoli_bench_search, --db) on the PostgreSQL server named by --pg (default
postgres://postgres@127.0.0.1:5432). Without --reuse it drops and creates it, migrates it, fills
it with ``manage.py seed_bulk`` (mixed Chinese and English posts), rebuilds the index with
``manage.py search_reindex`` (timed) and drops it at the end (--keep to leave it). With --reuse it
migrates, seeds only when the database has no posts, reindexes only when the index does not hold
every post (or with --reindex) and keeps the database.

Then it runs a query mix as a guest, the way the page and the API do (selectors.search:
visibility, filters, the total, one page of 20 highlighted hits), each query once to warm up and
then --rounds times. Nothing is left out for being slow: common one-word queries in Chinese and
English (tens of thousands of matches), two-word queries, mixed Chinese and Latin, short (one
CJK character, two Latin letters: prefix and substring matching), queries that find nothing
(substring fallback and spelling suggestions), every filter, each sort, and page 2. Prints p50/p95
per kind and overall, for the results alone and for the page's search with facets (what the
search page asks for), the load average, and the command.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "huoli_bench_search"

# (kind, query, extra SearchParams); "{category}", "{tag}", "{author}", "{week}" are filled in
# from the data (the biggest category, a common tag, the busiest author, the last 7 days).
QUERIES = [
    *[("chinese", q, {}) for q in ("社区运营", "数据库索引", "站内搜索", "用户留存", "新用户引导", "积分体系",
                                   "缓存策略", "版主团队", "勋章系统", "部署流程", "提升回帖率", "社区氛围",
                                   "线下活动", "推荐算法", "社区")],
    *[("english", q, {}) for q in ("onboarding", "moderation", "caching", "notification", "improved",
                                   "retention", "deployments", "database", "digest", "badge")],
    *[("two_words", q, {}) for q in ("onboarding flow", "moderation team", "weekly digest", "database index",
                                     "search ranking", "release process", "社区运营 积分体系", "缓存策略 页面加载速度",
                                     "用户留存 复盘", "版主团队 工作量")],
    *[("mixed", q, {}) for q in ("社区 feedback", "数据库 index", "search 排序", "KOL用户", "SQL 缓存",
                                 "mobile 页面", "Django 文档", "PostgreSQL 迁移")],
    *[("short", q, {}) for q in ("社", "搜", "db", "ui", "缓")],
    *[("no_result", q, {}) for q in ("量子纠缠", "xylophone", "不存在的词 nothing", "databse indx")],
    *[("filtered", q, extra) for q, extra in (
        ("社区运营", {"category_id": "{category}"}),
        ("database index", {"category_id": "{category}"}),
        ("缓存策略", {"tag": "{tag}"}),
        ("improved", {"tag": "{tag}"}),
        ("社区", {"author": "{author}"}),
        ("onboarding", {"date_from": "{week}"}),
        ("社区氛围", {"date_from": "{week}", "category_id": "{category}"}),
        ("社区", {"featured": True}),
        ("", {"author": "{author}"}),
        ("", {"category_id": "{category}", "date_from": "{week}"}),
    )],
    *[("newest", q, {"sort": "newest"}) for q in ("社区运营", "database index", "缓存策略", "search", "社区",
                                                  "improved")],
    *[("votes", q, {"sort": "votes"}) for q in ("社区运营", "database index", "站内搜索", "moderation", "社区",
                                                "improved")],
    *[("page2", q, {"page": 2, **extra}) for q, extra in (
        ("社区运营", {}), ("onboarding flow", {}), ("社区", {}), ("缓存策略", {"sort": "newest"}),
        ("database", {"sort": "votes"}), ("社", {}),
    )],
]


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(cmd, env):
    print("$", " ".join(cmd), flush=True)
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def admin_connection(pg):
    import psycopg

    return psycopg.connect(f"{pg}/postgres", autocommit=True)


def scalar(url, sql):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def load_average():
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--db", default=DB_NAME, help=f"Database name (default {DB_NAME}).")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=20000)
    parser.add_argument("--posts", type=int, default=200000)
    parser.add_argument("--rounds", type=int, default=5, help="Timed passes over the query mix.")
    parser.add_argument("--workers", type=int, default=None, help="search_reindex --workers.")
    parser.add_argument("--settings", default=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"))
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true",
                        help="Reuse the database (seed/reindex only what is missing) and keep it.")
    parser.add_argument("--reindex", action="store_true", help="With --reuse: rebuild the index anyway (timed).")
    parser.add_argument("--only", default="", help="Comma-separated kinds to run (default: all).")
    parser.add_argument("--backend", default="database",
                        help="SEARCH_BACKEND for the timed queries (a dotted path compares another version).")
    args = parser.parse_args()

    url = f"{args.pg}/{args.db}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": args.settings, "SEARCH_BACKEND": "database",
           "CONN_MAX_AGE": "0"}
    query_env = {**env, "SEARCH_BACKEND": args.backend}
    env.pop("ELASTICSEARCH_URL", None)
    python = sys.executable
    keep = args.keep or args.reuse
    with admin_connection(args.pg) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone()
        if not (args.reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
            conn.execute(f'CREATE DATABASE "{args.db}"')
    reindex = ["--no-progress", "--chunk-size", "2000"] + (["--workers", str(args.workers)] if args.workers else [])
    try:
        run([python, "manage.py", "migrate", "-v", "0"], env)
        seed_s = index_s = None
        if scalar(url, "SELECT count(*) FROM forum_post") == 0:
            seed_s = run([python, "manage.py", "seed_bulk", "--members", str(args.members), "--topics",
                          str(args.topics), "--posts", str(args.posts), "--votes", str(args.posts), "--seed", "1"], env)
        posts = scalar(url, "SELECT count(*) FROM forum_post")
        if args.reindex or scalar(url, "SELECT count(*) FROM huoli_search_searchentry") != posts:
            print(f"load average before search_reindex: {load_average()}")
            index_s = run([python, "manage.py", "search_reindex", *reindex], env)
        measure(args, query_env, seed_s, index_s)
    finally:
        if not keep:
            with admin_connection(args.pg) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [args.db])
                conn.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
            print(f"dropped database {args.db}")


def measure(args, env, seed_s, index_s):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.db.models import Count, Max

    from forum.models import Tag
    from search import selectors
    from search.documents import SearchParams
    from search.models import SearchEntry

    with connection.cursor() as cursor:
        # a rebuild deletes every entry and writes it again: until (auto)vacuum passes, every walk
        # and bitmap also visits the dead copies. Instant when there is nothing to do.
        cursor.execute("VACUUM ANALYZE huoli_search_searchentry")
        cursor.execute("VACUUM ANALYZE huoli_search_searchentrytext")
        # the entries a search walks, with their indexes; the bodies' side table, with its own
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('huoli_search_searchentry')), "
                       "pg_size_pretty(pg_total_relation_size('huoli_search_searchentrytext'))")
        size = "{} entries + {} bodies".format(*cursor.fetchone())
    entries = SearchEntry.objects.count()
    fill = {
        "category": SearchEntry.objects.values("category_id").annotate(n=Count("id")).order_by("-n")[0]["category_id"],
        "author": SearchEntry.objects.values("author_username").annotate(n=Count("id")).order_by("-n")[0][
            "author_username"],
        "tag": (Tag.objects.filter(slug="运营").first() or Tag.objects.order_by("pk").first()).slug,
        "week": (SearchEntry.objects.aggregate(m=Max("created_at"))["m"] - datetime.timedelta(days=7)).date(),
    }
    queries = []
    only = {k for k in args.only.split(",") if k}
    for kind, q, extra in QUERIES:
        if only and kind not in only:
            continue
        params = {}
        for name, value in extra.items():
            if isinstance(value, str) and value.startswith("{"):
                value = fill[value.strip("{}")]
            params[name] = value
        queries.append((kind, q, params))
    kinds = list(dict.fromkeys(kind for kind, _q, _p in queries))
    guest = AnonymousUser()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def server_cpu_ms():
        """CPU time of this connection's PostgreSQL process (same machine), in ms."""
        try:
            fields = backend_stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) * 1000 / ticks

    def one(q, params, facets):
        search_params = SearchParams(q=q, facets=facets, **params)
        cpu, server = time.process_time(), server_cpu_ms()
        started = time.perf_counter()
        results = selectors.search(user=guest, params=search_params)
        elapsed = (time.perf_counter() - started) * 1000
        cpus[facets].append((time.process_time() - cpu) * 1000 + server_cpu_ms() - server)
        return elapsed, results

    cpus = {False: [], True: []}
    for kind, q, params in queries:  # warm-up: jieba, plans, caches; and a look at the answers
        _ms, results = one(q, params, False)
        if not results.hits and results.total and params.get("page", 1) == 1:
            raise SystemExit(f"{kind} {q!r}: a total without hits")
    cpus = {False: [], True: []}
    load_before = load_average()
    report = {}
    totals = {}
    started = time.monotonic()
    for facets in (False, True):
        times = {kind: [] for kind in kinds}
        for _round in range(args.rounds):
            for kind, q, params in queries:
                ms, results = one(q, params, facets)
                times[kind].append(ms)
                totals[(kind, q, str(params))] = results.total
        report[facets] = times
    elapsed = time.monotonic() - started

    print()
    seed = f"seed {seed_s:.0f}s" if seed_s is not None else "seed reused"
    if index_s is not None:
        index = f"search_reindex {index_s:.0f}s ({entries / max(index_s, 1e-9):.0f} posts/s incl. process start)"
    else:
        index = "index reused"
    print(f"entries indexed: {entries} ({size}); {seed}; {index}")
    print(f"load average (1/5/15 min): {load_before} before the timed runs, {load_average()} after "
          f"({elapsed:.0f}s of queries)")
    print(f"{'kind':<10} {'queries':>7} {'total (median)':>15} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p50 +facets':>12} {'p95 +facets':>12}")
    everything = {False: [], True: []}
    for kind in kinds:
        plain, faceted = report[False][kind], report[True][kind]
        everything[False] += plain
        everything[True] += faceted
        mine = [v for (k, _q, _p), v in totals.items() if k == kind]
        print(f"{kind:<10} {len(mine):>7} {statistics.median(mine):>15.0f} {pct(plain, 50):>8.1f} "
              f"{pct(plain, 95):>8.1f} {pct(faceted, 50):>12.1f} {pct(faceted, 95):>12.1f}")
    print(f"{'all':<10} {len(queries):>7} {'':>15} {pct(everything[False], 50):>8.1f} "
          f"{pct(everything[False], 95):>8.1f} {pct(everything[True], 50):>12.1f} {pct(everything[True], 95):>12.1f}")
    print(f"CPU per search (this process + its PostgreSQL backend; less sensitive to other load, 10 ms ticks): "
          f"p50 {pct(cpus[False], 50):.0f} ms, p95 {pct(cpus[False], 95):.0f} ms; with facets p50 "
          f"{pct(cpus[True], 50):.0f} ms, p95 {pct(cpus[True], 95):.0f} ms")
    print(f"backend: {args.backend}")
    print(f"({args.rounds} rounds per query; times are selectors.search as a guest, one page of 20 highlighted hits; "
          "'+facets' adds the category, tag and author counts the search page shows)")
    command = [".venv/bin/python", "bench/search.py", "--posts", str(args.posts), "--topics", str(args.topics),
               "--members", str(args.members)]
    if args.reuse:
        command.append("--reuse")
    print("command: " + " ".join(command))
    connection.close()


if __name__ == "__main__":
    main()
