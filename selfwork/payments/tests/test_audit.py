"""The payments audit checks pass on honest history and name what was tampered with."""

import pytest
from django.db import connection

from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account
from selfwork.ledger.services import account_get_or_create, transaction_post
from selfwork.payments import services
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.models import Charge, Payout, Refund, Release
from selfwork.payments.testing import eur

pytestmark = pytest.mark.django_db


def audit():
    return ledger_audit(extra_checks=payments_audit_checks())


def failed_checks(report):
    return {v.check for v in report.violations}


@pytest.fixture
def history(pay, provider, community, bank_account, now):
    """Two references: one released after a partial refund, one still held."""
    pay("100.00", ref="portrait-1")
    services.escrow_refund(reference="portrait-1", amount=eur("10.00"), now=now)
    services.escrow_release(
        reference="portrait-1", provider=provider, community=community, now=now
    )
    pay("40.00", ref="portrait-2")
    services.payout_create(member=provider, amount=eur("20.00"), now=now)


def test_honest_history_passes_every_check(history):
    report = audit()
    assert report.ok, report.render()
    assert sum(check.startswith("payments:") for check in report.checks) == 8


def test_a_settled_reference_with_money_left_in_escrow_fails(history, now):
    # Money slipped into a settled escrow by a posting payments never made.
    escrow = Account.objects.get(kind="escrow", owner_ref="exchange:portrait-1")
    clearing = account_get_or_create(
        kind="gateway_clearing",
        owner_ref="gateway:sandbox",
        unit="EUR",
        now=now,
        floor_minor=None,
    )
    transaction_post(
        kind="adjustment",
        legs=[(clearing, -100), (escrow, 100)],
        idempotency_key="tamper-1",
        now=now,
    )
    report = audit()
    assert "payments: escrow of every settled reference is zero" in failed_checks(
        report
    )
    assert "portrait-1" in report.render()


def test_a_deleted_refund_record_breaks_captured_equals_released_plus_refunds(
    history,
):
    Refund.objects.filter(reference="portrait-1").delete()
    report = audit()
    assert (
        "payments: captured = released + refunds + escrow, per reference"
        in failed_checks(report)
    )


def test_a_release_row_edited_by_raw_sql_fails_the_split_check(history):
    with connection.cursor() as cursor:
        # Keep the row's own CHECK happy: move a cent from the fee to the net.
        cursor.execute(
            "UPDATE payments_release SET net_minor = net_minor + 1, "
            "fee_minor = fee_minor - 1, platform_fee_minor = platform_fee_minor - 1"
        )
    report = audit()
    failed = failed_checks(report)
    assert "payments: every release splits gross exactly as its fee policy says" in (
        failed
    )
    assert any("posted once" in check for check in failed)


def test_a_charge_without_its_posting_fails(history, now):
    Charge.objects.filter(reference="portrait-2").update(amount_minor=4_100)
    assert any("posted once" in check for check in failed_checks(audit()))


def test_money_moved_as_a_payout_with_no_payout_behind_it_fails(history, now):
    wallet = Account.objects.get(kind="member_wallet")
    clearing = Account.objects.get(kind="payout_clearing")
    transaction_post(
        kind="payout",
        legs=[(wallet, -100), (clearing, 100)],
        idempotency_key="payout:ghost",
        now=now,
    )
    report = audit()
    assert "'payout:ghost'" in report.render()


def test_a_payout_marked_paid_by_hand_after_failing_is_caught(history, now):
    Payout.objects.update(status="failed", failure_code="account_closed")
    assert any("posted once" in check for check in failed_checks(audit()))


def test_release_rows_refuse_an_inexact_split_in_the_database(history):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.update(net_minor=1)
