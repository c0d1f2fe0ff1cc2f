"""The authorisation matrix: every object-taking operation × every role.

Every operation of the OpenAPI document and every page of the URL conf that takes
an object's id, slug, name or token has at least one case below (the coverage
tests fail for a new one without), or a place in an allow-list that says why not.
Each case builds nothing itself: ``world`` (conftest.py) gives every object an
owner. The case is then called as:

- another member of the object's community, party to nothing (``member``);
- the host of another community (``other_host``);
- nobody (``anonymous``);
- and last the owner, who must succeed (the case is not vacuous).

A role the case does not let see the object gets 404, as DESIGN.md says ("a
non-participant gets 404"); on the API an anonymous caller of an operation that
requires a bearer token gets 401 first (the OpenAPI document says which), and on
the web an anonymous visitor of a log-in-only page is sent to log in. A role that
may see but not change the object is refused (403, 404 or 409; on the web also a
redirect with a message). Whoever is refused, no row of any table changes.
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from selfwork.payments.gateways import CARD_SUCCEEDS
from tests.security.conftest import (
    CONVERSATION_SECRET,
    World,
    database_fingerprint,
    money,
)

pytestmark = pytest.mark.slow

ROLES = ("member", "other_host", "anonymous")
WHO = {"member": "neighbour", "other_host": "rival", "anonymous": None}
ALL = frozenset(ROLES)


@dataclasses.dataclass(frozen=True)
class Case:
    """One operation on one owner's object, and who may do what with it."""

    method: str
    route: str  # the OpenAPI path (without /api/v1) or the URL conf's pattern
    owner: str  # the World attribute of the member who owns the object
    url: Callable[[World], str]
    body: Callable[[World], dict] | None = None
    sees: frozenset[str] = frozenset()  # roles that may see it (refused writes)
    may: frozenset[str] = frozenset()  # roles that may do it (public reads, joins)
    secret: Callable[[World], str] | None = None  # what no other role may read
    variant: str = ""
    # A form action on the member's own page answers "no such thing" by a redirect
    # back with a message, as for an id that never existed.
    answered_in_page: bool = False

    @property
    def id(self) -> str:
        variant = f" [{self.variant}]" if self.variant else ""
        return f"{self.method} {self.route}{variant}"


def api(method, route, owner, params, body=None, **options) -> Case:
    def url(world: World) -> str:
        return "/api/v1" + route.format(**params(world))

    return Case(method, route, owner, url, body, **options)


def web(method, route, owner, url, body=None, **options) -> Case:
    return Case(method, route, owner, url, body, **options)


def exchange_id(w):
    return {"exchange_id": w.exchange.public_id}


def offer_id(w):
    return {"offer_id": w.offer.public_id}


def countered_id(w):
    return {"offer_id": w.countered_offer.public_id}


def charge_id(w):
    return {"charge_id": w.charge.public_id}


def webhook_id(w):
    return {"endpoint_id": w.webhook.public_id}


def _post_id(attr):
    return lambda w: {"post_id": getattr(w, attr).public_id}


def _board_cases(method, route, owner, body=None, *, public_may=frozenset()):
    """One post on the public guild's board (seen by all) and one in the back room."""
    return [
        api(
            method,
            route,
            owner,
            _post_id("post"),
            body,
            sees=ALL,
            may=frozenset(public_may),
            variant="public community",
        ),
        api(
            method,
            route,
            owner,
            _post_id("private_post"),
            body,
            variant="private community",
        ),
    ]


def community_cases(method, route, body=None, *, public_may=frozenset(), **owners):
    """The private back room (hidden from non-members) and the public guild."""
    private_owner = owners.get("private_owner", "host")
    public_owner = owners.get("public_owner", "host")
    private_body = owners.get("private_body", body)
    read = method == "GET"
    return [
        api(
            method,
            route,
            private_owner,
            lambda w: {"slug": w.back_room.slug},
            private_body,
            variant="private community",
        ),
        api(
            method,
            route,
            public_owner,
            lambda w: {"slug": w.guild.slug},
            body,
            sees=ALL,
            may=ALL if read else public_may,
            variant="public community",
        ),
    ]


