"""Shared fixtures. PostgreSQL and Redis are used when DATABASE_URL / REDIS_URL name them (CI);
otherwise SQLite and in-memory backends, and the tests that need the real services are left out (deselected),
with a summary line that says what is missing."""

import os

import pytest
from django.conf import settings

from tests.factories import CategoryFactory, TopicFactory, UserFactory  # noqa: F401

# tests/forum_only runs with its own settings (the forum without the other apps), in a process of its own:
# tests/test_forum_only.py starts it.
collect_ignore = ["forum_only"]

# The executed-count guard: a stage that runs fewer tests than it collected fails (tests/run_guard.py).
pytest_plugins = ["tests.run_guard"]


def _unmet_need(item, *, on_pg, has_redis, on_sqlite, has_es):
    """Why this machine cannot run the test, or None."""
    if "postgres" in item.keywords and not on_pg:
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if "redis" in item.keywords and not has_redis:
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/N"
    if "sqlite" in item.keywords and not on_sqlite:
        return "runs on the embedded SQLite: unset DATABASE_URL"
    if "elasticsearch" in item.keywords and not has_es:
        return "needs a real Elasticsearch cluster: set ELASTICSEARCH_URL=http://host:9200"
    return None


_NOT_RUN = {}


def pytest_configure(config):
    """WhiteNoise serves STATIC_ROOT and warns once per middleware instance when it is missing (490
    warnings a run, every one burying the warnings that matter); outside production the files come from
    the finders, so an empty STATIC_ROOT is all the tests need."""
    from pathlib import Path

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def pytest_collection_modifyitems(config, items):
    """Tests this machine cannot run are deselected (not collected-then-skipped), so every stage
    runs every test it collects; the summary says which were left out and why."""
    engine = settings.DATABASES["default"]["ENGINE"]
    needs = {"on_pg": engine.endswith("postgresql"), "has_redis": bool(getattr(settings, "REDIS_URL", "")),
             "on_sqlite": engine.endswith("sqlite3"), "has_es": bool(os.environ.get("ELASTICSEARCH_URL"))}
    kept, left_out = [], []
    for item in items:
        reason = _unmet_need(item, **needs)
        if reason is None:
            kept.append(item)
        else:
            left_out.append(item)
            _NOT_RUN[reason] = _NOT_RUN.get(reason, 0) + 1
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_terminal_summary(terminalreporter):
    for reason, count in sorted(_NOT_RUN.items()):
        terminalreporter.write_line(f"not run here: {count} tests ({reason})")


def clear_cache():
    """Empty this test run's cache. On Redis only our own prefix is deleted (cache.clear() would
    FLUSHDB, wiping a parallel worker's keys too)."""
    from django.core.cache import cache

    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    conf = settings.CACHES["default"]
    inner = (conf.get("OPTIONS") or {}).get("INNER_BACKEND", conf["BACKEND"])
    if inner.endswith("RedisCache") and prefix:
        backend = getattr(cache, "inner", cache)  # forum.lib.cache.FailSoftCache wraps the real one
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _browser_connections_per_thread(request):
    """In a run with browser tests, keep one database connection per thread (see
    tests.browser.keep_database_connections_per_thread: Playwright's loop would otherwise give the
    main thread a second connection that misses the serialized rows of the test database)."""
    if any("browser" in item.keywords for item in request.session.items):
        from tests.browser import keep_database_connections_per_thread

        keep_database_connections_per_thread()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (a session-wide sync_playwright breaks
    later pytest-asyncio tests, see STACK-NOTES); a module may define its own."""
    import os

    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


@pytest.fixture
def contexts(browser):
    """Browser contexts of this test, closed before the server stops."""
    made = []
    yield made
    for context in made:
        context.close()


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    clear_cache()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    clear_cache()


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def other_member(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def category(db):
    return CategoryFactory()


@pytest.fixture
def artifacts_dir():
    path = os.path.join(settings.BASE_DIR, "artifacts")
    os.makedirs(path, exist_ok=True)
    return path
