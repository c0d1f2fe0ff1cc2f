"""The upload service: every file a member sends passes through here."""

import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.db import transaction

from selfwork.core.images import image_clean
from selfwork.core.models import Upload


@transaction.atomic
def upload_create(*, owner, data: bytes, now: dt.datetime) -> Upload:
    """Check ``data`` as an image, re-encode it and store it for ``owner``.

    :raises PayloadTooLarge: above the byte or pixel cap.
    :raises UnsupportedMedia: when the content is not an accepted image.
    """
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