API_CASES = [
    # --- members -----------------------------------------------------------------
    api(
        "DELETE",
        "/members/me/portfolio/{item_id}",
        "buyer",
        lambda w: {"item_id": w.portfolio_item.pk},
    ),
    api(
        "GET",
        "/members/{username}",
        "buyer",
        lambda w: {"username": w.buyer.username},
        may=ALL,
        secret=lambda w: w.buyer.email,
    ),
    # --- communities ---------------------------------------------------------------
    *community_cases("GET", "/communities/{slug}"),
    *community_cases("PATCH", "/communities/{slug}", lambda w: {"tagline": "Ours"}),
    *community_cases(
        "POST",
        "/communities/{slug}/join",
        private_owner="invitee",
        public_owner="invitee",
        public_may=frozenset({"other_host"}),
    ),
    *community_cases(
        "POST",
        "/communities/{slug}/leave",
        private_owner="buyer",
        public_owner="buyer",
        public_may=frozenset({"member"}),
    ),
    *community_cases("GET", "/communities/{slug}/members"),
    api(
        "GET",
        "/communities/{slug}/timebank",
        "host",
        lambda w: {"slug": w.back_room.slug},
        variant="private community",
    ),
    api(
        "GET",
        "/communities/{slug}/timebank",
        "host",
        lambda w: {"slug": w.guild.slug},
        sees=ALL,
        variant="public community",
    ),
    *community_cases(
        "POST",
        "/communities/{slug}/invitations",
        lambda w: {"username": w.invitee.username},
        private_body=lambda w: {"username": w.neighbour.username},
    ),
    *community_cases(
        "POST",
        "/communities/{slug}/approvals",
        lambda w: {"username": w.applicant.username},
    ),
    *community_cases(
        "POST",
        "/communities/{slug}/roles",
        lambda w: {"username": w.provider.username, "role": "moderator"},
    ),
    *community_cases(
        "POST",
        "/communities/{slug}/categories",
        lambda w: {"slug": "ink", "name": "Ink"},
    ),
    *community_cases(
        "POST",
        "/communities/{slug}/listing-fields",
        lambda w: {"key": "style", "label": "Style", "kind": "text"},
    ),
    # --- listings ------------------------------------------------------------------
    api(
        "GET",
        "/listings/{listing_id}",
        "provider",
        lambda w: {"listing_id": w.listing.public_id},
        sees=ALL,
        may=ALL,
        variant="public",
    ),
    api(
        "GET",
        "/listings/{listing_id}",
        "provider",
        lambda w: {"listing_id": w.hidden_listing.public_id},
        variant="hidden by its owner",
    ),
    api(
        "GET",
        "/listings/{listing_id}",
        "provider",
        lambda w: {"listing_id": w.private_listing.public_id},
        variant="private community",
    ),
    api(
        "PATCH",
        "/listings/{listing_id}",
        "provider",
        lambda w: {"listing_id": w.listing.public_id},
        lambda w: {"title": "Changed"},
        sees=ALL,
    ),
    api(
        "DELETE",
        "/listings/{listing_id}",
        "provider",
        lambda w: {"listing_id": w.listing.public_id},
        sees=ALL,
    ),
    # --- wallet: a host's cash payments ----------------------------------------------
    api("POST", "/wallet/manual-payments/{charge_id}/confirm", "host", charge_id),
    api("POST", "/wallet/manual-payments/{charge_id}/cancel", "host", charge_id),
    api(
        "POST",
        "/wallet/manual-deposits/{deposit_id}/confirm",
        "host",
        lambda w: {"deposit_id": w.deposit.public_id},
    ),
    api(
        "POST",
        "/wallet/manual-deposits/{deposit_id}/return",
        "host",
        lambda w: {"deposit_id": w.held_deposit.public_id},
    ),
    # --- listing calendars -----------------------------------------------------------
    api(
        "GET",
        "/listings/{listing_id}/availability",
        "provider",
        lambda w: {"listing_id": w.drill.public_id},
        sees=ALL,
        may=ALL,
        secret=lambda w: "Away at my sister",
    ),
    api(
        "PUT",
        "/listings/{listing_id}/availability",
        "provider",
        lambda w: {"listing_id": w.drill.public_id},
        lambda w: {"cancellation_policy": "strict"},
        sees=ALL,
    ),
    # --- exchanges -----------------------------------------------------------------
    api("GET", "/exchanges/{exchange_id}", "buyer", exchange_id),
    api(
        "POST",
        "/exchanges/{exchange_id}/transitions",
        "buyer",
        exchange_id,
        lambda w: {"name": "pay", "card": CARD_SUCCEEDS},
    ),
    api(
        "POST",
        "/exchanges/{exchange_id}/transitions",
        "buyer",
        exchange_id,
        lambda w: {"name": "cancel", "reason": "Changed my mind"},
        variant="cancel",
    ),
    api("GET", "/exchanges/{exchange_id}/messages", "buyer", exchange_id),
    api(
        "POST",
        "/exchanges/{exchange_id}/messages",
        "buyer",
        exchange_id,
        lambda w: {"body": "Hello"},
    ),
    # --- reviews ------------------------------------------------------------------
    api("GET", "/exchanges/{exchange_id}/reviews", "buyer", exchange_id),
    api(
        "POST",
        "/exchanges/{exchange_id}/reviews",
        "buyer",
        lambda w: {"exchange_id": w.reviewable.public_id},
        lambda w: {"rating": 5, "text": "Lovely."},
    ),
    api(
        "POST",
        "/reviews/{review_id}/reply",
        "provider",
        lambda w: {"review_id": w.review.public_id},
        lambda w: {"text": "Thank you."},
        sees=ALL,
    ),
    api(
        "POST",
        "/reviews/{review_id}/hide",
        "host",
        lambda w: {"review_id": w.review.public_id},
        lambda w: {"reason": "It names a private address."},
        sees=ALL,
    ),
    api(
        "GET",
        "/members/{username}/reviews",
        "provider",
        lambda w: {"username": w.provider.username},
        may=ALL,
    ),
    # --- briefs and offers -----------------------------------------------------------
    api(
        "GET",
        "/briefs/{brief_id}",
        "buyer",
        lambda w: {"brief_id": w.brief.public_id},
        sees=ALL,
        may=ALL,
        secret=lambda w: str(w.offer.public_id),
        variant="public community",
    ),
    api(
        "GET",
        "/briefs/{brief_id}",
        "buyer",
        lambda w: {"brief_id": w.private_brief.public_id},
        variant="private community",
    ),
    *[
        api(
            "POST",
            f"/briefs/{{brief_id}}/{action}",
            "buyer",
            lambda w: {"brief_id": w.brief.public_id},
            sees=ALL,
            variant="public community",
        )
        for action in ("close", "cancel")
    ],
    *[
        api(
            "POST",
            f"/briefs/{{brief_id}}/{action}",
            "buyer",
            lambda w: {"brief_id": w.private_brief.public_id},
            variant="private community",
        )
        for action in ("close", "cancel")
    ],
    api(
        "GET",
        "/briefs/{brief_id}/offers",
        "buyer",
        lambda w: {"brief_id": w.brief.public_id},
        sees=ALL,
        may=frozenset({"member", "other_host"}),  # each sees only their own offers
        secret=lambda w: str(w.offer.public_id),
        variant="public community",
    ),
    api(
        "GET",
        "/briefs/{brief_id}/offers",
        "buyer",
        lambda w: {"brief_id": w.private_brief.public_id},
        variant="private community",
    ),
    api(
        "POST",
        "/briefs/{brief_id}/offers",
        "host",  # any member but the author answers a brief; the host is one
        lambda w: {"brief_id": w.brief.public_id},
        lambda w: {"price": money("200.00"), "delivery_days": 5},
        sees=ALL,
        may=frozenset({"member"}),
        variant="public community",
    ),
    api(
        "POST",
        "/briefs/{brief_id}/offers",
        "host",
        lambda w: {"brief_id": w.private_brief.public_id},
        lambda w: {"price": money("200.00"), "delivery_days": 5},
        variant="private community",
    ),
    api("GET", "/offers/{offer_id}", "buyer", offer_id),
    api("POST", "/offers/{offer_id}/accept", "buyer", offer_id),
    api("POST", "/offers/{offer_id}/withdraw", "provider", offer_id),
    api("POST", "/offers/{offer_id}/decline", "buyer", offer_id),
    api(
        "POST",
        "/offers/{offer_id}/counter",
        "buyer",
        offer_id,
        lambda w: {"price": money("200.00")},
    ),
    api("POST", "/offers/{offer_id}/counter/accept", "provider", countered_id),
    api("POST", "/offers/{offer_id}/counter/decline", "provider", countered_id),
    # --- boards ----------------------------------------------------------------------
    *community_cases("GET", "/communities/{slug}/posts"),
    *community_cases(
        "POST",
        "/communities/{slug}/posts",
        lambda w: {"kind": "idea", "title": "A tool library"},
        public_may=frozenset({"member"}),
    ),
    *[
        case
        for route, owner, body, public_may in (
            ("/posts/{post_id}", "buyer", None, ALL),
            ("/posts/{post_id}/replies", "buyer", None, ALL),
        )
        for case in _board_cases("GET", route, owner, body, public_may=public_may)
    ],
    *_board_cases(
        "POST", "/posts/{post_id}/read", "buyer", public_may={"member", "other_host"}
    ),
    *_board_cases(
        "POST",
        "/posts/{post_id}/replies",
        "buyer",
        lambda w: {"body": "Me too."},
        public_may={"member"},
    ),
    # The author cannot vote for their own post: the host is the one who may.
    *_board_cases("POST", "/posts/{post_id}/vote", "host", public_may={"member"}),
    # The provider voted for both posts; nobody else has a vote to take back.
    *_board_cases("DELETE", "/posts/{post_id}/vote", "provider"),
    api(
        "POST",
        "/posts/{post_id}/accept",
        "buyer",
        _post_id("post"),
        lambda w: {"reply": str(w.reply.public_id)},
        sees=ALL,
        variant="public community",
    ),
    api(
        "POST",
        "/posts/{post_id}/accept",
        "buyer",
        _post_id("private_post"),
        lambda w: {"reply": str(w.private_reply.public_id)},
        variant="private community",
    ),
    *[
        case
        for action in ("pin", "unpin", "lock", "unlock")
        for case in _board_cases("POST", f"/posts/{{post_id}}/{action}", "host")
    ],
    *[
        case
        for action in ("hide", "remove")
        for case in _board_cases(
            "POST",
            f"/posts/{{post_id}}/{action}",
            "host",
            lambda w: {"reason": "Off topic"},
        )
    ],
    # Only its author and the hosts see a hidden post: to anyone else it is 404.
    api("POST", "/posts/{post_id}/unhide", "host", _post_id("hidden_post")),
    api(
        "POST",
        "/replies/{reply_id}/remove",
        "host",
        lambda w: {"reply_id": w.reply.public_id},
        lambda w: {"reason": "Rude"},
        sees=ALL,
        variant="public community",
    ),
    api(
        "POST",
        "/replies/{reply_id}/remove",
        "host",
        lambda w: {"reply_id": w.private_reply.public_id},
        lambda w: {"reason": "Rude"},
        variant="private community",
    ),
]


