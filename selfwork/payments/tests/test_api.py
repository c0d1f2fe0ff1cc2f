"""The wallet API: balances, entries, destinations, payouts, preferences, bad input."""

import pytest

from selfwork.payments import services
from selfwork.payments.models import Payout, PayoutDestination
from selfwork.payments.testing import eur, ledger_counts

pytestmark = pytest.mark.django_db


def payout_body(amount="10.00", currency="EUR", **extra):
    return {"amount": {"amount": amount, "currency": currency}, **extra}


@pytest.fixture
def as_provider(api_as, provider):
    return api_as(provider)


class TestWalletRead:
    def test_asks_for_a_token(self, anonymous_api):
        response = anonymous_api.get("/wallet")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_a_new_member_has_no_balances(self, api_as, stranger):
        assert api_as(stranger).get("/wallet").json() == {
            "balances": [],
            "auto_payout": False,
        }

    def test_shows_available_escrow_and_paid_out_per_currency(
        self, pay, funded, as_provider, provider, now
    ):
        funded("100.00")
        pay("30.00")  # held for the provider, not yet released
        services.payout_create(member=provider, amount=eur("25.00"), now=now)
        assert as_provider.get("/wallet").json()["balances"] == [
            {
                "currency": "EUR",
                "community": None,
                "available": "75.00",
                "escrow": "30.00",
                "escrow_paid": "0.00",
                "paid_out": "25.00",
                "deposits_held": "0.00",
                "refunded": "0.00",
            }
        ]

    def test_the_customer_sees_what_they_paid_held_in_escrow(self, pay, api_as, buyer):
        pay("30.00")
        (balance,) = api_as(buyer).get("/wallet").json()["balances"]
        assert (balance["escrow_paid"], balance["available"]) == ("30.00", "0.00")


class TestEntries:
    def test_lists_the_wallets_entries_newest_first_with_their_reference(
        self, pay, provider, community, as_provider, now
    ):
        pay("100.00", ref="portrait-1")
        services.escrow_release(
            reference="portrait-1", provider=provider, community=community, now=now
        )
        body = as_provider.get("/wallet/entries").json()
        assert body["next"] is None
        (entry,) = body["items"]
        assert (entry["kind"], entry["reference"]) == ("release", "portrait-1")
        assert entry["amount"] == {"amount": "95.00", "currency": "EUR"}

    def test_pages_by_cursor_without_repeats(self, funded, as_provider, provider, now):
        funded("10.00")
        for _ in range(4):
            services.payout_create(member=provider, amount=eur("1.00"), now=now)
        first = as_provider.get("/wallet/entries", {"limit": 3}).json()
        second = as_provider.get(
            "/wallet/entries", {"limit": 3, "cursor": first["next"]}
        ).json()
        ids = [e["id"] for e in first["items"] + second["items"]]
        assert len(ids) == len(set(ids)) == 5
        assert second["next"] is None

    def test_never_shows_another_members_entries(self, funded, api_as, buyer):
        funded("10.00")
        assert api_as(buyer).get("/wallet/entries").json()["items"] == []

    @pytest.mark.parametrize("cursor", ["garbage", "eyJiIjogLTF9", "eyJiIjogdHJ1ZX0"])
    def test_refuses_cursors_it_did_not_give_out(self, as_provider, cursor):
        response = as_provider.get("/wallet/entries", {"cursor": cursor})
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_cursor"


