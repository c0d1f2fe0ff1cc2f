"""Web forms for accounts. They shape and label input; the services judge it.

A form only checks what a browser could get wrong by itself (a missing field, a
number that is not a number). Every rule about what is allowed lives in the
service, whose ``InvalidInput`` is shown next to the field it names.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, cast

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext, pgettext_lazy, to_locale
from django.utils.translation import gettext_lazy as _

from selfwork.accounts.models import TIME_ZONES, Member
from selfwork.core.errors import PayloadTooLarge, SelfworkError
from selfwork.core.models import Upload
from selfwork.core.money import currencies
from selfwork.core.throttle import throttle_count
from selfwork.core.uploads import upload_create, upload_files_delete

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# Codes of the upload checks (``core.images``); they carry no form field name.
UPLOAD_CODES = {
    "not_an_image",
    "file_too_large",
    "image_too_large",
    "empty_file",
    "uploads_busy",
}


def add_service_error(
    form: forms.Form,
    exc: SelfworkError,
    fields: dict[str, str] | None = None,
    upload_field: str | None = None,
) -> None:
    """Show a service's error beside the form field it names, else above the form.

    ``fields`` maps a service's field name to the form's where they differ; errors
    about an uploaded file go beside ``upload_field``.
    """
    name = getattr(exc, "field", None)
    if upload_field and (exc.code in UPLOAD_CODES or name == "file"):
        name = upload_field
    elif name and fields and name in fields:
        name = fields[name]
    if name not in form.fields:
        name = None
    form.add_error(name, exc.detail)


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """The form's choice field ``name``, typed as one (its choices are set late)."""
    return cast(forms.ChoiceField, form.fields[name])


def comma_list(text: str) -> list[str]:
    """``"ink, watercolour ,"`` → ``["ink", "watercolour"]``."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def currency_choices() -> list[tuple[str, str]]:
    """Every currency selfwork accepts, as ``("EUR", "EUR — Euro")``, sorted by code.

    The names are in the active language.
    """
    return _currency_choices(to_locale(get_language() or "en"))


@cache
def _currency_choices(locale: str) -> list[tuple[str, str]]:
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        locale = "en"
    return [
        (c, f"{c} — {get_currency_name(c, locale=locale)}")
        for c in sorted(currencies())
    ]


def _text(
    label: "str | _StrPromise", *, max_length: int, required: bool = True, **attrs
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=attrs),
    )


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=30,
        help_text=_(
            "3 to 30 lower-case letters, digits, “-” or “_”. "
            "It becomes your address on selfwork."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        help_text=_("For password resets. Never shown to other members."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    display_name = _text(
        _("Your name"), max_length=80, required=False, autocomplete="name"
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=500,
        strip=False,
        help_text=_("At least 10 characters. A few unrelated words work well."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=500,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(forms.Form):
    display_name = _text(_("Display name"), max_length=80, autocomplete="name")
    bio = forms.CharField(
        label=_("About you"),
        required=False,
        max_length=4000,
        help_text=_("Markdown works: **bold**, *italic*, lists and links."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    skills = _text(
        _("Skills"),
        max_length=1000,
        required=False,
        placeholder=_("illustration, ink, book covers"),
    )
    skills.help_text = _("Separate with commas; up to 20.")
    languages = _text(
        _("Languages"), max_length=1000, required=False, placeholder=_("English, Māori")
    )
    languages.help_text = _("Separate with commas.")
    city = _text(
        _("City"), max_length=80, required=False, autocomplete="address-level2"
    )
    country = _text(
        _("Country code"),
        max_length=2,
        required=False,
        autocomplete="country",
        placeholder=pgettext_lazy("example country code", "NZ"),
        size="3",
    )
    country.help_text = _("Two letters, such as NZ, DE or BR.")
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(tz, tz) for tz in TIME_ZONES]
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Of your pages, e-mails and notifications."),
    )
    preferred_currency = forms.ChoiceField(
        label=_("Show prices in"),
        help_text=_("Prices in other currencies get an approximate conversion."),
    )
    commission_status = forms.ChoiceField(
        label=_("Status"),
        choices=Member.CommissionStatus.choices,
        widget=forms.RadioSelect,
    )
    commission_slots = forms.IntegerField(
        label=_("Open slots"),
        min_value=0,
        max_value=100,
        help_text=_("How many commissions you take at once."),
    )
    away = forms.BooleanField(label=_("I am away (pause new requests)"), required=False)
    avatar = forms.FileField(
        label=_("New avatar"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "preferred_currency").choices = currency_choices()
        choice_field(self, "language").choices = [
            ("", _("As my browser asks")),
            *settings.LANGUAGES,
        ]

    def changes(self) -> dict:
        """The profile changes in ``member_update``'s shape (avatar handled apart)."""
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "bio": data["bio"],
            "skills": comma_list(data["skills"]),
            "languages": comma_list(data["languages"]),
            "city": data["city"],
            "country": data["country"],
            "time_zone": data["time_zone"],
            "preferred_currency": data["preferred_currency"],
            "language": data["language"],
            "commission_status": data["commission_status"],
            "commission_slots": data["commission_slots"],
            "away": data["away"],
        }


class PortfolioForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        help_text=_("JPEG, PNG, WebP or GIF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    caption = _text(_("Caption"), max_length=200, required=False)


class TokenForm(forms.Form):
    name = _text(
        _("Token name"),
        max_length=80,
        required=False,
        placeholder=_("e.g. my shop sync"),
    )


def uploaded_bytes(file) -> bytes:
    """Read an uploaded file, refusing it before reading when it is over the cap."""
    limit = settings.UPLOAD_MAX_BYTES
    if file.size and file.size > limit:
        raise PayloadTooLarge(
            gettext("“%(name)s” is %(size)s bytes; the limit is %(limit)s.")
            % {
                "name": str(file.name)[:60],
                "size": f"{file.size:,}",
                "limit": f"{limit:,}",
            },
            code="file_too_large",
        )
    return file.read(limit + 1)


def uploads_store(files, *, owner, now, created: list[Upload]) -> list[Upload]:
    """Check and store each uploaded file, naming the file that is refused.

    Each file counts against the member's upload limit (``RateLimited``, 429).
    """
    for file in files:
        throttle_count(scope="uploads", member_id=owner.pk, address=None, now=now)
        try:
            created.append(
                upload_create(owner=owner, data=uploaded_bytes(file), now=now)
            )
        except SelfworkError as exc:
            exc.detail = gettext("“%(name)s”: %(detail)s") % {
                "name": str(file.name)[:60],
                "detail": exc.detail,
            }
            raise
    return created


@contextmanager
def uploads_atomic() -> Iterator[list[Upload]]:
    """One transaction for new uploads and the service that uses them.

    Yields a list the caller appends each new upload to. If anything fails, the
    rows roll back with the transaction and the stored files are deleted too, so a
    refused form leaves nothing behind.
    """
    created: list[Upload] = []
    try:
        with transaction.atomic():
            yield created
    except BaseException:
        for upload in created:
            upload_files_delete(upload=upload)
        raise


def safe_next(request, default: str = "") -> str:
    """The ``next`` address of a request if it stays on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
