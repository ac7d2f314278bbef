"""Faults: break Redis and the Celery worker while members write, then count what was lost.

Starts, on loopback, a redis-server of its own (no persistence: a restart loses every queued
message, as a Redis without AOF does), gunicorn (2 sync workers) for HTTP, gunicorn+uvicorn for
/ws/, a Celery worker and Celery beat, in the production settings, on a PostgreSQL database of its
own. Then N members reply, vote and enter a lottery through the JSON API while WebSocket readers
follow the topic (reconnecting with ?after=<seq>, as live.js does). During the run it kills Redis
(SIGKILL), waits, starts it again empty, and later kills the worker with SIGKILL and restarts it.

Afterwards it counts, from the clients and the database:
  requests answered 5xx; replies acknowledged (201) but missing; replies without their points,
  index entry or the topic author's notification; upvotes without their points; doubled points
  or notifications; outbox messages still pending; live events a reader never received.
All must be 0. Exit status 1 otherwise.

Run (nothing else on the machine):
    .venv/bin/python bench/faults.py                    # 30 members, 60 s
    .venv/bin/python bench/faults.py --members 50 --duration 90 --readers 40
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    BIN,
    LOOPBACK,
    PYTHON,
    ROOT,
    ServerGroup,
    create_db,
    db_exists,
    drop_db,
    free_port,
    log,
    manage,
    prepare_static,
    production_env,
    query,
    start_server,
)

DB = "huoli_bench_faults"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--members", type=int, default=30)
    p.add_argument("--readers", type=int, default=20)
    p.add_argument("--duration", type=float, default=60, help="seconds of writing")
    p.add_argument("--redis-down", type=float, default=5, help="seconds Redis stays dead")
    p.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    p.add_argument("--child-seed", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# --- the seed, in a child process with Django ---------------------------------------------------
def child_seed(members):
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from engagement.lotteries.services import lottery_create
    from forum import services
    from forum.models import Category, User
    from forum.tokens import api_token_create

    staff = User.objects.create_user("faults_staff", "faults_staff@example.com", "x", is_staff=True,
                                     is_superuser=True)
    category = Category.objects.create(name="故障演练", slug="faults")
    author = User.objects.create_user("faults_author", "faults_author@example.com", "x")
    topic = services.topic_create(actor=author, category=category, title="故障演练中的讨论",
                                  body="成员在 Redis 与 worker 故障期间回复、点赞和抽奖。")
    now = timezone.now()
    lottery = lottery_create(actor=staff, title="故障演练抽奖", prize="一件纪念 T 恤", winners_count=1,
                             opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(hours=2))
    tokens = []
    for n in range(members):
        member = User.objects.create_user(f"faults_m{n}", f"faults_m{n}@example.com", "x")
        _token, secret = api_token_create(actor=member, name="faults")
        tokens.append(secret)
    print(json.dumps({"topic": topic.pk, "opening_post": topic.posts.get(number=1).pk, "lottery": lottery.pk,
                      "author": author.pk, "tokens": tokens}))


# --- Redis and the worker ------------------------------------------------------------------------
class Redis:
    def __init__(self, port):
        self.port = port
        self.group = None

    def start(self):
        self.group = ServerGroup("redis", self.port)
        self.group.spawn(["redis-server", "--port", str(self.port), "--bind", LOOPBACK, "--save", "",
                          "--appendonly", "no", "--daemonize", "no"], env=os.environ.copy())
        deadline = time.monotonic() + 10
        import redis

        while time.monotonic() < deadline:
            try:
                redis.Redis(host=LOOPBACK, port=self.port).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        import signal

        for proc in self.group.procs:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        self.group.stop()


def start_worker(env):
    group = ServerGroup("celery-worker", 0)
    group.spawn([str(BIN / "celery"), "-A", "config", "worker", "-l", "warning", "-c", "2", "--without-heartbeat",
                 "--without-gossip", "--without-mingle", "-Q", "interactive,bulk,scoring,celery"], env=env)
    return group


def kill_group(group):
    import signal

    for proc in group.procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    group.stop()


# --- clients -------------------------------------------------------------------------------------
class Writers:
    def __init__(self, base, seed, duration):
        self.base = base
        self.seed = seed
        self.deadline = time.monotonic() + duration
        self.status = Counter()
        self.errors = Counter()
        self.replies = []  # ids acknowledged with 201
        self.votes = []  # (post id, member index) acknowledged with 200
        self.entries = 0
        self.lock = threading.Lock()

    def run(self, index, token):
        import requests

        rng = random.Random(index)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        mine, voted, entered, n = set(), set(), False, 0

        def call(path, body):
            try:
                r = session.post(self.base + path, json=body, timeout=30)
            except requests.RequestException as exc:
                with self.lock:
                    self.errors[type(exc).__name__] += 1
                return None
            with self.lock:
                self.status[r.status_code] += 1
            return r

        while time.monotonic() < self.deadline:
            roll = rng.random()
            if roll < 0.45 and n < 25:  # under the reply rule's daily cap of 30
                n += 1
                r = call(f"/api/v1/topics/{self.seed['topic']}/posts", {"body": f"第 {index} 位成员的第 {n} 条回复"})
                if r is not None and r.status_code == 201:
                    pid = r.json()["id"]
                    mine.add(pid)
                    with self.lock:
                        self.replies.append(pid)
            elif roll < 0.9:
                with self.lock:
                    pool = [p for p in self.replies[-200:] if p not in mine and p not in voted]
                target = rng.choice(pool) if pool else self.seed["opening_post"]
                if target in voted:
                    continue
                voted.add(target)
                r = call(f"/api/v1/posts/{target}/vote", {"value": 1})
                if r is not None and r.status_code == 200:
                    with self.lock:
                        self.votes.append((target, index))
            elif not entered:
                entered = True
                r = call(f"/api/v1/lotteries/{self.seed['lottery']}/enter", {})
                if r is not None and r.status_code == 201:
                    with self.lock:
                        self.entries += 1
            time.sleep(rng.uniform(0.05, 0.3))


class Readers:
    """WebSocket readers of the topic: they reconnect with ?after=<last seq> and record every seq."""

    def __init__(self, port, topic, count):
        self.url = f"ws://{LOOPBACK}:{port}/ws/topic/{topic}/"
        self.origin = f"http://{LOOPBACK}:{port}"
        self.count = count
        self.seen = [set() for _ in range(count)]
        self.first = [None] * count
        self.reconnects = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _reader(self, i):
        import websockets

        last = None
        while not self.stop.is_set():
            url = self.url if last is None else f"{self.url}?after={last}"
            try:
                async with websockets.connect(url, origin=self.origin, open_timeout=10, ping_interval=None,
                                              max_queue=None) as ws:
                    while not self.stop.is_set():
                        try:
                            text = await asyncio.wait_for(ws.recv(), 0.5)
                        except TimeoutError:
                            continue
                        message = json.loads(text)
                        if message.get("type") == "hello":
                            if last is None:
                                last = message["seq"]
                                self.first[i] = last
                            continue
                        seq = message.get("seq")
                        if isinstance(seq, int):
                            self.seen[i].add(seq)
                            last = max(last or 0, seq)
            except Exception as exc:  # noqa: BLE001 - closed by a fault: reconnect, as live.js does
                self.reconnects[type(exc).__name__] += 1
            await asyncio.sleep(0.5)

    async def _main(self):
        await asyncio.gather(*(self._reader(i) for i in range(self.count)))

    def start(self):
        self.thread.start()

    def finish(self):
        self.stop.set()
        self.thread.join(timeout=20)


# --- counting ------------------------------------------------------------------------------------
def count_effects(seed, writers, readers):
    topic = seed["topic"]
    ack = set(writers.replies)
    in_db = {r[0] for r in query(DB, "SELECT id FROM forum_post WHERE topic_id = %s AND number > 1", [topic])}
    replies = sorted(in_db)
    one = lambda sql, params: query(DB, sql, params)[0][0]  # noqa: E731
    pointed = Counter(int(r[0]) for r in query(
        DB, "SELECT source_id FROM points_pointsentry WHERE reason = 'reply_created' AND kind = 'earn' "
            "AND source_type = 'forum.post' AND source_id = ANY(%s)", [[str(p) for p in replies]]))
    indexed = Counter(r[0] for r in query(
        DB, "SELECT object_id FROM huoli_search_searchentry WHERE object_type = 'post' AND object_id = ANY(%s)",
        [replies]))
    notified = Counter(r[0] for r in query(
        DB, "SELECT post_id FROM forum_notification WHERE recipient_id = %s AND kind = 'reply' AND post_id = ANY(%s)",
        [seed["author"], replies]))
    upvotes = one("SELECT count(*) FROM forum_postvote v JOIN forum_post p ON p.id = v.post_id "
                  "WHERE p.topic_id = %s AND v.value = 1 AND v.user_id <> p.author_id", [topic])
    upvote_points = one("SELECT count(*) FROM points_pointsentry e WHERE e.reason = 'upvote_received' "
                        "AND e.kind = 'earn' AND NOT EXISTS (SELECT 1 FROM points_pointsentry r WHERE r.reverses_id = e.id)",
                        [])
    events = {r[0] for r in query(DB, "SELECT seq FROM realtime_topicevent WHERE topic_id = %s", [topic])}
    lost_live = 0
    for i in range(readers.count):
        start = readers.first[i]
        if start is None:
            lost_live += len(events)
            continue
        lost_live += len({s for s in events if s > start} - readers.seen[i])
    return {
        "requests": sum(writers.status.values()),
        "status": dict(sorted(writers.status.items())),
        "client errors (no answer)": dict(writers.errors),
        "answered 5xx": sum(n for s, n in writers.status.items() if s >= 500),
        "replies acknowledged": len(ack),
        "replies lost (201, not in the database)": len(ack - in_db),
        "replies without points": sum(1 for p in replies if pointed[p] == 0),
        "replies with doubled points": sum(1 for p in replies if pointed[p] > 1),
        "replies not indexed": sum(1 for p in replies if indexed[p] == 0),
        "replies without the author's notification": sum(1 for p in replies if notified[p] == 0),
        "doubled notifications": sum(1 for p in replies if notified[p] > 1),
        "upvotes": upvotes,
        "upvotes without points": max(upvotes - upvote_points, 0),
        "upvote points doubled": max(upvote_points - upvotes, 0),
        "lottery entries acknowledged": writers.entries,
        "lottery entries in the database": one("SELECT count(*) FROM lotteries_lotteryentry WHERE lottery_id = %s",
                                               [seed["lottery"]]),
        "outbox pending": one("SELECT count(*) FROM forum_outboxmessage WHERE done_at IS NULL", []),
        "live events": len(events),
        "live events lost (summed over readers)": lost_live,
        "reader reconnects": dict(readers.reconnects),
    }


MUST_BE_ZERO = ("answered 5xx", "replies lost (201, not in the database)", "replies without points",
                "replies with doubled points", "replies not indexed", "replies without the author's notification",
                "doubled notifications", "upvotes without points", "upvote points doubled", "outbox pending",
                "live events lost (summed over readers)")


def wait_drained(seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pending = query(DB, "SELECT count(*) FROM forum_outboxmessage WHERE done_at IS NULL", [])[0][0]
        if pending == 0:
            return True
        time.sleep(1)
    return False


def main(argv=None):
    args = parse_args(argv)
    if args.child_seed:
        return child_seed(args.members)
    redis_port = free_port()
    static_root = Path(tempfile.mkdtemp(prefix="bench-faults-static-"))
    env = production_env(database=DB, redis_db=0, static_root=static_root, cache_prefix="faults", extra={
        "REDIS_URL": f"redis://{LOOPBACK}:{redis_port}/0",
        "CELERY_BROKER_URL": f"redis://{LOOPBACK}:{redis_port}/1",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "OUTBOX_REDELIVER_SECONDS": "15", "OUTBOX_SWEEP_SECONDS": "5",
        "RATE_POSTS_PER_HOUR": "1000", "RATE_VOTES_PER_HOUR": "5000",
        "ANON_PAGE_CACHE_SECONDS": "0",
    })
    redis = Redis(redis_port)
    redis.start()
    if db_exists(DB):
        drop_db(DB)
    create_db(DB)
    groups = []
    try:
        manage("migrate", "-v0", env=env, quiet=True)
        prepare_static(env)
        out = subprocess.run([PYTHON, __file__, "--child-seed", "--members", str(args.members)], cwd=ROOT,
                             env=dict(env, DJANGO_SETTINGS_MODULE="config.settings"), capture_output=True,
                             text=True, check=True)
        seed = json.loads(out.stdout.strip().splitlines()[-1])
        web = start_server("sync", env=env, workers=2)
        live = start_server("uvicorn", env=env, workers=1)
        groups += [web, live]
        web.wait_ready("/healthz")
        live.wait_ready("/healthz")
        worker = start_worker(env)
        beat = ServerGroup("celery-beat", 0)
        beat.spawn([str(BIN / "celery"), "-A", "config", "beat", "-l", "warning",
                    "-s", str(static_root / "beat-schedule")], env=env)
        groups += [beat]
        time.sleep(3)

        readers = Readers(live.port, seed["topic"], args.readers)
        readers.start()
        time.sleep(2)
        writers = Writers(f"http://{LOOPBACK}:{web.port}", seed, args.duration)
        threads = [threading.Thread(target=writers.run, args=(i, t)) for i, t in enumerate(seed["tokens"])]
        t0 = time.monotonic()
        for t in threads:
            t.start()

        def at(fraction):
            time.sleep(max(t0 + args.duration * fraction - time.monotonic(), 0))

        at(0.2)
        log(f"killing Redis (SIGKILL) for {args.redis_down:g} s")
        redis.kill()
        time.sleep(args.redis_down)
        redis.start()
        log("Redis is back, empty: every queued message is gone")
        at(0.5)
        log("killing the Celery worker (SIGKILL)")
        kill_group(worker)
        time.sleep(2)
        worker = start_worker(env)
        log("worker restarted")
        groups.append(worker)
        for t in threads:
            t.join()
        log("writers done; waiting for the outbox to drain")
        drained = wait_drained(120)
        time.sleep(3)
        readers.finish()
        result = count_effects(seed, writers, readers)
        result["outbox drained within 120 s"] = drained
        result["command"] = " ".join(["bench/faults.py", *(argv if argv is not None else sys.argv[1:])])
        print(json.dumps(result, indent=2, ensure_ascii=False))
        bad = {k: result[k] for k in MUST_BE_ZERO if result[k]}
        if bad:
            print("FAILED:", json.dumps(bad, ensure_ascii=False))
            return 1
        print("OK: nothing lost, nothing doubled, no 5xx")
        return 0
    finally:
        for g in groups:
            g.stop()
        redis.group.stop()
        if not args.keep_db:
            drop_db(DB)


if __name__ == "__main__":
    sys.exit(main())
