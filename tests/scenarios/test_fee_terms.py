"""The fees an exchange pays are the ones agreed when it started, through the API.

A host who changes the fee after a customer paid changes nothing about that
payment; the customer fee is charged on top of the price, shown before paying,
kept as income, refunded in proportion, exported and audited. Runs on SQLite and
PostgreSQL like the rest of the suite.
"""

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from selfwork.exchanges.audit import exchanges_audit_checks
from selfwork.exchanges.tasks import timers_run_due
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.export import ledger_export
from selfwork.ledger.models import Account
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.payments.models import Charge, Release

pytestmark = pytest.mark.django_db


def money(amount):
    return {"amount": amount, "currency": "EUR"}


def balance(kind, owner_prefix=""):
    rows = Account.objects.filter(kind=kind, unit="EUR")
    if owner_prefix:
        rows = rows.filter(owner_ref__startswith=owner_prefix)
    return sum(rows.values_list("balance_minor", flat=True))


def audited():
    report = ledger_audit(
        extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    assert report.ok, report.render()


@pytest.fixture
def market(api_as, community, provider, buyer, host, member_of):
    """A community at 5 % with a 100.00 EUR portrait; clients for each member."""
    member_of(community, provider)
    member_of(community, buyer)
    listing = api_as(provider).post(
        "/listings",
        {
            "community": community.slug,
            "title": "Pet portrait",
            "modes": [
                {
                    "mode": "service",
                    "packages": [
                        {
                            "name": "Portrait",
                            "price": money("100.00"),
                            "delivery_days": 5,
                            "revisions": 1,
                        }
                    ],
                }
            ],
        },
    )
    assert listing.status_code == 201, listing.content
    return {
        "order": {"listing": listing.json()["id"], "mode": "service"},
        "customer": api_as(buyer),
        "provider": api_as(provider),
        "host": api_as(host),
        "community": community,
    }


def take(client, exchange_id, name, **params):
    response = client.post(
        f"/exchanges/{exchange_id}/transitions", {"name": name, **params}
    )
    assert response.status_code == 200, (name, response.content)
    return response.json()


def set_fees(market, **fees):
    return market["host"].patch(f"/communities/{market['community'].slug}", fees)


class TestFeeChangedAfterPayment:
    def test_a_host_who_raises_the_fee_after_payment_takes_nothing_more(
        self, market, provider
    ):
        customer = market["customer"]
        exchange = customer.post("/exchanges", market["order"]).json()
        take(customer, exchange["id"], "pay", card=CARD_SUCCEEDS)

        raised = set_fees(market, fee_percent="50", treasury_share_percent="100")
        assert raised.status_code == 200, raised.content
        take(market["provider"], exchange["id"], "deliver", note="Done.")
        take(customer, exchange["id"], "accept")

        release = Release.objects.get()
        assert (release.gross_minor, release.fee_minor, release.net_minor) == (
            10_000,
            500,
            9_500,
        )
        assert balance("member_wallet", f"member:{provider.public_id}") == 9_500
        assert balance("community_treasury") == 0
        audited()

    def test_a_fee_raised_after_ordering_but_before_paying_is_not_charged_either(
        self, market
    ):
        customer = market["customer"]
        exchange = customer.post("/exchanges", market["order"]).json()
        changed = set_fees(market, fee_percent="40", customer_fee_percent="10")
        assert changed.status_code == 200, changed.content
        paid = take(customer, exchange["id"], "pay", card=CARD_SUCCEEDS)

        assert paid["total"] == money("100.00")
        assert paid["fees"]["provider_fee_percent"] == "5.00"
        assert Charge.objects.get().amount_minor == 10_000

    def test_a_minimum_fee_beyond_the_bound_is_refused_and_nothing_changes(
        self, market
    ):
        refused = set_fees(market, fee_percent="50", minimum_fee="1000000.00")

        assert refused.status_code == 422
        assert refused.json()["code"] == "minimum_fee_too_high"
        market["community"].refresh_from_db()
        assert market["community"].fee_percent == Decimal("5")

    def test_a_huge_minimum_fee_still_leaves_the_provider_half(self, market):
        changed = set_fees(market, minimum_fee="1000.00")
        assert changed.status_code == 200, changed.content
        customer = market["customer"]
        exchange = customer.post("/exchanges", market["order"]).json()
        take(customer, exchange["id"], "pay", card=CARD_SUCCEEDS)
        take(market["provider"], exchange["id"], "deliver", note="Done.")
        take(customer, exchange["id"], "accept")

        assert Release.objects.get().net_minor == 5_000
        audited()

    @pytest.mark.parametrize(
        "field, value",
        [
            ("fee_percent", "50.01"),
            ("customer_fee_percent", "51"),
            ("treasury_share_percent", "100.5"),
        ],
    )
    def test_fee_settings_have_upper_bounds(self, market, field, value):
        refused = set_fees(market, **{field: value})
        assert refused.status_code == 422
        assert refused.json()["code"] == "invalid_percent"


class TestCustomerFee:
    @pytest.fixture
    def with_customer_fee(self, market):
        updated = set_fees(
            market, customer_fee_percent="3", treasury_share_percent="50"
        )
        assert updated.status_code == 200, updated.content
        return market

    def test_is_a_line_item_of_the_total_shown_before_paying(self, with_customer_fee):
        customer = with_customer_fee["customer"]
        exchange = customer.post("/exchanges", with_customer_fee["order"]).json()

        assert exchange["state"] == "awaiting_payment"
        assert exchange["total"] == money("103.00")
        assert exchange["amount_due"] == money("103.00")
        assert exchange["line_items"][-1] == {
            "label": "Customer fee (3 %)",
            "unit_price": money("3.00"),
            "quantity": 1,
            "amount": money("3.00"),
            "kind": "customer_fee",
        }
        assert exchange["fees"]["customer_fee_percent"] == "3.00"

    def test_is_shown_in_the_room_before_paying(
        self, with_customer_fee, buyer, browse_as
    ):
        customer = with_customer_fee["customer"]
        exchange = customer.post("/exchanges", with_customer_fee["order"]).json()
        page = browse_as(buyer).get(f"/exchanges/{exchange['id']}/").content.decode()

        assert "Customer fee (3 %)" in page
        assert "Pay €103.00" in page

    def test_is_charged_and_kept_as_income_while_the_provider_gets_the_price_less_their_fee(
        self, with_customer_fee, provider
    ):
        customer = with_customer_fee["customer"]
        exchange = customer.post("/exchanges", with_customer_fee["order"]).json()
        take(customer, exchange["id"], "pay", card=CARD_SUCCEEDS)
        charge = Charge.objects.get()
        assert (charge.amount_minor, charge.customer_fee_minor) == (10_300, 300)

        take(with_customer_fee["provider"], exchange["id"], "deliver", note="Done.")
        take(customer, exchange["id"], "accept")

        assert balance("member_wallet", f"member:{provider.public_id}") == 9_500
        # 5.00 provider fee + 3.00 customer fee, half to the treasury.
        assert balance("platform_fees") == 400
        assert balance("community_treasury") == 400
        assert balance("escrow") == 0
        audited()

    def test_is_refunded_in_full_with_a_full_refund(self, with_customer_fee):
        customer = with_customer_fee["customer"]
        exchange = customer.post("/exchanges", with_customer_fee["order"]).json()
        take(customer, exchange["id"], "pay", card=CARD_SUCCEEDS)
        take(with_customer_fee["provider"], exchange["id"], "decline", reason="Busy.")

        assert Charge.objects.get().refunded_minor == 10_300
        assert balance("platform_fees") == balance("community_treasury") == 0
        audited()

    def test_is_refunded_in_proportion_when_a_dispute_refunds_part(
        self, with_customer_fee, provider
    ):
        customer = with_customer_fee["customer"]
        exchange = customer.post("/exchanges", with_customer_fee["order"]).json()
        take(customer, exchange["id"], "pay", card=CARD_SUCCEEDS)
        take(customer, exchange["id"], "dispute", reason="Half of it came.")
        take(
            with_customer_fee["host"],
            exchange["id"],
            "resolve",
            refund_percent=40,
            note="Half done.",
        )
        timers_run_due(now=timezone.now() + dt.timedelta(days=7, minutes=5))

        # 40 % of 103.00 back: 40.00 of price and 1.20 of customer fee.
        assert Charge.objects.get().refunded_minor == 4_120
        release = Release.objects.get()
        assert (release.gross_minor, release.customer_fee_minor) == (6_180, 180)
        # 5 % of the 60.00 price left.
        assert (release.fee_minor, release.net_minor) == (300, 5_700)
        assert balance("member_wallet", f"member:{provider.public_id}") == 5_700
        assert balance("platform_fees") + balance("community_treasury") == 480
        audited()

    def test_income_is_in_the_hledger_export(self, with_customer_fee, tmp_path):
        customer = with_customer_fee["customer"]
        exchange = customer.post("/exchanges", with_customer_fee["order"]).json()
        take(customer, exchange["id"], "pay", card=CARD_SUCCEEDS)
        take(with_customer_fee["provider"], exchange["id"], "deliver", note="Done.")
        take(customer, exchange["id"], "accept")

        out = io.StringIO()
        ledger_export(format="hledger", stream=out)
        journal = tmp_path / "books.journal"
        journal.write_text(out.getvalue())
        hledger = shutil.which("hledger")
        assert hledger, "hledger is missing: run scripts/system-packages.sh"
        report = subprocess.run(
            [hledger, "-f", str(journal), "incomestatement", "-O", "csv"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        revenue_lines = [
            line for line in report.splitlines() if line.startswith('"Income:Fees:')
        ]
        amounts = sorted(
            Decimal(re.search(r"(-?[\d.]+) EUR", line).group(1))
            for line in revenue_lines
        )
        # The provider fee and the customer fee, the operator's and the treasury's.
        assert sum(amounts) == Decimal("8.00")

    def test_a_customer_fee_the_policy_does_not_give_fails_the_audit(
        self, with_customer_fee
    ):
        customer = with_customer_fee["customer"]
        exchange = customer.post("/exchanges", with_customer_fee["order"]).json()
        take(customer, exchange["id"], "pay", card=CARD_SUCCEEDS)
        Charge.objects.update(customer_fee_hundredths=500)

        report = ledger_audit(extra_checks=payments_audit_checks())
        assert not report.ok
        assert "customer fee" in report.render()
