"""Web pages for accounts: sign up, log in and out, password reset, profile, API tokens.

Each view parses a form, makes one service call and shows the service's error
beside the field it names. Log-in goes through ``member_authenticate`` so the web,
the API and the admin share one set of limits; a refused form answers 429 with
``Retry-After`` and says how long to wait.
"""

from typing import cast

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from selfwork.accounts.devices import device_of, device_remember
from selfwork.accounts.forms import (
    LoginForm,
    PortfolioForm,
    ProfileForm,
    SignupForm,
    TokenForm,
    add_service_error,
    safe_next,
    uploads_atomic,
    uploads_store,
)
from selfwork.accounts.models import Member
from selfwork.accounts.selectors import member_get
from selfwork.accounts.services import (
    api_token_create,
    api_token_revoke,
    member_authenticate,
    member_language_set,
    member_signup,
    member_update,
    portfolio_add,
    portfolio_remove,
)
from selfwork.core.errors import Conflict, RateLimited, SelfworkError
from selfwork.core.throttle import client_address, throttle_check, throttle_count

BACKEND = "selfwork.accounts.backends.MemberBackend"


def _retry_after(response: HttpResponse, exc: SelfworkError) -> HttpResponse:
    """Add ``Retry-After`` to a page that shows a rate-limit refusal."""
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _member(request: HttpRequest) -> Member:
    """The logged-in member of a ``login_required`` view."""
    return cast(Member, request.user)


