#!/usr/bin/env python
"""Scale-out on one machine: is a web or live node really stateless, and does the replica router keep
read-your-writes?

Starts, all on 127.0.0.1 and all its own (cleaned up at the end, whatever happens):
- a PostgreSQL 15 primary (initdb in a temporary folder) and a streaming replica of it made with
  pg_basebackup -R, on two free ports;
- 2 redis-servers as the channel layer's shards (CHANNEL_REDIS_URLS);
- 2 gunicorn (WSGI, web) and 3 uvicorn (ASGI, live) processes, with DATABASE_REPLICA_URL set;
- Debian's nginx in front of them, with docker/nginx/default.conf.template rendered for these upstreams.

Then members post replies through nginx (so through any web node, the API with a token), while WebSocket
readers of the topic are spread by nginx over the live nodes, and anonymous readers read the topic. It
reports: live events lost (must be 0), p50/p99 delivery (from the POST being sent until a reader has the
event), the share of anonymous reads the replica served (X-Huoli-Db), and read-your-writes violations
(a member's read right after their own reply, with the huoli_primary cookie, that does not show it: must
be 0). Exit status 1 when an event was lost or a read-your-writes check failed.

    .venv/bin/python bench/scaleout.py                          # 3 members x 10 replies, 30 readers
    .venv/bin/python bench/scaleout.py --members 2 --replies 3 --readers 6     # a tiny run

Runs as root (as on this machine): PostgreSQL is run as the `postgres` user with runuser. Needs the
packages postgresql-15, redis-server and nginx (apt-get install -y them).
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BIN,
    LOOPBACK,
    PYTHON,
    ROOT,
    ServerGroup,
    free_port,
    log,
    manage,
    production_env,
    redis_delete_prefix,
)

PG_BIN = Path("/usr/lib/postgresql/15/bin")
NGINX = "/usr/sbin/nginx"
TEMPLATE = ROOT / "docker" / "nginx" / "default.conf.template"
NUMBER_RE = re.compile(r'"number":\s*(\d+)')


def as_postgres(*cmd, **kwargs):
    return subprocess.run(["runuser", "-u", "postgres", "--", *map(str, cmd)], check=True, capture_output=True,
                          text=True, timeout=kwargs.pop("timeout", 180), **kwargs)


class Postgres:
    """A primary and its streaming replica in a temporary folder of their own."""

    def __init__(self, base: Path):
        self.base = base
        self.primary = base / "primary"
        self.replica = base / "replica"
        self.sockets = base / "sockets"
        self.primary_port = free_port()
        self.replica_port = free_port()
        self.started = []

    def start(self):
        for folder in (self.primary, self.sockets):
            folder.mkdir(parents=True)
            shutil.chown(folder, "postgres", "postgres")
        shutil.chown(self.base, "postgres", "postgres")
        as_postgres(PG_BIN / "initdb", "-D", self.primary, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8")
        with open(self.primary / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.sockets}'\nwal_level = replica\nmax_wal_senders = 4\n"
                       "fsync = off\nsynchronous_commit = off\nmax_connections = 200\n")
        self._pg_ctl(self.primary, "start")
        self.started.append(self.primary)
        as_postgres(PG_BIN / "psql", "-h", LOOPBACK, "-p", self.primary_port, "-U", "postgres", "-qc",
                    "CREATE DATABASE huoli")
        as_postgres(PG_BIN / "pg_basebackup", "-h", LOOPBACK, "-p", self.primary_port, "-U", "postgres",
                    "-D", self.replica, "-R", "-X", "stream")
        with open(self.replica / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.replica_port}\nhot_standby = on\n")
        self._pg_ctl(self.replica, "start")
        self.started.append(self.replica)

    def _pg_ctl(self, folder, action):
        as_postgres(PG_BIN / "pg_ctl", "-D", folder, "-l", folder / "server.log", "-w", "-t", "60", action)

    def url(self, port):
        return f"postgres://postgres@{LOOPBACK}:{port}/huoli"

    def replaying(self):
        out = as_postgres(PG_BIN / "psql", "-h", LOOPBACK, "-p", self.replica_port, "-U", "postgres", "-Atc",
                          "SELECT pg_is_in_recovery()", "huoli")
        return out.stdout.strip() == "t"

    def stop(self):
        for folder in reversed(self.started):
            try:
                self._pg_ctl(folder, "stop")
            except subprocess.CalledProcessError:
                pass
        self.started = []


def nginx_config(base: Path, port, web_ports, live_ports):
    text = TEMPLATE.read_text()
    text = text.replace("server ${WEB_UPSTREAM};", "\n    ".join(f"server {LOOPBACK}:{p};" for p in web_ports))
    text = text.replace("server ${LIVE_UPSTREAM};", "\n    ".join(f"server {LOOPBACK}:{p};" for p in live_ports))
    text = text.replace("${UPLOAD_LIMIT}", "6m").replace("listen 80;", f"listen {LOOPBACK}:{port};")
    text = text.replace("alias /srv/static/;", f"alias {base}/static/;").replace("root /srv;", f"root {base};")
    (base / "nginx").mkdir()
    (base / "nginx" / "default.conf").write_text(text)
    main = base / "nginx" / "nginx.conf"
    main.write_text(f"daemon off;\npid {base}/nginx/nginx.pid;\nerror_log {base}/nginx/error.log;\n"
                    "worker_processes 1;\nevents { worker_connections 4096; }\n"
                    "http {\n    include /etc/nginx/mime.types;\n    access_log off;\n"
                    f"    client_body_temp_path {base}/nginx/body;\n    proxy_temp_path {base}/nginx/proxy;\n"
                    f"    include {base}/nginx/default.conf;\n}}\n")
    return main


SEED = """
import json, django
django.setup()
from forum import services, tokens
from forum.models import Category, User
category = Category.objects.create(slug="scaleout", name="Scale-out bench")
members = []
for i in range(%d):
    user = User.objects.create(username=f"scaleout{i}", email=f"scaleout{i}@example.com", is_staff=True)
    members.append(tokens.api_token_create(actor=user, name="bench")[1])
