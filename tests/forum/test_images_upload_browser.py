"""The composer's "Insert image" button in a real browser at 360 px: choose a file, see the upload's
feedback, get the Markdown at the cursor, publish, and see the image fit the phone's width; a file
that is not an image shows the server's message inline. Screenshots go to artifacts/browser/."""

import io
import os

import pytest
from django.test import Client
from PIL import Image

from engagement.levels.models import MemberLevel
from tests.browser import chromium_missing_reason
from tests.factories import CategoryFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(chromium_missing_reason() is not None, reason=chromium_missing_reason() or ""),
]


def wide_png():
    buf = io.BytesIO()
    Image.new("RGB", (1600, 400), (30, 120, 200)).save(buf, format="PNG")
    return buf.getvalue()


def signed_in_page(browser, live_server, user, *, width=360, height=780):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.add_cookies([
        {"name": "django_language", "value": "en", "url": live_server.url},
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
    ])
    return context.new_page()


def shot(page, artifacts_dir, name):
    folder = os.path.join(artifacts_dir, "browser")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_insert_an_image_from_the_topic_composer_at_360px(browser, live_server, artifacts_dir):
    CategoryFactory(name="General", slug="general")
    member = UserFactory(username="photographer")
    MemberLevel.objects.create(member=member, level_number=3)
    page = signed_in_page(browser, live_server, member)
    page.goto(f"{live_server.url}/new/")
    button = page.get_by_label("Insert image")
    assert page.locator("[data-image-upload]").is_visible()
    page.select_option("#id_category", label="General")
    page.fill("#id_title", "A photo from the mountains")
    page.fill("#id_body", "Before the image.")

    # a file that only pretends to be a PNG: the server's message, inline
    button.set_input_files(files=[{"name": "fake.png", "mimeType": "image/png", "buffer": b"not an image at all"}])
    status = page.locator("[data-image-status]")
    status.filter(has_text="not an image").wait_for()
    assert "composer-error" in status.get_attribute("class")

    button.set_input_files(files=[{"name": "wide.png", "mimeType": "image/png", "buffer": wide_png()}])
    status.filter(has_text="Image inserted.").wait_for()
    body = page.input_value("#id_body")
    assert body.startswith("Before the image.\n![](/media/uploads/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, artifacts_dir, "image-upload-composer-360")

    page.get_by_role("button", name="Publish topic").click()
    img = page.locator(".post-body img").first
    img.wait_for()
    page.wait_for_function("() => document.querySelector('.post-body img').complete")
    box = img.bounding_box()
    assert box["width"] <= 360 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.querySelector('.post-body img').naturalWidth") == 1600
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, artifacts_dir, "image-upload-post-360")