def _conversation_id(w):
    return {"conversation_id": w.conversation.public_id}


def _conversation_secret(w):
    return CONVERSATION_SECRET


# A conversation is its two members' alone: everyone else gets 404 (or 401).
API_CASES += [
    api(
        "GET",
        "/conversations/{conversation_id}",
        "buyer",
        _conversation_id,
    ),
    api(
        "GET",
        "/conversations/{conversation_id}/messages",
        "buyer",
        _conversation_id,
        secret=_conversation_secret,
    ),
    api(
        "GET",
        "/conversations/{conversation_id}/messages",
        "provider",
        _conversation_id,
        secret=_conversation_secret,
        variant="the recipient",
    ),
    api(
        "POST",
        "/conversations/{conversation_id}/messages",
        "provider",
        _conversation_id,
        lambda w: {"body": "Yes, by April even."},
    ),
    api("POST", "/conversations/{conversation_id}/read", "provider", _conversation_id),
    # Anyone may ask to take back a block of theirs; only the buyer has this one,
    # so anyone else is told there is none (409) and nothing changes.
    api(
        "DELETE",
        "/blocks/{username}",
        "buyer",
        lambda w: {"username": w.applicant.username},
        sees=ALL,
    ),
]

# Operations that take a path parameter but name nothing anyone owns.
API_CASES += [
    # --- processes: which process a community's modes run --------------------------
    api(
        "GET",
        "/processes/bindings/{community}",
        "host",
        lambda w: {"community": w.back_room.slug},
        variant="private community",
    ),
    api(
        "GET",
        "/processes/bindings/{community}",
        "host",
        lambda w: {"community": w.guild.slug},
        sees=ALL,
        may=ALL,
        variant="public community",
    ),
    api(
        "PUT",
        "/processes/bindings/{community}/{mode}",
        "host",
        lambda w: {"community": w.back_room.slug, "mode": "made_to_order"},
        lambda w: {"process": "purchase"},
        variant="private community",
    ),
    api(
        "PUT",
        "/processes/bindings/{community}/{mode}",
        "host",
        lambda w: {"community": w.guild.slug, "mode": "made_to_order"},
        lambda w: {"process": "purchase"},
        sees=ALL,
        variant="public community",
    ),
    # --- webhooks: the endpoint's owner only (its community's host) --------------
    *[
        api(method, "/webhooks/{endpoint_id}" + suffix, "host", webhook_id, body)
        for method, suffix, body in [
            ("GET", "", None),
            ("PATCH", "", lambda w: {"events": ["listing.updated"]}),
            ("DELETE", "", None),
            ("POST", "/rotate", None),
            ("POST", "/ping", None),
            ("GET", "/deliveries", None),
        ]
    ],
    api(
        "POST",
        "/webhooks/{endpoint_id}/deliveries/{delivery_id}/retry",
        "host",
        lambda w: {
            "endpoint_id": w.webhook.public_id,
            "delivery_id": w.webhook_delivery.public_id,
        },
    ),
]

