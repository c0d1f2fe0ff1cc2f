"""The operator of the demo reads its dashboard and settles one of its disputes.

The whole demo is seeded (committed, with its history ending this hour, as
``selfwork demo`` seeds it) so the live server's charts draw the demo's own
money; the operator then opens the disputes console, splits the oldest disputed
commission half and half, and both parties' wallets show where the money went.
"""

import os
import re

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Where to keep screenshots of the dashboard and the decision, when asked for.
SCREENS = os.environ.get("SELFWORK_DEMO_SCREENS", "")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The default demo, committed for the live server; the test's flush removes it."""
    from selfwork.core.testing import fx_reference_rates_ensure
    from selfwork.demo.seed import demo_seed

    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
    ):
        fx_reference_rates_ensure()
        demo_seed(now=timezone.now().replace(minute=0, second=0, microsecond=0))


def logged_in(
    browser: Browser, base: str, username: str
) -> tuple[BrowserContext, Page]:
    from selfwork.demo.seed import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Demo members read the site in their own languages; this test reads English.
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return context, page


def wallet_value(page: Page, currency: str, label: str):
    return (
        page.locator(".balance-card")
        .filter(has=page.get_by_role("heading", name=currency, exact=True))
        .locator("dt", has_text=re.compile(f"^{re.escape(label)}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def balance(member, currency: str):
    from selfwork.payments.selectors import wallet_balances

    return next(b for b in wallet_balances(member=member) if b.currency == currency)


def oldest_split_commission(operator):
    """The longest-waiting disputed commission with money in escrow and no deposit."""
    from selfwork.exchanges.disputes import dispute_decision, disputes_for_operator

    for row in disputes_for_operator(member=operator):
        decision = dispute_decision(exchange=row.exchange, member=operator)
        if (
            row.escrow
            and row.deposit is None
            and row.exchange.state == "disputed"
            and "refund_percent" in decision.params
        ):
            return row
    raise AssertionError("the demo has no disputed commission to split")


def test_the_operator_reads_the_demo_and_splits_a_dispute(
    live_server, browser: Browser, demo
):
    from selfwork.accounts.models import Member
    from selfwork.core.formats import money_format
    from selfwork.demo.seed import OPERATOR
    from selfwork.exchanges.disputes import disputes_for_operator

    base = live_server.url
    operator = Member.objects.get(username=OPERATOR)
    context, olga = logged_in(browser, base, OPERATOR)

    # The dashboard draws the demo's last 30 days
    olga.get_by_role("link", name="Operator dashboard").click()
    expect(olga).to_have_url(re.compile(r"/operator/dashboard/$"))
    volume = olga.locator(
        "figure", has=olga.get_by_role("img", name="Volume and fees in EUR")
    )
    # Bars with a title each (a tooltip), not only the legend's swatches
    expect(volume.locator("svg rect:has(title)").first).to_be_attached()
    volume.get_by_text("The numbers").click()
    amounts = volume.locator("td").all_inner_texts()
    assert any(re.search(r"€[1-9]", text) for text in amounts), amounts
    expect(olga.get_by_role("img", name="Exchanges by state now")).to_be_visible()
    if SCREENS:
        olga.screenshot(
            path=os.path.join(SCREENS, "demo-dashboard.png"), full_page=True
        )

    # The console lists the demo's disputes; she opens the oldest commission's
    row = oldest_split_commission(operator)
    exchange, escrow = row.exchange, row.escrow
    customer_before = balance(exchange.customer, escrow.unit)
    provider_before = balance(exchange.provider, escrow.unit)
    olga.goto(f"{base}/operator/disputes/")
    expect(olga.locator(".disputes-table tbody tr")).to_have_count(
        len(disputes_for_operator(member=operator))
    )
    olga.locator(f"a[href$='{exchange.public_id}/']").click()
    expect(olga.get_by_role("heading", name="Decide")).to_be_visible()
    # Both sides of it: what each party wrote in the exchange's conversation
    said = olga.locator("section", has=olga.get_by_role("heading", name="Messages"))
    for party in (exchange.customer, exchange.provider):
        expect(said.get_by_text(party.name, exact=True)).to_be_visible()

    # Half back to the customer: the outcome is shown before she confirms
    olga.get_by_label("50 %").check()
    olga.get_by_role("button", name="Show the outcome").click()
    expect(olga.locator("#outcome")).to_contain_text("Refund the customer: 50 %")
    olga.get_by_label("Why you decide so").fill("Half of the work was as agreed.")
    if SCREENS:
        olga.screenshot(path=os.path.join(SCREENS, "demo-dispute.png"), full_page=True)
    olga.get_by_role("button", name="Confirm the decision").click()
    expect(olga.locator("#dispute-state")).to_have_text("Resolved")
    context.close()

    customer_after = balance(exchange.customer, escrow.unit)
    provider_after = balance(exchange.provider, escrow.unit)
    refund = customer_after.refunded.minor - customer_before.refunded.minor
    earned = provider_after.available.minor - provider_before.available.minor
    assert refund in (escrow.minor // 2, (escrow.minor + 1) // 2)
    assert 0 < earned <= escrow.minor - refund
    assert (
        customer_after.escrow_paid.minor
        == customer_before.escrow_paid.minor - escrow.minor
    )
    assert provider_after.escrow.minor == provider_before.escrow.minor - escrow.minor

    # Each party's wallet shows it
    context, customer = logged_in(browser, base, exchange.customer.username)
    customer.goto(f"{base}/wallet/")
    expect(wallet_value(customer, escrow.unit, "Refunded to your card")).to_have_text(
        money_format(customer_after.refunded, locale="en")
    )
    context.close()
    context, provider = logged_in(browser, base, exchange.provider.username)
    provider.goto(f"{base}/wallet/")
    expect(wallet_value(provider, escrow.unit, "Available")).to_have_text(
        money_format(provider_after.available, locale="en")
    )
    context.close()
