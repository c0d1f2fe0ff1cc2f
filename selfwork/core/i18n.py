"""Which language a request is answered in, and the catalogues' place.

The order of choice (docs/decisions/0028-languages-and-local-formats.md):

1. the language the visitor chose with the switcher (Django's language cookie);
2. the signed-in member's preferred language (``accounts`` applies it, once the
   member is known: see ``MemberLocaleMiddleware``);
3. the browser's ``Accept-Language``;
4. English.

The API takes no cookies (a browser session must not choose anything for it), so
an API request is answered in the language of its ``Accept-Language`` alone, and
in English without one: its problem ``code`` is stable English either way.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def language_from_accept_header(request: HttpRequest) -> str:
    """The first language of ``Accept-Language`` the site speaks, else the default."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def language_chosen(request: HttpRequest) -> str | None:
    """The language the visitor chose with the switcher, if a known one."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if not cookie:
        return None
    try:
        return translation.get_supported_language_variant(cookie)
    except LookupError:
        return None


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's locale middleware, with URLs left unprefixed and the API cookie-blind."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(API_PREFIX):
            language = language_from_accept_header(request)
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


def _interpolated(message: Any, params: dict[str, Any]) -> str:
    return str(message) % params


# Typed as returning str by django-stubs; it returns a lazy proxy (a Promise).
_interpolated_lazy: Any = lazy(_interpolated, str)


def interpolate_lazy(message: Any, params: dict[str, Any]) -> Promise:
    """``message % params``, both translated when read, not when written.

    For sentences written now and read later in another language (a member's
    notification): ``message`` is a ``gettext_lazy`` text with ``%(name)s``
    placeholders, and any value may itself be lazy (a process label).
    """
    text: Promise = _interpolated_lazy(message, params)
    return text


def text_lazy(render: Any) -> Promise:
    """``render()``, called when the text is read (in the reader's language)."""
    text: Promise = lazy(render, str)()
    return text
