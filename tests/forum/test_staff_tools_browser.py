"""In a real browser, at 360x740 and 1280x900: a moderator creates an event with a points multiplier through
the form (its topic picked from a chooser), features a topic from the chooser of the Wagtail "Featured"
screen, bans a member from the member's moderation page (after confirming), and finds each of the three
actions in the audit log by filtering with the choosers (keyboard: type, arrow down, Enter). Nothing scrolls
sideways. Screenshots: artifacts/browser/staff-tools-<width>-*.png."""

import os

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client

from audit.models import AuditLog
from engagement.events.models import Event
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _page(browser, live_server, contexts, width, height, user):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    contexts.append(context)
    client = Client()
    client.force_login(user)
    context.add_cookies([
        {"name": "django_language", "value": "en", "url": live_server.url},
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
    ])
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations (data-confirm)
    return page


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def _choose(page, input_id, text, label):
    """Type into a chooser, walk to the option with the keyboard and press Enter."""
    box = page.locator(f"#{input_id}")
    box.click()
    box.fill(text)
    listbox = page.locator(f"#{input_id}-listbox")
    page.wait_for_selector(f'#{input_id}-listbox[data-query="{text}"]:not([hidden])')
    options = listbox.locator(".chooser-option")
    index = next(i for i in range(options.count()) if label in options.nth(i).inner_text())
    for _ in range(index + 1):
        box.press("ArrowDown")
    assert options.nth(index).get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.nth(index).get_attribute("id")
    box.press("Enter")
    assert listbox.is_hidden()


@pytest.mark.parametrize("width,height", [(360, 740), (1280, 900)])
def test_moderator_event_feature_ban_and_audit(browser, live_server, artifacts_dir, contexts, width, height):
    from django.contrib.auth.models import Group

    from engagement.points.models import PointsRule
    from engagement.points.selectors import rules_invalidate

    PointsRule.objects.get_or_create(code="reply_created", defaults={"name": "回复", "points": 2})  # after a flush
    rules_invalidate()
    moderator = UserFactory(username=f"mod{width}", display_name=f"版主{width}")
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    moderator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    target = UserFactory(username=f"spammer{width}", display_name=f"广告号{width}")
    category = CategoryFactory(name=f"技术问答{width}", slug=f"tech-qa-{width}")
    event_topic = TopicFactory.create(author=UserFactory(), category=category, title=f"编程马拉松报名帖{width}")
    feature_topic = TopicFactory.create(author=UserFactory(), category=category, title=f"如何写出好的测试{width}")
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    shot = lambda name: page.screenshot(path=os.path.join(folder, f"staff-tools-{width}-{name}.png"),  # noqa: E731
                                        full_page=True)
    page = _page(browser, live_server, contexts, width, height, moderator)

    # 1. an event with a multiplier, through the form
    page.goto(f"{live_server.url}/events/new/")
    page.fill("#id_title", f"编程马拉松{width}")
    page.fill("#id_description", "一起写代码，回复双倍积分。")
    page.fill("#id_starts_at", "2030-01-10T10:00")
    page.fill("#id_ends_at", "2030-01-20T18:00")
    _choose(page, "id_topics", "编程马拉松", f"编程马拉松报名帖{width}")
    assert page.locator("[data-chooser-chosen] li", has_text=f"编程马拉松报名帖{width}").count() == 1
    page.select_option("#id_multipliers-0-rule", "reply_created")
    page.select_option("#id_multipliers-0-category", label=f"技术问答{width}")
    page.fill("#id_multipliers-0-factor", "2")
    _fits(page, width)
    shot("event-form")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_selector(".messages, [role=status], .alert")
    event = Event.objects.get(title=f"编程马拉松{width}")
    assert list(event.topics.values_list("pk", flat=True)) == [event_topic.pk]
    from engagement.events.selectors import event_multipliers

    assert [(code, cat.pk, float(factor)) for code, cat, factor in event_multipliers(event=event)] == [
        ("reply_created", category.pk, 2.0)]
    shot("event-created")

    # 2. feature a topic from the chooser of the Wagtail screen
    page.goto(f"{live_server.url}/cms/featured/")
    _choose(page, "id_topic", "好的测试", f"如何写出好的测试{width}")
    page.fill("#id_note", "值得一读")
    shot("feature-form")
    page.get_by_role("button", name="Feature", exact=True).click()
    page.wait_for_selector(f"text=Featured: 如何写出好的测试{width}")
    feature_topic.refresh_from_db()
    assert feature_topic.is_featured

    # 3. ban the member from the member's moderation page (after the confirmation)
    page.goto(f"{live_server.url}/mod/u/{target.username}/")
    _fits(page, width)
    page.select_option("#id_kind", "ban")
    page.fill("#id_reason", "批量发广告")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_selector(f"text=广告号{width} is banned.")
    target.refresh_from_db()
    assert target.is_banned
    _fits(page, width)
    shot("member-banned")

    # 4. each action in the audit log, found with the choosers
    page.goto(f"{live_server.url}/mod/audit/")
    _choose(page, "id_actor", f"mod{width}", f"版主{width}")
    page.select_option("#a-action", "event.create")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_selector("td[data-label=What]")
    rows = page.locator(".audit-table > tbody > tr")
    assert rows.count() == 1 and "Create an event" in rows.first.inner_text()
    assert f"编程马拉松{width}" in rows.first.inner_text()
    _fits(page, width)
    shot("audit-event")

    page.goto(f"{live_server.url}/mod/audit/")
    _choose(page, "id_topic", "好的测试", f"如何写出好的测试{width}")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_selector("td[data-label=What]")
    text = page.locator(".audit-table").inner_text()
    assert "Feature a topic" in text
    _fits(page, width)
    shot("audit-feature")

    page.goto(f"{live_server.url}/mod/audit/")
    _choose(page, "id_subject", f"spammer{width}", f"广告号{width}")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_selector("td[data-label=What]")
    text = page.locator(".audit-table").inner_text()
    assert "Ban a member" in text and "批量发广告" in text
    _fits(page, width)
    shot("audit-ban")
    assert AuditLog.objects.filter(actor=moderator).count() >= 3
