"""Deposits seen from outside: the wallet API and page, hosts' cash deposits, exports."""

import csv
import io

import pytest
from django.test import Client

from selfwork.ledger.export import ledger_export
from selfwork.ledger.tests.test_export import beancount_balances, hledger_balances
from selfwork.payments import services
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.payments.models import Deposit
from selfwork.payments.testing import eur, ledger_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def deposit(buyer, provider, community, now):
    """A 40.00 EUR deposit held on ``buyer``'s card for a rental from ``provider``."""
    return services.deposit_authorise(
        reference="tent-3",
        customer=buyer,
        provider=provider,
        community=community,
        amount=eur("40.00"),
        card=CARD_SUCCEEDS,
        now=now,
    )


@pytest.fixture
def cash_deposit(buyer, provider, community, host, now):
    services.payment_settings_set(
        community=community, actor=host, gateway="manual", now=now
    )
    return services.deposit_authorise(
        reference="drill-7",
        customer=buyer,
        provider=provider,
        community=community,
        amount=eur("25.00"),
        now=now,
    )


class TestWallet:
    def test_the_api_shows_the_customer_their_deposits_held(
        self, api_as, buyer, deposit
    ):
        response = api_as(buyer).get("/wallet")
        assert response.status_code == 200
        [row] = response.json()["balances"]
        assert (row["currency"], row["deposits_held"], row["available"]) == (
            "EUR",
            "40.00",
            "0.00",
        )

    def test_the_wallet_page_shows_them_too(self, buyer, deposit):
        client = Client()
        client.force_login(buyer)
        page = client.get("/wallet/").content.decode()
        assert "Deposits held on your card" in page
        assert "€40.00" in page


class TestManualDepositsApi:
    def test_the_host_confirms_then_returns_a_cash_deposit(
        self, api_as, host, cash_deposit
    ):
        client = api_as(host)
        [item] = client.get("/wallet/manual-deposits").json()["items"]
        assert (item["id"], item["status"]) == (str(cash_deposit.public_id), "pending")
        confirmed = client.post(
            f"/wallet/manual-deposits/{cash_deposit.public_id}/confirm"
        )
        assert (confirmed.status_code, confirmed.json()["status"]) == (200, "held")
        again = client.post(f"/wallet/manual-deposits/{cash_deposit.public_id}/confirm")
        assert (again.status_code, again.json()["code"]) == (409, "deposit_not_pending")
        returned = client.post(
            f"/wallet/manual-deposits/{cash_deposit.public_id}/return"
        )
        assert (returned.status_code, returned.json()["status"]) == (200, "voided")
        assert client.get("/wallet/manual-deposits").json()["items"] == []

    @pytest.mark.parametrize("who", ["buyer", "provider", "stranger"])
    def test_anyone_but_the_host_gets_404_and_nothing_moves(
        self, request, api_as, who, cash_deposit
    ):
        before = ledger_counts()
        member = request.getfixturevalue(who)
        response = api_as(member).post(
            f"/wallet/manual-deposits/{cash_deposit.public_id}/confirm"
        )
        assert (response.status_code, response.json()["code"]) == (
            404,
            "deposit_not_found",
        )
        assert ledger_counts() == before
        assert Deposit.objects.get().status == "pending"


class TestExports:
    def test_a_held_deposit_is_its_own_account_for_hledger_and_beancount(
        self, deposit, provider, now, tmp_path
    ):
        services.deposit_authorise(
            reference="camera-1",
            customer=deposit.customer,
            provider=provider,
            community=deposit.community,
            amount=eur("100.00"),
            card=CARD_SUCCEEDS,
            now=now,
        )
        services.deposit_capture(reference="camera-1", amount=eur("30.00"), now=now)
        for format, read in (
            ("hledger", hledger_balances),
            ("beancount", beancount_balances),
        ):
            out = io.StringIO()
            ledger_export(format=format, stream=out, view="holders")
            path = tmp_path / f"ledger.{format}"
            path.write_text(out.getvalue())
            balances = read(path)
            assert balances["Assets:Deposits:DEPOSIT-TENT-3:EUR"][0] == 40
            assert not any("CAMERA-1" in name for name in balances)
            wallet = [v for k, v in balances.items() if k.startswith("Assets:Wallets")]
            assert [amount for amount, _ in wallet] == [30]
            # In the platform's books, deposits held are owed, rolled up per currency.
            out = io.StringIO()
            ledger_export(format=format, stream=out)
            path.write_text(out.getvalue())
            balances = read(path)
            assert balances["Liabilities:Deposits:EUR"][0] == -40
            wallet = [
                v for k, v in balances.items() if k.startswith("Liabilities:Members")
            ]
            assert [amount for amount, _ in wallet] == [-30]

    def test_the_providers_csv_statement_shows_the_claim(self, deposit, provider, now):
        services.deposit_capture(reference="tent-3", amount=eur("12.50"), now=now)
        client = Client()
        client.force_login(provider)
        body = client.get("/wallet/statement.csv").content.decode()
        rows = list(csv.DictReader(io.StringIO(body)))
        assert [(r["kind"], r["amount"], r["reference"]) for r in rows] == [
            ("deposit_capture", "12.50", "tent-3")
        ]
