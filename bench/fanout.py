#!/usr/bin/env python
"""Live fan-out benchmark: how long until every reader of a topic has a new reply?

Starts the ASGI server (daphne and/or uvicorn with websockets) on loopback with the Redis channel
layer, connects N WebSocket clients (the `websockets` library, asyncio) to one topic, posts
replies through the normal service (forum.services.post_create) from a separate Django process on
the same PostgreSQL database and Redis, and measures for each reply the delay from the moment the
service was called until the last client received the post.created event: p50 and p99 over the
replies, lost deliveries (must be 0), and server memory per connection (RSS delta / connections).
"fan-out" is the same delay counted from the moment the committed event is handed to the channel
layer (the service's own database work left out).

    .venv/bin/python bench/fanout.py                       # daphne and uvicorn, 1000 clients
    .venv/bin/python bench/fanout.py --server uvicorn --clients 200 --replies 10
    .venv/bin/python bench/fanout.py --layer both          # also channels_redis' core layer

It uses its own database (--database, default huoli_bench_fanout, created and migrated if
missing) and Redis database number (--redis-db, default 9), under a key prefix of this run's own
(deleted at the end; never FLUSHDB, Redis is shared), and stops every process it started. Exit
status 1 if any delivery was lost.
"""

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
NUMBER_RE = re.compile(r'"number":(\d+)')


# --- helpers run in a child process with Django set up ------------------------------------------
def _django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def cmd_seed():
    """Create (once) the category and two staff members, and a fresh topic; print its id."""
    _django()
    from forum import services
    from forum.models import Category, User

    category, _ = Category.objects.get_or_create(slug="fanout", defaults={"name": "Fan-out bench"})
    users = []
    for name in ("fanout_author", "fanout_replier"):
        user, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.com"})
        if not user.is_staff:  # staff are exempt from the write rate limits
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        users.append(user)
    topic = services.topic_create(actor=users[0], category=category, title="Fan-out benchmark topic",
                                  body="Every reader of this topic should see each reply at once.")
    print(json.dumps({"topic_id": topic.pk}))


def cmd_post(topic_id, replies, interval):
    """Post replies through the service; print when each call started and returned."""
    _django()
    from forum import services
    from forum.models import Topic, User
    from realtime import publish

    # note when the topic's post.created event goes to the channel layer (after the commit): the
    # fan-out proper is measured from there, the whole service call from t0
    published = {}
    group_send = publish._group_send

    def timed_group_send(group, message):
        if message.get("event_type") == "post.created":
            match = NUMBER_RE.search(message.get("text", ""))
            if match:
                published[int(match.group(1))] = time.time()
        return group_send(group, message)

    publish._group_send = timed_group_send
    replier = User.objects.get(username="fanout_replier")
    topic = Topic.objects.get(pk=topic_id)
    services.post_create(actor=replier, topic=topic, body="warm-up reply (not measured)")
    print(json.dumps({"warmup": True}), flush=True)
    time.sleep(interval)
    for i in range(replies):
        t0 = time.time()
        post = services.post_create(actor=replier, topic=topic, body=f"Reply {i + 1}: **fan-out** test 回复")
        print(json.dumps({"number": post.number, "t0": t0, "t1": time.time(),
                          "tp": published.get(post.number)}), flush=True)
        time.sleep(interval)


# --- the benchmark driver -----------------------------------------------------------------------
def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, need))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


def child_env(args, layer):
    env = os.environ.copy()
    env.update({
        "DATABASE_URL": f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.database}",
        "REDIS_URL": f"redis://{args.redis_host}:{args.redis_port}/{args.redis_db}",
        "CHANNELS_PREFIX": args.prefix,
        "CACHE_KEY_PREFIX": args.prefix,
        "DJANGO_SETTINGS_MODULE": "bench.fanout_settings",
        "FANOUT_LAYER": layer,
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",  # notifications go to the (unconsumed) broker queue
        "LOG_LEVEL": "WARNING",
    })
    return env


