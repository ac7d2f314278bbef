"""Avatar and composer uploads: the type is checked by content (not by name), size and dimensions are
capped, and the image is re-encoded (avatars to PNG; composer images in their own format) so no payload
hidden in the original survives."""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from .errors import InvalidInput, TooLarge

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


def _open_checked(data, *, allowed, field, dimension_error, unreadable):
    """Check `data` by its content, not its name: (format, the opened image, not decoded yet)."""
    try:
        probe = Image.open(io.BytesIO(data))
        fmt = probe.format
        probe.verify()
    except Image.DecompressionBombError:
        # The header announces hundreds of megapixels: refuse it before decoding anything.
        raise dimension_error() from None
    except _UNREADABLE:
        raise unreadable() from None
    if fmt not in allowed:
        raise InvalidInput(_("Please upload a PNG, JPEG, GIF or WebP image."), field=field)
    return fmt, Image.open(io.BytesIO(data))


def avatar_process(upload):
    max_bytes = settings.HUOLI["AVATAR_MAX_BYTES"]
    if upload.size > max_bytes:
        raise InvalidInput(_("The image is too large (at most %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)},
                           field="avatar")
    data = upload.read()
    limit = settings.HUOLI["AVATAR_MAX_PIXELS"]
    _fmt, image = _open_checked(data, allowed=ALLOWED_FORMATS, field="avatar",
                                dimension_error=lambda: _dimension_error(limit), unreadable=_unreadable_error)
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


# --- images uploaded from the composer -----------------------------------------------------------
# What leaves is always re-encoded from the decoded pixels, in the format that came in (an animated
# GIF keeps its frames; an animated WebP keeps its first frame only), with no EXIF, XMP, ICC, text
# chunk or comment: a photo's GPS position and camera never reach the site.
UPLOAD_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
MAX_GIF_FRAMES = 300
MAX_GIF_PIXELS = 60_000_000  # width x height x frames: an animation decodes whole into memory
UPLOAD_FIELD = "image"


class ProcessedImage:
    def __init__(self, content, extension, width, height):
        self.content = content
        self.extension = extension
        self.width = width
        self.height = height


def _upload_unreadable():
    return InvalidInput(_("That file is not an image we can read (PNG, JPEG, GIF or WebP)."), field=UPLOAD_FIELD)


def _upload_dimension_error(limit):
    return InvalidInput(_("The image is too large: at most %(max)d pixels on each side.") % {"max": limit},
                        field=UPLOAD_FIELD)


def _scaled(image, keep):
    if max(image.size) > keep:
        image = image.copy()
        image.thumbnail((keep, keep), Image.LANCZOS)
    return image


def _gif_frames(image, keep):
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration", 100) or 100))
        frames.append(_scaled(frame.convert("RGBA"), keep))
    return frames, durations


def image_process(upload):
    """Check an uploaded file by its content and re-encode it; raise InvalidInput (TooLarge for the
    size) with a message for the member. Returns a ProcessedImage."""
    max_bytes = settings.HUOLI["UPLOAD_MAX_BYTES"]
    if upload.size > max_bytes:
        raise TooLarge(_("The image is too large (at most %(mb)s MB).") % {"mb": f"{max_bytes / 1048576:g}"},
                       field=UPLOAD_FIELD)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(_("The image is too large (at most %(mb)s MB).") % {"mb": f"{max_bytes / 1048576:g}"},
                       field=UPLOAD_FIELD)
    limit, keep = settings.HUOLI["UPLOAD_MAX_PIXELS"], settings.HUOLI["UPLOAD_KEEP_SIDE"]
    fmt, image = _open_checked(data, allowed=UPLOAD_EXTENSIONS, field=UPLOAD_FIELD,
                               dimension_error=lambda: _upload_dimension_error(limit), unreadable=_upload_unreadable)
    if image.width > limit or image.height > limit:
        raise _upload_dimension_error(limit)
    if image.width < 1 or image.height < 1:
        raise _upload_unreadable()
    out = io.BytesIO()
    try:
        if fmt == "GIF" and getattr(image, "n_frames", 1) > 1:
            frames = image.n_frames
            if frames > MAX_GIF_FRAMES or image.width * image.height * frames > MAX_GIF_PIXELS:
                raise InvalidInput(_("That animation is too long or too large; please upload a shorter one."),
                                   field=UPLOAD_FIELD)
            frames_list, durations = _gif_frames(image, keep)
            first, rest = frames_list[0], frames_list[1:]
            first.info = {}
            for frame in rest:
                frame.info = {}
            looping = {"loop": int(image.info["loop"])} if "loop" in image.info else {}  # absent: plays once
            first.save(out, format="GIF", save_all=True, append_images=rest, duration=durations, disposal=2,
                       optimize=False, **looping)
            result = first
        else:
            image.seek(0)
            image = ImageOps.exif_transpose(image)  # phone photos: apply the EXIF rotation, then drop EXIF
            if fmt == "JPEG":
                image = image.convert("RGB")
            elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            image = _scaled(image, keep)
            # only the pixels and a palette's transparent index survive: no EXIF, XMP, ICC, text or comment
            transparency = image.info.get("transparency")
            image.info = {} if transparency is None else {"transparency": transparency}
            if fmt == "PNG":
                image.save(out, format="PNG", optimize=True)
            elif fmt == "JPEG":
                image.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
            elif fmt == "WEBP":
                image.save(out, format="WEBP", quality=85, method=4)
            else:  # a still GIF
                image.save(out, format="GIF", optimize=True)
            result = image
    except InvalidInput:
        raise
    except _UNREADABLE:
        # Decoding happens here: a file whose header is fine but whose pixel data is cut short or
        # corrupt fails now, with the same clear message as any unreadable file.
        raise _upload_unreadable() from None
    return ProcessedImage(ContentFile(out.getvalue()), UPLOAD_EXTENSIONS[fmt], result.width, result.height)