API_NOT_OWNED = {
    # Process definitions are the install's TOML files, the same for everyone.
    ("GET", "/processes/{name}"),
}


def _listing(attr, suffix=""):
    return lambda w: f"/listings/{getattr(w, attr).public_id}/{suffix}"


def _exchange(suffix="", attr="exchange"):
    return lambda w: f"/exchanges/{getattr(w, attr).public_id}/{suffix}"


def _community(suffix=""):
    return [
        (lambda w: f"/c/{w.back_room.slug}/{suffix}", "private community"),
        (lambda w: f"/c/{w.guild.slug}/{suffix}", "public community"),
    ]


def _photo(w):
    from selfwork.exchanges.downloads import photo_url

    return photo_url(
        upload=w.rental_photo, exchange=w.rental, member=w.buyer, now=timezone.now()
    )


def _rental_dates(w):
    # The booking page reads the wall clock: ten days from today.
    first = timezone.now().date() + dt.timedelta(days=10)
    return {"start": first.isoformat(), "end": first.isoformat()}


def _download(w):
    from selfwork.exchanges.downloads import delivery_file_url

    # Links expire two hours after they are made, by the wall clock.
    return delivery_file_url(
        upload=w.delivered_file, member=w.buyer, now=timezone.now()
    )


BOARD_POST = "c/<slug:slug>/board/<uuid:public_id>/"
CONVERSATION = "messages/<uuid:public_id>/"


def _conversation_page(w):
    return f"/messages/{w.conversation.public_id}/"


def _board_post(attr):
    def url(w):
        post = getattr(w, attr)
        return f"/c/{post.community.slug}/board/{post.public_id}/"

    return url


def _providers_notification(w) -> str:
    from selfwork.notifications.models import Notification

    notification = Notification.objects.filter(member=w.provider).earliest("pk")
    return f"/notifications/{notification.public_id}/"


