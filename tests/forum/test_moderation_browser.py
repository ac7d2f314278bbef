"""A category moderator works the moderation queue in Debian's Chromium: signs in, opens the queue,
claims the heaviest report, upholds it (deleting the post), then approves a held first post. Every
page visited must satisfy the Content-Security-Policy: no violation reaches the console.
Screenshots go to artifacts/browser/moderation-*.png."""

import os
import re

import pytest

from tests.browser import chromium_missing_reason
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

PASSWORD = "correct-horse-battery"


def shot(page, artifacts_dir, name):
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"moderation-{name}.png"), full_page=True)


def test_moderator_works_the_queue_and_pages_satisfy_the_csp(browser, live_server, artifacts_dir, settings):
    from forum import services
    from forum.models import Category, Post
    from forum.moderation import moderators, reports
    from forum.moderation.models import ModerationItem

    settings.HUOLI = {**settings.HUOLI, "REPORT_AUTO_HIDE_WEIGHT": 50}
    staff = UserFactory(is_staff=True)
    category = CategoryFactory(name="Watches", slug="watches")
    mod = UserFactory(username="banzhu")
    moderators.moderator_appoint(actor=staff, member=mod, category=category)
    topic = TopicFactory.create(category=category, title="Which watch for a first job?")
    spam = services.post_create(actor=UserFactory(), topic=topic, body="Replica watches, cheap, DM me")
    for _ in range(2):
        reports.report_create(actor=UserFactory(), target=spam, reason="spam", message="advert")
    Category.objects.filter(pk=category.pk).update(approve_new_members=True)
    category.refresh_from_db()
    newcomer = UserFactory(username="newbie")
    held = services.post_create(actor=newcomer, topic=topic, body="I like automatic watches myself.")
    assert held.is_pending

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)

    # the public pages, as a guest
    for path in ("/", "/latest/", category.get_absolute_url(), topic.get_absolute_url(), "/accounts/login/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.classList.contains('js')"), path  # forum.js ran
    shot(page, artifacts_dir, "01-topic-guest")

    # sign in
    page.goto(f"{live_server.url}/accounts/login/?next=/mod/")
    page.locator("input[name=login]").fill("banzhu")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/mod/$"))
    shot(page, artifacts_dir, "02-queue")
    assert page.locator(".queue-item").count() == 2
    # the moderation queue is in the avatar menu's staff section (issue 15's compact header)
    assert page.locator('header a[href="/mod/"]').count() >= 1

    # the heaviest item first: the report
    page.locator(".queue-item a").first.click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Replica watches").first.is_visible()
    page.get_by_role("button", name="Claim").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Claimed by").is_visible()
    page.get_by_label("Decision").select_option("upheld")
    page.get_by_label("Also").select_option("delete")
    page.get_by_label("Note").fill("advertising")
    shot(page, artifacts_dir, "03-item")
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_url(re.compile(r"/mod/$"))
    assert page.locator(".queue-item").count() == 1
    assert Post.objects.get(pk=spam.pk).is_deleted

    # then the held first post: approve it
    page.locator(".queue-item a").first.click()
    page.wait_for_load_state("load")
    assert page.get_by_text("I like automatic watches myself.").is_visible()
    page.get_by_label("Decision").select_option("approved")
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_url(re.compile(r"/mod/$"))
    assert page.get_by_text("Nothing to review").is_visible()
    shot(page, artifacts_dir, "04-queue-empty")
    held.refresh_from_db()
    assert held.is_visible and not held.is_pending
    assert ModerationItem.objects.filter(status="open").count() == 0

    # the moderator's other pages
    for path in ("/mod/?status=resolved", "/mod/audit/", topic.get_absolute_url(), f"/mod/t/{topic.pk}/",
                 f"/mod/p/{held.pk}/", "/notifications/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.classList.contains('js')"), path
    shot(page, artifacts_dir, "05-audit")
    assert violations == []
    context.close()
