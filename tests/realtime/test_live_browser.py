"""Three browsers on one topic, served by daphne: B sees A's reply and A's vote appear without
reloading; C, who is writing a reply, gets the "N new replies" bar instead of a jump.

Needs PostgreSQL (the daphne process reads the rows this test commits) and Debian's Chromium:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huoli_realtime DJANGO_ALLOW_ASYNC_UNSAFE=true \
      .venv/bin/python -m pytest tests/realtime/test_live_browser.py -m browser
Run it as its own pytest invocation (Playwright's sync API and pytest-asyncio do not share a loop).
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from forum import services
from tests.factories import TopicFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True),
              # Known open problem (issue 5): on PostgreSQL, after the other browser modules, restoring
              # the serialized database for this module fails with a duplicate django_content_type row
              # (wagtailcore.page). Until that is fixed the two-browser live test does not run in CI.
              pytest.mark.skip(reason="serialized_rollback restore collides on content types after other "
                                      "browser modules on PostgreSQL (issue 5, open)")]

ROOT = Path(settings.BASE_DIR)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server_url():
    """daphne in a subprocess, on the test database (committed rows only), in-memory layer."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/"
           + connection.settings_dict["NAME"], "DJANGO_SETTINGS_MODULE": "config.settings",
           "PYTHONPATH": str(ROOT), "CELERY_TASK_ALWAYS_EAGER": "true"}
    env.pop("REDIS_URL", None)  # one server process: the in-memory channel layer is enough
    proc = subprocess.Popen([sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port),
                             "config.asgi:application"], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("daphne did not start")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _context_for(browser, base_url, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 800})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": base_url}])
    return context


def test_reply_and_vote_appear_live_and_a_busy_reader_gets_the_bar(browser, live_server_url, category, artifacts_dir):
    from playwright.sync_api import expect

    a, b, c = UserFactory(), UserFactory(), UserFactory()
    topic = TopicFactory.create(author=b, category=category, title="浏览器里的实时话题", body="B 的开帖内容")
    opening = topic.posts.get(number=1)
    for user in (a, b, c):
        services.member_joined(member=user)
    url = topic.get_absolute_url()

    page_a = _context_for(browser, live_server_url, a).new_page()
    page_b = _context_for(browser, live_server_url, b).new_page()
    page_c = _context_for(browser, live_server_url, c).new_page()
    for page in (page_a, page_b, page_c):
        page.goto(url)
        expect(page.locator("[data-live-topic]")).to_have_attribute("data-live-status", "open", timeout=10000)
    page_b.evaluate("window.__notReloaded = true")
    page_c.evaluate("window.__notReloaded = true")
    # C is writing a reply: new posts must not jump in under them
    page_c.locator("[data-live-reply]").fill("我正在写回复……")
    page_c.locator("[data-live-reply]").focus()

    page_a.locator("[data-live-reply]").fill("A 的实时回复 ✓")
    page_a.locator("#reply form button[type=submit]").click()
    page_a.wait_for_load_state()

    new_post = page_b.locator("[data-post-id]", has_text="A 的实时回复 ✓")
    expect(new_post).to_be_visible(timeout=10000)
    bar = page_c.locator("[data-live-new-replies]")
    expect(bar).to_be_visible(timeout=10000)
    expect(bar).to_contain_text("1")
    assert page_c.locator("[data-post-id]", has_text="A 的实时回复 ✓").count() == 0

    page_a.goto(url)
    page_a.locator(f"#vote-{opening.pk} .vote-up").click()
    expect(page_b.locator(f'[data-post-score="{opening.pk}"]').first).to_have_text("1", timeout=10000)

    assert page_b.evaluate("window.__notReloaded") is True
    assert page_c.evaluate("window.__notReloaded") is True
    bar.click()
    expect(page_c.locator("[data-post-id]", has_text="A 的实时回复 ✓")).to_be_visible()
    page_b.screenshot(path=os.path.join(artifacts_dir, "live-reader-b.png"), full_page=True)
    page_c.screenshot(path=os.path.join(artifacts_dir, "live-reader-c.png"), full_page=True)
