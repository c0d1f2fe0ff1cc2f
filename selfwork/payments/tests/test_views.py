"""The wallet page, the statement download and the operator's money overview."""

import csv
import io

import pytest
from django.test import Client
from django.utils.html import escape

from selfwork.payments import services
from selfwork.payments.models import Payout, PayoutDestination, PayoutPreference
from selfwork.payments.testing import ledger_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_as():
    def login(member):
        client = Client()
        client.force_login(member)
        return client

    return login


class TestWalletPage:
    def test_asks_to_log_in(self, client):
        response = client.get("/wallet/")
        assert response.status_code == 302
        assert "/login" in response["Location"]

    def test_shows_balances_history_and_destinations(
        self, funded, pay, browser_as, provider
    ):
        funded("100.00")
        pay("30.00", ref="portrait-9")
        page = browser_as(provider).get("/wallet/").content.decode()
        assert "€100.00" in page  # available
        assert "€30.00" in page  # in escrow for their work
        assert "Main account" in page and "•••• 3000" in page
        assert "Release to the provider" in page  # the history's memo

    def test_a_newcomer_sees_an_empty_wallet(self, browser_as, stranger):
        page = browser_as(stranger).get("/wallet/").content.decode()
        assert "No money yet" in page

    def test_the_payout_form_pays_out(self, funded, browser_as, provider, bank_account):
        funded("100.00")
        response = browser_as(provider).post(
            "/wallet/",
            {
                "action": "payout",
                "payout-amount": "40.00",
                "payout-currency": "EUR",
                "payout-destination": str(bank_account.public_id),
            },
            follow=True,
        )
        assert "is on its way" in response.content.decode()
        assert Payout.objects.get().status == "paid"

    @pytest.mark.parametrize(
        "amount, message",
        [
            ("1,000", "is not an amount"),
            ("100.01", "available"),
            ("0", "more than zero"),
            ("١٠", "plain digits"),
        ],
    )
    def test_the_payout_form_shows_what_is_wrong_and_pays_nothing(
        self, funded, browser_as, provider, bank_account, amount, message
    ):
        funded("100.00")
        before = ledger_counts()
        response = browser_as(provider).post(
            "/wallet/",
            {
                "action": "payout",
                "payout-amount": amount,
                "payout-currency": "EUR",
                "payout-destination": str(bank_account.public_id),
            },
        )
        assert response.status_code == 422
        assert message in response.content.decode()
        assert ledger_counts() == before

    def test_cannot_pay_out_to_another_members_destination(
        self, funded, browser_as, provider, buyer, now
    ):
        funded("100.00")
        theirs = services.payout_destination_add(
            member=buyer, label="Theirs", account_number="NL91ABNA0417164300", now=now
        )
        response = browser_as(provider).post(
            "/wallet/",
            {
                "action": "payout",
                "payout-amount": "10.00",
                "payout-currency": "EUR",
                "payout-destination": str(theirs.public_id),
            },
        )
        assert response.status_code == 422
        assert not Payout.objects.exists()

    def test_adds_a_destination(self, browser_as, stranger):
        browser_as(stranger).post(
            "/wallet/",
            {
                "action": "destination",
                "destination-label": "Current account",
                "destination-account_number": "NL91 ABNA 0417 1643 00",
            },
        )
        assert PayoutDestination.objects.get(member=stranger).masked == "•••• 4300"

    def test_refuses_a_bad_account_number_beside_its_field(self, browser_as, stranger):
        response = browser_as(stranger).post(
            "/wallet/",
            {
                "action": "destination",
                "destination-label": "Current account",
                "destination-account_number": "12",
            },
        )
        assert response.status_code == 422
        assert "8 to 34 letters and digits" in response.content.decode()

    def test_turns_on_automatic_payouts(self, browser_as, provider, bank_account):
        browser_as(provider).post(
            "/wallet/", {"action": "preferences", "auto_payout": "on"}
        )
        assert PayoutPreference.objects.get(member=provider).auto_payout

    def test_an_unknown_action_changes_nothing(self, browser_as, provider):
        response = browser_as(provider).post("/wallet/", {"action": "steal"})
        assert response.status_code == 302

    def test_pages_through_older_entries(self, funded, browser_as, provider, now):
        from selfwork.payments.testing import eur

        funded("100.00")
        for _ in range(30):
            services.payout_create(member=provider, amount=eur("1.00"), now=now)
        client = browser_as(provider)
        first = client.get("/wallet/").content.decode()
        assert "Older entries" in first
        older = first.split('href="?before=')[1].split('"')[0]
        second = client.get(f"/wallet/?before={older}").content.decode()
        assert "Release to the provider" in second
        assert client.get("/wallet/?before=-1").status_code == 200


