"""Web pages for a member's data requests: download everything, close the account."""

from typing import cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from selfwork.accounts.forms import add_service_error
from selfwork.accounts.models import Member
from selfwork.core.errors import SelfworkError
from selfwork.privacy.export import export_filename, member_export
from selfwork.privacy.forms import AccountCloseForm
from selfwork.privacy.selectors import closure_blockers
from selfwork.privacy.services import member_close


def _member(request: HttpRequest) -> Member:
    return cast(Member, request.user)


@login_required
@require_POST
def data_export(request: HttpRequest) -> HttpResponse:
    """Answer the archive of everything held about the member, made now."""
    member, at = _member(request), timezone.now()
    response = HttpResponse(
        member_export(member=member, now=at), content_type="application/zip"
    )
    name = export_filename(member=member, now=at)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_close(request: HttpRequest) -> HttpResponse:
    """The confirm step: what closing does, what stands in the way, the password."""
    member = _member(request)
    form = AccountCloseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                member_close(
                    member=member,
                    password=form.cleaned_data["password"],
                    now=timezone.now(),
                )
            except SelfworkError as exc:
                add_service_error(form, exc)
                status = exc.status
            else:
                logout(request)
                messages.info(
                    request,
                    _("Your account is closed. Thank you for being part of selfwork."),
                )
                return redirect("web:home")
    return render(
        request,
        "privacy/account_close.html",
        {"form": form, "blockers": closure_blockers(member=member)},
        status=status,
    )
