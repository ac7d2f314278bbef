"""Images uploaded from the composer (issues 15 and 23): forum.services.image_upload behind
forum:image_upload (JSON for the composer's button) and POST /api/v1/images. Checked by content,
capped in bytes and pixels, re-encoded without metadata under a random name, rate-limited, refused
to guests, silenced members and levels whose posts may hold no image; rendered posts and messages
show the image, and the sanitizer keeps only safe image sources."""

import io
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from engagement.levels.models import Level, MemberLevel
from forum import services
from forum.markdown import render_markdown, sanitize_html
from forum.models import UploadedImage
from tests.factories import CategoryFactory, TopicFactory, UserFactory
from tests.forum.test_images import _english, encode  # noqa: F401  (_english: autouse)

pytestmark = pytest.mark.django_db

URL = "/uploads/images/"
NAME_RE = re.compile(r"^/media/uploads/\d{4}/\d{2}/[A-Za-z0-9_-]{20,}\.(png|jpg|gif|webp)$")


def png_with_text():
    info = PngInfo()
    info.add_text("Comment", "secret payload <script>alert(1)</script>")
    return encode(Image.new("RGB", (64, 48), "red"), "PNG", pnginfo=info)


def jpeg_with_gps():
    image = Image.new("RGB", (80, 60), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees
    gps = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    exif[0x8825] = gps
    return encode(image, "JPEG", exif=exif.tobytes())


def upload(data, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files():
    root = Path(django_settings.MEDIA_ROOT) / "uploads"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def poster(db):
    user = UserFactory(username="poster")
    MemberLevel.objects.create(member=user, level_number=3)
    return user


@pytest.fixture
def browser(poster):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(poster)
    return client


def post_image(client, data, **kwargs):
    return client.post(URL, {"image": upload(data, **kwargs)})


def saved_image(response):
    url = response.json()["url"]
    return Image.open(Path(django_settings.MEDIA_ROOT) / url.removeprefix(django_settings.MEDIA_URL))


# --- good uploads -------------------------------------------------------------------------------------------
def test_a_png_upload_returns_its_url_and_markdown_and_is_reencoded_without_its_text(browser, poster):
    response = post_image(browser, png_with_text())
    assert response.status_code == 201, response.content
    body = response.json()
    assert NAME_RE.match(body["url"]), body["url"]
    assert "photo" not in body["url"]  # a random name, not the member's
    assert body["markdown"] == f"![]({body['url']})"
    assert (body["width"], body["height"]) == (64, 48)
    image = saved_image(response)
    assert image.format == "PNG"
    assert "Comment" not in image.info and not image.text
    row = UploadedImage.objects.get()
    assert row.uploader == poster and (row.width, row.height) == (64, 48)
    assert row.bytes == row.file.size > 0
    assert body["url"] == row.file.url


def test_a_jpeg_loses_its_exif_and_gps_and_is_turned_upright(browser):
    response = post_image(browser, jpeg_with_gps(), name="IMG_0001.JPG", content_type="image/jpeg")
    assert response.status_code == 201, response.content
    image = saved_image(response)
    assert image.format == "JPEG"
    assert response.json()["url"].endswith(".jpg")
    assert not image.getexif() and "exif" not in image.info
    assert image.size == (60, 80)  # the EXIF rotation was applied before the EXIF was dropped


def test_an_animated_gif_keeps_its_frames(browser):
    frames = [Image.new("RGB", (40, 40), color) for color in ("red", "green", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0,
                  comment=b"hidden comment")
    response = post_image(browser, data, name="a.gif", content_type="image/gif")
    assert response.status_code == 201, response.content
    image = saved_image(response)
    assert image.format == "GIF" and image.n_frames == 3
    assert "comment" not in image.info


def test_webp_is_accepted(browser):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    data = encode(Image.new("RGB", (30, 30), "green"), "WEBP", exif=exif.tobytes(), icc_profile=b"\0" * 64)
    assert Image.open(io.BytesIO(data)).getexif()
    response = post_image(browser, data, name="x.webp", content_type="image/webp")
    assert response.status_code == 201, response.content
    saved = saved_image(response)
    assert saved.format == "WEBP"
    assert not saved.getexif() and "icc_profile" not in saved.info


def test_a_large_photo_is_scaled_down_to_the_kept_side(browser, settings):
    settings.HUOLI = {**django_settings.HUOLI, "UPLOAD_KEEP_SIDE": 100}
    response = post_image(browser, encode(Image.new("RGB", (400, 200), "red"), "PNG"))
    assert response.status_code == 201
    assert saved_image(response).size == (100, 50)


# --- refusals: nothing saved ------------------------------------------------------------------------------
def assert_nothing_saved():
    assert not UploadedImage.objects.exists()
    assert stored_files() == []


def test_a_text_file_named_png_is_refused(browser):
    response = post_image(browser, b"<?php system($_GET['c']); ?>" * 10, name="shell.png")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "That file is not an image we can read (PNG, JPEG, GIF or WebP)."
    assert_nothing_saved()


def test_an_svg_is_refused(browser):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
    response = post_image(browser, svg, name="x.png", content_type="image/svg+xml")
    assert response.status_code == 400
    assert_nothing_saved()


def test_another_image_format_is_refused(browser):
    response = post_image(browser, encode(Image.new("RGB", (20, 20)), "BMP"), name="x.bmp", content_type="image/bmp")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Please upload a PNG, JPEG, GIF or WebP image."
    assert_nothing_saved()


def test_an_oversize_file_is_refused_with_413(browser, settings):
    settings.HUOLI = {**django_settings.HUOLI, "UPLOAD_MAX_BYTES": 1024 * 1024}
    noisy = Image.frombytes("RGB", (800, 800), bytes(range(256)) * 7500)
    data = encode(noisy, "PNG", compress_level=0)
    assert len(data) > 1024 * 1024
    response = post_image(browser, data)
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "The image is too large (at most 1 MB)."
    assert_nothing_saved()


def test_too_many_pixels_is_refused(browser, settings):
    settings.HUOLI = {**django_settings.HUOLI, "UPLOAD_MAX_PIXELS": 500}
    response = post_image(browser, encode(Image.new("1", (600, 20)), "PNG"))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The image is too large: at most 500 pixels on each side."
    assert_nothing_saved()


def test_a_truncated_image_is_refused(browser):
    data = encode(Image.frombytes("RGB", (200, 200), bytes(range(256)) * 468 + bytes(192)), "PNG")
    response = post_image(browser, data[: len(data) // 2])
    assert response.status_code == 400
    assert_nothing_saved()


def test_no_file_is_a_400(browser):
    response = browser.post(URL, {})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Choose an image to upload."


def test_a_guest_is_refused(db):
    response = Client().post(URL, {"image": upload(png_with_text())})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_required"
    assert_nothing_saved()


def test_get_is_not_allowed(browser):
    assert browser.get(URL).status_code == 405


def test_the_csrf_token_is_required(poster):
    client = Client(enforce_csrf_checks=True)
    client.force_login(poster)
    assert client.post(URL, {"image": upload(png_with_text())}).status_code == 403
    assert_nothing_saved()
    page = client.get(reverse("forum:topic_new"))
    token = page.cookies["csrftoken"].value
    response = client.post(URL, {"image": upload(png_with_text())}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_uploads_are_rate_limited_per_member(browser, settings):
    settings.HUOLI = {**django_settings.HUOLI,
                      "RATE_LIMITS": {**django_settings.HUOLI["RATE_LIMITS"], "upload": (2, 3600)}}
    for _ in range(2):
        assert post_image(browser, png_with_text()).status_code == 201
    response = post_image(browser, png_with_text())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "too often" in response.json()["error"]["message"]
    assert UploadedImage.objects.count() == 2
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(UserFactory())
    assert post_image(other, png_with_text()).status_code == 201  # the limit is per member


def test_a_silenced_member_may_not_upload(poster, browser):
    poster.silenced_at = timezone.now()
    poster.save()
    response = post_image(browser, png_with_text())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "silenced"
    assert_nothing_saved()


def test_a_level_whose_posts_hold_no_image_may_not_upload(poster, browser):
    Level.objects.filter(number=3).update(max_images=0)
    from engagement.levels import selectors

    selectors.ladder_invalidate()
    response = post_image(browser, png_with_text())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "level_images"
    assert_nothing_saved()


def test_the_refusal_is_translated(browser):
    with translation.override("zh-hans"):
        response = browser.post(URL, {"image": upload(b"not an image", name="x.png")}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    message = response.json()["error"]["message"]
    assert response.status_code == 400 and re.search(r"[\u4e00-\u9fff]", message), message


# --- the API -------------------------------------------------------------------------------------------------
def test_the_api_uploads_an_image_for_a_token(poster):
    from forum.tokens import api_token_create

    _token, secret = api_token_create(actor=poster, name="uploader")
    client = Client()
    response = client.post("/api/v1/images", {"image": upload(png_with_text())}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 201, response.content
    assert NAME_RE.match(response.json()["url"])
    bad = client.post("/api/v1/images", {"image": upload(b"nope", name="x.png")}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert Client().post("/api/v1/images", {"image": upload(png_with_text())}).status_code == 401
    assert UploadedImage.objects.count() == 1


# --- the composer and the rendered post ------------------------------------------------------------------------
def test_the_composers_offer_the_insert_image_button(browser, poster):
    topic = TopicFactory.create(author=poster, category=CategoryFactory())
    for url in (reverse("forum:topic_new"), topic.get_absolute_url(),
                reverse("forum:post_edit", args=[topic.posts.get(number=1).pk])):
        soup = BeautifulSoup(browser.get(url).content, "html.parser")
        tools = soup.select_one("[data-image-upload]")
        assert tools is not None, url
        assert soup.find(id=tools["data-image-upload"]).name == "textarea"
        assert tools["data-url"] == URL
        file_input = tools.select_one("input[type=file]")
        assert file_input["accept"] == "image/png,image/jpeg,image/gif,image/webp"
        assert "Insert image" in file_input.find_parent("label").get_text()


def test_guests_get_no_button(db):
    topic = TopicFactory.create(category=CategoryFactory())
    assert b"data-image-upload" not in Client().get(topic.get_absolute_url()).content


def test_the_button_is_in_chinese(browser):
    with translation.override("zh-hans"):
        page = browser.get(reverse("forum:topic_new"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    tools = BeautifulSoup(page.content, "html.parser").select_one("[data-image-upload]")
    assert "插入图片" in tools.get_text()
    assert tools["data-text-uploading"] == "上传中…"


def test_a_reply_with_an_uploaded_image_shows_it(browser, poster):
    topic = TopicFactory.create(author=poster, category=CategoryFactory())
    markdown = post_image(browser, png_with_text()).json()["markdown"]
    response = browser.post(reverse("forum:topic_reply", args=[topic.pk]), {"body": f"看这张图\n\n{markdown}"})
    assert response.status_code == 302
    page = BeautifulSoup(browser.get(topic.get_absolute_url()).content, "html.parser")
    img = page.select_one(".post-body img")
    assert img["src"] == markdown[4:-1] and img["loading"] == "lazy"
    assert img["src"].startswith("/media/uploads/")
    assert browser.get(img["src"]).status_code == 200  # served in development (config/urls.py)


@pytest.mark.parametrize("html, src", [
    ('<img src="javascript:alert(1)">', None),
    ('<img src="JaVaScRiPt:alert(1)" onerror="alert(1)">', None),
    ('<img src="/media/uploads/2026/01/a.png" onerror="alert(1)" onload="alert(2)">', "/media/uploads/2026/01/a.png"),
    ('<img src="/media/uploads/../../accounts/logout/">', None),
    ('<img src="/accounts/logout/">', None),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', None),
    ('<img src="https://img.example/cat.png" onerror="alert(1)">', "https://img.example/cat.png"),
])
def test_the_sanitizer_keeps_only_safe_image_sources(html, src):
    img = BeautifulSoup(sanitize_html(html), "html.parser").find("img")
    assert img is not None
    assert img.get("src") == src
    assert not [name for name in img.attrs if name.startswith("on")]


def test_markdown_of_an_upload_renders_an_image_and_raw_html_stays_text():
    soup = BeautifulSoup(render_markdown("![](/media/uploads/2026/01/a.png)\n\n<img src=x onerror=alert(1)>"),
                         "html.parser")
    imgs = soup.find_all("img")
    assert len(imgs) == 1 and imgs[0]["src"] == "/media/uploads/2026/01/a.png"
    assert "<img src=x onerror=alert(1)>" in soup.get_text()


# --- private messages ------------------------------------------------------------------------------------------
def test_a_participant_uploads_from_the_pm_composer_and_the_message_shows_the_image(poster):
    from messaging import services as pm

    friend = UserFactory(username="friend")
    MemberLevel.objects.create(member=friend, level_number=3)
    conversation = pm.conversation_start(actor=poster, recipients=["friend"], body="你好")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(friend)
    url = reverse("messaging:conversation", args=[conversation.pk])
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    tools = soup.select_one("[data-image-upload]")
    assert tools["data-image-upload"] == "pm-reply" and soup.find(id="pm-reply").name == "textarea"
    new_page = BeautifulSoup(client.get(reverse("messaging:new")).content, "html.parser")
    assert new_page.select_one("[data-image-upload]")["data-image-upload"] == "pm-body"
    markdown = post_image(client, png_with_text()).json()["markdown"]
    assert client.post(url, {"body": f"图来了 {markdown}"}).status_code == 302
    page = BeautifulSoup(client.get(url).content, "html.parser")
    img = page.select_one(".pm-messages .prose img")
    assert img is not None and img["src"] == markdown[4:-1]


def test_the_service_is_the_one_write(poster):
    image = services.image_upload(actor=poster, upload=upload(png_with_text()))
    assert services.image_markdown(image) == f"![]({image.file.url})"
    assert NAME_RE.match(image.file.url)


def test_staff_find_an_upload_and_its_uploader_in_the_admin(poster):
    image = services.image_upload(actor=poster, upload=upload(png_with_text()))
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    name = image.file.name.rsplit("/", 1)[-1].split(".")[0]
    page = client.get("/admin/forum/uploadedimage/", {"q": name})
    assert page.status_code == 200
    rows = BeautifulSoup(page.content, "html.parser").select("#result_list tbody tr")
    assert len(rows) == 1
    assert name in rows[0].get_text() and str(poster) in rows[0].get_text()


def test_a_transparent_palette_png_stays_transparent(browser):
    image = Image.new("P", (20, 20), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    image.putpixel((5, 5), 1)
    response = post_image(browser, encode(image, "PNG", transparency=0))
    assert response.status_code == 201, response.content
    saved = saved_image(response).convert("RGBA")
    assert saved.getpixel((0, 0))[3] == 0 and saved.getpixel((5, 5)) == (0, 0, 255, 255)