WEB_CASES = [
    # --- notifications: opening one marks it read, so only its member may ----------
    web("GET", "notifications/<uuid:public_id>/", "provider", _providers_notification),
    web(
        "POST",
        "settings/tokens/<int:token_id>/revoke/",
        "buyer",
        lambda w: f"/settings/tokens/{w.token_id}/revoke/",
        answered_in_page=True,
    ),
    # --- communities ---------------------------------------------------------------
    *[
        web(
            "GET",
            f"c/<slug:slug>/{suffix}",
            "host",
            url,
            sees=ALL if variant.startswith("public") else frozenset(),
            may=ALL if variant.startswith("public") else frozenset(),
            variant=variant,
        )
        for suffix in (
            "",
            "members/",
            "briefs/",
            "board/",
            "about/",
            "rules/",
            "contact/",
            "brand.css",
        )
        for url, variant in _community(suffix)
    ],
    *[
        web(
            "GET",
            "c/<slug:slug>/settings/",
            "host",
            url,
            sees=frozenset() if variant.startswith("private") else ALL,
            variant=variant,
        )
        for url, variant in _community("settings/")
    ],
    *[
        web(
            "POST",
            "c/<slug:slug>/settings/",
            "host",
            url,
            lambda w: {"action": "category", "slug": "ink", "name": "Ink"},
            sees=frozenset() if variant.startswith("private") else ALL,
            variant=variant,
        )
        for url, variant in _community("settings/")
    ],
    *[
        web(
            "GET",
            "c/<slug:slug>/dashboard/",
            "host",
            url,
            sees=frozenset() if variant.startswith("private") else ALL,
            variant=variant,
        )
        for url, variant in _community("dashboard/")
    ],
    web(
        "POST",
        "c/<slug:slug>/join/",
        "invitee",
        lambda w: f"/c/{w.back_room.slug}/join/",
        variant="private community",
    ),
    web(
        "POST",
        "c/<slug:slug>/join/",
        "invitee",
        lambda w: f"/c/{w.guild.slug}/join/",
        sees=ALL,
        may=frozenset({"other_host"}),
        variant="public community",
    ),
    web(
        "POST",
        "c/<slug:slug>/leave/",
        "buyer",
        lambda w: f"/c/{w.back_room.slug}/leave/",
        variant="private community",
    ),
    web(
        "POST",
        "c/<slug:slug>/leave/",
        "buyer",
        lambda w: f"/c/{w.guild.slug}/leave/",
        sees=ALL,
        may=frozenset({"member"}),
        variant="public community",
    ),
    # --- boards ---------------------------------------------------------------------
    web(
        "POST",
        "c/<slug:slug>/board/",
        "host",
        lambda w: f"/c/{w.back_room.slug}/board/",
        lambda w: {"kind": "idea", "title": "A tool library"},
        variant="private community",
    ),
    web(
        "POST",
        "c/<slug:slug>/board/",
        "host",
        lambda w: f"/c/{w.guild.slug}/board/",
        lambda w: {"kind": "idea", "title": "A tool library"},
        sees=ALL,
        may=frozenset({"member"}),
        variant="public community",
    ),
    web(
        "GET",
        BOARD_POST,
        "buyer",
        _board_post("post"),
        sees=ALL,
        may=ALL,
        variant="public community",
    ),
    web("GET", BOARD_POST, "buyer", _board_post("private_post"), variant="private"),
    web("GET", BOARD_POST, "buyer", _board_post("hidden_post"), variant="hidden"),
    web(
        "POST",
        BOARD_POST,
        "buyer",
        _board_post("post"),
        lambda w: {"action": "reply", "body": "Me too."},
        sees=ALL,
        may=frozenset({"member"}),
        variant="reply",
    ),
    web(
        "POST",
        BOARD_POST,
        "buyer",
        _board_post("private_post"),
        lambda w: {"action": "reply", "body": "Me too."},
        variant="reply, private community",
    ),
    web(
        "POST",
        BOARD_POST,
        "host",
        _board_post("post"),
        lambda w: {"action": "vote"},
        sees=ALL,
        may=frozenset({"member"}),
        variant="vote",
    ),
    web(
        "POST",
        BOARD_POST,
        "buyer",
        _board_post("post"),
        lambda w: {"action": "accept", "reply": str(w.reply.public_id)},
        sees=ALL,
        variant="accept",
    ),
    *[
        web(
            "POST",
            BOARD_POST,
            "host",
            _board_post("post"),
            body,
            sees=ALL,
            variant=variant,
        )
        for variant, body in (
            ("pin", lambda w: {"action": "pin"}),
            ("lock", lambda w: {"action": "lock"}),
            ("hide", lambda w: {"action": "hide", "reason": "Off topic"}),
            ("remove", lambda w: {"action": "remove", "reason": "Spam"}),
            (
                "remove a reply",
                lambda w: {
                    "action": "remove_reply",
                    "reply": str(w.reply.public_id),
                    "reason": "Rude",
                },
            ),
        )
    ],
    web(
        "POST",
        BOARD_POST,
        "host",
        _board_post("private_post"),
        lambda w: {"action": "pin"},
        variant="pin, private community",
    ),
    # --- conversations ---------------------------------------------------------------
    web(
        "GET",
        CONVERSATION,
        "buyer",
        _conversation_page,
        secret=_conversation_secret,
    ),
    web(
        "POST",
        CONVERSATION,
        "provider",
        _conversation_page,
        lambda w: {"action": "message", "body": "Yes, by April even."},
        variant="message",
    ),
    web(
        "POST",
        CONVERSATION,
        "provider",
        _conversation_page,
        lambda w: {"action": "block"},
        variant="block",
    ),
    # --- members -----------------------------------------------------------------
    web(
        "GET",
        "m/<str:username>/",
        "buyer",
        lambda w: f"/m/{w.buyer.username}/",
        sees=ALL,
        may=ALL,
        secret=lambda w: w.buyer.email,
    ),
    # --- listing calendars -----------------------------------------------------------
    web(
        "GET",
        "listings/<uuid:public_id>/calendar/",
        "provider",
        _listing("drill", "calendar/"),
        sees=ALL,
        may=ALL,
    ),
    web(
        "GET",
        "listings/<uuid:public_id>/availability/",
        "provider",
        _listing("drill", "availability/"),
    ),
    web(
        "POST",
        "listings/<uuid:public_id>/availability/blocked/",
        "provider",
        _listing("drill", "availability/blocked/"),
        lambda w: {
            "first_day": (w.now.date() + dt.timedelta(days=40)).isoformat(),
            "last_day": (w.now.date() + dt.timedelta(days=41)).isoformat(),
        },
    ),
    web(
        "POST",
        "listings/<uuid:public_id>/availability/blocked/<uuid:blocked_id>/remove/",
        "provider",
        lambda w: (
            f"/listings/{w.drill.public_id}/availability/blocked/"
            f"{w.blocked.public_id}/remove/"
        ),
    ),
    # --- listings ------------------------------------------------------------------
    web(
        "GET",
        "listings/<uuid:public_id>/",
        "provider",
        _listing("listing"),
        sees=ALL,
        may=ALL,
        variant="public",
    ),  # fmt: skip
    web(
        "GET",
        "listings/<uuid:public_id>/",
        "provider",
        _listing("hidden_listing"),
        variant="hidden by its owner",
    ),  # fmt: skip
    web(
        "GET",
        "listings/<uuid:public_id>/",
        "provider",
        _listing("private_listing"),
        variant="private community",
    ),  # fmt: skip
    web(
        "GET",
        "listings/<uuid:public_id>/edit/",
        "provider",
        lambda w: f"/listings/{w.listing.public_id}/edit/",
        sees=ALL,
    ),
    *[
        web(
            "POST",
            f"listings/<uuid:public_id>/{action}/",
            "provider",
            lambda w, action=action: f"/listings/{w.listing.public_id}/{action}/",
            sees=ALL,
        )
        for action in ("hide", "show", "delete")
    ],
    web(
        "GET",
        "listings/<uuid:public_id>/order/",
        "buyer",
        lambda w: f"/listings/{w.listing.public_id}/order/",
        sees=ALL,
        may=frozenset({"member", "other_host"}),
        variant="public",
    ),
    web(
        "POST",
        "listings/<uuid:public_id>/order/",
        "buyer",
        lambda w: f"/listings/{w.private_listing.public_id}/order/",
        lambda w: {"mode": "service", "package": "Full colour"},
        variant="private community",
    ),
    web(
        "GET",
        "listings/<uuid:public_id>/rent/",
        "buyer",
        lambda w: f"/listings/{w.private_rental.public_id}/rent/",
        variant="private community",
    ),
    web(
        "POST",
        "listings/<uuid:public_id>/rent/",
        "buyer",
        lambda w: f"/listings/{w.private_rental.public_id}/rent/",
        _rental_dates,
        variant="private community",
    ),
    web(
        "GET",
        "listings/<uuid:public_id>/ask/",
        "buyer",
        lambda w: f"/listings/{w.private_share.public_id}/ask/",
        variant="private community",
    ),
    web(
        "GET",
        "listings/<uuid:public_id>/borrow/",
        "buyer",
        lambda w: f"/listings/{w.private_lend.public_id}/borrow/",
        variant="private community",
    ),
    web(
        "POST",
        "listings/<uuid:public_id>/ask/",
        "buyer",
        lambda w: f"/listings/{w.private_share.public_id}/ask/",
        lambda w: {"message": "Could I have it?"},
        variant="private community",
    ),
    web(
        "POST",
        "listings/<uuid:public_id>/borrow/",
        "buyer",
        lambda w: f"/listings/{w.private_lend.public_id}/borrow/",
        _rental_dates,
        variant="private community",
    ),
    web(
        "GET",
        "listings/<uuid:public_id>/swap/",
        "buyer",
        lambda w: f"/listings/{w.private_share.public_id}/swap/",
        variant="private community",
    ),
    web(
        "GET",
        "listings/<uuid:public_id>/time/",
        "buyer",
        lambda w: f"/listings/{w.private_time.public_id}/time/",
        variant="private community",
    ),
    # --- briefs --------------------------------------------------------------------
    web(
        "GET",
        "briefs/<uuid:public_id>/",
        "buyer",
        lambda w: f"/briefs/{w.brief.public_id}/",
        sees=ALL,
        may=ALL,
        secret=lambda w: "240.00",
        variant="public community",
    ),  # fmt: skip
    web(
        "GET",
        "briefs/<uuid:public_id>/",
        "buyer",
        lambda w: f"/briefs/{w.private_brief.public_id}/",
        variant="private community",
    ),  # fmt: skip
    web(
        "POST",
        "briefs/<uuid:public_id>/",
        "buyer",
        lambda w: f"/briefs/{w.brief.public_id}/",
        lambda w: {"action": "close"},
        sees=ALL,
        variant="close",
    ),  # fmt: skip
    web(
        "POST",
        "briefs/<uuid:public_id>/",
        "buyer",
        lambda w: f"/briefs/{w.brief.public_id}/",
        lambda w: {"action": "accept", "offer": str(w.offer.public_id)},
        sees=ALL,
        variant="accept an offer",
    ),  # fmt: skip
    web(
        "POST",
        "briefs/<uuid:public_id>/",
        "provider",
        lambda w: f"/briefs/{w.brief.public_id}/",
        lambda w: {"action": "withdraw", "offer": str(w.offer.public_id)},
        sees=ALL,
        variant="withdraw an offer",
    ),  # fmt: skip
    # --- exchanges -----------------------------------------------------------------
    web("GET", "exchanges/<uuid:public_id>/", "buyer", _exchange()),
    web(
        "POST",
        "exchanges/<uuid:public_id>/",
        "buyer",
        _exchange(),
        lambda w: {"action": "message", "body": "Hello"},
        variant="message",
    ),  # fmt: skip
    web(
        "POST",
        "exchanges/<uuid:public_id>/",
        "buyer",
        _exchange(),
        lambda w: {"action": "transition", "name": "pay", "card": CARD_SUCCEEDS},
        variant="pay",
    ),  # fmt: skip
    web(
        "POST",
        "exchanges/<uuid:public_id>/",
        "buyer",
        _exchange(attr="reviewable"),
        lambda w: {"action": "review", "rating": "5", "text": "Lovely."},
        variant="review",
    ),  # fmt: skip
    web(
        "POST",
        "exchanges/<uuid:public_id>/",
        "provider",
        _exchange(attr="reviewed"),
        lambda w: {
            "action": "review_reply",
            "review": str(w.review.public_id),
            "text": "Thank you.",
        },
        variant="reply to a review",
    ),  # fmt: skip
    web(
        "POST",
        "exchanges/<uuid:public_id>/",
        "host",
        _exchange(attr="reviewed"),
        lambda w: {
            "action": "review_hide",
            "review": str(w.review.public_id),
            "reason": "It names a private address.",
        },
        variant="hide a review",
    ),  # fmt: skip
    web(
        "GET",
        "operator/disputes/<uuid:public_id>/",
        "host",
        lambda w: f"/operator/disputes/{w.exchange.public_id}/",
    ),  # fmt: skip
    web("GET", "exchanges/<uuid:public_id>/messages/", "buyer", _exchange("messages/")),
    web(
        "GET",
        "exchanges/<uuid:public_id>/licence/",
        "buyer",
        _exchange("licence/", attr="completed"),
    ),  # fmt: skip
    web("GET", "files/<str:token>", "buyer", _download),
    web("GET", "photos/<str:token>", "buyer", _photo),
    web(
        "GET",
        "exchanges/<uuid:public_id>/",
        "buyer",
        lambda w: f"/exchanges/{w.rental.public_id}/",
        variant="rental with photos",
    ),
    # --- ids sent in a form's body, on pages whose address names no object ----------
    web(
        "POST",
        "wallet/",
        "host",
        lambda w: "/wallet/",
        lambda w: {"action": "confirm", "charge": str(w.charge.public_id)},
        answered_in_page=True,
        variant="confirm a cash payment",
    ),  # fmt: skip
    web(
        "POST",
        "settings/profile/",
        "buyer",
        lambda w: "/settings/profile/",
        lambda w: {"action": "portfolio_remove", "item": str(w.portfolio_item.pk)},
        answered_in_page=True,
        variant="remove a portfolio image",
    ),  # fmt: skip
]

