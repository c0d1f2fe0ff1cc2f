"""A commission from brief to same-day payout, in two real browsers.

Bruno (in Recife) needs a book cover and posts a brief; Priya (in Pune) offers.
Bruno accepts and pays with the sandbox card; Priya delivers a file; Bruno asks
for a change; Priya delivers again; Bruno accepts — and Priya's wallet shows the
money released to her and paid out to her bank the same day.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from selfwork.core.formats import date_format
from tests.e2e.conftest import confirm_next

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"


@pytest.fixture
def people():
    """A guild with a 5% provider fee, Bruno and Priya as members; Priya is paid out
    automatically to her bank account (set up through the payments services)."""
    from selfwork.accounts.services import member_signup
    from selfwork.communities.services import community_create, community_join
    from selfwork.payments.services import (
        payout_destination_add,
        payout_preference_set,
    )

    at = timezone.now()

    def signup(username, **profile):
        member = member_signup(
            username=username,
            email=f"{username}@example.com",
            password=PASSWORD,
            now=at,
        )
        for field, value in profile.items():
            setattr(member, field, value)
        member.save()
        return member

    host = signup("hana", display_name="Hana")
    bruno = signup("bruno", display_name="Bruno", preferred_currency="BRL")
    priya = signup("priya", display_name="Priya", preferred_currency="INR")
    guild = community_create(
        creator=host,
        slug="guild",
        name="Illustrators' Guild",
        now=at,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    community_join(community=guild, member=bruno, now=at)
    community_join(community=guild, member=priya, now=at)
    payout_destination_add(
        member=priya, label="Priya's bank", account_number="NL91ABNA0417164300", now=at
    )
    payout_preference_set(member=priya, auto_payout=True, now=at)
    return {"bruno": bruno, "priya": priya, "guild": guild}


def logged_in(
    browser: Browser, base: str, username: str
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return context, page


def a_pdf(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n")
    return str(path)


def state_is(page: Page, label: str) -> None:
    expect(page.locator(".state-badge")).to_have_text(label)


def test_a_commission_from_brief_to_same_day_payout(
    live_server, browser: Browser, people, tmp_path
):
    from selfwork.exchanges.models import Exchange
    from selfwork.payments.models import Payout

    base = live_server.url
    customer_context, customer = logged_in(browser, base, "bruno")
    provider_context, provider = logged_in(browser, base, "priya")

    # Bruno posts a brief
    customer.goto(f"{base}/briefs/new/?community=guild")
    customer.fill("input[name=title]", "A cover for my poetry book")
    customer.fill(
        "textarea[name=description]",
        "Ink and **watercolour**, 6×9 inches: a lighthouse at dusk.",
    )
    customer.fill("input[name=budget_min]", "150")
    customer.fill("input[name=budget_max]", "300")
    customer.get_by_role("button", name="Post brief").click()
    expect(customer).to_have_url(re.compile(r"/briefs/[0-9a-f-]{36}/$"))
    brief_url = customer.url

    # Priya finds it on the board and offers
    provider.goto(f"{base}/briefs/")
    provider.get_by_role("link", name="A cover for my poetry book").click()
    expect(provider).to_have_url(brief_url)
    provider.fill("input[name=price]", "240.00")
    provider.fill("input[name=delivery_days]", "10")
    provider.fill("textarea[name=message]", "I painted three lighthouses this year.")
    provider.get_by_role("button", name="Send offer").click()
    expect(provider.locator(".message-success")).to_contain_text("Your offer is sent")

    # Bruno accepts the offer: the exchange room opens, awaiting payment
    customer.reload()
    offer = customer.locator("article.offer").filter(has_text="Priya")
    expect(offer).to_contain_text("€240.00")
    offer.get_by_role("button", name="Accept").click()
    expect(customer).to_have_url(re.compile(r"/exchanges/[0-9a-f-]{36}/$"))
    room_url = customer.url
    state_is(customer, "Awaiting payment")
    expect(customer.locator(".total")).to_have_text("€240.00")

    # and pays with the sandbox card
    card = customer.locator("input[name=card]")
    expect(card).to_have_value("4242 4242 4242 4242")
    card.fill("4242 4242 4242 4242")
    asked = confirm_next(customer)
    customer.get_by_role("button", name="Pay €240.00").click()
    state_is(customer, "In progress")
    assert asked and asked[0].startswith("Pay €240.00 for")
    expect(customer.get_by_role("status").first).to_contain_text("You paid €240.00")

    # Priya delivers a file
    provider.goto(room_url)
    state_is(provider, "In progress")
    deliver = provider.locator("#transition-deliver")
    deliver.locator("textarea[name=note]").fill("First pass: the lighthouse at dusk.")
    deliver.locator("input[name=files]").set_input_files(
        a_pdf(tmp_path, "cover-v1.pdf", "cover one")
    )
    deliver.get_by_role("button", name="Deliver").click()
    state_is(provider, "Delivered")

    # Bruno downloads it and asks for a change
    customer.reload()
    state_is(customer, "Delivered")
    expect(customer.locator(".delivery")).to_contain_text(
        "First pass: the lighthouse at dusk."
    )
    with customer.expect_download() as download:
        customer.get_by_role("link", name="Download file 1").first.click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    changes = customer.locator("#transition-request_changes")
    changes.locator("textarea[name=note]").fill("Could the title be larger?")
    changes.get_by_role("button", name="Request changes").click()
    state_is(customer, "In progress")

    # Priya delivers again
    provider.reload()
    deliver = provider.locator("#transition-deliver")
    deliver.locator("textarea[name=note]").fill("Larger title, as asked.")
    deliver.locator("input[name=files]").set_input_files(
        a_pdf(tmp_path, "cover-v2.pdf", "cover two")
    )
    deliver.get_by_role("button", name="Deliver").click()
    state_is(provider, "Delivered")

    # Bruno accepts the work
    customer.reload()
    asked = confirm_next(customer)
    customer.locator("#transition-accept").get_by_role("button", name="Accept").click()
    state_is(customer, "Completed")
    assert asked and "is paid at once" in asked[0]
    # €240.00 less the 5% fee: €228.00 reaches Priya
    expect(customer.locator(".messages, [role=status]").first).to_contain_text(
        "€228.00 is on its way"
    )
    expect(customer.get_by_role("link", name="Download licence")).to_be_visible()

    # Priya's wallet: €240.00 less the 5% fee released and paid out today
    provider.goto(f"{base}/wallet/")
    today = date_format(timezone.localdate(), locale="en")  # "Mar 14, 2026"
    balance = provider.locator(".balance-card").filter(has_text="EUR")
    expect(
        balance.locator("dt", has_text="Paid out").locator(
            "xpath=following-sibling::dd[1]"
        )
    ).to_have_text("€228.00")
    expect(
        balance.locator("dt", has_text="Available").locator(
            "xpath=following-sibling::dd[1]"
        )
    ).to_have_text("€0.00")
    payouts = provider.locator(
        "section", has=provider.get_by_role("heading", name="Recent payouts")
    )
    payout = payouts.locator("li").filter(has_text="€228.00")
    expect(payout).to_contain_text(today)
    expect(payout).to_contain_text("automatic")
    expect(payout).to_contain_text("Paid")
    history = provider.locator(
        "section", has=provider.get_by_role("heading", name="History")
    )
    expect(history.locator("tr").filter(has_text="+€228.00")).to_contain_text(today)

    exchange = Exchange.objects.get()
    assert exchange.state == "completed"
    assert exchange.deliveries.count() == 2
    assert exchange.revisions_used == 1
    paid = Payout.objects.get(member=people["priya"])
    assert (paid.amount_minor, paid.status) == (22800, "paid")
    assert paid.created_at.date() == exchange.closed_at.date()

    customer_context.close()
    provider_context.close()
