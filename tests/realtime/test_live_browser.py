"""Three browsers on one topic, served by the real ASGI stack (uvicorn in a thread, config.asgi,
the configured channel layer: Redis when REDIS_URL is set): B sees A's reply and A's vote appear
without reloading; C, who is writing a reply, gets the "N new replies" bar instead of a jump.

Runs on SQLite and on PostgreSQL, alone or in the browser stage of scripts/test:
    DJANGO_ALLOW_ASYNC_UNSAFE=true HUOLI_TESTING=true .venv/bin/python -m pytest -m browser \\
      tests/realtime/test_live_browser.py -q -p no:randomly

Not transactional: the server shares the test's connection and transaction (see tests/browser.py
and the live_asgi fixture), so nothing is flushed or restored around it. serialized_rollback=True
only asks pytest-django for the serialized copy of the migrations' rows, which `pristine_db`
restores inside the transaction.
"""

import os

import pytest
from django.conf import settings
from django.test import Client

from forum import services
from tests.browser import chromium_missing_reason, run_commit_hooks
from tests.factories import TopicFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]


def _context_for(contexts, browser, base_url, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 800})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": base_url}])
    contexts.append(context)
    return context


def test_reply_and_vote_appear_live_and_a_busy_reader_gets_the_bar(live_asgi, contexts, browser, category, artifacts_dir):
    from playwright.sync_api import expect

    a, b, c = UserFactory(), UserFactory(), UserFactory()
    topic = TopicFactory.create(author=b, category=category, title="浏览器里的实时话题", body="B 的开帖内容")
    opening = topic.posts.get(number=1)
    for user in (a, b, c):
        services.member_joined(member=user)
    url = topic.get_absolute_url()
    live_asgi.run_sync(run_commit_hooks)  # the setup's on-commit effects, as its commit would run them

    page_a = _context_for(contexts, browser, live_asgi.url, a).new_page()
    page_b = _context_for(contexts, browser, live_asgi.url, b).new_page()
    page_c = _context_for(contexts, browser, live_asgi.url, c).new_page()
    for page in (page_a, page_b, page_c):
        page.goto(url)
        expect(page.locator("[data-live-topic]")).to_have_attribute("data-live-status", "open", timeout=10000)
    page_b.evaluate("window.__notReloaded = true")
    page_b.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")  # B reads the newest posts
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


def test_poll_bars_and_lottery_results_refresh_live(live_asgi, contexts, browser, category, artifacts_dir):
    """live.js re-fetches a widget's fragment on its event: once for a burst, never under a reader
    who is choosing in its form (then as soon as they leave it)."""
    from playwright.sync_api import expect

    from engagement.polls import services as polls

    author, reader = UserFactory(is_staff=True), UserFactory()
    voters = [UserFactory() for _ in range(6)]
    for user in (author, reader, *voters):
        services.member_joined(member=user)
    topic = TopicFactory.create(author=author, category=category, title="投票实时更新", body="选一个颜色")
    poll = polls.poll_create(actor=author, topic=topic, question="哪个颜色？", options=["红色", "蓝色"])
    red, blue = poll.options.order_by("position")
    live_asgi.run_sync(run_commit_hooks)
    fragment_path = f"/polls/{poll.pk}/fragment/"

    page = _context_for(contexts, browser, live_asgi.url, reader).new_page()
    fetches = []
    page.on("request", lambda request: fetches.append(request.url) if fragment_path in request.url else None)
    page.goto(topic.get_absolute_url())
    expect(page.locator("[data-live-topic]")).to_have_attribute("data-live-status", "open", timeout=10000)
    page.evaluate("window.__notReloaded = true")
    widget = page.locator(f'[data-live-refresh="poll:{poll.pk}"]')
    expect(widget).to_be_visible()

    def vote(users_and_options):
        def cast():
            for user, option in users_and_options:
                polls.poll_vote(actor=user, poll=poll, option_ids=[option.pk])
            run_commit_hooks()
        live_asgi.run_sync(cast)

    # a burst of five votes: the bars move, with at most one fetch now and one after the second
    vote([(voters[0], red), (voters[1], red), (voters[2], red), (voters[3], blue), (voters[4], blue)])
    expect(widget.locator("meter.poll-bar").nth(0)).to_have_attribute("value", "60", timeout=10000)
    expect(widget.locator("meter.poll-bar").nth(1)).to_have_attribute("value", "40")
    page.wait_for_timeout(1500)
    assert 1 <= len(fetches) <= 2, fetches

    # the reader is choosing: their form is not replaced under them ...
    widget.locator("input[type=radio]").first.focus()
    fetched = len(fetches)
    vote([(voters[5], blue)])
    page.wait_for_timeout(2500)
    assert len(fetches) == fetched
    expect(widget.locator("meter.poll-bar").nth(0)).to_have_attribute("value", "60")
    # ... and is brought up to date as soon as they leave it
    page.locator("h1").first.click()
    expect(widget.locator("meter.poll-bar").nth(0)).to_have_attribute("value", "50", timeout=10000)
    expect(widget.locator("meter.poll-bar").nth(1)).to_have_attribute("value", "50")
    page.screenshot(path=os.path.join(artifacts_dir, "live-poll-refreshed.png"), full_page=True)

    # lottery results: the same contract ("lottery.drawn", lottery_id), on any page with live.js
    served = []

    def card(route):
        served.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body=f'<section data-live-refresh="lottery:77" data-fragment-url="/lotteries/77/card/">'
                           f'<p class="winners">中奖：{len(served)} 号</p></section>')

    page.route("**/lotteries/77/card/", card)
    page.evaluate("""() => {
        const el = document.createElement("section");
        el.dataset.liveRefresh = "lottery:77";
        el.dataset.fragmentUrl = "/lotteries/77/card/";
        el.textContent = "等待开奖";
        document.querySelector("main").appendChild(el);
        for (let i = 0; i < 5; i++) {
            document.dispatchEvent(new CustomEvent("huoli:live", {detail: {type: "lottery.drawn", lottery_id: 77}}));
        }
        document.dispatchEvent(new CustomEvent("huoli:live", {detail: {type: "lottery.drawn", lottery_id: 78}}));
    }""")
    expect(page.locator('[data-live-refresh="lottery:77"] .winners')).to_have_text("中奖：1 号", timeout=5000)
    page.wait_for_timeout(1500)
    assert len(served) == 1  # five events in a burst, one fetch (nothing arrived while it ran)
    assert page.evaluate("window.__notReloaded") is True
