"""KOL scoring and lifecycle classification at scale, on seed_bulk data in PostgreSQL.

    .venv/bin/python bench/kol.py                       # 100,000 members, 1,000,000 posts, 3,000,000 votes
    .venv/bin/python bench/kol.py --members 10000 --topics 5000 --posts 100000 --votes 300000   # quicker

Creates its own database (huoli_bench_kol) on the PostgreSQL server named by --pg (default
postgres://postgres@127.0.0.1:5432), migrates it, fills it with ``manage.py seed_bulk`` and then
plants two attacks with known ground truth: a vote ring (old accounts that upvote and reply to
each other's posts) and a swarm of accounts made yesterday that all upvote one ordinary member.
Each measured step runs in a fresh child process (``bench/kol.py --child STEP``) that reports its
wall time and its peak resident memory (resource.getrusage ru_maxrss; the whole process: Django,
numpy, scipy and the data); BENCH_TRACEMALLOC=1 adds the peak of Python/numpy allocations
(tracemalloc, which slows the run, so it is off by default):

- kol: the default 30-day KOL run over all categories (what the issue's target is about), first
  without trusted seeds (seed_bulk has no moderators: seed_mode "fallback"), then with 50
  moderators named (seed_mode "seeded"); each checks that no ring or swarm member reaches the top 20;
- lifecycle: the daily classification of every member.

The database is dropped at the end (--keep to leave it, --reuse to skip seeding a kept one).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "huoli_bench_kol"
RING, RING_POSTS, SWARM = 20, 6, 400


def admin_connection(pg):
    import psycopg

    return psycopg.connect(f"{pg}/postgres", autocommit=True)


def run(cmd, env):
    print("$", " ".join(cmd[1:]), flush=True)
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return time.monotonic() - started


def child(step, env):
    """Run one measured step in a fresh process; its JSON report is the last line it prints."""
    out = subprocess.run([sys.executable, __file__, "--child", step], cwd=ROOT, env=env, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    print(f"{step}: {json.dumps(report)}", flush=True)
    return report


# --- child steps (inside Django) ------------------------------------------------------------------
def _setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def plant():
    """The ring and the swarm, bulk-inserted through the ORM."""
    import datetime
    import random

    from django.db import transaction
    from django.utils import timezone

    from forum.models import Category, Post, PostVote, Topic, User

    rng = random.Random(5)
    now = timezone.now()
    category = Category.objects.order_by("pk").first()
    with transaction.atomic():
        ring = User.objects.bulk_create([
            User(username=f"ring_{i}", email=f"ring_{i}@bench.invalid", password="!",
                 date_joined=now - datetime.timedelta(days=300)) for i in range(RING)])
        topics = Topic.objects.bulk_create([
            Topic(category=category, title=f"ring topic {i}-{k}", author=m,
                  created_at=now - datetime.timedelta(days=rng.randint(1, 25)))
            for i, m in enumerate(ring) for k in range(RING_POSTS)])
        posts = Post.objects.bulk_create([Post(topic=t, number=1, author=t.author, source="ring", html="<p>ring</p>",
                                               created_at=t.created_at) for t in topics])
        replies = Post.objects.bulk_create([
            Post(topic=p.topic, number=2 + j, author=m, source="+1", html="<p>+1</p>", reply_to=p,
                 created_at=p.created_at + datetime.timedelta(hours=1 + j))
            for p in posts for j, m in enumerate(x for x in ring if x.pk != p.author_id) if j < 3])
        PostVote.objects.bulk_create([
            PostVote(post=p, user=m, value=1, created_at=p.created_at + datetime.timedelta(hours=2))
            for p in posts for m in ring if m.pk != p.author_id])
        # the swarm: yesterday's accounts upvote every post of one ordinary member with a few posts
        target_id = (Post.objects.filter(created_at__gte=now - datetime.timedelta(days=25), number=1)
                     .values("author_id").order_by("author_id").first()["author_id"])
        target_posts = list(Post.objects.filter(author_id=target_id, created_at__gte=now - datetime.timedelta(days=29)))
        swarm = User.objects.bulk_create([
            User(username=f"swarm_{i}", email=f"swarm_{i}@bench.invalid", password="!",
                 date_joined=now - datetime.timedelta(days=1)) for i in range(SWARM)])
        PostVote.objects.bulk_create([
            PostVote(post=p, user=m, value=1, created_at=now - datetime.timedelta(hours=rng.randint(1, 20)))
            for p in target_posts for m in swarm], batch_size=5000)
    return {"ring": [m.pk for m in ring], "swarm": [m.pk for m in swarm], "target": target_id,
            "ring_votes": len(posts) * (RING - 1), "ring_replies": len(replies),
            "swarm_votes": len(target_posts) * SWARM}


def measured(fn):
    """Wall time and peak RSS of `fn`; with BENCH_TRACEMALLOC=1 also tracemalloc's peak (which
    slows Python-heavy code, so it is off for the timed runs)."""
    trace = os.environ.get("BENCH_TRACEMALLOC") == "1"
    if trace:
        tracemalloc.start()
    started = time.monotonic()
    result = fn()
    seconds = time.monotonic() - started
    report = {"seconds": round(seconds, 2),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    if trace:
        report["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return {**report, **(result or {})}


def step_kol(with_seeds):
    from django.contrib.auth.models import Group

    from engagement.kol import services
    from engagement.kol.models import KolScore
    from forum.models import User

    planted = json.loads(Path(os.environ["BENCH_KOL_PLANTED"]).read_text())
    if with_seeds:
        moderators, _created = Group.objects.get_or_create(name="Moderators")
        picks = list(User.objects.filter(username__startswith="bk").order_by("?").values_list("pk", flat=True)[:50])
        moderators.user_set.add(*picks)

    def go():
        run = services.kol_scores_compute(progress=lambda n, total, label: print(f"  {n}/{total} {label}", flush=True))
        top20 = set(KolScore.objects.filter(run=run, rank__lte=20).values_list("member_id", flat=True))
        bad = top20 & (set(planted["ring"]) | set(planted["swarm"]) | {planted["target"]})
        return {"seed_mode": run.seed_mode, "seeds": run.seed_count, "stages": run.params["timings"],
                "ring_or_swarm_in_top20": len(bad), "members_scored": run.members_scored}

    return measured(go)


def step_lifecycle():
    from engagement.lifecycle import services

    return measured(lambda: {"counts": services.lifecycle_classify()})


def run_child(step):
    _setup()
    if step == "plant":
        report = measured(plant)
    elif step == "kol":
        report = step_kol(with_seeds=False)
    elif step == "kol-seeded":
        report = step_kol(with_seeds=True)
    elif step == "lifecycle":
        report = step_lifecycle()
    else:
        raise SystemExit(f"unknown step {step}")
    if step == "plant":
        Path(os.environ["BENCH_KOL_PLANTED"]).write_text(json.dumps(report))
        report = {k: v for k, v in report.items() if k not in ("ring", "swarm")}
    print(json.dumps(report), flush=True)


# --- driver ------------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--votes", type=int, default=3_000_000)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Reuse a kept, already seeded database.")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args.child)

    url = f"{args.pg}/{DB_NAME}"
    planted_file = Path("/tmp") / f"{DB_NAME}-planted.json"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "CONN_MAX_AGE": "0",
           "BENCH_KOL_PLANTED": str(planted_file)}
    for key in ("REDIS_URL", "ELASTICSEARCH_URL"):
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
            reports["plant"] = child("plant", env)
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
        for step in ("kol", "kol-seeded", "lifecycle"):
            reports[step] = child(step, env)
    finally:
        if not args.keep:
            with admin_connection(args.pg) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            print(f"dropped database {DB_NAME}")
    print(json.dumps(reports, indent=2))


if __name__ == "__main__":
    main()
