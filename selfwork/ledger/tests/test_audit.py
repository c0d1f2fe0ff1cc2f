"""The audit proves a healthy ledger healthy and finds each kind of corruption.

Corruption is made the only way it can be: raw SQL with the triggers dropped.
Dropping them happens inside the test's transaction, which is rolled back, so the
triggers are back for the next test.
"""

import pytest
from django.db import connection

from selfwork.ledger.audit import CHECKS, Check, ledger_audit
from selfwork.ledger.models import Leg, Transaction
from selfwork.ledger.testing import ledger_triggers_create, ledger_triggers_drop

pytestmark = pytest.mark.django_db

CHECKSUMS = "posted rows are unchanged (checksums and account chains)"
BALANCES = "every stored balance equals the sum of its posted legs"
BALANCED = "every posted transaction has two legs or more, summing to zero per unit"
CONSERVED = "value is conserved: balances and legs sum to zero per unit"
FLOORS = "no account is below its floor"
POSTED = "every transaction is posted"
UNITS = "every leg is in its account's unit"


def tamper(statement, params=()):
    ledger_triggers_drop()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
    ledger_triggers_create()


def failing(report):
    return {violation.check for violation in report.violations}


def leg_of(account):
    return Leg.objects.filter(account=account).order_by("id").first()


class TestLedgerAudit:
    def test_a_healthy_ledger_passes_every_check(self, realistic_ledger):
        report = ledger_audit()

        assert report.ok, report.render()
        assert report.transactions == 14
        assert report.accounts == len(realistic_ledger)
        assert report.checks == [check.name for check in CHECKS]
        assert report.render().endswith("All invariants hold.\n")

    def test_an_empty_ledger_passes(self):
        assert ledger_audit().ok

    def test_finds_a_leg_changed_behind_the_triggers_even_when_all_else_adds_up(
        self, realistic_ledger
    ):
        # Move 1.00 EUR from the fee account to Priya inside the release, and
        # fix up both balances: balanced, conserved, sums match. Only the
        # checksum can tell.
        release = (
            Transaction.objects.filter(kind="release", legs__unit="EUR")
            .distinct()
            .get()
        )
        fees, priya = realistic_ledger["fees_eur"], realistic_ledger["priya_eur"]
        for account, delta in ((fees, -100), (priya, 100)):
            tamper(
                "UPDATE ledger_leg SET amount_minor = amount_minor + %s"
                " WHERE transaction_id = %s AND account_id = %s",
                [delta, release.pk, account.pk],
            )
            tamper(
                "UPDATE ledger_account SET balance_minor = balance_minor + %s"
                " WHERE id = %s",
                [delta, account.pk],
            )

        report = ledger_audit()

        assert failing(report) == {CHECKSUMS}
        assert f"transaction {release.public_id}" in report.render()
        assert "FAIL  " + CHECKSUMS in report.render()

    def test_finds_a_whole_transaction_deleted_with_its_balances_fixed_up(
        self, realistic_ledger
    ):
        payout = Transaction.objects.get(kind="payout")
        tamper("DELETE FROM ledger_leg WHERE transaction_id = %s", [payout.pk])
        tamper("DELETE FROM ledger_transaction WHERE id = %s", [payout.pk])
        for name, delta in (("priya_eur", 10_000), ("payout_eur", -10_000)):
            tamper(
                "UPDATE ledger_account SET balance_minor = balance_minor + %s"
                " WHERE id = %s",
                [delta, realistic_ledger[name].pk],
            )

        report = ledger_audit()

        assert failing(report) == {CHECKSUMS}
        assert sorted(v.subject for v in report.violations) == sorted(
            f"account {realistic_ledger[name].public_id}"
            for name in ("priya_eur", "payout_eur")
        )

    def test_finds_a_balance_edited_by_hand(self, realistic_ledger):
        tamper(
            "UPDATE ledger_account SET balance_minor = balance_minor + 1 WHERE id = %s",
            [realistic_ledger["priya_eur"].pk],
        )

        report = ledger_audit()

        assert failing(report) == {BALANCES, CONSERVED}
        assert "stores 14.01 EUR, its legs sum to 14.00 EUR" in report.render()

    def test_finds_an_unbalanced_transaction(self, realistic_ledger):
        leg = leg_of(realistic_ledger["hana_bhd"])
        tamper("UPDATE ledger_leg SET amount_minor = 5501 WHERE id = %s", [leg.pk])

        report = ledger_audit()

        assert {BALANCED, BALANCES, CONSERVED, CHECKSUMS} == failing(report)
        assert "sums to 0.001 BHD" in report.render()

    def test_finds_a_transaction_with_one_leg(self, realistic_ledger):
        leg = leg_of(realistic_ledger["hana_bhd"])
        tamper("DELETE FROM ledger_leg WHERE id = %s", [leg.pk])

        assert BALANCED in failing(ledger_audit())

    def test_finds_an_account_whose_legs_go_below_its_floor(self, realistic_ledger):
        # The CHECK keeps the stored balance at or above the floor; a leg edited
        # behind the triggers can still take the sum of legs below it.
        priya = realistic_ledger["priya_hours"]
        tamper(
            "UPDATE ledger_leg SET amount_minor = -900"
            " WHERE account_id = %s AND amount_minor = -850",
            [priya.pk],
        )

        report = ledger_audit()

        assert FLOORS in failing(report)
        assert "holds -10.50 HOUR, below its floor -10.00 HOUR" in report.render()

    def test_finds_a_leg_in_another_unit_than_its_account(self, realistic_ledger):
        leg = leg_of(realistic_ledger["priya_jpy"])
        tamper("UPDATE ledger_leg SET unit = 'EUR' WHERE id = %s", [leg.pk])

        assert UNITS in failing(ledger_audit())

    def test_finds_a_transaction_never_posted(self, realistic_ledger):
        tamper("UPDATE ledger_transaction SET state = 'pending' WHERE kind = 'deposit'")

        report = ledger_audit()

        assert POSTED in failing(report)
        # Its legs no longer count, so the balances they moved are off too.
        assert BALANCES in failing(report)

    def test_reports_the_checks_of_apps_above_the_ledger(self, realistic_ledger):
        escrow = realistic_ledger["escrow_eur"]

        def finished_escrow_is_empty():
            yield f"exchange {escrow.owner_ref}", "finished with 1.00 EUR in escrow"

        report = ledger_audit(
            extra_checks=[
                Check(
                    "escrow of every finished exchange is zero",
                    finished_escrow_is_empty,
                ),
                Check("captured = released + fees + refunds", lambda: []),
            ]
        )

        assert not report.ok
        text = report.render()
        assert "FAIL  escrow of every finished exchange is zero" in text
        assert "ok    captured = released + fees + refunds" in text
        assert text.endswith("1 violation(s) found.\n")
