"""API: a member's own data requests, beside ``/members/me``.

``GET /members/me/export`` answers the archive itself (``application/zip``);
``POST /members/me/close`` closes the account, confirmed by the password.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router
from ninja.responses import Status

from selfwork.core.api import PROBLEMS, BodyIn, caller, member_auth, now
from selfwork.privacy import services
from selfwork.privacy.export import export_filename, member_export

router = Router(tags=["members"])

ZIP = {
    "responses": {
        200: {
            "description": "A zip archive of everything selfwork holds about you; "
            "its index.json lists every file and what it is.",
            "content": {
                "application/zip": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


@router.get(
    "/me/export",
    response={200: None, **PROBLEMS},
    auth=member_auth,
    openapi_extra=ZIP,
)
def me_export(request: HttpRequest):
    """Download everything selfwork holds about you, as one zip archive."""
    member = caller(request)
    at = now()
    response = HttpResponse(
        member_export(member=member, now=at), content_type="application/zip"
    )
    name = export_filename(member=member, now=at)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class AccountCloseIn(BodyIn):
    password: str = Field(max_length=500)


@router.post("/me/close", response={204: None, **PROBLEMS}, auth=member_auth)
def me_close(request: HttpRequest, payload: AccountCloseIn):
    """Close your account for good, confirming with your password.

    Refused with 409 ``open_exchanges`` or ``money_held`` while something is
    unfinished; the problem says what to do first. Your token stops working.
    """
    services.member_close(member=caller(request), password=payload.password, now=now())
    return Status(204, None)
