"""Shared helpers for Huoli's benchmarks (bench/*.py).

- PostgreSQL databases of the benchmark's own (create, drop, exists) on the local server;
- `manage()` to run manage.py with a given environment;
- `production_env()`: the settings a production deployment would use (DEBUG off, HUOLI_ENV=production,
  a generated SECRET_KEY, persistent database connections, a Redis cache on a database number of
  the benchmark's own, collected static files);
- `ServerGroup` and `start_server()`: daphne (2 processes sharing one listening socket), gunicorn
  with uvicorn workers, or gunicorn sync workers, each in its own process group, always stopped
  at the end (atexit and SIGTERM/SIGINT included);
- `run_wrk()` / `parse_wrk()`: one bounded wrk run and its requests/s, p50 and p99.

Everything listens on and talks to 127.0.0.1 only.
"""

import atexit
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(_VENV_PYTHON) if _VENV_PYTHON.exists() else sys.executable
BIN = Path(PYTHON).parent
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_SERVER_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
LOOPBACK = "127.0.0.1"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- PostgreSQL ------------------------------------------------------------------------------------
def database_url(name):
    return f"{PG_SERVER_URL}/{name}"


def _admin_connection():
    import psycopg

    return psycopg.connect(database_url("postgres"), autocommit=True)


def _check_db_name(name):
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a safe database name: {name!r}")


def db_exists(name):
    _check_db_name(name)
    with _admin_connection() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_db(name):
    _check_db_name(name)
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_db(name):
    _check_db_name(name)
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(name, sql, params=()):
    import psycopg

    with psycopg.connect(database_url(name)) as conn:
        return conn.execute(sql, params).fetchall()


# --- Redis ---------------------------------------------------------------------------------------
def redis_url(db):
    return f"{REDIS_SERVER_URL}/{int(db)}"


def redis_delete_prefix(db, prefix):
    """Delete this benchmark's cache keys (never FLUSHALL/FLUSHDB: Redis is shared)."""
    import redis

    client = redis.Redis.from_url(redis_url(db))
    deleted = 0
    batch = []
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted


