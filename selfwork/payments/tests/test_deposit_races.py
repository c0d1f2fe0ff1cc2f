"""Racing captures and voids of one deposit, each thread on its own connection.

These tests commit (``transaction=True``): PostgreSQL serialises them on the
deposit's row lock, SQLite with IMMEDIATE transactions.
"""

from collections import Counter

import pytest

from selfwork.core.testing import race
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account, Transaction
from selfwork.payments import services
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.payments.models import Deposit, SandboxOperation
from selfwork.payments.testing import eur

pytestmark = pytest.mark.django_db(transaction=True)


def test_20_racing_captures_and_voids_of_one_deposit_have_exactly_one_effect(
    buyer, provider, community, now
):
    services.deposit_authorise(
        reference="camera-1",
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
                services.deposit_capture(
                    reference="camera-1", amount=eur("30.00"), now=now
                )
                return "captured"
            deposit = services.deposit_void(reference="camera-1", now=now)
            return deposit.status if deposit else "none"
        except Exception as exc:  # noqa: BLE001 - counted below
            return getattr(exc, "code", repr(exc))

    results = Counter(race(20, settle))

    deposit = Deposit.objects.get(reference="camera-1")
    settlements = Transaction.objects.filter(
        kind__in=["deposit_capture", "deposit_void"]
    )
    assert settlements.count() == 1
    assert (
        SandboxOperation.objects.filter(operation__in=["capture", "void"]).count() == 1
    )
    if deposit.status == "captured":
        # Every capture returns the one capture; every void is refused.
        assert results == {"captured": 10, "deposit_not_held": 10}, results
    else:
        # Every void returns the voided deposit; every capture is refused.
        assert results == {"voided": 10, "deposit_not_held": 10}, results
    held = Account.objects.get(kind="deposit_held", owner_ref="deposit:camera-1")
    assert held.balance_minor == 0
    report = ledger_audit(extra_checks=payments_audit_checks())
    assert report.ok, report.render()
