"""A live reply in real browsers at 360x740 and 1280x900 (issue 15), on the real ASGI stack (see
test_live_browser.py): reader B sees writer A's reply arrive with the full action bar (vote,
bookmark, quote, report: the same partial as a page load, rendered for B) and the reply count
updated, and its Quote link fills B's reply box without a reload; on the phone, while B writes, the next reply brings the "new replies" bar, fixed at the
bottom of the viewport. Screenshots in artifacts/live-reply-*.png."""

import os

import pytest
from django.conf import settings
from django.test import Client

from forum import services
from tests.browser import run_commit_hooks
from tests.factories import TopicFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(serialized_rollback=True),
]

SIZES = {"phone": (360, 740), "desktop": (1280, 900)}


def _page(contexts, browser, base_url, user, size):
    width, height = SIZES[size]
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height}, locale="en-US")
    context.add_cookies([
        {"name": "django_language", "value": "en", "url": base_url},
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": base_url}])
    contexts.append(context)
    return context.new_page()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_live_reply_has_the_full_action_bar_and_the_count_follows(live_asgi, contexts, browser, category,
                                                                   artifacts_dir, size):
    from playwright.sync_api import expect

    writer, reader = UserFactory(), UserFactory()
    for user in (writer, reader):
        services.member_joined(member=user)
    topic = TopicFactory.create(author=reader, category=category, title="Live reply with tools", body="Opening post")
    live_asgi.run_sync(run_commit_hooks)
    url = topic.get_absolute_url()

    page_a = _page(contexts, browser, live_asgi.url, writer, size)
    page_b = _page(contexts, browser, live_asgi.url, reader, size)
    for page in (page_a, page_b):
        page.goto(url)
        expect(page.locator("[data-live-topic]")).to_have_attribute("data-live-status", "open", timeout=10000)
    page_b.evaluate("window.__notReloaded = true")
    page_b.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(page_b.locator("[data-live-reply-count]")).to_have_text("0 replies")

    page_a.locator("[data-live-reply]").fill("A reply that arrives live")
    page_a.get_by_role("button", name="Post reply").click()
    page_a.wait_for_load_state()

    post = page_b.locator("li[data-post-id]", has_text="A reply that arrives live")
    expect(post).to_be_visible(timeout=10000)
    # the reader's own rendering: vote buttons, bookmark, quote, reply and report, as on a page load
    expect(post.locator(".vote-up")).to_be_visible(timeout=10000)
    expect(post.locator(".vote-down")).to_be_visible()
    expect(post.get_by_role("button", name="Bookmark")).to_be_visible()
    expect(post.get_by_role("link", name="Quote")).to_be_visible()
    expect(post.get_by_role("link", name="Report")).to_be_visible()
    expect(page_b.locator("[data-live-reply-count]")).to_have_text("1 reply")
    # the tools work in place: an upvote through htmx, no reload
    post.locator(".vote-up").click()
    expect(post.locator(".vote .score")).to_have_text("1")
    assert page_b.evaluate("window.__notReloaded") is True
    assert page_b.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    page_b.screenshot(path=os.path.join(artifacts_dir, f"live-reply-{size}.png"), full_page=True)

    # inline quote: the quoted Markdown lands in the reply box, which takes the focus; no reload
    post.get_by_role("link", name="Quote").click()
    box = page_b.locator("[data-live-reply]")
    expect(box).to_be_focused()
    assert box.input_value().startswith(f"> @{writer.username}:\n> A reply that arrives live")
    assert page_b.evaluate("document.querySelector('#reply input[name=reply_to]').value") == post.get_attribute(
        "data-post-id")
    assert page_b.evaluate("window.__notReloaded") is True
    box.fill("")

    if size == "phone":
        # B starts writing: the next reply waits behind the bar, fixed at the bottom of the screen
        page_b.locator("[data-live-reply]").fill("I am writing…")
        page_b.locator("[data-live-reply]").focus()
        page_a.goto(url)
        page_a.locator("[data-live-reply]").fill("A second live reply")
        page_a.get_by_role("button", name="Post reply").click()
        page_a.wait_for_load_state()
        bar = page_b.locator("[data-live-new-replies]")
        expect(bar).to_be_visible(timeout=10000)
        expect(page_b.locator("[data-live-reply-count]")).to_have_text("2 replies")
        assert bar.evaluate("el => getComputedStyle(el).position") == "fixed"
        box = bar.bounding_box()
        assert box["y"] + box["height"] <= 740 and box["y"] > 740 - 120
        page_b.screenshot(path=os.path.join(artifacts_dir, "live-reply-bar-phone.png"))
