"""In a real browser, at 360 px and on the desktop: a new member signs up, confirms the email from
the message they received, signs in and follows the newcomer checklist to its end, doing each step
where its link leads (profile with avatar and bio, check-in, first topic, an upvote, following a
topic); the rewards land in the balance shown on the checklist; the member redeems a shop item and
sees the order in /me/orders/; an operator fulfils it at /shop/manage/ and the member sees it
fulfilled. Screenshots go to artifacts/browser/tasks-<width>-*.png."""

import io
import os
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from engagement.points.models import PointsAccount, PointsEntry
from engagement.shop.models import ShopItem, ShopOrder
from engagement.tasks.models import Task, TaskProgress
from forum.models import User
from tests.browser import chromium_missing_reason
from tests.engagement.activities import english  # noqa: F401  (autouse)
from tests.factories import CategoryFactory, TopicFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]

NEWCOMER = [
    ("verify-email", "Verify your email", "verify_email", 5),
    ("profile", "Complete your profile", "profile_complete", 10),
    ("first-checkin", "Check in once", "checkin", 5),
    ("first-post", "Write your first post", "post_created", 10),
    ("first-vote", "Upvote a post", "vote_cast", 5),
    ("first-follow", "Follow a topic", "follow_topic", 5),
]


def new_page(browser, live_server, width, user=None):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    cookies = [{"name": "django_language", "value": "en", "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append({"name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url})
    context.add_cookies(cookies)
    return context.new_page()


def png_bytes():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 120), (230, 120, 40)).save(buf, "PNG")
    return buf.getvalue()


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def open_task(page, live_server, slug):
    page.goto(f"{live_server.url}/tasks/")
    page.locator(f'[data-task="{slug}"] .task-name a').click()
    page.wait_for_load_state()


def done_count(page, live_server):
    page.goto(f"{live_server.url}/tasks/")
    return page.locator('[data-section="newcomer"] .task-done').count()


@pytest.mark.parametrize("width", [360, 1280])
def test_newcomer_follows_the_checklist_redeems_and_operator_fulfils(browser, live_server, artifacts_dir, width,
                                                                     settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)

    def shot(p, name):
        p.screenshot(path=os.path.join(folder, f"tasks-{width}-{name}.png"), full_page=True)

    for order, (slug, name, trigger, reward) in enumerate(NEWCOMER):
        Task.objects.create(slug=slug, name=name, trigger=trigger, cadence="once", reward_points=reward,
                            sort_order=order)
    Task.objects.create(slug="daily-reply", name="Reply today", trigger="reply_created", cadence="daily",
                        reward_points=2)
    category = CategoryFactory(name="General chat", slug="general-chat")
    TopicFactory.create(author=UserFactory(username="old_hand"), category=category,
                        title="Welcome thread for new members", body="Say hello here!")
    operator = UserFactory(username="operator", is_staff=True)
    item = ShopItem.objects.create(slug="sticker", name="Huoli sticker pack", price=30, stock=10)

    # sign up, confirm the email from the message, sign in
    page = new_page(browser, live_server, width)
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", "xiaohong@example.com")
    page.fill("input[name=username]", "xiaohong")
    page.fill("input[name=password1]", "a-Long-pass-9876")
    page.fill("input[name=password2]", "a-Long-pass-9876")
    page.locator("form:has(input[name=password2]) button[type=submit]").click()
    page.wait_for_load_state()
    member = User.objects.get(username="xiaohong")
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[-1].body).group(0)
    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), live_server.url))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url or not page.locator("form[action$='/accounts/logout/']").count():
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", "xiaohong")
        page.fill("input[name=password]", "a-Long-pass-9876")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()

    page.goto(f"{live_server.url}/tasks/")
    newcomer = page.locator('[data-section="newcomer"]')
    assert "1 of 6 done" in newcomer.inner_text()
    assert page.locator('[data-task="verify-email"]').get_attribute("class").count("task-done") == 1
    assert "+10 points" in page.locator('[data-task="profile"]').inner_text()
    fits(page, width)
    shot(page, "01-checklist")

    # complete the profile: avatar and bio
    open_task(page, live_server, "profile")
    assert page.url.endswith("/settings/profile/")
    page.fill("textarea[name=bio]", "Hello, I'm Xiaohong from Hangzhou.")
    page.set_input_files("input[name=avatar]", files=[{"name": "me.png", "mimeType": "image/png",
                                                       "buffer": png_bytes()}])
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_load_state()

    # the first check-in
    open_task(page, live_server, "first-checkin")
    page.locator("form[action$='/checkin/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert done_count(page, live_server) == 3

    # the first post
    open_task(page, live_server, "first-post")
    page.select_option("select[name=category]", str(category.pk))
    page.fill("input[name=title]", "Hello from a new member in Hangzhou")
    page.fill("textarea[name=body]", "Happy to join the community. I run a small book club.")
    page.get_by_role("button", name="Publish topic").click()
    page.wait_for_load_state()

    # an upvote and a follow, from the topic list the tasks link to
    open_task(page, live_server, "first-vote")
    page.get_by_role("link", name="Welcome thread for new members").first.click()
    page.wait_for_load_state()
    page.locator(".vote-up").first.click()
    page.wait_for_selector(".vote-up[aria-pressed=true]")
    open_task(page, live_server, "first-follow")
    page.get_by_role("link", name="Welcome thread for new members").first.click()
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()

    # the end of the checklist: every reward paid once, and the balance shows them
    assert done_count(page, live_server) == 6
    assert "You have done every newcomer task" in page.locator('[data-section="newcomer"]').inner_text()
    rewards = PointsEntry.objects.filter(member=member, reason="task_reward")
    assert sorted(rewards.values_list("amount", flat=True)) == sorted(r for *_x, r in NEWCOMER)
    assert TaskProgress.objects.filter(member=member, completed_at__isnull=False, period="once").count() == 6
    balance = PointsAccount.objects.get(member_id=member.pk).balance
    assert balance >= 40
    assert page.locator("[data-balance]").inner_text() == str(balance)
    fits(page, width)
    shot(page, "02-checklist-done")

    # redeem a shop item and see the order
    page.get_by_role("link", name="Spend them in the shop").click()
    page.get_by_role("link", name="Huoli sticker pack").click()
    page.fill("input[name=recipient]", "Xiaohong")
    page.fill("input[name=phone]", "13900000000")
    page.fill("textarea[name=address]", "8 West Lake Road, Hangzhou")
    page.locator("#redeem").click()
    page.wait_for_url("**/me/orders/")
    order = ShopOrder.objects.get(member=member)
    row = page.locator("#my-orders tr.order").first
    assert row.get_attribute("data-status") == "placed" and "Huoli sticker pack" in row.inner_text()
    assert PointsAccount.objects.get(member_id=member.pk).balance == balance - item.price
    fits(page, width)
    shot(page, "03-order")

    # the operator fulfils it at the order desk; the member sees it fulfilled
    desk = new_page(browser, live_server, width, operator)
    desk.goto(f"{live_server.url}/shop/manage/")
    desk.locator(f"#fulfil-{order.pk}").click()
    desk.wait_for_load_state()
    assert desk.locator(f"#order-{order.pk}").get_attribute("data-status") == "fulfilled"
    shot(desk, "04-desk")
    page.goto(f"{live_server.url}/me/orders/")
    assert page.locator("#my-orders tr.order").first.get_attribute("data-status") == "fulfilled"
    shot(page, "05-fulfilled")
