"""API: hosts confirm or cancel cash and transfer payments, as on the wallet page."""

import pytest

from selfwork.payments import selectors, services
from selfwork.payments.testing import ledger_counts


@pytest.fixture
def manual(community, host, now):
    services.payment_settings_set(
        community=community, actor=host, gateway="manual", now=now
    )
    return community


@pytest.fixture
def pending(pay, manual):
    return pay("25.00", ref="drill-7", card=None)


class TestManualPaymentsApi:
    def test_the_host_sees_what_waits_for_confirmation(self, api_as, host, pending):
        response = api_as(host).get("/wallet/manual-payments")
        assert response.status_code == 200
        [item] = response.json()["items"]
        assert item["id"] == str(pending.public_id)
        assert item["amount"] == {"amount": "25.00", "currency": "EUR"}
        assert item["customer"] == "bruno"

    def test_the_hosts_confirmation_moves_the_money_into_escrow(
        self, api_as, host, pending
    ):
        before = ledger_counts()
        response = api_as(host).post(
            f"/wallet/manual-payments/{pending.public_id}/confirm"
        )
        assert response.status_code == 200
        assert response.json()["status"] == "succeeded"
        assert ledger_counts() != before
        assert selectors.charges_pending_for_host(member=host).count() == 0

    def test_confirming_twice_is_a_conflict_and_posts_once(self, api_as, host, pending):
        client = api_as(host)
        client.post(f"/wallet/manual-payments/{pending.public_id}/confirm")
        before = ledger_counts()
        again = client.post(f"/wallet/manual-payments/{pending.public_id}/confirm")
        assert again.status_code == 409
        assert ledger_counts() == before

    def test_a_cancelled_payment_posts_nothing(self, api_as, host, pending):
        before = ledger_counts()
        response = api_as(host).post(
            f"/wallet/manual-payments/{pending.public_id}/cancel"
        )
        assert response.status_code == 200
        assert response.json()["status"] != "succeeded"
        assert ledger_counts() == before

    @pytest.mark.parametrize("who", ["buyer", "provider", "stranger"])
    def test_anyone_but_the_host_gets_404_and_nothing_moves(
        self, request, api_as, who, pending
    ):
        before = ledger_counts()
        member = request.getfixturevalue(who)
        response = api_as(member).post(
            f"/wallet/manual-payments/{pending.public_id}/confirm"
        )
        assert response.status_code == 404
        assert response.json()["code"] == "charge_not_found"
        assert ledger_counts() == before

    def test_a_malformed_id_is_404(self, api_as, host, manual):
        response = api_as(host).post("/wallet/manual-payments/not-a-uuid/confirm")
        assert response.status_code == 404