# --- manage.py and settings -------------------------------------------------------------------------
def production_env(*, database, redis_db, static_root, cache_prefix, conn_max_age=600, extra=None):
    """The environment of a production deployment on this machine, for one benchmark."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HUOLI_"))}
    env.update({
        "HUOLI_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # production refuses the console backend; nothing in the benchmarks sends mail (a closed port)
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": LOOPBACK,
        "DATABASE_URL": database_url(database),
        "CONN_MAX_AGE": str(conn_max_age),
        "REDIS_URL": redis_url(redis_db),
        "CACHE_KEY_PREFIX": cache_prefix,
        "CHANNELS_PREFIX": cache_prefix,
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra or {})
    return env


def manage(*args, env, quiet=False, timeout=None):
    cmd = [PYTHON, "manage.py", *args]
    log("$ " + " ".join(shlex.quote(a) for a in cmd[1:]))
    result = subprocess.run(cmd, cwd=ROOT, env=env, timeout=timeout,
                            stdout=subprocess.PIPE if quiet else None, stderr=subprocess.STDOUT if quiet else None,
                            text=True)
    if result.returncode != 0:
        if quiet:
            print(result.stdout[-4000:], file=sys.stderr)
        raise RuntimeError(f"manage.py {' '.join(args)} failed with exit code {result.returncode}")
    return result


def prepare_static(env):
    """collectstatic into the STATIC_ROOT of `env` (a temporary folder)."""
    manage("collectstatic", "--noinput", "-v0", env=env, quiet=True)


# --- servers -------------------------------------------------------------------------------------
SERVER_KINDS = {
    "daphne": "2 daphne processes sharing one listening socket (daphne --fd), ASGI",
    "uvicorn": "gunicorn -k uvicorn.workers.UvicornWorker -w 2, ASGI",
    "sync": "gunicorn sync workers -w 2, WSGI",
}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


@dataclass(eq=False)
class ServerGroup:
    """Processes started in their own process groups; stop() ends them all (TERM, then KILL)."""

    name: str
    port: int
    procs: list = field(default_factory=list)
    logs: list = field(default_factory=list)
    commands: list = field(default_factory=list)
    sockets: list = field(default_factory=list)

    def spawn(self, cmd, *, env, pass_fds=()):
        _LIVE.add(self)  # registered first: whatever happens next, stop_all_servers() finds it
        log_file = tempfile.NamedTemporaryFile(prefix=f"bench-{self.name}-", suffix=".log", delete=False)
        self.logs.append(log_file.name)
        self.commands.append(cmd)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                pass_fds=pass_fds, start_new_session=True)
        log_file.close()
        self.procs.append(proc)
        return proc

    def alive(self):
        return all(p.poll() is None for p in self.procs)

    def log_tail(self, chars=3000):
        out = []
        for path in self.logs:
            try:
                out.append(Path(path).read_text(errors="replace")[-chars:])
            except OSError:
                pass
        return "\n".join(out)

    def wait_ready(self, path="/", timeout=90):
        url = f"http://{LOOPBACK}:{self.port}{path}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status < 500:
                        return
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer {url} within {timeout} s:\n{self.log_tail()}")

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for proc in self.procs:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
        for sock in self.sockets:
            sock.close()
        self.sockets = []
        _LIVE.discard(self)
        for path in self.logs:
            try:
                os.unlink(path)
            except OSError:
                pass
        self.logs = []


_LIVE = set()


def stop_all_servers():
    for group in list(_LIVE):
        group.stop()


def _on_signal(signum, _frame):
    stop_all_servers()
    raise SystemExit(128 + signum)


atexit.register(stop_all_servers)
signal.signal(signal.SIGTERM, _on_signal)


def listening_socket(port, backlog=2048):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


ASGI_KINDS = {"daphne", "uvicorn"}


def server_env(kind, env, conn_max_age=600):
    """Django's persistent connections are per thread. Under ASGI every request runs its sync view
    in a thread of its own, so CONN_MAX_AGE > 0 leaks a connection per thread until PostgreSQL
    refuses new clients ("too many clients already"); Django's docs say to disable them under
    ASGI. So: persistent connections for WSGI workers, none for ASGI."""
    return dict(env, CONN_MAX_AGE="0" if kind in ASGI_KINDS else str(conn_max_age))


def start_server(kind, *, env, workers=2, port=None):
    """Start one of SERVER_KINDS on 127.0.0.1 and return its ServerGroup (not yet waited for)."""
    env = server_env(kind, env)
    port = port or free_port()
    group = ServerGroup(kind, port)
    if kind == "daphne":
        # one listening socket made here, inherited by every daphne process: the kernel hands each
        # new connection to whichever process accepts first, as gunicorn's workers do
        sock = listening_socket(port)
        group.sockets.append(sock)
        fd = sock.fileno()
        for _ in range(workers):
            group.spawn([str(BIN / "daphne"), "--fd", str(fd), "-v", "0", "--no-server-name",
                         "config.asgi:application"], env=env, pass_fds=(fd,))
    elif kind == "uvicorn":
        group.spawn([str(BIN / "gunicorn"), "-k", "uvicorn.workers.UvicornWorker", "-w", str(workers),
                     "-b", f"{LOOPBACK}:{port}", "--backlog", "2048", "--log-level", "warning",
                     "config.asgi:application"], env=env)
    elif kind == "sync":
        group.spawn([str(BIN / "gunicorn"), "-w", str(workers), "-b", f"{LOOPBACK}:{port}",
                     "--backlog", "2048", "--log-level", "warning", "config.wsgi:application"], env=env)
    else:
        raise ValueError(f"unknown server kind {kind!r}; choose from {', '.join(SERVER_KINDS)}")
    return group


# --- wrk -----------------------------------------------------------------------------------------
@dataclass
class WrkResult:
    url: str
    command: str
    requests_per_sec: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    raw: str

    @property
    def ok(self):
        return self.requests > 0 and self.non_2xx == 0 and self.socket_errors == 0


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if not m:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(m.group(1)) * _UNITS_MS[m.group(2)]


def parse_wrk(text, *, url="", command=""):
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s*50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", text, re.M)
    total = re.search(r"(\d+) requests in", text)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"could not parse wrk output:\n{text}")
    # wrk counts a server closing an idle keep-alive connection as a read error; a sync server
    # closes after every response, so read errors are not counted as failures here
    socket_errors = int(errors.group(1)) + int(errors.group(3)) + int(errors.group(4)) if errors else 0
    return WrkResult(url=url, command=command, requests_per_sec=float(rps.group(1)), p50_ms=_ms(p50.group(1)),
                     p99_ms=_ms(p99.group(1)), requests=int(total.group(1)),
                     non_2xx=int(non2xx.group(1)) if non2xx else 0, socket_errors=socket_errors, raw=text)


def run_wrk(url, *, threads=2, connections=16, duration=15, timeout_s=10):
    if not url.startswith(f"http://{LOOPBACK}:"):
        raise ValueError("benchmarks only talk to 127.0.0.1")
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(duration)}s", "--latency",
           f"--timeout={int(timeout_s)}s", url]
    command = " ".join(shlex.quote(c) for c in cmd)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + timeout_s + 30)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse_wrk(result.stdout, url=url, command=command)


def fetch(url, timeout=30):
    """(status, body text) of one GET, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def load_average():
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)
