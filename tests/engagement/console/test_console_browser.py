"""In a real browser, on a phone (360x740) and a desktop (1280x900): an operator opens the console for a
range of the hand-computed community, widens the range and filters a category (the sections swap in
place through htmx and the charts change), and exports the CSV, whose content is checked; nothing
scrolls sideways. Screenshots: artifacts/browser/console-<width>-<scheme>-*.png (the site has no dark theme yet; the
dark run checks that the charts, which take their colours from the page, still read)."""

import csv
import io
import os

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from engagement.console import rollup

from .conftest import FIRST, LAST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _page(browser, live_server, size, scheme, user, contexts):
    context = browser.new_context(viewport=size, locale="en-US", accept_downloads=True, color_scheme=scheme)
    contexts.append(context)
    client = Client()
    client.force_login(user)
    context.add_cookies([
        {"name": "django_language", "value": "en", "url": live_server.url},
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
    ])
    return context.new_page()


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


@pytest.mark.parametrize("size,scheme", [({"width": 360, "height": 740}, "light"),
                                         ({"width": 360, "height": 740}, "dark"),
                                         ({"width": 1280, "height": 900}, "light")],
                         ids=["phone", "phone-dark", "desktop"])
def test_an_operator_reads_filters_and_exports_the_console(browser, contexts, live_server, artifacts_dir,
                                                           community, size, scheme):
    c = community
    rollup.rollup_days(FIRST, LAST)
    c.carol.groups.add(c.operators)
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    width = size["width"]
    page = _page(browser, live_server, size, scheme, c.carol, contexts)

    page.goto(f"{live_server.url}/console/?start=2026-03-02&end=2026-03-02")
    assert page.get_by_role("heading", name="Community health").is_visible()
    activity = page.locator("#activity svg")
    assert "2026-03-02 to 2026-03-02" in activity.locator("title").text_content()
    before = activity.inner_html()
    assert page.locator("#funnel tbody tr").first.inner_text().split("\t")[1] == "1"  # alice signed up on 03-02
    _fits(page)
    page.screenshot(path=os.path.join(folder, f"console-{width}-{scheme}-one-day.png"), full_page=True)

    page.fill("#id_end", "2026-03-10")
    expect(page.locator("[data-range]")).to_contain_text("2026-03-10")
    activity = page.locator("#activity svg")
    assert "2026-03-02 to 2026-03-10" in activity.locator("title").text_content()
    assert activity.inner_html() != before
    assert page.locator("#funnel tbody tr").first.inner_text().split("\t")[1] == "3"
    assert "end=2026-03-10" in page.url  # the address follows, so the view can be shared or reloaded
    _fits(page)

    content_before = page.locator("#content svg").inner_html()
    page.select_option("#id_category", "news")
    expect(page.locator(".console-range")).to_contain_text("新闻")
    assert page.locator("#content svg").inner_html() != content_before
    assert "新闻" in page.locator("#content svg title").text_content()
    assert "100.0%" in page.locator("#first-reply").inner_text()  # the one news topic has no reply
    _fits(page)
    page.screenshot(path=os.path.join(folder, f"console-{width}-{scheme}-news.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    download = info.value
    assert download.suggested_filename == "huoli-console-2026-03-02-2026-03-10-news.csv"
    with open(download.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[0][1:4] == ["2026-03-02", "2026-03-10", "新闻"]
    news_day = [r for r in rows if r and r[0] == "2026-03-03"][1]
    assert news_day[:3] == ["2026-03-03", "1", "1"]  # bob's topic and his own reply
    assert any(r and r[0] == "春季问答周" for r in rows)