# Pages whose address takes a parameter but names nothing a member owns.
WEB_NOT_OWNED = {
    # A one-time link mailed to the account's address; tested in accounts.
    "password-reset/<uidb64>/<token>/",
    # A signed link mailed to the member it names, working without a log-in;
    # a forged one is refused (notifications/tests/test_notifications.py).
    "unsubscribe/<str:token>/",
    # Process definitions are the install's TOML files, the same for everyone.
    "processes/<slug:name>/",
    # Public uploads under random names; /media/private/ is refused to everyone
    # (exchanges/tests/test_downloads.py), deliverables go through files/<token>.
    "^media/(?P<path>.*)$",
    # The operator's terms, privacy notice and imprint, the same for everyone.
    "legal/<slug:kind>/",
}


# --- running a case -------------------------------------------------------------------


def _api_call(api_as, world: World, case: Case, who) -> Callable[[], Any]:
    """Sign ``who`` in (a token is a row), and return the call to make."""
    client = api_as(getattr(world, who) if who else None)
    url = case.url(world)[len("/api/v1") :]
    body = case.body(world) if case.body else None
    if case.method == "GET":
        return lambda: client.get(url)
    if case.method == "DELETE":
        return lambda: client.delete(url)
    return lambda: getattr(client, case.method.lower())(url, body)


