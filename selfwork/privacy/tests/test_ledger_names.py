"""The ledger names no one: new memos, and past ones rewritten and sealed again."""

import importlib

import pytest
from django.apps import apps

from selfwork.core.money import Money
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.ledger.reseal import memos_rewrite
from selfwork.ledger.services import account_get_or_create, transaction_post
from selfwork.payments import services as payments
from selfwork.payments.books import wallet_account
from selfwork.payments.selectors import wallet_entries, wallet_history
from selfwork.privacy.services import member_close

PAYMENTS = importlib.import_module(
    "selfwork.payments.migrations.0005_memos_name_no_one"
)
HOURS = importlib.import_module(
    "selfwork.communities.migrations.0004_hours_memos_name_no_one"
)
PASSWORD = "a long enough passphrase"
PAYOUT = "7d7c0d6e-0000-4000-8000-000000000001"


def ledger_violations() -> list:
    """The ledger's own audit: balances, checksums and chains. (These postings
    have no payments records behind them, which the payments audit would see.)"""
    return ledger_audit().violations


def _ledger_text() -> str:
    """Every text column of every ledger row, as one string."""
    rows = [
        *Transaction.objects.values_list(
            "memo", "reference", "idempotency_key", "kind"
        ),
        *Account.objects.values_list("name", "owner_ref", "kind"),
    ]
    return "\n".join(" ".join(row) for row in rows).lower()


@pytest.fixture
def past(buyer, provider, now):
    """Postings made before memos stopped naming people, as they were written then."""
    clearing = account_get_or_create(
        kind="gateway_clearing", owner_ref="gateway:sandbox", unit="EUR", now=now,
        floor_minor=None,
    )  # fmt: skip
    wallet = account_get_or_create(
        kind="member_wallet", owner_ref=f"member:{provider.public_id}", unit="EUR",
        now=now, name="Wallet of priya",
    )  # fmt: skip
    issuance = account_get_or_create(
        kind="hours_issuance", owner_ref="hours:guild", unit="HOUR", now=now,
        floor_minor=None,
    )  # fmt: skip
    hours = account_get_or_create(
        kind="member_hours", owner_ref=f"hours:guild:{buyer.public_id}", unit="HOUR",
        now=now, name="Hours of bruno in guild",
    )  # fmt: skip
    old = [
        ("charge", "Payment by bruno into escrow", "ex-1"),
        ("deposit_hold", "Deposit held on bruno's card", "ex-2"),
        ("release", "Release to priya: 95.00 EUR net of a 5.00 EUR fee", "ex-1"),
        (
            "deposit_capture",
            "Deposit claim: 10.00 EUR to priya, 1,030.00 EUR given back",
            "ex-2",
        ),
        ("payout", "Payout to Main account •••• 3000", f"payout:{PAYOUT}"),
    ]  # fmt: skip
    for number, (kind, memo, reference) in enumerate(old):
        transaction_post(
            kind=kind, legs=[(clearing, -100), (wallet, 100)],
            idempotency_key=f"past-{number}", now=now, memo=memo, reference=reference,
        )  # fmt: skip
    transaction_post(
        kind="hours", legs=[(issuance, -150), (hours, 150)], idempotency_key="past-h",
        now=now, memo="1.50 h from hana to bruno", reference="ex-3",
    )  # fmt: skip
    return wallet


class TestPastMemos:
    def test_are_rewritten_and_sealed_again_so_the_audit_stays_clean(self, past):
        assert ledger_violations() == []
        assert "bruno" in _ledger_text() and "priya" in _ledger_text()
        PAYMENTS.forwards(apps, None)
        HOURS.forwards(apps, None)
        memos = dict(Transaction.objects.values_list("idempotency_key", "memo"))
        assert memos == {
            "past-0": "Payment into escrow for ex-1",
            "past-1": "Deposit held on the customer's card for ex-2",
            "past-2": "Release to the provider: 95.00 EUR net of a 5.00 EUR fee",
            "past-3": "Deposit claim: 10.00 EUR to the provider, 1,030.00 EUR given back",
            "past-4": f"Payout {PAYOUT}",
            "past-h": "Transfer of 1.50 h between members",
        }
        text = _ledger_text()
        assert "bruno" not in text and "priya" not in text and "hana" not in text
        assert ledger_violations() == []

    def test_are_left_alone_the_second_time(self, past):
        PAYMENTS.forwards(apps, None)
        sealed = dict(Transaction.objects.values_list("pk", "checksum"))
        assert (
            memos_rewrite(rewriter=PAYMENTS.rewrite, kinds=list(PAYMENTS.PATTERNS)) == 0
        )
        assert dict(Transaction.objects.values_list("pk", "checksum")) == sealed

    def test_a_member_named_in_them_can_close_and_leave_no_trace(self, past, buyer):
        PAYMENTS.forwards(apps, None)
        HOURS.forwards(apps, None)
        member_close(member=buyer, password=PASSWORD, now=past.created_at)
        assert "bruno" not in _ledger_text()
        assert ledger_violations() == []


class TestNewPostings:
    def test_name_no_one_and_the_wallet_still_reads_well(
        self, reviewed, provider, now, audit
    ):
        destination = payments.payout_destination_add(
            member=provider, label="Main account",
            account_number="DE89 3704 0044 0532 0130 00", now=now,
        )  # fmt: skip
        available = wallet_account(provider, "EUR", now).balance_minor
        payments.payout_create(
            member=provider,
            amount=Money(available, "EUR"),
            destination=destination,
            now=now,
        )
        text = _ledger_text()
        assert "bruno" not in text and "priya" not in text
        assert "3000" not in text and "main account" not in text
        rows = wallet_history(
            member=provider, legs=list(wallet_entries(member=provider))
        )
        said = [row.what for row in rows]
        assert said[0] == "Payout to Main account •••• 3000"
        assert said[1] == "Payment from bruno"  # read from the exchange, not the ledger
        assert Leg.objects.count() and audit() == []
