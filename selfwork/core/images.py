"""Uploaded images: checked by content, capped in bytes and pixels, re-encoded.

Re-encoding from the decoded pixels drops every metadata block (EXIF with GPS
positions, XMP, ICC comments) and anything a crafted file hides after the image.

Decoding is the expensive part, so it is bounded three ways (decision 0005): the
pixel cap is checked on the header before a pixel is decoded, JPEGs are decoded
already scaled down (DCT scaling), and only ``SELFWORK_UPLOAD_DECODE_SLOTS``
decodes run at once on a server; an upload that finds every slot taken is
refused at once with a 429 instead of waiting for one in a worker that health
checks and pages also need.
"""

import contextlib
import fcntl
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from selfwork.core.errors import (
    InvalidInput,
    PayloadTooLarge,
    RateLimited,
    UnsupportedMedia,
)

# The longest side of a stored image. Pages show images at most about 1,300 CSS
# pixels wide; 2,048 leaves room for high-density screens and costs a quarter of
# the memory and time of re-encoding a 4,096-pixel original.
STORED_MAX_SIDE = 2048

# MPO is how Pillow names the multi-picture JPEGs many phone cameras write.
_FORMATS = {
    "JPEG": "jpeg",
    "MPO": "jpeg",
    "PNG": "png",
    "WEBP": "webp",
    "GIF": "png",
}


@dataclass(frozen=True)
class ThumbnailSize:
    """A size pages show images at: a ``side``-pixel square (``crop``) or a box."""

    name: str
    side: int
    crop: bool


# The sizes pages use, largest first (each is made from the one before it):
# listing galleries and hero covers, cards and inline images, large avatars
# (up to 96 CSS pixels, at twice the density) and small ones (up to 48).
THUMBNAIL_SIZES = (
    ThumbnailSize("gallery", 1200, crop=False),
    ThumbnailSize("card", 480, crop=False),
    ThumbnailSize("portrait", 192, crop=True),
    ThumbnailSize("avatar", 96, crop=True),
)
THUMBNAIL_FORMATS = ("webp", "jpeg")


@dataclass(frozen=True)
class Thumbnail:
    name: str
    width: int
    height: int
    webp: bytes
    jpeg: bytes


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    width: int
    height: int
    extension: str
    content_type: str
    thumbnails: tuple[Thumbnail, ...] = ()


def image_clean(
    data: bytes,
    *,
    max_bytes: int | None = None,
    downscale: bool = True,
    thumbnails: bool = False,
) -> CleanImage:
    """Decode ``data`` as an image and return it re-encoded without metadata.

    With ``downscale`` (listings, avatars) the stored image is at most
    ``STORED_MAX_SIDE`` pixels long; without it (deliverables, which a buyer paid
    for at full size) it keeps every pixel. With ``thumbnails``, the result also
    carries a WebP and a JPEG of every size in ``THUMBNAIL_SIZES``, made from the
    pixels already decoded.

    :raises PayloadTooLarge: above the byte or pixel cap (decompression bombs).
    :raises UnsupportedMedia: if the content is not a JPEG, PNG, WebP or GIF image.
    """
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            gettext("The file is %(data)s bytes; the limit is %(max_bytes)s.")
            % {"data": len(data), "max_bytes": max_bytes},
            code="file_too_large",
        )
    if not data:
        raise InvalidInput(
            gettext("The file is empty."), field="file", code="empty_file"
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            # A JPEG can be decoded at 1/2, 1/4 or 1/8 of its size; ask for the
            # smallest scale that still covers what is stored. This reads the
            # header only; the size it reports is what decoding will produce.
            if downscale and kind in {"JPEG", "MPO"}:
                probe.draft(None, _stored_size(width, height))
            decoded_pixels = probe.size[0] * probe.size[1]
    except Image.DecompressionBombError as exc:
        # Pillow refuses on its own above twice its warning limit; that is our
        # pixel cap speaking too, not a file we fail to recognise.
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnsupportedMedia(
            gettext(
                "The file is not an image selfwork accepts (JPEG, PNG, WebP or GIF)."
            ),
            code="not_an_image",
        ) from exc
    if kind not in _FORMATS:
        raise UnsupportedMedia(
            gettext("%(kind)s images are not accepted; use JPEG, PNG, WebP or GIF.")
            % {"kind": kind},
            code="not_an_image",
        )
    # Check the declared size before decoding a single pixel: a tiny file can
    # claim gigapixels.
    if decoded_pixels > settings.UPLOAD_MAX_PIXELS:
        raise _too_many_pixels(f"The image is {width}×{height} pixels; ")
    try:
        with _decode_slot(), Image.open(io.BytesIO(data)) as image:
            if downscale and kind in {"JPEG", "MPO"}:
                image.draft(None, _stored_size(width, height))
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            # ``reducing_gap`` first shrinks by whole factors (cheap box
            # averaging), then resamples the small image.
            if downscale:
                image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE), reducing_gap=2.0)
            clean = _encode(image, _FORMATS[kind])
            if thumbnails:
                clean = replace(clean, thumbnails=_thumbnails(image))
            return clean
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise UnsupportedMedia(
            gettext("The image is damaged and cannot be read."), code="not_an_image"
        ) from exc


