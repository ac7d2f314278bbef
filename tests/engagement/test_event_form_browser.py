"""A moderator on a 360 px phone, in Chinese, in Debian's Chromium: creates an event with a points multiplier
from the rows of the event form (a rule, a category, a factor: nothing typed as code), finds it again in the
edit form, then locks a topic from its page and moves it with the move tool, reading what each did.
Screenshots go to artifacts/browser/event-form-*.png."""

import os
import re

import pytest

from tests.browser import chromium_missing_reason, launch
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


def shot(page, artifacts_dir, name):
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"event-form-{name}.png"), full_page=True)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_moderator_sets_a_multiplier_and_moderates_on_a_phone(browser, live_server, artifacts_dir):
    from django.contrib.auth.models import Group

    from engagement.points.models import TimedMultiplier
    from forum.models import Topic

    qa = CategoryFactory(name="技术问答", slug="tech-qa", position=2)
    home = CategoryFactory(name="闲聊", slug="chat", position=1)
    mod = UserFactory(username="yunying")
    mod.groups.add(Group.objects.get(name="Moderators"))
    topic = TopicFactory.create(category=home, title="这个话题放错了分类")

    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/events/new/")
    page.locator("input[name=login]").fill("yunying")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/events/new/$"))

    page.get_by_label("标题", exact=True).fill("问答双倍周")
    page.locator("input[name=starts_at]").fill("2030-01-01T10:00")
    page.locator("input[name=ends_at]").fill("2030-01-08T10:00")
    row = page.locator(".multiplier-row").first
    row.get_by_label("积分项目", exact=True).select_option(label="回复")
    row.get_by_label("所在分类", exact=True).select_option(label="技术问答")
    row.get_by_label("倍数", exact=True).fill("0")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    assert page.locator(".multiplier-row").first.get_by_text("倍数必须大于 0 且不超过 10，最多两位小数。").is_visible()
    assert page.locator(".multiplier-row").first.get_by_label("所在分类", exact=True).input_value() == str(qa.pk)  # kept
    shot(page, artifacts_dir, "01-error")
    assert fits(page)
    page.locator(".multiplier-row").first.get_by_label("倍数", exact=True).fill("2")
    page.locator("input[name=starts_at]").fill("2030-01-01T10:00")
    page.locator("input[name=ends_at]").fill("2030-01-08T10:00")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    (timed,) = TimedMultiplier.objects.select_related("rule")
    assert (timed.rule.code, timed.category_id, timed.multiplier) == ("reply_created", qa.pk, 2)

    page.goto(f"{page.url}edit/")
    row = page.locator(".multiplier-row").first
    assert row.get_by_label("积分项目", exact=True).input_value() == "reply_created"
    assert row.get_by_label("所在分类", exact=True).input_value() == str(qa.pk)
    assert row.get_by_label("倍数", exact=True).input_value() == "2.00"
    assert page.locator(".multiplier-row").count() == 3  # and two empty rows
    shot(page, artifacts_dir, "02-edit")
    assert fits(page)

    # the topic's own tools: lock, and read what happened
    page.goto(f"{live_server.url}{topic.get_absolute_url()}")
    page.locator("summary", has_text="管理").first.click()
    page.once("dialog", lambda dialog: dialog.accept())  # "Lock this topic?" (data-confirm)
    page.get_by_role("button", name="锁定").click()
    # htmx swaps the buttons in place, in their new state, with the verb's message beside them
    status = page.locator(".mod-actions [role=status]")
    status.wait_for()
    assert status.inner_text() == "话题已锁定。"
    assert page.locator(".mod-actions").get_by_role("button", name="解锁").is_visible()
    shot(page, artifacts_dir, "03-locked")

    # the move tool starts on "choose a category" and does not offer the topic's own
    page.goto(f"{live_server.url}/mod/t/{topic.pk}/")
    select = page.locator("#move-category")
    assert select.input_value() == ""
    assert "闲聊" not in select.inner_text()
    select.select_option(label="技术问答")
    page.get_by_role("button", name="移动", exact=True).click()
    page.wait_for_load_state("load")
    assert page.locator(".messages").get_by_text("已将话题移动到「技术问答」。", exact=True).is_visible()
    assert Topic.objects.get(pk=topic.pk).category_id == qa.pk
    shot(page, artifacts_dir, "04-moved")
    context.close()
