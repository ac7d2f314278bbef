"""In a real browser: a member creates a topic with a poll from the new-topic form, and another
member votes on the topic page (the widget swaps itself through htmx, without a page load).
Screenshots go to artifacts/browser/poll-*.png."""

import os

import pytest

from engagement.polls.models import Ballot, Poll
from forum.models import Topic
from tests.browser import chromium_missing_reason
from tests.engagement.activities import (
    english,  # noqa: F401  (autouse)
    set_level,
)
from tests.engagement.test_lottery_browser import signed_in_page
from tests.factories import CategoryFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]


def shot(page, artifacts_dir, name):
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"poll-{name}.png"), full_page=True)


def test_member_creates_a_topic_with_a_poll_and_another_votes(browser, live_server, artifacts_dir):  # noqa: F811
    category = CategoryFactory(name="Meetups", slug="meetups")
    author = UserFactory(username="xiaohong")
    set_level(author, 2)  # Lv2: may create polls
    voter = UserFactory(username="xiaoming")

    page = signed_in_page(browser, live_server, author)
    page.goto(f"{live_server.url}/new/")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "Team dinner this Friday")
    page.fill("#id_body", "Let us choose a place together.")
    page.locator("details.poll-form-section summary").click()
    page.get_by_label("Question").fill("Where shall we eat?")
    page.get_by_label("Options").fill("Hotpot\nDumplings\nNoodles")
    shot(page, artifacts_dir, "01-new-topic-form")
    page.get_by_role("button", name="Publish topic").click()
    page.wait_for_load_state()
    topic = Topic.objects.get(title="Team dinner this Friday")
    assert page.url.endswith(topic.get_absolute_url())
    assert page.get_by_role("heading", name="Poll: Where shall we eat?").is_visible()
    poll = Poll.objects.get(topic=topic)
    shot(page, artifacts_dir, "02-topic-with-poll")

    other = signed_in_page(browser, live_server, voter)
    other.goto(f"{live_server.url}{topic.get_absolute_url()}")
    widget = other.locator(f"[data-live-refresh='poll:{poll.pk}']")
    assert widget.get_attribute("data-fragment-url").startswith(f"/polls/{poll.pk}/fragment/")
    widget.get_by_label("Dumplings").check()
    widget.get_by_role("button", name="Vote").click()
    other.get_by_text("Your vote is counted.").wait_for()
    swapped = other.locator(f"#poll-{poll.pk}")
    assert "1 vote · 100%" in swapped.inner_text() and "your choice" in swapped.inner_text()
    assert Ballot.objects.filter(poll=poll, member=voter).exists()
    shot(other, artifacts_dir, "03-voted-on-topic-page")

    page.reload()
    assert "1 voter" in page.locator(f"#poll-{poll.pk}").inner_text()
    shot(page, artifacts_dir, "04-author-sees-the-vote")
