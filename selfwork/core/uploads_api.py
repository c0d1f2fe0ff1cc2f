"""API: multipart upload of an image or a deliverable, returning an id to attach."""

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from selfwork.core.api import (
    PROBLEMS,
    PublicId,
    QueryIn,
    member_auth,
    now,
)
from selfwork.core.errors import PayloadTooLarge
from selfwork.core.models import Upload
from selfwork.core.throttle import throttled
from selfwork.core.uploads import (
    delivery_max_bytes,
    upload_create,
    upload_thumbnail_urls,
)

router = Router(tags=["uploads"])

# What the content of ``file`` must be (it is checked by its bytes, not its name):
# an image for kind=image; for kind=file, also a PDF, a ZIP archive or UTF-8 text.
ACCEPTED_TYPES = (
    "image/jpeg, image/png, image/webp, image/gif, application/pdf, "
    "application/zip, text/plain"
)


class UploadThumbnailOut(Schema):
    width: int
    height: int
    webp: str = Field(description="URL of the thumbnail in WebP.")
    jpeg: str = Field(description="URL of the thumbnail in JPEG.")


class UploadOut(Schema):
    id: PublicId
    url: str
    content_type: str
    width: int | None
    height: int | None
    size_bytes: int
    thumbnails: dict[str, UploadThumbnailOut] = Field(
        description="For images: the sizes pages show it at (avatar 96×96, "
        "portrait 192×192, card up to 480, gallery up to 1200 pixels), each in "
        "WebP and JPEG. Empty for deliverables."
    )


class UploadQuery(QueryIn):
    kind: Literal["image", "file"] = Field(
        "image",
        description="image (public: listings, profiles) or file (a deliverable of an "
        "exchange: PDF, PNG, JPEG, WebP, ZIP or plain text; private, no url).",
    )


@router.post(
    "",
    response={201: UploadOut, **PROBLEMS},
    auth=member_auth,
    throttle=throttled("uploads"),
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "encoding": {"file": {"contentType": ACCEPTED_TYPES}},
                }
            }
        }
    },
)
def upload(request: HttpRequest, file: File[UploadedFile], query: Query[UploadQuery]):
    from django.conf import settings

    limit = (
        delivery_max_bytes()
        if query.kind == Upload.Kind.FILE
        else settings.UPLOAD_MAX_BYTES
    )
    if file.size and file.size > limit:
        raise PayloadTooLarge(
            gettext("The file is %(size)s bytes; the limit is %(limit)s.")
            % {"size": file.size, "limit": limit},
            code="file_too_large",
        )
    row = upload_create(
        owner=request.user, data=file.read(limit + 1), now=now(), kind=query.kind
    )
    return Status(
        201,
        {
            "id": str(row.public_id),
            # Deliverables have no public address; they are downloaded through
            # the exchange's signed links.
            "url": row.url if row.kind == Upload.Kind.IMAGE else "",
            "content_type": row.content_type,
            "width": row.width,
            "height": row.height,
            "size_bytes": row.size_bytes,
            "thumbnails": upload_thumbnail_urls(row),
        },
    )
