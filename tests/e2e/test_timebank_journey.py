"""An hour and a half of bike repair through the time bank, in two real browsers.

Riverside Share runs a time bank that starts everyone at 3 hours. Nell asks
for João's bike-repair time (the listing names one hour; she asks for an hour
and a half), João accepts it and Nell confirms the work was done. On their
wallet pages Nell's hours fall and João's rise by exactly that hour and a half.
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import confirm_next
from tests.e2e.test_content_security_policy import LISTEN

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"


@pytest.fixture
def people():
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
    nell = signup("nell", "Nell")
    joao = signup("joao", "João")
    share = community_create(
        creator=host,
        slug="riverside",
        name="Riverside Share",
        now=at,
        settings={
            "currency": "EUR",
            "timebank_enabled": True,
            "timebank_starting_credit": {"amount": "3", "currency": "HOUR"},
        },
    )
    community_join(community=share, member=nell, now=at)
    community_join(community=share, member=joao, now=at)
    repair = listing_create(
        owner=joao,
        community=share,
        title="Bike repair hour",
        modes=[{"mode": "timebank", "hours": {"amount": "1.00", "currency": "HOUR"}}],
        now=at,
    )
    return {"repair": repair}


def logged_in(
    browser: Browser, base: str, username: str
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return context, page


def hours_on_wallet(page: Page, base: str) -> Decimal:
    page.goto(f"{base}/wallet/")
    balance = page.locator(".hours-account[data-community=riverside] .hours-balance")
    expect(balance).to_be_visible()
    return Decimal(balance.get_attribute("data-hours") or "nan")


def state_is(page: Page, label: str) -> None:
    expect(page.locator(".state-badge")).to_have_text(label)


def test_an_hour_and_a_half_is_asked_accepted_confirmed_and_moves_exactly(
    live_server, browser: Browser, people
):
    base = live_server.url
    nell_context, nell = logged_in(browser, base, "nell")
    joao_context, joao = logged_in(browser, base, "joao")
    nell_before = hours_on_wallet(nell, base)
    joao_before = hours_on_wallet(joao, base)
    assert (nell_before, joao_before) == (Decimal("3.00"), Decimal("3.00"))

    # Nell asks for João's time, an hour and a half of it
    nell.goto(f"{base}/listings/{people['repair'].public_id}/")
    nell.get_by_role("link", name="Ask for this time").click()
    nell.fill("#timebank-hours", "1.50")
    nell.fill("#timebank-requirements", "The rear brake squeaks.")
    nell.get_by_role("button", name="Ask for this time").click()
    expect(nell).to_have_url(re.compile(r"/exchanges/[0-9a-f-]{36}/$"))
    room_url = nell.url
    state_is(nell, "Requested")

    # João accepts it
    joao.goto(room_url)
    joao.locator("#transition-accept").get_by_role("button", name="Accept").click()
    state_is(joao, "Agreed")

    # Nell confirms the work was done
    nell.reload()
    asked = confirm_next(nell)
    nell.locator("#transition-confirm").get_by_role(
        "button", name="Confirm the work was done"
    ).click()
    state_is(nell, "Completed")
    assert asked and "is paid at once" in asked[0]

    # Both wallets moved by exactly an hour and a half
    assert hours_on_wallet(nell, base) == nell_before - Decimal("1.50")
    assert hours_on_wallet(joao, base) == joao_before + Decimal("1.50")
    expect(nell.locator(".hours-account[data-community=riverside]")).to_contain_text(
        "1.5 h from nell to joao"
    )
    assert nell.evaluate("window.__cspViolations || []") == []
    nell_context.close()
    joao_context.close()
