"""Seedlings given away among two requests, in real browsers, under the strict CSP.

Nell and Oskar (neighbours) each ask for Priya's tomato seedlings with a message
from the listing's page. Priya sees both requests on her listing, opens Nell's
and gives the seedlings to her; Oskar's request ends as not chosen. Nell
confirms she received them, and the listing shows as given.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_rental_journey import PASSWORD, logged_in, reported, state_is

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seedlings():
    """Riverside Share; Priya gives away a tray of tomato seedlings."""
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join

    at = timezone.now()

    def signup(username, name):
        member = member_signup(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            now=at,
        )
        member.display_name = name
        member.save()
        return member

    host = signup("siobhan", "Siobhán")
    share = community_create(
        creator=host, slug="riverside", name="Riverside Share", now=at
    )
    for username, name in (("nell", "Nell"), ("oskar", "Oskar"), ("priya", "Priya")):
        community_join(community=share, member=signup(username, name), now=at)
    from selfwork.accounts.models import Member

    return listing_create(
        owner=Member.objects.get(username="priya"),
        community=share,
        title="Tomato seedlings",
        description="Sturdy seedlings from saved seed. Take a tray.",
        modes=[{"mode": "gift"}],
        now=at,
    )


def ask(page: Page, base: str, listing, message: str) -> str:
    page.goto(f"{base}/listings/{listing.public_id}/")
    expect(page.get_by_role("link", name="Ask for a quote")).to_have_count(0)
    form = page.locator("#ask")
    form.get_by_label("Your message to the giver").fill(message)
    form.get_by_role("button", name="Ask for it").click()
    expect(page).to_have_url(re.compile(r"/exchanges/[0-9a-f-]{36}/$"))
    state_is(page, "Requested")
    return page.url


def test_seedlings_given_to_one_of_two_neighbours_and_received(
    live_server, browser: Browser, seedlings
):
    from selfwork.catalog.models import Listing
    from selfwork.exchanges.models import Exchange

    base = live_server.url
    violations: list[str] = []
    nell_context, nell = logged_in(browser, base, "nell", violations)
    oskar_context, oskar = logged_in(browser, base, "oskar", violations)
    priya_context, priya = logged_in(browser, base, "priya", violations)

    # Two neighbours ask for the seedlings, each with a message
    nell_room = ask(nell, base, seedlings, "For my balcony; I can come on Saturday.")
    oskar_room = ask(oskar, base, seedlings, "For the school garden, please.")

    # Priya sees both requests on her listing and picks Nell's
    priya.goto(f"{base}/listings/{seedlings.public_id}/")
    requests = priya.locator(".listing-requests")
    expect(requests.locator(".request")).to_have_count(2)
    expect(requests).to_contain_text("For the school garden, please.")
    requests.get_by_role("link", name="Nell").click()
    expect(priya).to_have_url(nell_room)
    priya.locator("#transition-give").get_by_role(
        "button", name="Give it to them"
    ).click()
    state_is(priya, "Promised")

    # Oskar's request shows he was not chosen
    oskar.goto(oskar_room)
    state_is(oskar, "Not chosen")
    expect(oskar.locator("#transition-withdraw")).to_have_count(0)

    # Nell collects them and says so
    nell.goto(nell_room)
    state_is(nell, "Promised")
    nell.locator("#transition-confirm_receipt").get_by_role(
        "button", name="I have received it"
    ).click()
    state_is(nell, "Given")

    # The listing is given: it says so to its owner and leaves search
    priya.goto(f"{base}/listings/{seedlings.public_id}/")
    expect(priya.get_by_text("This gift was given away.")).to_be_visible()
    assert Listing.objects.get(pk=seedlings.pk).status == "given"
    states = dict(Exchange.objects.values_list("customer__username", "state"))
    assert states == {"nell": "completed", "oskar": "not_chosen"}

    assert violations + reported(nell) + reported(oskar) + reported(priya) == []
    for context in (nell_context, oskar_context, priya_context):
        context.close()
