"""A commission from search to acceptance with the keyboard alone.

Bruno and Priya use no mouse: Tab, Shift+Tab, Enter, Space and typing. Bruno
skips to the content, searches, opens Priya's listing, orders a package and pays;
Priya delivers; Bruno accepts. Every element that takes the focus on the way
shows it.
"""

import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import confirm_next
from tests.e2e.keyboard import Keyboard

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def guild():
    """Priya's book covers in the guild, and Bruno a member there."""
    from selfwork.accounts.services import member_signup
    from selfwork.catalog.services import listing_create
    from selfwork.communities.services import community_create, community_join

    at = timezone.now()

    def signup(username, name):
        return member_signup(
            username=username,
            email=f"{username}@example.com",
            password="a long enough passphrase",
            display_name=name,
            now=at,
        )

    hana, bruno, priya = (
        signup("hana", "Hana"),
        signup("bruno", "Bruno"),
        signup("priya", "Priya"),
    )
    guild = community_create(
        creator=hana,
        slug="guild",
        name="Illustrators' Guild",
        now=at,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    community_join(community=guild, member=bruno, now=at)
    community_join(community=guild, member=priya, now=at)
    listing_create(
        owner=priya,
        community=guild,
        title="Book cover illustration",
        modes=[
            {
                "mode": "service",
                "packages": [
                    {
                        "name": "Sketch",
                        "price": {"amount": "60.00", "currency": "EUR"},
                        "delivery_days": 5,
                        "revisions": 1,
                    },
                    {
                        "name": "Full colour",
                        "price": {"amount": "120.00", "currency": "EUR"},
                        "delivery_days": 10,
                        "revisions": 2,
                    },
                ],
            }
        ],
        now=at,
    )
    return {"bruno": bruno, "priya": priya}


def keyboard_of(browser: Browser, base: str, member) -> Keyboard:
    """A browser of ``member``'s own, already logged in (the log-in form is
    checked by the axe walk; this journey starts at the home page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    client = Client()
    client.force_login(member)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return Keyboard(context.new_page())


def test_a_commission_from_search_to_acceptance_by_keyboard_alone(
    live_server, browser: Browser, guild
):
    base = live_server.url
    bruno = keyboard_of(browser, base, guild["bruno"])
    customer = bruno.page

    # Bruno skips the header and lands in the content
    customer.goto(base + "/")
    bruno.press("Tab")
    expect(customer.get_by_role("link", name="Skip to content")).to_be_focused()
    bruno.press("Enter")
    expect(customer.locator("main")).to_be_focused()

    # goes back up to the search box, searches for covers
    bruno.tab_to(customer.locator("#site-q"), backwards=True)
    bruno.type("cover")
    bruno.press("Enter")
    expect(customer).to_have_url(re.compile(r"/search/\?q=cover"))

    # and opens Priya's listing from the results
    bruno.tab_to(customer.get_by_role("link", name="Book cover illustration"))
    bruno.press("Enter")
    expect(customer).to_have_url(re.compile(r"/listings/[0-9a-f-]{36}/$"))

    # He orders the full colour package, with a note
    bruno.tab_to(customer.get_by_role("link", name="Order", exact=True))
    bruno.press("Enter")
    expect(customer).to_have_url(re.compile(r"/order/$"))
    bruno.tab_to(customer.get_by_role("radio", name=re.compile("Sketch")))
    bruno.press("ArrowDown")
    expect(
        customer.get_by_role("radio", name=re.compile("Full colour"))
    ).to_be_checked()
    bruno.tab_to(customer.get_by_label(re.compile("What do you need")))
    bruno.type("A lighthouse at dusk, for a poetry book.")
    bruno.tab_to(customer.get_by_role("button", name="Place order"))
    bruno.press("Enter")
    expect(customer).to_have_url(re.compile(r"/exchanges/[0-9a-f-]{36}/$"))
    room = customer.url
    expect(customer.locator(".state-badge")).to_have_text("Awaiting payment")

    # and pays with the sandbox card, answering the confirmation
    asked = confirm_next(customer)
    bruno.tab_to(customer.get_by_role("button", name="Pay €120.00"))
    bruno.press("Enter")
    expect(customer.locator(".state-badge")).to_have_text("In progress")
    assert asked and asked[0].startswith("Pay €120.00")

    # Priya delivers, with a note
    priya = keyboard_of(browser, base, guild["priya"])
    provider = priya.page
    provider.goto(room)
    deliver = provider.locator("#transition-deliver")
    priya.tab_to(deliver.locator("textarea[name=note]"))
    priya.type("The cover, as agreed.")
    priya.tab_to(deliver.get_by_role("button", name="Deliver"))
    priya.press("Space")
    expect(provider.locator(".state-badge")).to_have_text("Delivered")

    # Bruno accepts the work
    customer.reload()
    asked = confirm_next(customer)
    bruno.tab_to(customer.locator("#transition-accept").get_by_role("button"))
    bruno.press("Enter")
    expect(customer.locator(".state-badge")).to_have_text("Completed")
    assert asked

    assert not bruno.unseen + priya.unseen, "focus not shown on:\n" + "\n".join(
        bruno.unseen + priya.unseen
    )
    customer.context.close()
    provider.context.close()