def _web_call(world: World, case: Case, who) -> Callable[[], Any]:
    """Log ``who`` in (a session is a row), and return the call to make."""
    client = Client()
    if who:
        client.force_login(getattr(world, who))
    url = case.url(world)
    if case.method == "GET":
        return lambda: client.get(url)
    body = case.body(world) if case.body else {}
    return lambda: client.post(url, body)


def _requires_token(case: Case) -> bool:
    operation = OPENAPI["paths"]["/api/v1" + case.route][case.method.lower()]
    return bool(operation.get("security"))


def _refusals(case: Case, role: str, *, on_api: bool) -> set[int]:
    if role == "anonymous" and on_api and _requires_token(case):
        return {401}
    if case.answered_in_page and role != "anonymous":
        return {302}
    if role in case.sees:
        refused = {403, 404, 409}
        return refused if on_api else refused | {302, 400, 405}
    return {404}


def _check_status(case, role, response, *, on_api, world) -> list[str]:
    problems = []
    status = response.status_code
    if role in case.may:
        if not 200 <= status < 400:
            problems.append(f"{role}: allowed, but got {status}")
    else:
        expected = _refusals(case, role, on_api=on_api)
        login = (
            not on_api
            and role == "anonymous"
            and status == 302
            and response["Location"].startswith("/login/")
        )
        if status not in expected and not login:
            problems.append(f"{role}: expected {sorted(expected)}, got {status}")
    secret = case.secret(world) if case.secret else None
    if secret and status == 200 and secret in response.content.decode():
        problems.append(f"{role}: read the owner's private {secret!r}")
    return problems


