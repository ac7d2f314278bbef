"""Search latency on the PostgreSQL database backend, over seed_bulk data.

    .venv/bin/python bench/search.py --posts 200000 --topics 20000 --members 5000

Creates its own database (huoli_bench_search) on the PostgreSQL server named by --pg (default
postgres://postgres@127.0.0.1:5432), migrates it, fills it with ``manage.py seed_bulk`` (mixed
Chinese and English posts), rebuilds the index with ``manage.py search_reindex`` (timed), then runs
a mix of Chinese, English, mixed and short queries as a guest, the way the page and the API do
(selectors.search: visibility, filters, count, one page of highlighted hits). Prints p50/p95 per
kind and overall, for a results-only search and for the page's search with facets, and drops the
database at the end (--keep to leave it).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "huoli_bench_search"

QUERIES = {
    "chinese": ["社区运营", "数据库索引", "站内搜索", "用户留存", "新用户引导", "积分体系", "缓存策略",
                "版主团队", "勋章系统", "部署流程", "提升回帖率", "社区氛围", "线下活动", "推荐算法"],
    "english": ["onboarding flow", "moderation team", "weekly digest", "caching", "points system",
                "search ranking", "mobile layout", "release process", "database index", "notification",
                "improved", "badge system"],
    "mixed": ["社区 feedback", "数据库 index", "search 排序", "KOL用户", "SQL 缓存", "mobile 页面"],
    "filtered": ["社区运营|newest", "database index|votes", "缓存策略|newest", "search|votes"],
    "short": ["社", "搜", "db", "ui"],
    "no_result": ["量子纠缠", "xylophone", "不存在的词 nothing"],
}


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=20000)
    parser.add_argument("--posts", type=int, default=200000)
    parser.add_argument("--rounds", type=int, default=5, help="Timed passes over the query mix.")
    parser.add_argument("--settings", default=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"))
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    url = f"{args.pg}/{DB_NAME}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": args.settings, "SEARCH_BACKEND": "database",
           "CONN_MAX_AGE": "0"}
    env.pop("ELASTICSEARCH_URL", None)
    python = sys.executable
    with admin_connection(args.pg) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    try:
        run([python, "manage.py", "migrate", "-v", "0"], env)
        seed_s = run([python, "manage.py", "seed_bulk", "--members", str(args.members), "--topics", str(args.topics),
                      "--posts", str(args.posts), "--votes", str(args.posts), "--seed", "1"], env)
        index_s = run([python, "manage.py", "search_reindex", "--no-progress", "--chunk-size", "2000"], env)
        measure(args, env, seed_s, index_s)
    finally:
        if not args.keep:
            with admin_connection(args.pg) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [DB_NAME])
                conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            print(f"dropped database {DB_NAME}")


def measure(args, env, seed_s, index_s):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from search import selectors
    from search.documents import SearchParams
    from search.models import SearchEntry

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE huoli_search_searchentry")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('huoli_search_searchentry'))")
        size = cursor.fetchone()[0]
    entries = SearchEntry.objects.count()
    guest = AnonymousUser()

    def one(q, facets):
        text, _sep, sort = q.partition("|")
        params = SearchParams(q=text, sort=sort or "relevance", facets=facets)
        started = time.perf_counter()
        results = selectors.search(user=guest, params=params)
        return (time.perf_counter() - started) * 1000, results.total

    for queries in QUERIES.values():  # warm-up: jieba, plans, caches
        for q in queries:
            one(q, False)
    report = {}
    totals = {}
    for facets in (False, True):
        times = {kind: [] for kind in QUERIES}
        for _round in range(args.rounds):
            for kind, queries in QUERIES.items():
                for q in queries:
                    ms, total = one(q, facets)
                    times[kind].append(ms)
                    totals[q] = total
        report[facets] = times

    print()
    print(f"entries indexed: {entries} ({size}); seed {seed_s:.0f}s; search_reindex {index_s:.0f}s "
          f"({entries / max(index_s, 1e-9):.0f} posts/s incl. process start)")
    print(f"{'kind':<10} {'queries':>7} {'matches (median)':>17} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p50 +facets':>12} {'p95 +facets':>12}")
    everything = {False: [], True: []}
    for kind, queries in QUERIES.items():
        plain, faceted = report[False][kind], report[True][kind]
        everything[False] += plain
        everything[True] += faceted
        med = statistics.median(totals[q] for q in queries)
        print(f"{kind:<10} {len(queries):>7} {med:>17.0f} {pct(plain, 50):>8.1f} {pct(plain, 95):>8.1f} "
              f"{pct(faceted, 50):>12.1f} {pct(faceted, 95):>12.1f}")
    print(f"{'all':<10} {sum(len(q) for q in QUERIES.values()):>7} {'':>17} {pct(everything[False], 50):>8.1f} "
          f"{pct(everything[False], 95):>8.1f} {pct(everything[True], 50):>12.1f} {pct(everything[True], 95):>12.1f}")
    print(f"({args.rounds} rounds per query; times are selectors.search as a guest, one page of 20 highlighted hits)")
    print("command: " + " ".join([".venv/bin/python", "bench/search.py", "--posts", str(args.posts),
                                  "--topics", str(args.topics), "--members", str(args.members)]))
    connection.close()


if __name__ == "__main__":
    main()
