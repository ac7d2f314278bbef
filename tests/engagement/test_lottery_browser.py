"""In a real browser: a member enters a lottery, a moderator draws it with the promised public
salt, the member sees the win, and the published audit.json re-computes with tools/verify_draw.py.
Screenshots go to artifacts/browser/lottery-*.png."""

import datetime
import json
import os
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from engagement.lotteries import services
from engagement.lotteries.models import Lottery
from tests.browser import chromium_missing_reason
from tests.engagement.activities import (
    english,  # noqa: F401  (autouse)
    load_verifier,
)
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
    page.screenshot(path=os.path.join(folder, f"lottery-{name}.png"), full_page=True)


def test_member_enters_and_moderator_draws(browser, live_server, artifacts_dir):
    host = UserFactory(username="host", is_staff=True)
    member = UserFactory(username="xiaoming")
    now = timezone.now()
    lottery = services.lottery_create(actor=host, title="周年抽奖", prize="机械键盘", winners_count=1,
                                      opens_at=now - datetime.timedelta(minutes=5),
                                      closes_at=now + datetime.timedelta(hours=1),
                                      salt_source="the word the moderator says at the draw")
    url = f"{live_server.url}{lottery.get_absolute_url()}"

    page = signed_in_page(browser, live_server, member)
    page.goto(url)
    page.locator("#enter-lottery").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your ticket is 1:xiaoming").is_visible()
    assert page.locator("#my-entry").inner_text().startswith("You entered with ticket 1:xiaoming")
    shot(page, artifacts_dir, "01-entered")

    # time passes: the entry window ends (the moderator then draws by hand with the promised salt)
    Lottery.objects.filter(pk=lottery.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    mod = signed_in_page(browser, live_server, host)
    mod.goto(url)
    mod.get_by_label("Public salt").fill("banana")
    shot(mod, artifacts_dir, "02-before-draw")
    mod.locator("#draw-lottery").click()
    mod.wait_for_load_state()
    assert mod.get_by_text("Drawn. The winners are notified.").is_visible()
    assert re.search(r"Xiaoming\s+1:xiaoming", mod.locator("#winners").inner_text())
    shot(mod, artifacts_dir, "03-drawn")

    page.reload()
    assert page.get_by_text("You won!").is_visible()
    assert page.get_by_role("heading", name="How to verify").is_visible()
    shot(page, artifacts_dir, "04-member-won")
    audit = json.loads(page.request.get(f"{url}audit.json").text())
    assert audit["public_salt"] == "banana" and audit["winners"] == ["1:xiaoming"]
    assert load_verifier().verify(audit) == []
