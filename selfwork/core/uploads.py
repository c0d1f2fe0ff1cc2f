"""The upload service: every file a member sends passes through here.

Two kinds: ``image`` (listings, avatars, portfolios; re-encoded, served publicly
from /media/) and ``file`` (deliverables of an exchange: PDF, PNG/JPEG/WebP
re-encoded like images, ZIP or plain UTF-8 text; checked by content, never by
name, and stored under ``private/``, which /media/ does not serve — downloads go
through signed, per-member links).
"""

import datetime as dt
import io
import uuid
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from selfwork.core.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from selfwork.core.images import image_clean
from selfwork.core.models import Upload

PRIVATE_PREFIX = "private/"
DEFAULT_DELIVERY_MAX_BYTES = 50 * 1024 * 1024
# Control characters other than tab, newline, form feed and carriage return.
_TEXT_CONTROLS = set(range(0, 9)) | {11} | set(range(14, 32)) | {127}


def delivery_max_bytes() -> int:
    """The size cap of a deliverable file (``SELFWORK_DELIVERY_MAX_BYTES``)."""
    return int(
        getattr(settings, "SELFWORK_DELIVERY_MAX_BYTES", DEFAULT_DELIVERY_MAX_BYTES)
    )


def _file_kind(data: bytes) -> tuple[str, str] | None:
    """Return (extension, content type) of a deliverable, judged by its content."""
    if data.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        return "zip", "application/zip"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(ord(char) in _TEXT_CONTROLS for char in text):
        return None
    return "txt", "text/plain; charset=utf-8"


def _is_image(data: bytes) -> bool:
    return (
        data.startswith(b"\x89PNG\r\n\x1a\n")
        or data.startswith(b"\xff\xd8\xff")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )


def upload_create(
    *, owner, data: bytes, now: dt.datetime, kind: str = Upload.Kind.IMAGE
) -> Upload:
    """Check ``data`` by its content and store it for ``owner``.

    ``kind="image"``: an image, re-encoded without metadata. ``kind="file"``: a
    deliverable (PDF, PNG/JPEG/WebP re-encoded, ZIP, plain UTF-8 text) up to
    ``SELFWORK_DELIVERY_MAX_BYTES``, stored privately.

    :raises PayloadTooLarge: above the byte or pixel cap.
    :raises UnsupportedMedia: when the content is not of an accepted type.
    :raises InvalidInput: for an empty file or an unknown kind.

    Not atomic on purpose: decoding takes up to a second, and inside a
    transaction it would hold SQLite's write lock (IMMEDIATE) all that time,
    queueing every other writer behind it. The one row is written last, on its
    own; callers that need it in their own transaction still get that.
    """
    if kind == Upload.Kind.FILE:
        return _file_create(owner=owner, data=data, now=now)
    if kind != Upload.Kind.IMAGE:
        raise InvalidInput(
            "kind is image or file.", field="kind", code="unknown_upload_kind"
        )
    image = image_clean(data)
    upload = Upload(
        owner=owner,
        kind=Upload.Kind.IMAGE,
        content_type=image.content_type,
        size_bytes=len(image.content),
        width=image.width,
        height=image.height,
        created_at=now,
    )
    # A random name: what the member called the file is never used on disk.
    upload.file.save(
        f"{uuid.uuid4().hex}.{image.extension}", ContentFile(image.content), save=False
    )
    upload.save()
    return upload


def _file_create(*, owner, data: bytes, now: dt.datetime) -> Upload:
    limit = delivery_max_bytes()
    if len(data) > limit:
        raise PayloadTooLarge(
            f"The file is {len(data)} bytes; the limit is {limit}.",
            code="file_too_large",
        )
    if not data:
        raise InvalidInput("The file is empty.", field="file", code="empty_file")
    width = height = None
    if _is_image(data):
        image = image_clean(data, max_bytes=limit, downscale=False)
        content, extension = image.content, image.extension
        content_type, width, height = image.content_type, image.width, image.height
    else:
        found = _file_kind(data)
        if found is None:
            raise UnsupportedMedia(
                "Deliverables are PDF, PNG, JPEG or WebP images, ZIP archives or "
                "plain text; this file is none of them.",
                code="unsupported_file",
            )
        content, (extension, content_type) = data, found
    name = default_storage.save(
        f"{PRIVATE_PREFIX}{now:%Y/%m}/{uuid.uuid4().hex}.{extension}",
        ContentFile(content),
    )
    upload = Upload(
        owner=owner,
        kind=Upload.Kind.FILE,
        content_type=content_type,
        size_bytes=len(content),
        width=width,
        height=height,
        created_at=now,
    )
    upload.file.name = name
    upload.save()
    return upload