def _run(case: Case, world: World, call) -> None:
    """Call as each refused role, then each allowed one, then as the owner."""
    on_api = case.route.startswith("/")
    problems = []
    refused = [role for role in ROLES if role not in case.may]
    sends = {role: call(WHO[role]) for role in refused}
    # One fingerprint around all refused calls keeps the matrix fast; the
    # message names them all, and each is rerun alone easily.
    before = database_fingerprint()
    for role in refused:
        response = sends[role]()
        problems += _check_status(case, role, response, on_api=on_api, world=world)
    after = database_fingerprint()
    changed = sorted(t for t in before if before[t] != after.get(t))
    if changed:
        problems.append(f"{'/'.join(refused)} refused, yet changed {changed}")
    for role in (r for r in ROLES if r in case.may):
        response = call(WHO[role])()
        problems += _check_status(case, role, response, on_api=on_api, world=world)
    owner = call(case.owner)()
    if not 200 <= owner.status_code < 400:
        problems.append(f"owner: expected success, got {owner.status_code}")
    assert not problems, f"{case.id}: " + "; ".join(problems)


# --- the matrix -----------------------------------------------------------------------


def _openapi() -> dict:
    from selfwork.api.urls import api as ninja_api

    return ninja_api.get_openapi_schema()


OPENAPI = _openapi()


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.id)
def test_an_api_operation_on_an_object_serves_only_those_it_belongs_to(
    case, world, api_as
):
    _run(case, world, lambda who: _api_call(api_as, world, case, who))


@pytest.mark.parametrize("case", WEB_CASES, ids=lambda c: c.id)
def test_a_page_of_an_object_serves_only_those_it_belongs_to(case, world):
    _run(case, world, lambda who: _web_call(world, case, who))


# --- coverage: a new endpoint without a case fails here ------------------------------


def _openapi_object_operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in OPENAPI["paths"].items()
        if "{" in path
        for method in operations
    }


def _url_patterns(patterns, prefix="") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _url_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append((route, pattern))
    return found


def _pages_with_parameters() -> set[str]:
    return {
        route
        for route, _ in _url_patterns(get_resolver().url_patterns)
        # The admin is Django's own, for staff only; the API is covered above.
        if not route.startswith(("admin/", "api/", "^api/"))
        and (re.search(r"<[^>]+>", route) or "(?P<" in route)
    }


class TestTheMatrixCoversEveryObjectOperation:
    def test_every_api_operation_with_a_path_parameter_has_a_case(self):
        covered = {(c.method, c.route) for c in API_CASES} | API_NOT_OWNED
        missing = _openapi_object_operations() - covered
        assert not missing, f"add a case in API_CASES for {sorted(missing)}"

    def test_every_api_case_names_a_real_operation(self):
        stale = {(c.method, c.route) for c in API_CASES} - _openapi_object_operations()
        assert not stale

    def test_every_page_with_a_parameter_has_a_case(self):
        covered = {c.route for c in WEB_CASES} | WEB_NOT_OWNED
        missing = _pages_with_parameters() - covered
        assert not missing, f"add a case in WEB_CASES for {sorted(missing)}"

    def test_every_page_case_names_a_real_page(self):
        routes = {route for route, _ in _url_patterns(get_resolver().url_patterns)}
        stale = {c.route for c in WEB_CASES} - routes
        assert not stale


# --- the caller's own account: no object's id, so nobody else's to reach -------------

# Data requests act on whoever calls; the matrix above cannot name an owner for
# them. These check the same two things: an anonymous caller is refused with no
# row changed, and a member reaches their own data and nobody else's.
OWN_ACCOUNT_OPERATIONS = [
    ("GET", "/api/v1/members/me/export"),
    ("POST", "/api/v1/members/me/close"),
    ("POST", "/settings/data/export/"),
    ("GET", "/settings/account/close/"),
    ("POST", "/settings/account/close/"),
]
OWN_PASSWORD = "a long enough passphrase"


def test_the_fingerprint_sees_one_changed_field_in_one_table(world):
    from selfwork.catalog.models import Listing

    before = database_fingerprint()
    Listing.objects.filter(pk=world.listing.pk).update(title="Changed by the control")
    after = database_fingerprint()
    assert [t for t in before if before[t] != after[t]] == [Listing._meta.db_table]


@pytest.mark.parametrize(("method", "url"), OWN_ACCOUNT_OPERATIONS)
def test_a_data_request_refuses_an_anonymous_caller_and_changes_nothing(
    method, url, world
):
    client = Client()
    before = database_fingerprint()
    body = {"password": OWN_PASSWORD, "confirm": "on"}
    if method == "GET":
        response = client.get(url)
    elif url.startswith("/api/"):
        response = client.post(url, body, content_type="application/json")
    else:
        response = client.post(url, body)
    if url.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert database_fingerprint() == before


def test_a_members_export_holds_nobody_elses_private_data(world, api_as):
    import io
    import zipfile

    response = api_as(world.neighbour).get("/members/me/export")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert world.neighbour.email.encode() in everything
    for secret in (CONVERSATION_SECRET, world.buyer.email, world.provider.email):
        assert secret.encode() not in everything


def test_closing_an_account_closes_the_callers_and_no_one_elses(world, api_as):
    from selfwork.accounts.models import Member

    others = {m.pk: m.username for m in (world.buyer, world.provider, world.host)}
    response = api_as(world.neighbour).post(
        "/members/me/close", {"password": OWN_PASSWORD}
    )
    assert response.status_code == 204
    assert Member.objects.get(pk=world.neighbour.pk).closed_at is not None
    for pk, username in others.items():
        other = Member.objects.get(pk=pk)
        assert (other.username, other.closed_at, other.is_active) == (
            username,
            None,
            True,
        )
