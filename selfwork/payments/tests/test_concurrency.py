"""Racing payout requests over real HTTP requests, each thread on its own connection.

These tests commit (``transaction=True``): PostgreSQL serialises the payouts on
the wallet's row lock, SQLite with IMMEDIATE transactions.
"""

import datetime as dt
import json
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone

from selfwork.accounts.services import api_token_create
from selfwork.core.testing import race
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account
from selfwork.payments import services
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.payments.models import Payout
from selfwork.payments.testing import eur

pytestmark = pytest.mark.django_db(transaction=True)


def test_200_concurrent_payouts_of_one_euro_from_100_euros_exactly_100_succeed(
    provider, buyer, community, now
):
    community.fee_percent = 0
    community.save(update_fields=["fee_percent"])
    services.escrow_charge(
        reference="portrait-1",
        customer=buyer,
        provider=provider,
        community=community,
        amount=eur("100.00"),
        card=CARD_SUCCEEDS,
        now=now,
    )
    services.escrow_release(
        reference="portrait-1", provider=provider, community=community, now=now
    )
    services.payout_destination_add(
        member=provider, label="Bank", account_number="DE89370400440532013000", now=now
    )
    token = api_token_create(member=provider, now=now)
    body = json.dumps({"amount": {"amount": "1.00", "currency": "EUR"}})

    def pay_out(i):
        response = Client().post(
            "/api/v1/wallet/payouts",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        return response.status_code, response.json().get("code", "")

    outcomes = Counter(race(200, pay_out))

    # On SQLite, a writer that waited out the lock is told to retry (503) and
    # changed nothing; every other payout either goes through or is refused.
    busy = outcomes.pop((503, "database_busy"), 0)
    assert set(outcomes) <= {(201, ""), (409, "insufficient_funds")}
    paid = outcomes[(201, "")]
    assert paid == min(100, 200 - busy)
    wallet = Account.objects.get(
        kind="member_wallet", owner_ref=f"member:{provider.public_id}"
    )
    assert wallet.balance_minor == (100 - paid) * 100
    assert Payout.objects.count() == paid
    # A gateway call that met the lock after commit stays queued, and the
    # worker's next round makes it: every payout is paid, once.
    services.calls_run_due(now=timezone.now() + dt.timedelta(hours=2), limit=200)
    assert Payout.objects.filter(status="paid").count() == paid
    report = ledger_audit(extra_checks=payments_audit_checks())
    assert report.ok, report.render()


def test_racing_releases_and_refunds_of_one_reference_never_overdraw_escrow(
    provider, buyer, community, now
):
    services.escrow_charge(
        reference="portrait-1",
        customer=buyer,
        provider=provider,
        community=community,
        amount=eur("100.00"),
        card=CARD_SUCCEEDS,
        now=now,
    )

    def settle(i):
        try:
            if i % 2:
                services.escrow_release(
                    reference="portrait-1",
                    provider=provider,
                    community=community,
                    now=now,
                )
            else:
                services.escrow_refund(
                    reference="portrait-1", amount=eur("30.00"), part=f"r{i}", now=now
                )
            return "ok"
        except Exception as exc:  # noqa: BLE001
            return getattr(exc, "code", repr(exc))

    results = race(10, settle)

    assert set(results) <= {"ok", "nothing_in_escrow", "refund_exceeds_escrow"}
    escrow = Account.objects.get(kind="escrow", owner_ref="exchange:portrait-1")
    assert escrow.balance_minor == 0  # a release took whatever was left
    report = ledger_audit(extra_checks=payments_audit_checks())
    assert report.ok, report.render()
