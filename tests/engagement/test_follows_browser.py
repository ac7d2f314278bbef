"""In a real browser, at 360 px and on the desktop: a member follows another member
from the profile and a category from its page (the buttons swap in place through htmx), then opens the feed
from the header and reads what they posted; nothing scrolls sideways. Screenshots go to
artifacts/browser/follows-<width>-<scheme>-*.png (the site has no dark theme yet; the dark run checks that
nothing of following breaks when the browser asks for one)."""

import os

import pytest
from django.conf import settings
from django.test import Client

from engagement.follows.models import Follow
from tests.browser import chromium_missing_reason
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]


def _page(browser, live_server, width, scheme, user):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US", color_scheme=scheme)
    client = Client()
    client.force_login(user)
    context.add_cookies([
        {"name": "django_language", "value": "en", "url": live_server.url},
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
    ])
    return context.new_page()


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


@pytest.mark.parametrize("width,scheme", [(360, "light"), (360, "dark"), (1280, "light")])
def test_a_member_follows_a_member_and_a_category_and_reads_the_feed(browser, live_server, artifacts_dir,
                                                                      width, scheme):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    reader = UserFactory(username=f"reader{width}{scheme}")
    author = UserFactory(username=f"author{width}{scheme}", display_name="A writer with a rather long name")
    category = CategoryFactory(name="Design and accessibility", slug=f"design-{width}-{scheme}")
    TopicFactory.create(author=author, title="Notes on building for 360 pixel wide phones", tags=["mobile"])
    TopicFactory.create(author=UserFactory(), category=category, title="A new topic in the followed category")
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page = _page(browser, live_server, width, scheme, reader)

    page.goto(f"{live_server.url}/feed/")
    assert page.get_by_role("heading", name="Your feed is empty").is_visible()
    _fits(page, width)
    page.screenshot(path=os.path.join(folder, f"follows-{width}-{scheme}-empty.png"), full_page=True)

    page.goto(f"{live_server.url}/u/{author.username}/")
    button = page.locator(".follow-profile .follow-button")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    page.wait_for_selector('.follow-profile .follow-button[aria-pressed="true"]')
    assert "You are following" in page.locator(".follow-profile [role=status]").inner_text()
    assert "1 follower" in page.locator(".follow-numbers").inner_text()  # the counts swap with the button
    _fits(page, width)
    page.screenshot(path=os.path.join(folder, f"follows-{width}-{scheme}-profile.png"), full_page=True)

    page.goto(f"{live_server.url}{category.get_absolute_url()}")
    page.wait_for_selector(".follow-slot .follow-button")
    page.locator(".follow-slot .follow-button").click()
    page.wait_for_selector('.follow-slot .follow-button[aria-pressed="true"]')
    _fits(page, width)
    assert Follow.objects.filter(follower=reader).count() == 2

    page.locator(".user-menu > summary").click()  # Feed is in the avatar menu
    page.locator('.user-menu a[href="/feed/"]').click()
    page.wait_for_url(f"{live_server.url}/feed/")  # the feed itself, not the category page still showing
    page.wait_for_selector(".feed-list")
    items = page.locator(".feed-item")
    assert items.count() == 2
    text = page.locator(".feed-list").inner_text()
    assert "Notes on building for 360 pixel wide phones" in text and "A new topic in the followed category" in text
    _fits(page, width)
    page.screenshot(path=os.path.join(folder, f"follows-{width}-{scheme}-feed.png"), full_page=True)
