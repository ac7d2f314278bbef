"""The composer in a real browser at 360x740 and 1280x900 (issue 15): the preview shows the
server-rendered Markdown (a Preview tab on the phone, side by side on the desktop), @mention
autocomplete inserts a username, an uploaded image shows in the preview and the post, and the
draft is restored after a reload and gone once the topic is published. Screenshots in
artifacts/composer-*.png."""

import io
import os

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from engagement.levels.models import MemberLevel
from forum.composer.models import Draft
from tests.factories import CategoryFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SIZES = {"phone": (360, 740), "desktop": (1280, 900)}


def png():
    buf = io.BytesIO()
    Image.new("RGB", (800, 300), (200, 80, 30)).save(buf, format="PNG")
    return buf.getvalue()


def signed_in_page(browser, live_server, user, size):
    width, height = SIZES[size]
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.add_cookies([
        {"name": "django_language", "value": "en", "url": live_server.url},
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
    ])
    return context, context.new_page()


def shot(page, artifacts_dir, name):
    os.makedirs(artifacts_dir, exist_ok=True)
    page.screenshot(path=os.path.join(artifacts_dir, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_preview_mention_image_and_draft_in_the_new_topic_composer(browser, live_server, artifacts_dir, size):
    from playwright.sync_api import expect

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    width = SIZES[size][0]
    category = CategoryFactory(name="General", slug=f"general-{size}")
    member = UserFactory(username=f"writer_{size}")
    MemberLevel.objects.create(member=member, level_number=3)  # images allowed
    UserFactory(username=f"alice_{size}", display_name="Alice Wang")
    errors = []
    context, page = signed_in_page(browser, live_server, member, size)
    # live_server speaks HTTP only: the live client's WebSocket attempts fail there, nothing else may
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "WebSocket" not in m.text else None)
    page.goto(f"{live_server.url}/new/?category={category.slug}")
    page.fill("#id_title", "Composer check from the browser")
    body = page.locator("#id_body")
    preview = page.locator("[data-composer-preview]")
    tab = page.get_by_role("tab", name="Preview")

    # @mention autocomplete: "@ali" lists the member, Enter inserts "@alice_<size> "
    body.fill("Hello **bold world** and @ali")
    option = page.locator("[data-composer-mentions] [role=option]").first
    expect(option).to_contain_text(f"@alice_{size}")
    body.press("Enter")
    expect(page.locator("[data-composer-mentions]")).to_be_hidden()
    assert body.input_value() == f"Hello **bold world** and @alice_{size} "

    # the image button uploads and inserts the Markdown at the cursor
    page.locator("[data-image-input]").set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png()}])
    expect(page.locator("[data-image-status]")).to_have_text("Image inserted.")
    assert "![](/media/uploads/" in body.input_value()

    if size == "phone":  # tabs: the preview replaces the textarea
        expect(tab).to_be_visible()
        expect(preview).to_be_hidden()
        tab.click()
        expect(body).to_be_hidden()
    else:  # side by side: both at once, no tabs
        expect(tab).to_be_hidden()
        expect(body).to_be_visible()
    expect(preview.locator("strong")).to_have_text("bold world")
    expect(preview.locator("a.mention, a[href*='/u/alice_']").first).to_be_visible()
    image = preview.locator("img")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-composer-preview] img').complete")
    assert page.evaluate("document.querySelector('[data-composer-preview] img').naturalWidth") == 800
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, artifacts_dir, f"composer-preview-{size}")

    # the draft is saved (debounced) and restored after a reload
    expect(page.locator("[data-composer-draft-status]")).to_have_text("Draft saved.", timeout=10000)
    page.reload()
    expect(page.locator("[data-composer-draft-status]")).to_have_text("Your draft was restored.")
    assert page.locator("#id_body").input_value().startswith(f"Hello **bold world** and @alice_{size} ")
    assert page.input_value("#id_title") == "Composer check from the browser"
    shot(page, artifacts_dir, f"composer-draft-restored-{size}")

    page.get_by_role("button", name="Publish topic").click()
    expect(page.locator(".post-body strong").first).to_have_text("bold world")
    expect(page.locator(".post-body img").first).to_be_visible()
    assert not Draft.objects.filter(user=member).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, artifacts_dir, f"composer-published-{size}")
    assert errors == []
    context.close()
