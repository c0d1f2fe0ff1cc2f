"""Uploaded images: checked by content, capped in bytes and pixels, re-encoded.

Re-encoding from the decoded pixels drops every metadata block (EXIF with GPS
positions, XMP, ICC comments) and anything a crafted file hides after the image.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from selfwork.core.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia

# MPO is how Pillow names the multi-picture JPEGs many phone cameras write.
_FORMATS = {
    "JPEG": "jpeg",
    "MPO": "jpeg",
    "PNG": "png",
    "WEBP": "webp",
    "GIF": "png",
}


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
    except Image.DecompressionBombError as exc:
        # Pillow refuses on its own above twice its warning limit; that is our
        # pixel cap speaking too, not a file we fail to recognise.
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
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
        raise _too_many_pixels(f"The image is {width}×{height} pixels; ")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            return _encode(upright, _FORMATS[kind])
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise UnsupportedMedia(
            "The image is damaged and cannot be read.", code="not_an_image"
        ) from exc


def _too_many_pixels(
    prefix: str = "The image has too many pixels; ",
) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"{prefix}the limit is {settings.UPLOAD_MAX_PIXELS:,} pixels.",
        code="image_too_large",
    )


def _encode(image: Image.Image, extension: str) -> CleanImage:
    options: dict[str, int | bool]
    if extension == "jpeg":
        mode, kind, options = "RGB", "JPEG", {"quality": 88, "optimize": True}
    elif extension == "webp":
        mode = "RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB"
        kind, options = "WEBP", {"quality": 88}
    else:
        mode = "RGBA" if image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
        kind, options = "PNG", {"optimize": True}
    clean = image.convert(mode)
    # Pillow's writers fall back to the source's ``info`` for comments and ICC
    # profiles; forget all of it so that only pixels are written.
    clean.info = {}
    out = io.BytesIO()
    clean.save(out, kind, **options)
    return CleanImage(
        content=out.getvalue(),
        width=clean.width,
        height=clean.height,
        extension=extension,
        content_type=f"image/{extension}",
    )
