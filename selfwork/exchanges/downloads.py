"""Deliverable downloads: signed, expiring links that work only for the member they name.

A link carries the member's id, the upload's id and an expiry, signed with the
deployment's secret. The view serves the file only to that member, logged in,
before the expiry, and only while they may still see the exchange's deliverables:
a stranger, a guess, or the same link used by another member gets 404.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from selfwork.core.models import Upload
from selfwork.core.uploads import (
    private_file_link,
    upload_open,
    upload_open_thumbnail,
)
from selfwork.exchanges.selectors import (
    exchange_photo_for_member,
    upload_exchange_for_member,
)

SALT = "selfwork.exchanges.download"
LINK_LIFETIME = dt.timedelta(hours=2)
_EXTENSIONS = {
    "application/pdf": "pdf",
    "application/zip": "zip",
    "text/plain; charset=utf-8": "txt",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/webp": "webp",
}


def download_token(*, upload: Upload, member, expires_at: dt.datetime) -> str:
    """Sign (member, upload, expiry) into an opaque token."""
    return signing.dumps(
        {"m": member.pk, "u": upload.pk, "e": int(expires_at.timestamp())},
        salt=SALT,
        compress=True,
    )


def delivery_file_url(*, upload: Upload, member, now: dt.datetime) -> str:
    """Return a link to ``upload`` for ``member`` alone, valid for two hours from ``now``."""
    token = download_token(upload=upload, member=member, expires_at=now + LINK_LIFETIME)
    return reverse("exchange_download", kwargs={"token": token})


def download_check(*, token: str, member, now: dt.datetime) -> Upload:
    """Return the upload ``token`` names if ``member`` may fetch it now.

    :raises Http404: for a bad or expired token, another member's token, or a
        member who may no longer see the deliverables.
    """
    try:
        data = signing.loads(token, salt=SALT)
        member_pk, upload_pk, expires = int(data["m"]), int(data["u"]), int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise Http404("No such file.") from exc
    if member is None or not member.is_authenticated or member.pk != member_pk:
        raise Http404("No such file.")
    if now.timestamp() > expires:
        raise Http404("This link has expired; open the exchange for a fresh one.")
    upload = Upload.objects.filter(pk=upload_pk).first()
    if (
        upload is None
        or upload_exchange_for_member(upload_id=upload.pk, member=member) is None
    ):
        raise Http404("No such file.")
    return upload


@require_GET
@login_required
def download(request: HttpRequest, token: str) -> FileResponse | HttpResponseRedirect:
    """Serve a deliverable to the member its signed link names.

    From the local disk, the file itself; from S3, a redirect to a presigned URL.
    """
    upload = download_check(token=token, member=request.user, now=timezone.now())
    extension = _EXTENSIONS.get(upload.content_type, "bin")
    filename = f"delivery-{upload.public_id}.{extension}"
    # On S3 the bytes come from the bucket, not through a worker of ours: the
    # member has been checked, so hand them a presigned link a few minutes long.
    if link := private_file_link(upload, filename=filename):
        redirect = HttpResponseRedirect(link)
        redirect["Cache-Control"] = "private, no-store"
        redirect["Referrer-Policy"] = "no-referrer"
        return redirect
    try:
        handle = upload_open(upload)
    except FileNotFoundError as exc:
        raise Http404("The file is gone.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=upload.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Photos of a rental's handover, return and claim ------------------------------
#
# Photos are image uploads, which selfwork stores under random names in public
# media (like listing images). A photo of someone's flat at handover is not a
# listing image, though: the room never shows that public name, only a signed
# link naming the member, the exchange and the upload, checked on every request
# against who may see the exchange now (its parties and operators), the way
# deliverables are. The file's own random name stays an unlisted capability: see
# the report of the rental web work for moving it to private storage.

PHOTO_SALT = "selfwork.exchanges.photo"


def photo_url(*, upload: Upload, exchange, member, now: dt.datetime) -> str:
    """Return a link to the photo ``upload`` of ``exchange`` for ``member`` alone."""
    token = signing.dumps(
        {
            "m": member.pk,
            "u": upload.pk,
            "x": exchange.pk,
            "e": int((now + LINK_LIFETIME).timestamp()),
        },
        salt=PHOTO_SALT,
        compress=True,
    )
    return reverse("exchange_photo", kwargs={"token": token})


def photo_check(*, token: str, member, now: dt.datetime) -> Upload:
    """Return the photo ``token`` names if ``member`` may see it now.

    :raises Http404: for a bad or expired token, another member's token, or a
        member who is no longer a party to (or operator of) the exchange.
    """
    try:
        data = signing.loads(token, salt=PHOTO_SALT)
        member_pk, upload_pk = int(data["m"]), int(data["u"])
        exchange_pk, expires = int(data["x"]), int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise Http404("No such photo.") from exc
    if member is None or not member.is_authenticated or member.pk != member_pk:
        raise Http404("No such photo.")
    if now.timestamp() > expires:
        raise Http404("This link has expired; open the exchange for a fresh one.")
    upload = exchange_photo_for_member(
        exchange_id=exchange_pk, upload_id=upload_pk, member=member
    )
    if upload is None:
        raise Http404("No such photo.")
    return upload


@require_GET
@login_required
def photo(request: HttpRequest, token: str) -> FileResponse:
    """Serve a rental's photo (or its thumbnail), inline, to the member its link names."""
    upload = photo_check(token=token, member=request.user, now=timezone.now())
    try:
        # ``?size=card&format=webp``: a thumbnail for the room's grid; the photo
        # as stored otherwise, or when it has no thumbnails.
        found = upload_open_thumbnail(
            upload,
            size=request.GET.get("size", ""),
            fmt=request.GET.get("format", "jpeg"),
        )
        handle, content_type = found or (upload_open(upload), upload.content_type)
    except FileNotFoundError as exc:
        raise Http404("The photo is gone.") from exc
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
