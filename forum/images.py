"""Avatar uploads: the type is checked by content (not by name), size and dimensions are capped,
and the image is re-encoded to PNG so no payload hidden in the original survives."""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InvalidInput

ALLOWED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
AVATAR_SIZE = 256
MIN_SIDE = 16
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


def _dimension_error(limit):
    return InvalidInput(
        _("The image must be between %(min)d and %(max)d pixels on each side.") % {"min": MIN_SIDE, "max": limit},
        field="avatar",
    )


def _unreadable_error():
    return InvalidInput(_("That file is not an image we can read (PNG, JPEG, GIF or WebP)."), field="avatar")


def avatar_process(upload):
    max_bytes = settings.HUOLI["AVATAR_MAX_BYTES"]
    if upload.size > max_bytes:
        raise InvalidInput(_("The image is too large (at most %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)},
                           field="avatar")
    data = upload.read()
    limit = settings.HUOLI["AVATAR_MAX_PIXELS"]
    try:
        probe = Image.open(io.BytesIO(data))
        fmt = probe.format
        probe.verify()
    except Image.DecompressionBombError:
        # The header announces hundreds of megapixels: refuse it before decoding anything.
        raise _dimension_error(limit) from None
    except _UNREADABLE:
        raise _unreadable_error() from None
    if fmt not in ALLOWED_FORMATS:
        raise InvalidInput(_("Please upload a PNG, JPEG, GIF or WebP image."), field="avatar")
    image = Image.open(io.BytesIO(data))
    if image.width > limit or image.height > limit or image.width < MIN_SIDE or image.height < MIN_SIDE:
        raise _dimension_error(limit)
    try:
        # Decoding happens here: a file whose header is fine but whose pixel data is cut short or
        # corrupt fails now, and gets the same clear message as any unreadable file.
        image = ImageOps.exif_transpose(image)  # phone photos: apply the EXIF rotation
        image = image.convert("RGBA")
    except _UNREADABLE:
        raise _unreadable_error() from None
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((AVATAR_SIZE, AVATAR_SIZE), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue())
