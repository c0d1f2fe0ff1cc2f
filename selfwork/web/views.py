"""Pages that span apps: home, explore (search), a community's page, profiles, dashboard.

Each loads its rows through the apps' selectors (which prefetch what cards show), so
a page costs the same few queries however many cards it has.
"""

from typing import cast
from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django_htmx.middleware import HtmxDetails

from selfwork.accounts.models import Member
from selfwork.accounts.selectors import api_tokens_list, member_get
from selfwork.boards.selectors import posts_search
from selfwork.catalog.selectors import (
    SORTS,
    ListingQuery,
    listing_views_search,
    listings_of_owner,
    member_offers_commissions,
)
from selfwork.communities.models import Mode
from selfwork.communities.selectors import (
    categories_of,
    communities_list,
    community_get,
    community_names,
    listing_fields_of,
    membership_get,
    memberships_of,
)
from selfwork.conversations.selectors import first_response_waits
from selfwork.core.errors import InvalidInput, NotFound
from selfwork.core.legal import legal_page_get
from selfwork.core.models import LegalPage
from selfwork.exchanges.reputation import member_reputation, reviews_of_member
from selfwork.exchanges.selectors import rentals_due_for_owner
from selfwork.payments.selectors import charges_pending_for_host
from selfwork.web.templatetags.selfwork import request_rates, viewer_currency

PAGE_SIZE = 24
SEARCH_KEYS = (
    "q",
    "community",
    "mode",
    "category",
    "min_price",
    "max_price",
    "currency",
    "country",
    "city",
    "owner",
    "sort",
)
SORT_LABELS = {
    "relevance": gettext_lazy("Best match"),
    "newest": gettext_lazy("Newest"),
    "price_asc": gettext_lazy("Price: low to high"),
    "price_desc": gettext_lazy("Price: high to low"),
    "rating": gettext_lazy("Best rated"),
}


def home(request: HttpRequest) -> HttpResponse:
    # At a community's own domain the whole site is that community.
    slug = getattr(request, "community_domain", None)
    if slug:
        return community_page(request, slug)
    communities = list(communities_list(viewer=request.user)[:6])
    listings = listing_views_search(
        query=ListingQuery(sort="newest", limit=8), viewer=request.user
    ).items
    return render(
        request,
        "web/home.html",
        {"communities": communities, "listings": listings},
    )


