"""Avatar uploads: checked by content, capped in bytes and pixels, re-encoded to a 256x256 PNG."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from forum.errors import InvalidInput
from forum.images import avatar_process

UNREADABLE = "That file is not an image we can read (PNG, JPEG, GIF or WebP)."
WRONG_TYPE = "Please upload a PNG, JPEG, GIF or WebP image."
BAD_SIZE = "The image must be between 16 and 2048 pixels on each side."
TOO_BIG = "The image is too large (at most 2 MB)."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def encode(image, fmt, **kwargs):
    buf = io.BytesIO()
    image.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def upload(data, name="avatar.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_with_header(width, height, idat=b""):
    """A PNG whose header claims width x height, with whatever pixel data we give it."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(idat))
            + png_chunk(b"IEND", b""))


def result_image(content_file):
    data = content_file.read()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return data, image


def refused(data, **kwargs):
    with pytest.raises(InvalidInput) as exc:
        avatar_process(upload(data, **kwargs))
    assert exc.value.field == "avatar"
    assert exc.value.status == 400
    return str(exc.value.message)


def test_png_is_reencoded_to_256_square_png():
    source = Image.new("RGB", (400, 300), (200, 30, 30))
    data, image = result_image(avatar_process(upload(encode(source, "PNG"))))
    assert image.format == "PNG"
    assert image.size == (256, 256)
    assert image.mode == "RGBA"
    r, g, b, a = image.getpixel((128, 128))
    assert (r, g, b, a) == (200, 30, 30, 255)


def test_jpeg_is_accepted_and_becomes_png():
    source = Image.new("RGB", (300, 500), (20, 40, 220))
    data, image = result_image(avatar_process(upload(encode(source, "JPEG", quality=95), name="me.jpg",
                                                     content_type="image/jpeg")))
    assert image.format == "PNG"
    assert image.size == (256, 256)
    r, g, b, _a = image.getpixel((128, 128))
    assert b > 200 and r < 40 and g < 60


def test_the_centre_square_is_kept():
    # 300x100: left third red, middle third green, right third blue -> the centre square is green.
    source = Image.new("RGB", (300, 100), (255, 0, 0))
    source.paste((0, 255, 0), (100, 0, 200, 100))
    source.paste((0, 0, 255), (200, 0, 300, 100))
    _data, image = result_image(avatar_process(upload(encode(source, "PNG"))))
    for x in (5, 128, 250):
        assert image.getpixel((x, 128))[:3] == (0, 255, 0)


def test_jpeg_exif_rotation_is_applied():
    # Stored 64x32, left half red, right half blue, EXIF orientation 6 (rotate 90 degrees clockwise):
    # displayed 32x64 with red on top and blue below.
    source = Image.new("RGB", (64, 32), (255, 0, 0))
    source.paste((0, 0, 255), (32, 0, 64, 32))
    exif = Image.Exif()
    exif[0x0112] = 6
    _data, image = result_image(avatar_process(upload(encode(source, "JPEG", quality=95, exif=exif))))
    top, bottom = image.getpixel((128, 20)), image.getpixel((128, 235))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_hidden_payloads_do_not_survive():
    meta = PngInfo()
    meta.add_text("Comment", "<script>alert(1)</script>")
    data = encode(Image.new("RGB", (64, 64), "white"), "PNG", pnginfo=meta) + b"<?php system($_GET['c']); ?>"
    out, _image = result_image(avatar_process(upload(data)))
    assert b"<script>" not in out
    assert b"<?php" not in out


def test_gif_and_webp_are_accepted():
    for fmt in ("GIF", "WEBP"):
        _data, image = result_image(avatar_process(upload(encode(Image.new("RGB", (40, 40), "red"), fmt))))
        assert image.size == (256, 256)


@pytest.mark.parametrize("payload", [
    b"<?php system($_GET['c']); ?>",
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    b"",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # the PNG signature and nothing sensible after it
    b"GIF89a" + b"\xff" * 32,
])
def test_non_image_renamed_png_is_refused(payload):
    assert refused(payload, name="cute-cat.png") == UNREADABLE


def test_truncated_pixel_data_is_refused_with_the_same_message():
    # The header is valid (100x100), the pixel data is not: refused, not a server error.
    assert refused(png_with_header(100, 100, idat=b"\x00" * 10)) == UNREADABLE
    jpeg = encode(Image.new("RGB", (300, 300), "red"), "JPEG")
    assert refused(jpeg[: len(jpeg) // 3], name="a.jpg") == UNREADABLE


def test_other_image_types_are_refused():
    assert refused(encode(Image.new("RGB", (64, 64), "red"), "BMP"), name="a.png") == WRONG_TYPE
    assert refused(encode(Image.new("RGB", (64, 64), "red"), "TIFF"), name="a.png") == WRONG_TYPE


def test_oversized_file_is_refused_before_decoding():
    assert refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024)) == TOO_BIG


def test_oversized_file_follows_the_setting(settings):
    settings.HUOLI = {**settings.HUOLI, "AVATAR_MAX_BYTES": 1024 * 1024}
    data = encode(Image.effect_noise((1024, 1024), 100).convert("RGB"), "PNG")
    assert len(data) > 1024 * 1024
    assert refused(data) == "The image is too large (at most 1 MB)."


@pytest.mark.parametrize("size", [(2049, 100), (100, 2049), (15, 100), (100, 15), (8, 8)])
def test_dimensions_out_of_range_are_refused(size):
    assert refused(encode(Image.new("RGB", size, "red"), "PNG")) == BAD_SIZE


def test_dimension_limits_are_inclusive():
    for size in ((16, 16), (2048, 16)):
        _data, image = result_image(avatar_process(upload(encode(Image.new("RGB", size, "red"), "PNG"))))
        assert image.size == (256, 256)


def test_decompression_bomb_header_is_refused_without_decoding():
    # 30000 x 30000 claimed in a file of a few dozen bytes.
    data = png_with_header(30000, 30000)
    assert len(data) < 100
    assert refused(data) == BAD_SIZE

