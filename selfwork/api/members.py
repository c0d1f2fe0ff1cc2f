"""API: a member's public profile with their reputation.

It lives here, above the apps, because the reputation reads both exchanges
(ratings, completions, timing) and conversations (how fast the member answers).
"""

from django.http import HttpRequest
from ninja import Router

from selfwork.accounts import selectors as accounts
from selfwork.accounts.api import member_out
from selfwork.conversations.selectors import first_response_waits
from selfwork.core.api import PROBLEMS, now
from selfwork.exchanges.reputation import member_reputation
from selfwork.exchanges.reviews_api import MemberWithReputationOut, reputation_out

member_profile_router = Router(tags=["members"])


@member_profile_router.get(
    "/{username}", response={200: MemberWithReputationOut, **PROBLEMS}
)
def member_profile(request: HttpRequest, username: str):
    """A member's public profile and reputation."""
    member = accounts.member_get(username=username)
    figures = member_reputation(
        member=member, now=now(), response_waits=first_response_waits(member=member)
    )
    return {**member_out(member), "reputation": reputation_out(figures)}