def _community_in_url(url: str | None) -> str:
    if not url:
        return ""
    return parse_qs(urlsplit(url).query).get("community", [""])[0]


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def search(request: HtmxHttpRequest) -> HttpResponse:
    """Explore listings. One GET form; htmx swaps only the results as filters change.

    Without JavaScript the same form submits and the whole page comes back.
    """
    params = request.GET
    raw = {key: str(params.get(key, "")).strip()[:200] for key in SEARCH_KEYS}
    # At a community's own domain, search never leaves that community.
    domain_slug = getattr(request, "community_domain", None)
    if domain_slug:
        raw["community"] = domain_slug
    custom = {
        key[len("field.") :]: str(value).strip()[:200]
        for key, value in params.items()
        if key.startswith("field.") and str(value).strip()
    }
    htmx = request.htmx
    partial = bool(htmx) and not htmx.history_restore_request
    # When the community changes, its categories and custom fields change with it:
    # drop the old community's filters and send the new ones out of band.
    refresh_filters = (
        partial and _community_in_url(htmx.current_url) != raw["community"]
    )
    if refresh_filters:
        raw["category"] = ""
        custom = {}

    error = None
    community = None
    categories: list = []
    fields: list = []
    if raw["community"]:
        try:
            community = community_get(slug=raw["community"], viewer=request.user)
        except NotFound as exc:
            error = exc.detail
        else:
            categories = list(categories_of(community=community))
            fields = list(listing_fields_of(community=community))

    page = None
    if error is None:
        query = ListingQuery(
            q=raw["q"],
            community=raw["community"] or None,
            mode=raw["mode"] or None,
            category=raw["category"] or None,
            min_price=raw["min_price"] or None,
            max_price=raw["max_price"] or None,
            currency=raw["currency"].upper() or None,
            country=raw["country"] or None,
            city=raw["city"] or None,
            owner=raw["owner"] or None,
            custom=custom,
            sort=raw["sort"] or None,
            cursor=params.get("cursor") or None,
            limit=PAGE_SIZE,
        )
        try:
            page = listing_views_search(query=query, viewer=request.user)
        except InvalidInput as exc:
            error = (
                gettext(
                    "Choose a currency for the price range: only listings priced in "
                    "it are shown."
                )
                if exc.field == "currency" and not raw["currency"]
                else exc.detail
            )
        except NotFound as exc:
            error = exc.detail

    # Board posts that match the words sit above the listings, on the first page.
    posts = []
    if error is None and raw["q"] and not params.get("cursor"):
        posts = posts_search(viewer=request.user, q=raw["q"], community=community)

    more_url = None
    if page is not None and page.next:
        kept = {k: v for k, v in raw.items() if v}
        kept.update({f"field.{k}": v for k, v in custom.items()})
        kept["cursor"] = page.next
        more_url = f"{reverse('web:search')}?{urlencode(kept)}"

    context = {
        "values": raw,
        "more_url": more_url,
        "custom_values": custom,
        "community": community,
        "categories": categories,
        "fields": fields,
        "communities": community_names(viewer=request.user),
        "modes": Mode.choices,
        "sorts": [(s, SORT_LABELS[s]) for s in SORTS],
        "currencies": sorted(request_rates(request)),
        "viewer_currency": viewer_currency(request),
        "page": page,
        "posts": posts,
        "error": error,
        "refresh_filters": refresh_filters,
        "has_filters": any(raw[k] for k in SEARCH_KEYS if k != "sort") or custom,
    }
    if partial and htmx.target == "more-results":
        template = "web/_search_more.html"
    elif partial:
        template = "web/_search_results.html"
    else:
        template = "web/search.html"
    response = render(request, template, context, status=200)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def community_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        community = community_get(slug=slug, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    category = request.GET.get("category", "").strip()[:50]
    categories = list(categories_of(community=community))
    if category and not any(c.slug == category for c in categories):
        category = ""
    try:
        page = listing_views_search(
            query=ListingQuery(
                community=community.slug,
                category=category or None,
                sort="newest",
                cursor=request.GET.get("cursor") or None,
                limit=PAGE_SIZE,
            ),
            viewer=request.user,
        )
    except InvalidInput:
        page = listing_views_search(
            query=ListingQuery(community=community.slug, sort="newest"),
            viewer=request.user,
        )
    membership = membership_get(community=community, member=request.user)
    return render(
        request,
        "web/community.html",
        {
            "community": community,
            "membership": membership,
            "categories": categories,
            "category": category,
            "page": page,
        },
    )


# The newest reviews a profile shows; the API pages through all of them.
REVIEWS_SHOWN = 10


def profile(request: HttpRequest, username: str) -> HttpResponse:
    try:
        member = member_get(username=username)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    listings = list(listings_of_owner(owner=member, viewer=request.user)[:PAGE_SIZE])
    return render(
        request,
        "web/profile.html",
        {
            "member": member,
            "portfolio": list(member.portfolio.all()),
            "listings": listings,
            "reputation": member_reputation(
                member=member,
                now=timezone.now(),
                response_waits=first_response_waits(member=member),
            ),
            "reviews": list(reviews_of_member(member=member)[:REVIEWS_SHOWN]),
            "offers_commissions": member_offers_commissions(member=member),
            "is_me": request.user.is_authenticated and request.user.pk == member.pk,
        },
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    member = cast(Member, request.user)
    new_token = request.session.pop("new_api_token", None)
    memberships = list(memberships_of(member=member))
    return render(
        request,
        "web/dashboard.html",
        {
            "memberships": memberships,
            "listings": list(listings_of_owner(owner=member, viewer=member)[:100]),
            "tokens": list(api_tokens_list(member=member)),
            "new_token": new_token,
            "can_list": any(m.is_active for m in memberships),
            "rentals": rentals_due_for_owner(owner=member, now=timezone.now()),
            "payments_to_confirm": list(charges_pending_for_host(member=member)[:20]),
        },
    )


LEGAL_TITLES: dict[str, str | Promise] = {
    LegalPage.Kind.TERMS.value: gettext_lazy("Terms of use"),
    LegalPage.Kind.PRIVACY.value: gettext_lazy("Privacy notice"),
    LegalPage.Kind.IMPRINT.value: gettext_lazy("Imprint"),
}


def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    """The operator's terms, privacy notice or imprint.

    One the operator has not written yet answers 404, with a page that says so
    rather than an empty one that looks like the real text.
    """
    if kind not in LEGAL_TITLES:
        raise Http404("No such page.")
    page = legal_page_get(kind=kind)
    return render(
        request,
        "web/legal.html",
        {"page": page, "title": LEGAL_TITLES[kind]},
        status=200 if page else 404,
    )