# Conflicts carry a code, not a field; these say which field they are about.
CONFLICT_FIELDS = {"username_taken": "username", "email_taken": "email"}


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    status = 200
    refusal: SelfworkError | None = None
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                throttle_check(request=request, scope="signup", now=timezone.now())
                member = member_signup(
                    username=data["username"],
                    email=data["email"],
                    password=data["password"],
                    display_name=data["display_name"],
                    now=timezone.now(),
                )
            except Conflict as exc:
                form.add_error(CONFLICT_FIELDS.get(exc.code), exc.detail)
                status = exc.status
            except SelfworkError as exc:
                add_service_error(form, exc)
                status = exc.status
                refusal = exc
            else:
                login(request, member, backend=BACKEND)
                messages.success(
                    request,
                    gettext(
                        "Welcome to selfwork, %(name)s! Join a community to start "
                        "offering your work."
                    )
                    % {"name": member.name},
                )
                return redirect(
                    safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
                )
    response = render(
        request,
        "accounts/signup.html",
        {"form": form, "next": safe_next(request)},
        status=status,
    )
    return _retry_after(response, refusal) if refusal else response


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
    form = LoginForm(request.POST or None)
    status = 200
    refusal: SelfworkError | None = None
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                member = member_authenticate(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    address=client_address(request),
                    device=device_of(request),
                    now=timezone.now(),
                )
            except SelfworkError as exc:
                form.add_error(None, exc.detail)
                status = exc.status
                refusal = exc
            else:
                login(request, member, backend=BACKEND)
                welcome = redirect(
                    safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
                )
                device_remember(request, welcome)
                return welcome
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "next": safe_next(request)},
        status=status,
    )
    return _retry_after(response, refusal) if refusal else response


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own log-in page, answering 429 when the limits refuse it.

    Its form authenticates through ``MemberBackend``, so the admin shares the
    limits of every other way in.
    """
    response = admin.site.login(request)
    refusal = getattr(request, "login_refusal", None)
    if refusal is not None:
        response.status_code = refusal.status
        _retry_after(response, refusal)
    elif request.method == "POST" and request.user.is_authenticated:
        device_remember(request, response)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, gettext("You are logged out. See you soon."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


class PasswordResetView(auth_views.PasswordResetView):
    """Send a reset link, at most ``SELFWORK_THROTTLE_PASSWORD_RESET`` per e-mail address.

    The limit is counted whether or not an account has the address, so a refusal
    tells nobody which addresses are members'.
    """

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        try:
            throttle_check(
                request=self.request,
                scope="password_reset",
                now=timezone.now(),
                subject=form.cleaned_data["email"],
            )
        except RateLimited as exc:
            form.add_error(None, exc.detail)
            response = self.form_invalid(form)
            response.status_code = exc.status
            return _retry_after(response, exc)
        return super().form_valid(form)


password_reset = PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


def _profile_initial(member: Member) -> dict:
    return {
        "display_name": member.display_name or member.username,
        "bio": member.bio,
        "skills": ", ".join(member.skills),
        "languages": ", ".join(member.languages),
        "city": member.city,
        "country": member.country,
        "time_zone": member.time_zone,
        "preferred_currency": member.preferred_currency,
        "language": member.language,
        "commission_status": member.commission_status,
        "commission_slots": member.commission_slots,
        "away": member.away,
    }


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: Django's ``set_language``, remembered.

    The choice is kept in Django's language cookie for everyone, and saved as a
    signed-in member's preferred language, which their e-mails follow too.
    """
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(code):
        member_language_set(
            member=_member(request),
            language=translation.get_supported_language_variant(code),
        )
    return response


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit your profile, avatar and portfolio (three forms on one page)."""
    member = member_get(username=request.user.username)
    form = ProfileForm(initial=_profile_initial(member))
    portfolio_form = PortfolioForm()
    status = 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "profile":
        form = ProfileForm(request.POST, request.FILES)
        status = 422
        if form.is_valid():
            changes = form.changes()
            try:
                with uploads_atomic() as created:
                    avatar = form.cleaned_data["avatar"]
                    if avatar:
                        uploads_store(
                            [avatar], owner=member, now=timezone.now(), created=created
                        )
                        changes["avatar"] = str(created[0].public_id)
                    elif form.cleaned_data["remove_avatar"]:
                        changes["avatar"] = None
                    member_update(member=member, changes=changes)
            except SelfworkError as exc:
                add_service_error(form, exc, upload_field="avatar")
                status = exc.status
            else:
                messages.success(request, gettext("Your profile is saved."))
                return redirect("web:profile", username=member.username)
    elif action == "portfolio_add":
        portfolio_form = PortfolioForm(request.POST, request.FILES)
        status = 422
        if portfolio_form.is_valid():
            try:
                with uploads_atomic() as created:
                    uploads_store(
                        [portfolio_form.cleaned_data["image"]],
                        owner=member,
                        now=timezone.now(),
                        created=created,
                    )
                    portfolio_add(
                        member=member,
                        upload_id=str(created[0].public_id),
                        caption=portfolio_form.cleaned_data["caption"],
                    )
            except SelfworkError as exc:
                add_service_error(portfolio_form, exc, upload_field="image")
                status = exc.status
            else:
                messages.success(request, gettext("Added to your portfolio."))
                return redirect(reverse("web:profile_edit") + "#portfolio")
    elif action == "portfolio_remove":
        try:
            item_id = int(request.POST.get("item", ""))
            portfolio_remove(member=member, item_id=item_id)
        except (ValueError, SelfworkError):
            messages.error(
                request, gettext("That image is no longer in your portfolio.")
            )
        else:
            messages.success(request, gettext("Removed from your portfolio."))
        return redirect(reverse("web:profile_edit") + "#portfolio")
    return render(
        request,
        "accounts/profile_edit.html",
        {"form": form, "portfolio_form": portfolio_form, "member": member},
        status=status,
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Issue an API token and show it once, on the next page only."""
    form = TokenForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    at = timezone.now()
    try:
        throttle_count(scope="token", member_id=request.user.pk, address=None, now=at)
        token = api_token_create(member=_member(request), now=at, name=name)
    except RateLimited as exc:
        response = render(
            request, "accounts/too_many.html", {"detail": exc.detail}, status=exc.status
        )
        return _retry_after(response, exc)
    # Kept in the server-side session for one page view, never in a cookie.
    request.session["new_api_token"] = token
    return redirect(reverse("web:dashboard") + "#tokens")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        api_token_revoke(member=_member(request), token_id=token_id)
    except SelfworkError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, gettext("The token is revoked; it no longer works."))
    return redirect(reverse("web:dashboard") + "#tokens")
