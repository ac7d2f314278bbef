"""In a real browser: a member redeems a physical item with a delivery address and sees the order;
an operator opens the order desk (where the address is shown), fulfils and ships it; the member sees
it shipped with its tracking note. Screenshots go to artifacts/browser/shop-*.png.
(The newcomer checklist part of issue 22 is in test_tasks_browser.py.)"""

import os

import pytest
from django.conf import settings
from django.test import Client

from engagement.points import services as points
from engagement.shop.models import ShopItem, ShopOrder
from tests.browser import chromium_missing_reason
from tests.engagement.activities import english  # noqa: F401  (autouse)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]


def signed_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies([
        {"name": "django_language", "value": "en", "url": live_server.url},
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
    ])
    return context.new_page()


def shot(page, artifacts_dir, name):
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"shop-{name}.png"), full_page=True)


def test_member_redeems_and_operator_fulfils_and_ships(browser, live_server, artifacts_dir):
    operator = UserFactory(username="operator", is_staff=True)
    member = UserFactory(username="xiaoming")
    points.points_award(member=member, rule_code="checkin_streak_bonus", amount=500, source_type="t", source_id="1")
    item = ShopItem.objects.create(slug="mug", name="Huoli mug", price=300, stock=5)

    page = signed_in_page(browser, live_server, member)
    page.goto(f"{live_server.url}/shop/")
    assert "Your balance: 500 points" in page.locator("#shop-balance").inner_text()
    page.get_by_role("link", name="Huoli mug").click()
    page.fill("input[name=recipient]", "Xiao Ming")
    page.fill("input[name=phone]", "13800000000")
    page.fill("textarea[name=address]", "1 Demo Road, Shanghai")
    page.locator("#redeem").click()
    page.wait_for_url("**/me/orders/")
    order = ShopOrder.objects.get(member=member)
    assert page.locator("#my-orders tr.order").first.get_attribute("data-status") == "placed"
    assert "Huoli mug" in page.locator("#my-orders").inner_text()
    shot(page, artifacts_dir, "01-ordered")

    desk = signed_in_page(browser, live_server, operator)
    desk.goto(f"{live_server.url}/shop/manage/")
    card = desk.locator(f"#order-{order.pk}")
    assert "1 Demo Road, Shanghai" in card.inner_text()
    card.locator(f"#fulfil-{order.pk}").click()
    desk.wait_for_load_state()
    card = desk.locator(f"#order-{order.pk}")
    assert card.get_attribute("data-status") == "fulfilled"
    card.locator("input[name=tracking_note]").fill("SF123456")
    card.get_by_role("button", name="Ship").click()
    desk.wait_for_load_state()
    assert desk.locator(f"#order-{order.pk}").get_attribute("data-status") == "shipped"
    shot(desk, artifacts_dir, "02-desk")

    page.goto(f"{live_server.url}/me/orders/")
    row = page.locator("#my-orders tr.order").first
    assert row.get_attribute("data-status") == "shipped" and "SF123456" in row.inner_text()
    item.refresh_from_db()
    assert item.stock == 4
    page.goto(f"{live_server.url}/shop/")
    assert "Your balance: 200 points" in page.locator("#shop-balance").inner_text()
    shot(page, artifacts_dir, "03-shipped")
