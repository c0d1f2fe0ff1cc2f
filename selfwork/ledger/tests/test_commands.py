import csv
import io

import pytest
from django.db import connection

from selfwork.ledger.commands import audit_command, export_command
from selfwork.ledger.testing import ledger_triggers_drop

pytestmark = pytest.mark.django_db


class TestAuditCommand:
    def test_exits_zero_and_says_so_when_every_invariant_holds(self, realistic_ledger):
        out = io.StringIO()

        assert audit_command(out) == 0
        assert "All invariants hold." in out.getvalue()

    def test_exits_one_and_names_the_violation_on_a_corrupted_ledger(
        self, realistic_ledger
    ):
        ledger_triggers_drop()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_leg SET amount_minor = amount_minor + 1")
        out = io.StringIO()

        assert audit_command(out) == 1
        assert "FAIL  posted rows are unchanged" in out.getvalue()


class TestExportCommand:
    def test_writes_the_journal_and_exits_zero(self, realistic_ledger):
        out = io.StringIO()

        assert export_command("beancount", out) == 0
        assert 'option "title" "selfwork ledger export"' in out.getvalue()

    def test_narrows_to_one_owner(self, realistic_ledger):
        out = io.StringIO()

        assert export_command("csv", out, owner_ref_prefix="platform") == 0
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert rows
        assert {row["owner_ref"] for row in rows} == {"platform"}

    def test_exits_two_on_an_unknown_format(self):
        out, err = io.StringIO(), io.StringIO()

        assert export_command("xlsx", out, stderr=err) == 2
        assert out.getvalue() == ""
        assert "not an export format" in err.getvalue()

    def test_exits_two_for_an_unknown_view_or_the_books_of_one_owner(self):
        for options in ({"view": "owners"}, {"view": "books", "owner_ref_prefix": "m"}):
            out, err = io.StringIO(), io.StringIO()

            assert export_command("hledger", out, stderr=err, **options) == 2
            assert out.getvalue() == ""
            assert "selfwork ledger export:" in err.getvalue()

    def test_a_statement_of_one_owner_stays_in_the_holders_view(self, realistic_ledger):
        out = io.StringIO()

        assert export_command("hledger", out, owner_ref_prefix="platform") == 0
        assert "account Assets:PlatformFees:PLATFORM:EUR" in out.getvalue()
        assert "Income:" not in out.getvalue()
