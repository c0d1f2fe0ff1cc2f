"""Uploaded images: checked by content, capped in bytes and pixels, re-encoded.

Re-encoding from the decoded pixels drops every metadata block (EXIF with GPS
positions, XMP, ICC comments) and anything a crafted file hides after the image.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from selfwork.core.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia

_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "png"}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    width: int
    height: int
    extension: str
    content_type: str


def image_clean(data: bytes, *, max_bytes: int | None = None) -> CleanImage:
    """Decode ``data`` as an image and return it re-encoded without metadata.

    :raises PayloadTooLarge: above the byte or pixel cap (decompression bombs).
    :raises UnsupportedMedia: if the content is not a JPEG, PNG, WebP or GIF image.
    """
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The file is {len(data)} bytes; the limit is {max_bytes}.",
            code="file_too_large",
        )
    if not data:
        raise InvalidInput("The file is empty.", field="file", code="empty_file")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise UnsupportedMedia(
            "The file is not an image selfwork accepts (JPEG, PNG, WebP or GIF).",
            code="not_an_image",
        ) from exc
    if kind not in _FORMATS:
        raise UnsupportedMedia(
            f"{kind} images are not accepted; use JPEG, PNG, WebP or GIF.",
            code="not_an_image",
        )
    # Check the declared size before decoding a single pixel: a tiny file can
    # claim gigapixels.
    if width * height > settings.UPLOAD_MAX_PIXELS:
        raise PayloadTooLarge(
            f"The image is {width}×{height} pixels; the limit is "
            f"{settings.UPLOAD_MAX_PIXELS:,} pixels.",
            code="image_too_large",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            return _encode(upright, _FORMATS[kind])
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UnsupportedMedia(
            "The image is damaged and cannot be read.", code="not_an_image"
        ) from exc


def _encode(image: Image.Image, extension: str) -> CleanImage:
    out = io.BytesIO()
    if extension == "jpeg":
        clean = image.convert("RGB")
        clean.save(out, "JPEG", quality=88, optimize=True)
    elif extension == "webp":
        clean = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
        clean.save(out, "WEBP", quality=88)
    else:
        clean = image.convert(
            "RGBA" if image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
        )
        clean.save(out, "PNG", optimize=True)
    return CleanImage(
        content=out.getvalue(),
        width=clean.width,
        height=clean.height,
        extension=extension,
        content_type=f"image/{extension}",
    )
