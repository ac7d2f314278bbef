"""Avatar uploads: the type is checked by content (not by name), size and dimensions are capped,
and the image is re-encoded to PNG so no payload hidden in the original survives."""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .errors import InvalidInput

ALLOWED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
AVATAR_SIZE = 256


def avatar_process(upload):
    max_bytes = settings.HUOLI["AVATAR_MAX_BYTES"]
    if upload.size > max_bytes:
        raise InvalidInput(_("The image is too large (at most %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)},
                           field="avatar")
    data = upload.read()
    try:
        probe = Image.open(io.BytesIO(data))
        fmt = probe.format
        probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput(_("That file is not an image we can read (PNG, JPEG, GIF or WebP)."),
                           field="avatar") from None
    if fmt not in ALLOWED_FORMATS:
        raise InvalidInput(_("Please upload a PNG, JPEG, GIF or WebP image."), field="avatar")
    limit = settings.HUOLI["AVATAR_MAX_PIXELS"]
    image = Image.open(io.BytesIO(data))
    if image.width > limit or image.height > limit or image.width < 16 or image.height < 16:
        raise InvalidInput(_("The image must be between 16 and %(n)d pixels on each side.") % {"n": limit},
                           field="avatar")
    image = image.convert("RGBA")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((AVATAR_SIZE, AVATAR_SIZE))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue())
