"""A newcomer's first day, in a real browser: sign up, confirm the email from the outbox, start a
topic; a second member replies and upvotes. Screenshots go to artifacts/browser/."""

import os
import re

import pytest

from tests.browser import chromium_missing_reason
from tests.factories import CategoryFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]


def shot(page, artifacts_dir, name):
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def new_page(browser, live_server, *, width=390, height=844):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return context.new_page()


def test_signup_confirm_post_reply_vote(browser, live_server, mailoutbox, artifacts_dir):
    category = CategoryFactory(name="General", slug="general")
    replier = UserFactory(username="lihua")

    # 1. sign up
    page = new_page(browser, live_server)
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label(re.compile("^Email", re.I)).fill("xiaoming@example.com")
    page.get_by_label(re.compile("^Username", re.I)).fill("xiaoming")
    page.get_by_label(re.compile("^Password$", re.I)).fill("a-long-unusual-passphrase-42")
    page.get_by_label(re.compile("Password \\(again\\)", re.I)).fill("a-long-unusual-passphrase-42")
    shot(page, artifacts_dir, "01-signup")
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    page.wait_for_load_state()
    assert "verify" in page.url or page.get_by_text(re.compile("verification", re.I)).first.is_visible()
    shot(page, artifacts_dir, "02-verify-sent")

    # 2. confirm the email from the outbox
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["xiaoming@example.com"]
    path = re.search(r"/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.wait_for_load_state()
    shot(page, artifacts_dir, "03-confirmed")
    page.goto(f"{live_server.url}/notifications/")
    if "/accounts/login/" in page.url:  # allauth did not sign in on confirmation: sign in
        page.locator("input[name=login]").fill("xiaoming")
        page.locator("input[name=password]").fill("a-long-unusual-passphrase-42")
        page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
        page.wait_for_load_state()
    assert "/notifications/" in page.url

    # 3. start a topic
    page.goto(f"{live_server.url}/new/?category={category.slug}")
    assert page.get_by_label("Category").input_value() == str(category.pk)  # preselected from the link
    page.get_by_label(re.compile("^Title", re.I)).fill("如何发掘社区中的KOL用户")
    page.get_by_label(re.compile("^Body|^Message|^Content", re.I)).fill("大家好！**有什么经验**可以分享吗？")
    page.get_by_role("button", name=re.compile("Publish", re.I)).click()
    page.wait_for_load_state()
    shot(page, artifacts_dir, "04-topic-created")
    assert page.get_by_role("heading", name="如何发掘社区中的KOL用户").is_visible()
    assert page.locator("strong", has_text="有什么经验").is_visible()
    topic_url = page.url

    # 4. a second member signs in, replies and upvotes the opening post
    other = new_page(browser, live_server, width=1280, height=900)
    other.goto(f"{live_server.url}/accounts/login/")
    other.locator("input[name=login]").fill(replier.username)
    other.locator("input[name=password]").fill("correct-horse-battery")
    other.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    other.wait_for_load_state()
    other.goto(topic_url)
    other.locator("form[action$='/reply/'] textarea").fill("我觉得要看**互动质量**，不是粉丝数。")
    other.get_by_role("button", name=re.compile("Post reply", re.I)).click()
    other.wait_for_load_state()
    assert other.locator("strong", has_text="互动质量").is_visible()
    first_post_vote = other.locator(".vote").first
    first_post_vote.get_by_role("button", name=re.compile("^Upvote", re.I)).click()
    other.wait_for_timeout(300)
    assert first_post_vote.locator(".score").inner_text().strip() == "1"
    shot(other, artifacts_dir, "05-reply-and-vote-desktop")

    # 5. the author sees the reply and the vote, and a notification
    page.goto(topic_url)
    assert page.locator("strong", has_text="互动质量").is_visible()
    assert page.locator(".vote .score").first.inner_text().strip() == "1"
    page.goto(f"{live_server.url}/notifications/")
    assert page.get_by_text(re.compile("lihua", re.I)).first.is_visible()
    shot(page, artifacts_dir, "06-notifications")

    from forum.models import Post, Topic

    topic = Topic.objects.get(title="如何发掘社区中的KOL用户")
    assert topic.author.username == "xiaoming" and topic.reply_count == 1
    assert Post.objects.get(topic=topic, number=1).score == 1
