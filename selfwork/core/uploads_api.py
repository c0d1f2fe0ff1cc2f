"""API: multipart image upload, returning an id to attach to listings and profiles."""

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from selfwork.core.api import PROBLEMS, member_auth, now
from selfwork.core.errors import PayloadTooLarge
from selfwork.core.uploads import upload_create

router = Router(tags=["uploads"])


class UploadOut(Schema):
    id: str
    url: str
    content_type: str
    width: int | None
    height: int | None
    size_bytes: int


@router.post("", response={201: UploadOut, **PROBLEMS}, auth=member_auth)
def upload(request: HttpRequest, file: File[UploadedFile]):
    from django.conf import settings

    if file.size and file.size > settings.UPLOAD_MAX_BYTES:
        raise PayloadTooLarge(
            f"The file is {file.size} bytes; the limit is {settings.UPLOAD_MAX_BYTES}.",
            code="file_too_large",
        )
    row = upload_create(
        owner=request.user, data=file.read(settings.UPLOAD_MAX_BYTES + 1), now=now()
    )
    return Status(
        201,
        {
            "id": str(row.public_id),
            "url": row.url,
            "content_type": row.content_type,
            "width": row.width,
            "height": row.height,
            "size_bytes": row.size_bytes,
        },
    )
