"""The upload service: every file a member sends passes through here.

Two kinds: ``image`` (listings, avatars, portfolios; re-encoded, stored with
their thumbnails in the public ``default`` storage) and ``file`` (deliverables of
an exchange: PDF, PNG/JPEG/WebP re-encoded like images, ZIP or plain UTF-8 text;
checked by content, never by name, and stored under ``private/`` in the
``private`` storage, which nothing links to directly — downloads go through
signed, per-member links, and on S3 on to a presigned URL a few minutes long).
"""

import datetime as dt
import io
import posixpath
import sys
import time
import uuid
import zipfile
from typing import IO, TYPE_CHECKING, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage, storages
from django.utils.translation import gettext

from selfwork.core.errors import (
    InvalidInput,
    PayloadTooLarge,
    RateLimited,
    UnsupportedMedia,
)
from selfwork.core.images import Thumbnail, image_clean, thumbnails_render
from selfwork.core.media_settings import PRIVATE_LINK_SECONDS
from selfwork.core.models import Upload

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage

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
            gettext("kind is image or file."), field="kind", code="unknown_upload_kind"
        )
    image = image_clean(data, thumbnails=True)
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
    upload.thumbnails = _thumbnails_store(str(upload.file.name), image.thumbnails)
    upload.save()
    return upload


def _thumbnails_store(original: str, thumbnails: tuple[Thumbnail, ...]) -> dict:
    """Save each thumbnail beside ``original`` and return what ``Upload.thumbnails`` keeps."""
    stem = posixpath.splitext(original)[0]
    stored = {}
    for thumb in thumbnails:
        names = {
            fmt: default_storage.save(
                f"{stem}.{thumb.name}.{fmt}", ContentFile(content)
            )
            for fmt, content in (("webp", thumb.webp), ("jpeg", thumb.jpeg))
        }
        stored[thumb.name] = {"width": thumb.width, "height": thumb.height, **names}
    return stored


def upload_thumbnail_urls(upload: Upload) -> dict[str, dict[str, int | str]]:
    """The thumbnails of an image with their public URLs: {size: width, height, webp, jpeg}."""
    storage = default_storage
    return {
        size: {
            "width": thumb["width"],
            "height": thumb["height"],
            "webp": storage.url(thumb["webp"]),
            "jpeg": storage.url(thumb["jpeg"]),
        }
        for size, thumb in (upload.thumbnails or {}).items()
    }


def upload_thumbnails_make(*, upload: Upload) -> Upload:
    """Make the thumbnails of an image stored before thumbnails existed.

    Nothing happens to an upload that has them already or is not an image.

    :raises UnsupportedMedia: when the stored file is not a readable image.
    """
    if upload.kind != Upload.Kind.IMAGE or upload.thumbnails is not None:
        return upload
    name = str(upload.file.name)
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    upload.thumbnails = _thumbnails_store(name, thumbnails_render(data))
    Upload.objects.filter(pk=upload.pk, thumbnails__isnull=True).update(
        thumbnails=upload.thumbnails
    )
    return upload


def thumbnails_backfill(*, attempts: int = 5) -> tuple[int, list[str]]:
    """Make the thumbnails every image stored before thumbnails existed lacks.

    Returns how many images got them, and one line per image that could not
    (a file gone from storage, or no longer readable). Safe to run again, and
    beside a running server: it takes one decode slot at a time, waiting a
    second when uploads hold them all.
    """
    made, failed = 0, []
    pending = Upload.objects.filter(
        kind=Upload.Kind.IMAGE, thumbnails__isnull=True
    ).order_by("pk")
    for upload in pending.iterator(chunk_size=100):
        for attempt in range(attempts):
            try:
                upload_thumbnails_make(upload=upload)
            except RateLimited:
                if attempt == attempts - 1:
                    failed.append(f"{upload.public_id}: the server stayed busy")
                time.sleep(1)
                continue
            except (FileNotFoundError, UnsupportedMedia, PayloadTooLarge) as exc:
                failed.append(f"{upload.public_id} ({upload.file.name}): {exc}")
            else:
                made += 1
            break
    return made, failed


def upload_files_delete(*, upload: Upload) -> None:
    """Delete an upload's stored file and its thumbnails (not its row)."""
    storage = private_storage() if upload.kind == Upload.Kind.FILE else default_storage
    names = [str(upload.file.name)]
    for thumb in (upload.thumbnails or {}).values():
        names += [thumb["webp"], thumb["jpeg"]]
    for name in names:
        storage.delete(name)


def private_storage() -> Storage:
    """The storage of deliverables (``STORAGES["private"]``)."""
    return storages["private"]


def upload_open(upload: Upload) -> IO[bytes]:
    """Open an upload's stored file for reading, from the storage its kind uses.

    :raises FileNotFoundError: when the file is gone from the local disk.
    """
    storage = private_storage() if upload.kind == Upload.Kind.FILE else default_storage
    return storage.open(str(upload.file.name), "rb")


def upload_open_thumbnail(
    upload: Upload, *, size: str, fmt: str
) -> tuple[IO[bytes], str] | None:
    """Open the ``fmt`` (webp or jpeg) thumbnail of ``upload`` at ``size``.

    Returns the file and its content type, or None when the image has no such
    thumbnail (an older image, or an unknown size or format).

    :raises FileNotFoundError: when the file is gone from the local disk.
    """
    thumb = upload.thumbnail(size)
    if thumb is None or fmt not in {"webp", "jpeg"}:
        return None
    return default_storage.open(thumb[fmt], "rb"), f"image/{fmt}"


def private_file_link(upload: Upload, *, filename: str) -> str | None:
    """A presigned, short-lived URL of a deliverable on S3; None on the local disk.

    Only for a viewer the caller has already checked: whoever holds the URL can
    fetch the file until it expires (``PRIVATE_LINK_SECONDS``).
    """
    storage = private_storage()
    # The S3 module is loaded only by a storage that uses it: boto3 costs every
    # process about 8 MB.
    s3 = sys.modules.get("storages.backends.s3")
    if s3 is None or not isinstance(storage, s3.S3Storage):
        return None
    return cast("S3Storage", storage).url(
        upload.file.name,
        parameters={
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": upload.content_type,
            "ResponseCacheControl": "private, no-store",
        },
        expire=PRIVATE_LINK_SECONDS,
    )


def _file_create(*, owner, data: bytes, now: dt.datetime) -> Upload:
    limit = delivery_max_bytes()
    if len(data) > limit:
        raise PayloadTooLarge(
            gettext("The file is %(data)s bytes; the limit is %(limit)s.")
            % {"data": len(data), "limit": limit},
            code="file_too_large",
        )
    if not data:
        raise InvalidInput(
            gettext("The file is empty."), field="file", code="empty_file"
        )
    width = height = None
    if _is_image(data):
        image = image_clean(data, max_bytes=limit, downscale=False)
        content, extension = image.content, image.extension
        content_type, width, height = image.content_type, image.width, image.height
    else:
        found = _file_kind(data)
        if found is None:
            raise UnsupportedMedia(
                gettext(
                    "Deliverables are PDF, PNG, JPEG or WebP images, ZIP "
                    "archives or plain text; this file is none of them."
                ),
                code="unsupported_file",
            )
        content, (extension, content_type) = data, found
    name = private_storage().save(
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