class TestManualConfirmationOnTheWalletPage:
    @pytest.fixture
    def pending(self, pay, community, host, now):
        services.payment_settings_set(
            community=community, actor=host, gateway="manual", now=now
        )
        return pay("25.00", ref="drill-1", card=None)

    def test_the_host_sees_and_confirms_a_cash_payment(self, pending, browser_as, host):
        client = browser_as(host)
        assert "drill-1" in client.get("/wallet/").content.decode()
        client.post("/wallet/", {"action": "confirm", "charge": pending.public_id})
        pending.refresh_from_db()
        assert pending.status == "succeeded"

    def test_no_one_else_can_confirm_it_nor_learn_that_it_exists(
        self, pending, browser_as, provider
    ):
        client = browser_as(provider)
        assert "drill-1" not in client.get("/wallet/").content.decode()
        response = client.post(
            "/wallet/",
            {"action": "confirm", "charge": pending.public_id},
            follow=True,
        )
        assert "No such payment" in response.content.decode()
        assert "Only a host" not in response.content.decode()
        pending.refresh_from_db()
        assert pending.status == "pending"

    def test_a_garbage_charge_id_is_a_message_not_an_error(self, browser_as, host):
        response = browser_as(host).post(
            "/wallet/", {"action": "confirm", "charge": "garbage"}, follow=True
        )
        assert response.status_code == 200
        assert "No such payment" in response.content.decode()


class TestStatement:
    def test_downloads_the_members_own_entries_as_csv(
        self, funded, pay, browser_as, provider, buyer
    ):
        funded("100.00")
        response = browser_as(provider).get("/wallet/statement.csv")
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [(r["kind"], r["amount"]) for r in rows] == [("release", "100.00")]
        assert {r["owner_ref"] for r in rows} == {f"member:{provider.public_id}"}

    def test_shows_no_one_elses_money(self, funded, browser_as, stranger):
        funded("100.00")
        body = browser_as(stranger).get("/wallet/statement.csv").content.decode()
        assert body.count("\n") == 1  # the header only


class TestOperatorMoney:
    def test_is_for_staff_only(self, browser_as, provider, client):
        assert browser_as(provider).get("/operator/money/").status_code == 403
        assert client.get("/operator/money/").status_code == 302

    def test_shows_fees_treasuries_escrow_and_clearing(
        self, pay, provider, community, browser_as, make_member, now
    ):
        community.treasury_share_percent = 40
        community.save()
        pay("100.00", ref="portrait-1")
        services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        pay("30.00", ref="portrait-2")
        operator = make_member("olga")
        operator.is_staff = True
        operator.save()
        page = browser_as(operator).get("/operator/money/").content.decode()
        assert "€3.00" in page  # platform's 60% of the €5.00 fee
        assert "€2.00" in page and escape(community.name) in page  # treasury's 40%
        assert "€30.00" in page  # escrow outstanding
        assert "-€130.00" in page or "−€130.00" in page  # gateway clearing


def test_the_dashboard_shows_a_wallet_card(funded, browser_as, provider):
    funded("12.00")
    page = browser_as(provider).get("/dashboard/").content.decode()
    assert "€12.00 available" in page
    assert 'href="/wallet/"' in page