topic = services.topic_create(actor=User.objects.get(username="scaleout0"), category=category,
                              title="Scale-out benchmark topic", body="Every reader sees every reply.")
print(json.dumps({"topic_id": topic.pk, "tokens": members}))
"""


def http(method, url, *, headers=None, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", "Host": LOOPBACK, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def post_and_check(base_url, topic_id, token, replies, interval, sent, ryw, lock):
    """One member: reply, then read the topic back at once with the cookie the reply set."""
    for i in range(replies):
        t0 = time.time()
        status, headers, text = http("POST", f"{base_url}/api/v1/topics/{topic_id}/posts",
                                     headers={"Authorization": f"Bearer {token}"},
                                     body={"body": f"Scale-out reply {i + 1} 回复 from {token[:6]}"})
        if status != 201:
            raise RuntimeError(f"reply refused: {status} {text[:300]}")
        number = int(NUMBER_RE.search(text).group(1))
        cookie = headers.get("Set-Cookie", "")
        pin = "huoli_primary=1" if "huoli_primary=" in cookie else ""
        status, read_headers, read = http("GET", f"{base_url}/api/v1/topics/{topic_id}",
                                          headers={"Authorization": f"Bearer {token}", "Cookie": pin})
        post_count = json.loads(read)["post_count"]
        with lock:
            sent[number] = t0
            ryw.append({"number": number, "post_count": post_count, "db": read_headers.get("X-Huoli-Db"),
                        "pinned": bool(pin)})
        time.sleep(interval)


def anonymous_reads(base_url, topic_id, stop, seen):
    while not stop.is_set():
        status, headers, _ = http("GET", f"{base_url}/api/v1/topics/{topic_id}")
        if status == 200:
            seen.append(headers.get("X-Huoli-Db"))
        time.sleep(0.05)


async def run_readers(args, port, topic_id, expected, post_fn):
    import websockets

    url = f"ws://{LOOPBACK}:{port}/ws/topic/{topic_id}/"
    origin = f"http://{LOOPBACK}:{port}"
    received = {}  # number -> list of receive times
    connected = []

    async def reader(done):
        async with websockets.connect(url, origin=origin, open_timeout=60, ping_interval=None) as ws:
            while '"hello"' not in await asyncio.wait_for(ws.recv(), 60):
                pass
            connected.append(1)
            while not done.is_set():
                try:
                    text = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                if '"post.created"' in text:
                    match = NUMBER_RE.search(text)
                    if match:
                        received.setdefault(int(match.group(1)), []).append(time.time())

    done = asyncio.Event()
    tasks = [asyncio.ensure_future(reader(done)) for _ in range(args.readers)]
    deadline = time.monotonic() + 120
    while len(connected) < args.readers:
        failed = [t for t in tasks if t.done()]
        if failed:
            failed[0].result()  # raises the reader's error
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(connected)} of {args.readers} readers connected")
        await asyncio.sleep(0.1)
    await asyncio.get_running_loop().run_in_executor(None, post_fn)
    # every event should arrive within a few seconds of the last reply
    settle = time.monotonic() + 15
    while time.monotonic() < settle and sum(len(v) for v in received.values()) < expected * args.readers:
        await asyncio.sleep(0.1)
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return received


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--replies", type=int, default=10, help="replies per member")
    parser.add_argument("--readers", type=int, default=30, help="WebSocket readers of the topic")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between a member's replies")
    parser.add_argument("--redis-db", type=int, default=3, help="database number on the machine's Redis (cache)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) at the end")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="huoli-scaleout-"))
    os.chmod(base, 0o755)
    (base / "static").mkdir()
    (base / "media").mkdir()
    pg = Postgres(base)
    groups = []
    prefix = f"scaleout{os.getpid()}"
    try:
        log("==> PostgreSQL primary and streaming replica (initdb, pg_basebackup -R)")
        pg.start()
        log(f"    primary :{pg.primary_port}, replica :{pg.replica_port} (in recovery: {pg.replaying()})")

        shards = []
        for n in range(2):
            redis_port = free_port()
            group = ServerGroup(f"redis-shard-{n}", redis_port)
            group.spawn(["redis-server", "--port", str(redis_port), "--bind", LOOPBACK, "--save", "",
                         "--appendonly", "no"], env=dict(os.environ))
            groups.append(group)
            shards.append(f"redis://{LOOPBACK}:{redis_port}/0")
        env = production_env(database="huoli", redis_db=args.redis_db, static_root=base / "static",
                             cache_prefix=prefix, extra={
                                 "DATABASE_URL": pg.url(pg.primary_port),
                                 "DATABASE_REPLICA_URL": pg.url(pg.replica_port),
                                 "CHANNEL_REDIS_URLS": ",".join(shards),
                                 "CELERY_TASK_ALWAYS_EAGER": "true",
                                 "MEDIA_ROOT": str(base / "media"),
                                 "ALLOWED_HOSTS": LOOPBACK,
                             })
        log("==> migrate (the primary; the replica follows)")
        manage("migrate", "--noinput", "-v0", env=env, quiet=True)
        seeded = subprocess.run([PYTHON, "-c", SEED % args.members], cwd=ROOT, capture_output=True, text=True,
                                env=dict(env, DJANGO_SETTINGS_MODULE="config.settings"), timeout=300)
        if seeded.returncode != 0:
            raise RuntimeError(f"seeding failed:\n{seeded.stderr[-3000:]}")
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])

        web_ports, live_ports = [], []
        for n in range(2):
            port = free_port()
            group = ServerGroup(f"web-{n}", port)
            group.spawn([str(BIN / "gunicorn"), "-w", "1", "-b", f"{LOOPBACK}:{port}", "--log-level", "warning",
                         "--forwarded-allow-ips", LOOPBACK, "config.wsgi:application"], env=env)
            groups.append(group)
            web_ports.append(port)
        for n in range(3):
            port = free_port()
            group = ServerGroup(f"live-{n}", port)
            group.spawn([str(BIN / "uvicorn"), "config.asgi:application", "--host", LOOPBACK, "--port", str(port),
                         "--ws", "websockets-sansio", "--lifespan", "off", "--log-level", "warning",
                         "--proxy-headers", "--forwarded-allow-ips", LOOPBACK], env=dict(env, CONN_MAX_AGE="0"))
            groups.append(group)
            live_ports.append(port)
        for group in groups:
            if group.name.startswith(("web", "live")):
                group.wait_ready("/healthz", timeout=180)
        nginx_port = free_port()
        conf = nginx_config(base, nginx_port, web_ports, live_ports)
        test = subprocess.run([NGINX, "-t", "-q", "-p", str(base / "nginx"), "-e", str(base / "nginx/error.log"),
                               "-c", str(conf)], capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t: {test.stderr}")
        proxy = ServerGroup("nginx", nginx_port)
        proxy.spawn([NGINX, "-p", str(base / "nginx"), "-e", str(base / "nginx/error.log"), "-c", str(conf)],
                    env=dict(os.environ))
        groups.append(proxy)
        proxy.wait_ready("/nginx-healthz", timeout=30)
        log(f"==> nginx :{nginx_port} -> web {web_ports}, live {live_ports}; channel shards {shards}")

        base_url = f"http://{LOOPBACK}:{nginx_port}"
        sent, ryw, anon, lock, stop = {}, [], [], threading.Lock(), threading.Event()

        def post_all():
            reading = threading.Thread(target=anonymous_reads, args=(base_url, seed["topic_id"], stop, anon))
            reading.start()
            members = [threading.Thread(target=post_and_check, args=(base_url, seed["topic_id"], token,
                                                                      args.replies, args.interval, sent, ryw, lock))
                       for token in seed["tokens"]]
            for thread in members:
                thread.start()
            for thread in members:
                thread.join()
            time.sleep(1)  # the replica catches up; anonymous reads go on meanwhile
            stop.set()
            reading.join()

        expected = args.members * args.replies
        log(f"==> {args.members} members x {args.replies} replies through nginx, {args.readers} WebSocket readers")
        received = asyncio.run(run_readers(args, nginx_port, seed["topic_id"], expected, post_all))

        delays = [t - sent[n] for n, times in received.items() if n in sent for t in times]
        lost = expected * args.readers - sum(len(times) for n, times in received.items() if n in sent)
        violations = [r for r in ryw if r["post_count"] < r["number"]]
        replica_share = anon.count("replica") / len(anon) if anon else 0.0
        pinned_primary = sum(1 for r in ryw if r["db"] == "default")
        report = {
            "replies": expected, "readers": args.readers, "web_nodes": 2, "live_nodes": 3, "channel_shards": 2,
            "live_events_lost": lost,
            "delivery_ms_p50": round(pct(delays, 50) * 1000, 1), "delivery_ms_p99": round(pct(delays, 99) * 1000, 1),
            "anonymous_reads": len(anon), "replica_share_of_anonymous_reads": round(replica_share, 3),
            "read_your_writes_checks": len(ryw), "read_your_writes_violations": len(violations),
            "reads_after_own_write_served_by_primary": pinned_primary,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0 if lost == 0 and not violations and len(ryw) == expected else 1
    finally:
        for group in reversed(groups):
            group.stop()
        pg.stop()
        redis_delete_prefix(args.redis_db, prefix)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            log(f"kept {base}")


if __name__ == "__main__":
    sys.exit(main())
