"""The JSON API at /api/v1: one NinjaAPI; each app owns its router."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from selfwork.accounts.api import auth_router, members_router
from selfwork.api.members import member_profile_router
from selfwork.boards.api import community_posts_router, posts_router, replies_router
from selfwork.briefs.api import briefs_router, offers_router
from selfwork.catalog.api import router as listings_router
from selfwork.communities.api import router as communities_router
from selfwork.conversations.api import blocks_router, conversations_router
from selfwork.core.api import SelfworkAPI, install_error_handlers
from selfwork.core.errors import NotFound
from selfwork.core.problems import problem_for
from selfwork.core.uploads_api import router as uploads_router
from selfwork.exchanges.api import processes_router
from selfwork.exchanges.api import router as exchanges_router
from selfwork.exchanges.reviews_api import (
    exchange_reviews_router,
    member_reputation_router,
    reviews_router,
)
from selfwork.notifications.api import router as notifications_router
from selfwork.payments.api import router as wallet_router
from selfwork.privacy.api import router as data_requests_router
from selfwork.webhooks.api import router as webhooks_router

api = SelfworkAPI(
    title="selfwork API",
    version="1",
    description="Micro-platforms: communities, members, listings. Errors are RFC 9457 "
    "problem details with a stable `code`. Every POST accepts an `Idempotency-Key` header.",
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("/members", members_router)
api.add_router("/members", data_requests_router)
# After ``members_router``, so that ``/members/me`` is not taken for a username.
api.add_router("/members", member_profile_router)
api.add_router("/members", member_reputation_router)
api.add_router("/communities", communities_router)
api.add_router("/communities", community_posts_router)
api.add_router("/posts", posts_router)
api.add_router("/replies", replies_router)
api.add_router("/listings", listings_router)
api.add_router("/uploads", uploads_router)
api.add_router("/wallet", wallet_router)
api.add_router("/exchanges", exchanges_router)
api.add_router("/exchanges", exchange_reviews_router)
api.add_router("/reviews", reviews_router)
api.add_router("/processes", processes_router)
api.add_router("/briefs", briefs_router)
api.add_router("/offers", offers_router)
api.add_router("/conversations", conversations_router)
api.add_router("/blocks", blocks_router)
api.add_router("/notifications", notifications_router)
api.add_router("/webhooks", webhooks_router)


# Exempt like every API endpoint: the API reads no cookies, so a POST to a path it
# does not serve is a 404, not Django's CSRF page.
@csrf_exempt
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Any path under /api/ that no endpoint answers: a problem, not an HTML page."""
    return problem_for(NotFound(f"No API endpoint at {request.path[:200]}."))