class TestDestinations:
    def test_adds_and_lists_a_bank_account_masked(self, as_provider):
        response = as_provider.post(
            "/wallet/destinations",
            {"label": "Savings", "account_number": "NL91 ABNA 0417 1643 00"},
        )
        assert response.status_code == 201, response.content
        assert response.json()["masked"] == "•••• 4300"
        listed = as_provider.get("/wallet/destinations").json()["items"]
        assert [d["label"] for d in listed] == ["Savings"]

    def test_refuses_a_bad_account_number(self, as_provider):
        response = as_provider.post(
            "/wallet/destinations", {"label": "Savings", "account_number": "12"}
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_account_number"
        assert not PayoutDestination.objects.exists()

    def test_another_member_never_sees_them(self, bank_account, api_as, buyer):
        assert api_as(buyer).get("/wallet/destinations").json()["items"] == []


class TestPayouts:
    def test_pays_out_and_answers_201_with_status_paid(
        self, funded, as_provider, bank_account
    ):
        funded("100.00")
        response = as_provider.post("/wallet/payouts", payout_body("40.00"))
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["status"], body["amount"]) == (
            "paid",
            {"amount": "40.00", "currency": "EUR"},
        )
        assert body["destination"] == str(bank_account.public_id)
        listed = as_provider.get("/wallet/payouts").json()["items"]
        assert [p["id"] for p in listed] == [body["id"]]

    def test_to_a_chosen_destination(self, funded, as_provider, provider, now):
        funded("100.00")
        other = services.payout_destination_add(
            member=provider, label="Other", account_number="NL91ABNA0417164300", now=now
        )
        body = as_provider.post(
            "/wallet/payouts", payout_body(destination=str(other.public_id))
        ).json()
        assert body["destination"] == str(other.public_id)

    def test_another_members_destination_is_not_found(
        self, funded, api_as, buyer, bank_account, now
    ):
        funded("100.00")
        services.payout_destination_add(
            member=buyer, label="Mine", account_number="NL91ABNA0417164300", now=now
        )
        response = api_as(buyer).post(
            "/wallet/payouts", payout_body(destination=str(bank_account.public_id))
        )
        assert response.status_code == 404

    def test_without_a_destination_says_so(self, api_as, buyer):
        response = api_as(buyer).post("/wallet/payouts", payout_body())
        assert response.status_code == 409
        assert response.json()["code"] == "no_payout_destination"

    def test_a_retry_with_the_same_idempotency_key_pays_once(
        self, funded, as_provider, bank_account
    ):
        funded("100.00")
        headers = {"Idempotency-Key": "payout-monday"}
        first = as_provider.post("/wallet/payouts", payout_body(), headers=headers)
        again = as_provider.post("/wallet/payouts", payout_body(), headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert Payout.objects.count() == 1


class TestPreferences:
    def test_turns_automatic_payouts_on(self, as_provider, bank_account):
        response = as_provider.patch("/wallet/preferences", {"auto_payout": True})
        assert response.json() == {"auto_payout": True}
        assert as_provider.get("/wallet").json()["auto_payout"] is True

    def test_needs_a_destination_first(self, api_as, buyer):
        response = api_as(buyer).patch("/wallet/preferences", {"auto_payout": True})
        assert response.status_code == 409
        assert response.json()["code"] == "no_payout_destination"


class TestBadPayouts:
    """Bad input is a 4xx with a stable code, and nothing is posted."""

    @pytest.mark.parametrize(
        "amount, currency, status, code",
        [
            ("-1.00", "EUR", 422, "amount_not_positive"),
            ("0", "EUR", 422, "amount_not_positive"),
            ("0.00", "EUR", 422, "amount_not_positive"),
            ("NaN", "EUR", 422, "invalid_amount"),
            ("Infinity", "EUR", 422, "invalid_amount"),
            ("-Infinity", "EUR", 422, "invalid_amount"),
            ("1e400", "EUR", 422, "invalid_amount"),
            ("1E2", "EUR", 422, "invalid_amount"),
            ("1,000", "EUR", 422, "invalid_amount"),
            ("1 000", "EUR", 422, "invalid_amount"),
            ("", "EUR", 422, "invalid_amount"),
            ("0x10", "EUR", 422, "invalid_amount"),
            ("١٠", "EUR", 422, "invalid_amount"),
            ("1.001", "EUR", 422, "too_precise"),
            ("1.5", "JPY", 422, "too_precise"),
            ("9999999999999999", "EUR", 422, "amount_too_large"),
            ("99999999999999999", "EUR", 422, "invalid_amount"),
            ("1.00", "eur", 422, "unknown_currency"),
            ("1.00", "XYZ", 422, "unknown_currency"),
            ("1.00", "HOUR", 422, "unknown_currency"),
            ("1.00", "", 422, "unknown_currency"),
            ("100.01", "EUR", 409, "insufficient_funds"),
            ("1.00", "USD", 409, "insufficient_funds"),
        ],
    )
    def test_is_refused_with_a_stable_code(
        self, funded, as_provider, amount, currency, status, code
    ):
        funded("100.00")
        before = ledger_counts()
        response = as_provider.post("/wallet/payouts", payout_body(amount, currency))
        assert response.status_code == status, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == code
        assert ledger_counts() == before
        assert not Payout.objects.exists()

    @pytest.mark.parametrize(
        "body",
        [
            {"amount": {"amount": 10, "currency": "EUR"}},
            {"amount": {"amount": 1e400, "currency": "EUR"}},
            {"amount": {"amount": "10.00"}},
            {"amount": "10.00"},
            {"amount": None},
            {},
            [],
            {"amount": {"amount": "10.00", "currency": "EUR"}, "destination": "nope"},
            {"amount": {"amount": "10.00", "currency": "EUR\x00"}},
        ],
    )
    def test_malformed_bodies_are_refused(self, funded, as_provider, body):
        funded("100.00")
        before = ledger_counts()
        response = as_provider.post("/wallet/payouts", body)
        assert response.status_code == 422, response.content
        assert response.json()["code"] in {"invalid_input", "invalid_amount"}
        assert ledger_counts() == before

    def test_a_reused_idempotency_key_with_another_body_is_refused(
        self, funded, as_provider
    ):
        funded("100.00")
        headers = {"Idempotency-Key": "payout-monday"}
        as_provider.post("/wallet/payouts", payout_body("10.00"), headers=headers)
        before = ledger_counts()
        response = as_provider.post(
            "/wallet/payouts", payout_body("20.00"), headers=headers
        )
        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert ledger_counts() == before
        assert Payout.objects.count() == 1

    def test_client_sent_status_and_totals_are_ignored(self, funded, as_provider):
        funded("100.00")
        response = as_provider.post(
            "/wallet/payouts", payout_body("10.00", status="failed", fee="0")
        )
        assert response.status_code == 201
        assert response.json()["status"] == "paid"
