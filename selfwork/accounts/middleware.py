from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from selfwork.accounts.selectors import member_for_token
from selfwork.core.errors import InvalidToken
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