def run_child(env, *argv, timeout=300):
    result = subprocess.run([PY, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare_database(args, env):
    import psycopg

    with psycopg.connect(host=args.pg_host, port=args.pg_port, user=args.pg_user, dbname="postgres",
                         autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.database}"')
    result = subprocess.run([PY, "manage.py", "migrate", "--skip-checks", "-v", "0"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        # a tree with other work in progress may not migrate; carry on if our tables are there
        with psycopg.connect(host=args.pg_host, port=args.pg_port, user=args.pg_user, dbname=args.database) as conn:
            have = conn.execute("SELECT to_regclass('realtime_topicevent') IS NOT NULL").fetchone()[0]
        if not have:
            sys.exit(f"migrate failed:\n{result.stderr[-2000:]}")
        print("warning: migrate failed, using the existing schema:", result.stderr.strip().splitlines()[-1],
              flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(kind, port, app="config.asgi:application"):
    if kind == "daphne":
        return [PY, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port), app]
    return [PY, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
            "--ws", "websockets-sansio", "--ws-per-message-deflate", "false", "--lifespan", "off",
            "--log-level", "warning", "--no-access-log"]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_for_port(port, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start listening")


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


async def measure(args, port, topic_id, env, server_pid):
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/topic/{topic_id}/"
    origin = f"http://127.0.0.1:{port}"
    received = {}  # post number -> receive times (one per client that got it)
    ready = asyncio.Event()
    connected = 0
    failures = []
    stop_clients = asyncio.Event()
    gate = asyncio.Semaphore(args.connect_concurrency)

    # warm the server (imports, first DB connection) before the memory baseline
    async with websockets.connect(url, origin=origin, compression=None, open_timeout=30) as ws:
        await asyncio.wait_for(ws.recv(), 30)
    await asyncio.sleep(0.5)
    rss_before = rss_kib(server_pid)

    async def client():
        nonlocal connected
        try:
            async with gate:
                ws = await websockets.connect(url, origin=origin, compression=None, open_timeout=60,
                                              ping_interval=None, max_queue=None)
                while True:  # the hello (presence notices may come first)
                    if '"hello"' in await asyncio.wait_for(ws.recv(), 60):
                        break
            connected += 1
            if connected == args.clients:
                ready.set()
            async with ws:
                recv_task = None
                while not stop_clients.is_set():
                    recv_task = asyncio.ensure_future(ws.recv())
                    stopper = asyncio.ensure_future(stop_clients.wait())
                    done, _ = await asyncio.wait({recv_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
                    stopper.cancel()
                    if recv_task not in done:
                        recv_task.cancel()
                        break
                    text = recv_task.result()
                    now = time.time()
                    if '"post.created"' in text:
                        match = NUMBER_RE.search(text)
                        if match:
                            received.setdefault(int(match.group(1)), []).append(now)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            failures.append(repr(exc))
            if connected + len(failures) >= args.clients:
                ready.set()

    t_connect = time.monotonic()
    tasks = [asyncio.ensure_future(client()) for _ in range(args.clients)]
    try:
        await asyncio.wait_for(ready.wait(), args.connect_timeout)
    except TimeoutError:
        pass
    connect_seconds = time.monotonic() - t_connect
    await asyncio.sleep(2)  # let the presence broadcasts of the connection burst settle
    rss_after = rss_kib(server_pid)

    poster = await asyncio.create_subprocess_exec(
        PY, str(Path(__file__).resolve()), "post", "--topic", str(topic_id), "--replies", str(args.replies),
        "--interval", str(args.interval), cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
    )
    sent = {}
    try:
        while True:
            line = await asyncio.wait_for(poster.stdout.readline(), 120)
            if not line:
                break
            item = json.loads(line)
            if "number" in item:
                sent[item["number"]] = item
        if await poster.wait() != 0:
            raise RuntimeError(f"the posting process failed with status {poster.returncode}")
    finally:
        if poster.returncode is None:
            poster.kill()
            await poster.wait()
    # wait until every client has every reply, or give up after a grace period
    deadline = time.monotonic() + args.grace
    while time.monotonic() < deadline:
        if all(len(received.get(n, ())) >= connected for n in sent):
            break
        await asyncio.sleep(0.05)
    stop_clients.set()
    await asyncio.wait(tasks, timeout=30)

    per_reply, per_delivery, fanout, lost = [], [], [], 0
    for number, item in sorted(sent.items()):
        times = received.get(number, [])
        lost += connected - len(times)
        if times:
            per_reply.append((max(times) - item["t0"]) * 1000)
            per_delivery.extend((t - item["t0"]) * 1000 for t in times)
            if item.get("tp"):
                fanout.append((max(times) - item["tp"]) * 1000)
    service_ms = [(item["t1"] - item["t0"]) * 1000 for item in sent.values()]
    return {
        "clients_connected": connected,
        "connect_failures": len(failures),
        "failure_sample": failures[:3],
        "connect_seconds": round(connect_seconds, 2),
        "replies": len(sent),
        "all_clients_p50_ms": round(pct(per_reply, 50), 1),
        "all_clients_p99_ms": round(pct(per_reply, 99), 1),
        "all_clients_max_ms": round(max(per_reply), 1) if per_reply else None,
        "per_delivery_p50_ms": round(pct(per_delivery, 50), 1),
        "per_delivery_p99_ms": round(pct(per_delivery, 99), 1),
        "service_call_p50_ms": round(statistics.median(service_ms), 1) if service_ms else None,
        # from the moment the committed event is handed to the channel layer to the last client
        "fanout_p50_ms": round(pct(fanout, 50), 1),
        "fanout_p99_ms": round(pct(fanout, 99), 1),
        "lost": lost,
        "rss_before_mib": round(rss_before / 1024, 1),
        "rss_after_mib": round(rss_after / 1024, 1),
        "kib_per_connection": round((rss_after - rss_before) / max(connected, 1), 1),
    }


def run_one(args, kind, layer):
    env = child_env(args, layer)
    topic_id = json.loads(run_child(env, str(Path(__file__).resolve()), "seed").strip().splitlines()[-1])["topic_id"]
    port = free_port()
    log_path = Path(args.log_dir) / f"fanout-{kind}-{layer}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(server_command(kind, port, args.app), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_for_port(port, proc)
        result = asyncio.run(asyncio.wait_for(measure(args, port, topic_id, env, proc.pid), args.max_seconds))
    finally:
        stop(proc)
        log.close()
    result = {"server": kind, "layer": layer, **result}
    errors = log_path.read_text(errors="replace").strip()
    if errors:
        result["server_log"] = str(log_path)
        result["server_log_tail"] = errors.splitlines()[-3:]
    return result


def delete_own_redis_keys(args):
    """Delete this run's keys (by prefix; never FLUSHDB: Redis is shared)."""
    import redis

    client = redis.Redis(host=args.redis_host, port=args.redis_port, db=args.redis_db)
    batch = []
    for key in client.scan_iter(match=f"{args.prefix}*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            client.delete(*batch)
            batch = []
    if batch:
        client.delete(*batch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("seed")
    post = sub.add_parser("post")
    post.add_argument("--topic", type=int, required=True)
    post.add_argument("--replies", type=int, required=True)
    post.add_argument("--interval", type=float, required=True)
    parser.add_argument("--server", choices=["daphne", "uvicorn", "both"], default="both")
    parser.add_argument("--layer", choices=["core", "pubsub", "both"], default="pubsub",
                        help="channels_redis layer: pubsub (the project default) or core")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=30)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between replies")
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--connect-timeout", type=float, default=120)
    parser.add_argument("--grace", type=float, default=10, help="seconds to wait for stragglers")
    parser.add_argument("--max-seconds", type=float, default=420, help="hard limit per server run")
    parser.add_argument("--database", default="huoli_bench_fanout")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--redis-host", default="127.0.0.1")
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--redis-db", type=int, default=9)
    parser.add_argument("--app", default="config.asgi:application",
                        help="ASGI application to serve (bench.fanout_stock_dispatch:application to compare)")
    parser.add_argument("--prefix", default=f"fanout{os.getpid()}-",
                        help="key prefix of this run's cache and channel layer (deleted at the end)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--log-dir", default="/tmp", help="where the server logs go")
    args = parser.parse_args()

    if args.command == "seed":
        return cmd_seed()
    if args.command == "post":
        return cmd_post(args.topic, args.replies, args.interval)

    limit = raise_fd_limit(args.clients * 2 + 256)
    print(f"fd limit {limit}; {os.cpu_count()} CPUs; {args.clients} clients, {args.replies} replies "
          f"every {args.interval}s", flush=True)
    prepare_database(args, child_env(args, "core"))
    servers = ["daphne", "uvicorn"] if args.server == "both" else [args.server]
    layers = ["core", "pubsub"] if args.layer == "both" else [args.layer]
    results = []
    try:
        for layer in layers:
            for kind in servers:
                print(f"--- {kind} / {layer} layer", flush=True)
                result = run_one(args, kind, layer)
                print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
                results.append(result)
    finally:
        delete_own_redis_keys(args)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print("\n(from the service call / from the publish after commit, to the last of the clients)")
    print("server   layer   clients  p50 ms  p99 ms  fan-out p50  fan-out p99  lost  KiB/conn")
    for r in results:
        print(f"{r['server']:8} {r['layer']:7} {r['clients_connected']:7} {r['all_clients_p50_ms']:7} "
              f"{r['all_clients_p99_ms']:7} {r['fanout_p50_ms']:12} {r['fanout_p99_ms']:12} {r['lost']:5} "
              f"{r['kib_per_connection']:9}")
    return 1 if any(r["lost"] or r["clients_connected"] < args.clients for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
