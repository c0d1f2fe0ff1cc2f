"""Listing cards written in Python show what the card template showed.

``listing_card_before.html`` is the template the cards were rendered with
before ``selfwork.web.cards`` (decision 0032); each case renders a card both
ways, from card rows and from listings, and compares the two as HTML.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.test.html import parse_html
from django.utils import translation

from selfwork.catalog.selectors import (
    ListingQuery,
    listing_views_search,
    listings_of_owner,
)
from selfwork.web.cards import listing_cards_html

BEFORE = engines["django"].from_string(
    "{% for listing in listings %}<li>"
    + (Path(__file__).parent / "listing_card_before.html").read_text()
    + "</li>{% endfor %}"
)


def _request(viewer):
    request = RequestFactory().get("/")
    request.user = viewer
    return request


def _both_ways(listings, *, viewer, hide_community=False):
    request = _request(viewer)
    before = BEFORE.render(
        {"listings": listings, "hide_community": hide_community}, request
    )
    after = listing_cards_html(listings, request=request, hide_community=hide_community)
    return parse_html(before), parse_html(after)


@pytest.fixture
def varied_market(community, host, provider, member_of, make_listing, png_bytes, now):
    """Listings that exercise every branch of a card."""
    from selfwork.accounts.services import member_update
    from selfwork.catalog.services import listing_hide, listing_rating_add
    from selfwork.core.uploads import upload_create

    member_of(community, provider)
    avatar = upload_create(owner=provider, data=png_bytes(), now=now)
    member_update(
        member=provider,
        changes={"display_name": 'Priya & "Co" <3', "avatar": str(avatar.public_id)},
    )
    image = upload_create(owner=host, data=png_bytes(), now=now)
    make_listing(host, community, title="Plain ink portrait")
    make_listing(
        host,
        community,
        title="Sketch & 'more' <3",
        images=[str(image.public_id)],
        city="Wellington",
        modes=[
            {
                "mode": "service",
                "packages": [
                    {
                        "name": name,
                        "price": {"amount": str(40 + i), "currency": "USD"},
                        "delivery_days": 3,
                    }
                    for i, name in enumerate(["Sketch", "Colour"])
                ],
            },
            {"mode": "rental", "price": {"amount": "5", "currency": "USD"}},
        ],
    )
    make_listing(provider, community, title="Seedlings", modes=[{"mode": "gift"}])
    make_listing(
        provider,
        community,
        title="Bike repair",
        modes=[{"mode": "timebank", "hours": {"amount": "1.50", "currency": "HOUR"}}],
    )
    rated = make_listing(provider, community, title="Rated once", city="Pune")
    listing_rating_add(listing_id=rated.pk, total=4, count=1)
    several = make_listing(provider, community, title="Rated twice")
    listing_rating_add(listing_id=several.pk, total=9, count=2)
    hidden = make_listing(provider, community, title="Hidden from others")
    listing_hide(listing=hidden, actor=provider, now=now)
    return [host, provider]


class TestCardsAsBefore:
    @pytest.mark.parametrize("language", ["en", "de", "pt-br"])
    @pytest.mark.parametrize("currency", [None, "NZD", "USD"])
    def test_given_card_rows_when_written_then_the_html_is_the_templates(
        self, varied_market, buyer, language, currency
    ):
        viewer = AnonymousUser()
        if currency:
            buyer.preferred_currency = currency
            buyer.save()
            viewer = buyer
        with translation.override(language):
            rows = listing_views_search(
                query=ListingQuery(sort="newest", limit=24), viewer=viewer
            ).items
            assert len(rows) == 6
            before, after = _both_ways(rows, viewer=viewer)
        assert after == before

    @pytest.mark.parametrize("language", ["en", "fr"])
    def test_given_listings_when_their_owner_sees_them_then_the_html_is_the_templates(
        self, varied_market, language
    ):
        for owner in varied_market:
            with translation.override(language):
                listings = list(listings_of_owner(owner=owner, viewer=owner))
                before, after = _both_ways(listings, viewer=owner)
            assert after == before
        assert "Hidden" in str(after)

    def test_given_a_community_page_when_written_then_the_community_is_left_out(
        self, varied_market
    ):
        viewer = AnonymousUser()
        rows = listing_views_search(
            query=ListingQuery(sort="newest", limit=24), viewer=viewer
        ).items
        before, after = _both_ways(rows, viewer=viewer, hide_community=True)
        assert after == before
        assert "card-eyebrow" not in str(after)

    def test_given_names_with_html_characters_when_written_then_they_are_escaped(
        self, varied_market
    ):
        rows = listing_views_search(
            query=ListingQuery(sort="newest", limit=24), viewer=AnonymousUser()
        ).items
        html = listing_cards_html(rows, request=_request(AnonymousUser()))
        assert "Sketch &amp; &#x27;more&#x27; &lt;3" in html
        assert "Priya &amp; &quot;Co&quot; &lt;3" in html