def _stored_size(width: int, height: int) -> tuple[int, int]:
    """The size an image of ``width`` × ``height`` is stored at, shape kept."""
    scale = min(1.0, STORED_MAX_SIDE / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


@contextlib.contextmanager
def _decode_slot() -> Iterator[None]:
    """Hold one of the server's image decode slots, or refuse with a 429 at once.

    A slot is an exclusive ``flock`` on a file in ``UPLOAD_LOCK_DIR``: shared by
    every gunicorn worker of the server, and released by the kernel when the
    holder closes it or dies. Not waiting is the point: a sync worker that waits
    for a slot serves nothing else meanwhile, so sixteen waiting uploads would
    stall every other request as surely as sixteen decoding ones.
    """
    folder = Path(settings.UPLOAD_LOCK_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(max(1, settings.UPLOAD_DECODE_SLOTS)):
        handle = open(folder / f"image-decode-{n}.lock", "a+b")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield
        finally:
            handle.close()
        return
    raise RateLimited(
        gettext(
            "The server is busy processing other images; send this one "
            "again in a second or two."
        ),
        code="uploads_busy",
        retry_after=1,
    )


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
        # zlib's default level: ``optimize`` (level 9 and a search over
        # filters) costs several times the CPU for a few per cent of bytes.
        kind, options = "PNG", {"compress_level": 6}
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


def thumbnails_render(data: bytes) -> tuple[Thumbnail, ...]:
    """Return the thumbnails of a stored image (already cleaned by ``image_clean``).

    For images stored before thumbnails existed. The image is decoded with
    bounded memory like an upload: pixel cap on the header first, JPEGs decoded
    scaled down to what the largest thumbnail needs, one decode slot.

    :raises PayloadTooLarge: above the pixel cap.
    :raises UnsupportedMedia: when ``data`` is not a readable image.
    """
    largest = THUMBNAIL_SIZES[0].side
    try:
        with _decode_slot(), Image.open(io.BytesIO(data)) as image:
            if image.size[0] * image.size[1] > settings.UPLOAD_MAX_PIXELS:
                raise _too_many_pixels()
            if image.format in {"JPEG", "MPO"}:
                image.draft("RGB", (largest, largest))
            image.load()
            return _thumbnails(image)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UnsupportedMedia(
            gettext("The image is damaged and cannot be read."), code="not_an_image"
        ) from exc


def _thumbnails(image: Image.Image) -> tuple[Thumbnail, ...]:
    """Every size of ``THUMBNAIL_SIZES``, each scaled down from the one before it.

    Never scaled up: an image smaller than a size is only re-encoded.
    """
    made = []
    # Resample in full colour: palette images would be scaled by nearest pixel.
    source = image.convert("RGBA" if _has_alpha(image) else "RGB")
    for size in THUMBNAIL_SIZES:
        if size.crop:
            side = min(size.side, source.width, source.height)
            frame = ImageOps.fit(source, (side, side), method=Image.Resampling.LANCZOS)
        else:
            frame = source.copy()
            frame.thumbnail((size.side, size.side), reducing_gap=2.0)
            source = frame
        made.append(
            Thumbnail(
                name=size.name,
                width=frame.width,
                height=frame.height,
                webp=_encode_thumbnail(frame, "WEBP"),
                jpeg=_encode_thumbnail(frame, "JPEG"),
            )
        )
    return tuple(made)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )


def _encode_thumbnail(image: Image.Image, kind: str) -> bytes:
    has_alpha = _has_alpha(image)
    if kind == "WEBP":
        frame = image.convert("RGBA" if has_alpha else "RGB")
        # Method 2 of libwebp's 0–6 effort scale: half the time of the default 4
        # for files within a per cent or two of its size, and the decode slot is
        # held meanwhile.
        options: dict[str, int | bool] = {"quality": 80, "method": 2}
    else:
        # JPEG has no transparency: lay transparent images on white, the colour
        # of the page they sit on, rather than on whatever the pixels hold.
        if has_alpha:
            rgba = image.convert("RGBA")
            frame = Image.new("RGB", rgba.size, (255, 255, 255))
            frame.paste(rgba, mask=rgba.getchannel("A"))
        else:
            frame = image.convert("RGB")
        options = {"quality": 82, "optimize": True, "progressive": True}
    frame.info = {}
    out = io.BytesIO()
    frame.save(out, kind, **options)
    return out.getvalue()
