"""Playwright with Debian's Chromium (no `playwright install`): shared launch settings for the
browser tests. Browsers are scoped per module (a session-scoped sync_playwright breaks later
pytest-asyncio tests, see STACK-NOTES)."""

import asyncio
import contextlib
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

CHROMIUM = os.environ.get("HUOLI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def chromium_missing_reason():
    if not os.path.exists(CHROMIUM):
        return f"needs Debian's chromium at {CHROMIUM}: apt-get install chromium fonts-wqy-microhei"
    return None


# --- the ASGI app (HTTP and WebSockets) served in a thread, on the test's own transaction ------
#
# pytest-django's live_server speaks WSGI only, and a transactional test (transaction=True) flushes
# the database when it ends and relies on a serialized restore of the migrations' rows, which the
# Playwright loop can defeat (see keep_database_connections_per_thread below). The pieces below
# need neither: uvicorn serves config.asgi in a thread of the test process, every thread uses the
# test's own connection (so it sees, and writes inside, the test transaction, which is rolled back
# at the end: nothing to flush, nothing to restore; SQLite's in-memory test database works too),
# the server's sync work runs on one thread (one connection must not run two atomic blocks at
# once), and on-commit callbacks, which a transaction that never commits would never run, run
# after each HTTP request as if it had committed.

class _SharedConnections:
    """Stands in for django.db.connections' per-thread storage: one set for every thread."""


@contextlib.contextmanager
def shared_database_connections():
    """Every thread uses the calling thread's database connections (and so its transaction).

    Also keeps Django and Channels from closing them around requests and consumer calls, as
    Django's test client does."""
    import channels.db
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connections

    shared = _SharedConnections()
    for alias in connections:
        conn = connections[alias]
        setattr(shared, alias, conn)
        conn.inc_thread_sharing()
    original = connections._connections
    original_close = channels.db.close_old_connections
    connections._connections = shared
    channels.db.close_old_connections = lambda: None
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        channels.db.close_old_connections = original_close
        connections._connections = original
        for alias in connections:
            getattr(shared, alias).dec_thread_sharing()


def run_commit_hooks(using="default", keep=0):
    """Run the on-commit callbacks registered (after the first `keep`) on a connection that is
    inside the test transaction, as a commit would; callbacks they register run too."""
    import logging

    from django.db import connections

    conn = connections[using]
    while len(conn.run_on_commit) > keep and not conn.needs_rollback:
        _savepoints, func, robust = conn.run_on_commit.pop(keep)
        try:
            func()
        except Exception:
            logging.getLogger(__name__).exception("on-commit callback %r failed", func)
            if not robust:
                raise


class AsgiLiveServer:
    """An ASGI application served by uvicorn (HTTP and WebSockets) in a thread of the test process.

    Thread-sensitive sync code of every connection (views, database_sync_to_async) runs on one
    worker thread. `after_http` callables run on that thread after each HTTP request."""

    def __init__(self, app, *, host="127.0.0.1", after_http=()):
        self.app = app
        self.host = host
        self.after_http = list(after_http)
        self.executor = None
        self.loop = None
        self.server = None
        self.thread = None
        self.error = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    async def _asgi(self, scope, receive, send):
        from asgiref.sync import ThreadSensitiveContext, sync_to_async

        async with ThreadSensitiveContext(executor=self.executor):
            try:
                await self.app(scope, receive, send)
            finally:
                if scope["type"] == "http" and self.after_http:
                    await sync_to_async(self._after_http)()

    def _after_http(self):
        for hook in self.after_http:
            hook()

    def run_sync(self, fn, *args, timeout=30):
        """Call fn on the server's sync thread (where the server touches the database)."""
        return self.executor.submit(fn, *args).result(timeout)

    def run_async(self, coroutine, timeout=30):
        """Run a coroutine on the server's event loop (e.g. the channel layer's own loop)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self, timeout=30):
        import uvicorn

        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asgi-live-sync")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self._asgi, interface="asgi3", lifespan="off", ws="websockets-sansio",
                                ws_per_message_deflate=False, log_level="warning", access_log=False,
                                timeout_graceful_shutdown=5)
        self.server = uvicorn.Server(config)

        def run():
            async def serve():
                self.loop = asyncio.get_running_loop()
                await self.server.serve(sockets=[sock])

            try:
                asyncio.run(serve())
            except BaseException as exc:  # reported by start()/stop()
                self.error = exc
            finally:
                sock.close()

        self.thread = threading.Thread(target=run, name="asgi-live-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the ASGI live server did not start: {self.error!r}")
            time.sleep(0.02)
        return self

    def stop(self):
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(15)
        if self.executor is not None:
            self.executor.shutdown(wait=True)


def keep_database_connections_per_thread():
    """Make django.db.connections plain per-thread storage for the rest of this process.

    Playwright's sync API leaves its event loop set as the main thread's running loop between
    calls (it needs DJANGO_ALLOW_ASYNC_UNSAFE for that reason). Django keeps connections in an
    asgiref Local(thread_critical=True), which, when it sees a running loop, switches to a
    context-local store: from the first Playwright call on, the main thread gets a *second*
    DatabaseWrapper for the same database, one without the `_test_serialized_contents` that
    setup_databases put on the first. A transactional serialized_rollback test whose browser was
    started before its database fixture (a module-scoped `browser`) then skips the restore of the
    migrations' rows at setup (no root page, no earning rules, no groups) and, at teardown,
    flushes with the post_migrate signal (content types and permissions come back with new ids);
    the next test that does restore collides with them (duplicate django_content_type
    (wagtailcore, page)). Call this once, before any browser starts (e.g. from pytest_configure in
    tests/conftest.py); idempotent."""
    from django.db import connections

    storage = connections._connections
    if type(storage).__name__ == "_ThreadCriticalLocal":
        connections._connections = object.__getattribute__(storage, "_storage")
