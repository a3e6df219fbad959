"""Cover pictures as the browser gets them: checked, stripped of metadata, upright, re-encoded.

An upload is never served as it came: it may carry the place it was taken (EXIF GPS), a
camera's serial number or a script in a comment.  Pillow decodes it (after the pixel limit
against decompression bombs), turns it upright from its EXIF orientation, and encodes it again
from its pixels alone, so no metadata survives: WebP in each of ``WIDTHS`` that is not wider
than the upload (the ``srcset``), and one JPEG of the largest for the API, e-mails and link
previews, whose readers may not know WebP.  docs/design.md, "Pictures", says how they are sized.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError
from pyramid.i18n import TranslationString, TranslationStringFactory

from col_core.storage import open_image

_ = TranslationStringFactory("col")

#: The widths a cover is stored in: a phone card (1x, 2x), a desktop card, the activity page.
WIDTHS = (320, 640, 960, 1280)
#: Accepted upload formats (what Pillow calls them); SVG is refused: it is a document that
#: can run scripts, not a picture of pixels.
ACCEPTED = ("JPEG", "PNG", "WEBP", "GIF")
#: Smallest accepted side: a cover is shown at least 320 px wide.
MIN_SIDE = 64
#: Widest accepted aspect ratio (either way): a banner 20 times as wide as high is no cover.
MAX_RATIO = 5
WEBP_QUALITY = 80
JPEG_QUALITY = 82


class PictureRejected(ValueError):
    """The upload is not a picture we can use; ``message`` is a translation string for the
    person who sent it."""

    def __init__(self, message: TranslationString):
        super().__init__(str(message))
        self.message = message


@dataclass
class Variant:
    width: int
    height: int
    data: bytes


@dataclass
class Prepared:
    """The re-encoded picture: ``webp`` from narrowest to widest, ``jpeg`` the widest."""

    width: int
    height: int
    webp: list[Variant] = field(default_factory=list)
    jpeg: Variant | None = None


def prepare(data: bytes, max_bytes: int) -> Prepared:
    """Check ``data`` and encode its variants, or raise :class:`PictureRejected`."""
    if not data:
        raise PictureRejected(_("The file is empty."))
    if len(data) > max_bytes:
        raise PictureRejected(
            _(
                "This file is too large; the limit is ${mb} MB.",
                mapping={"mb": max_bytes // 1_048_576},
            )
        )
    image = _decoded(data)
    if min(image.size) < MIN_SIDE:
        raise PictureRejected(
            _(
                "This picture is too small; it needs at least ${px} pixels a side.",
                mapping={"px": MIN_SIDE},
            )
        )
    if max(image.size) > MAX_RATIO * min(image.size):
        raise PictureRejected(_("This picture is too narrow or too wide for a cover."))
    return _encoded(image)


def _too_many_pixels():
    millions = (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000  # set from col.max_image_pixels
    return _(
        "This picture has too many pixels; the limit is ${millions} million.",
        mapping={"millions": millions},
    )


def _decoded(data: bytes) -> Image.Image:
    """The upload's first frame, decoded, upright, in RGB or RGBA."""
    from col_core.storage import UploadRejected

    not_a_picture = _("This file is not a picture. Please upload a JPEG, PNG, WebP or GIF image.")
    try:
        opened = open_image(data)  # refuses too many pixels before decoding any
    except UploadRejected:
        raise PictureRejected(_too_many_pixels()) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PictureRejected(not_a_picture) from None
    try:
        with opened:
            if opened.format not in ACCEPTED:
                raise PictureRejected(not_a_picture)
            opened.seek(0)
            upright = ImageOps.exif_transpose(opened)
            mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") and _has_alpha(upright) else "RGB"
            image = upright.convert(mode)
            image.load()
    except PictureRejected:
        raise
    except Image.DecompressionBombError:
        raise PictureRejected(_too_many_pixels()) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # Truncated or corrupt: Pillow read the header but not the pixels.
        raise PictureRejected(not_a_picture) from None
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") or "transparency" in image.info


def _encoded(image: Image.Image) -> Prepared:
    sizes = _sizes(*image.size)
    largest = sizes[-1]
    prepared = Prepared(width=largest[0], height=largest[1])
    for size in sizes:
        prepared.webp.append(_webp(_resized(image, size)))
    prepared.jpeg = _jpeg(_opaque(_resized(image, largest)))
    return prepared


def _sizes(width: int, height: int) -> list[tuple[int, int]]:
    """(width, height) of each variant, narrowest first: every one of ``WIDTHS`` narrower
    than the upload, then the upload's own width up to the widest (never enlarged)."""
    widths = [target for target in WIDTHS if target < width]
    widths.append(min(width, WIDTHS[-1]))
    return [(target, _scaled(height, width, target)) for target in sorted(set(widths))]


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS)


def _opaque(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: transparent parts become white."""
    if image.mode != "RGBA":
        return image
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))
    return flat


# No exif=, icc_profile= or xmp= arguments below: nothing but the pixels is written.


def _webp(image: Image.Image) -> Variant:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return Variant(image.width, image.height, out.getvalue())


def _jpeg(image: Image.Image) -> Variant:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Variant(image.width, image.height, out.getvalue())


def _scaled(height: int, width: int, target: int) -> int:
    return max(1, round(height * target / width))
