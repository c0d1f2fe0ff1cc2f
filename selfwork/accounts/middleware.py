import zoneinfo

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone, translation

from selfwork.accounts.selectors import member_for_token
from selfwork.core.errors import InvalidToken
from selfwork.core.i18n import language_chosen
from selfwork.core.problems import is_api, problem_for


class BearerTokenMiddleware:
    """Authenticates API requests by bearer token, and only by bearer token.

    The API ignores the session cookie on purpose: a browser session would make
    every API POST a cross-site request forgery target.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not is_api(request):
            return self.get_response(request)
        header = request.headers.get("Authorization", "")
        request.user = AnonymousUser()
        if header:
            scheme, _, token = header.partition(" ")
            member = (
                member_for_token(token=token.strip(), now=timezone.now())
                if scheme.lower() == "bearer" and token.strip()
                else None
            )
            if member is None:
                return problem_for(
                    InvalidToken("The bearer token is unknown or revoked.")
                )
            request.user = member
        return self.get_response(request)


class MemberLocaleMiddleware:
    """Speaks a signed-in member's preferred language, in their time zone.

    Runs once the member is known (after authentication). Their preferred
    language comes after a choice made with the switcher (the language cookie)
    and before the browser's ``Accept-Language``; the API, which takes no cookies,
    follows ``Accept-Language`` only (``selfwork.core.i18n``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        member = user if user is not None and user.is_authenticated else None
        if (
            member is not None
            and member.language
            and not is_api(request)
            and language_chosen(request) is None
        ):
            try:
                language = translation.get_supported_language_variant(member.language)
            except LookupError:
                language = None
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        # The time zone is per thread: set it (or reset it) on every request, so
        # that one member's zone never leaks into the next visitor's page.
        zone = _zone(member.time_zone) if member is not None else None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
