"""``dumpdata`` then ``loaddata`` gives the ledger back, to the microsecond.

The triggers refuse rows that do not arrive through postings; ``loaddata`` lifts
them only to fill an empty ledger, puts them back, and keeps the load only if
the audit passes.
"""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection

from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.ledger.services import transaction_post
from selfwork.ledger.testing import ledger_triggers_create, ledger_triggers_drop

pytestmark = pytest.mark.django_db


def _balances() -> dict:
    return dict(Account.objects.values_list("public_id", "balance_minor"))


def _ledger_empty() -> None:
    ledger_triggers_drop()
    with connection.cursor() as cursor:
        for table in ("ledger_leg", "ledger_transaction", "ledger_account"):
            cursor.execute(f"DELETE FROM {table}")
    ledger_triggers_create()


@pytest.fixture
def dump(realistic_ledger, gateway, key, now, tmp_path):
    """The realistic ledger dumped to a JSON file, one posting at a microsecond."""
    transaction_post(
        kind="charge",
        legs=[(gateway("EUR"), -150), (realistic_ledger["priya_eur"], 150)],
        idempotency_key=key(),
        now=now + dt.timedelta(microseconds=123_456),
    )
    out = io.StringIO()
    call_command("dumpdata", "ledger", stdout=out)
    path = tmp_path / "ledger.json"
    path.write_text(out.getvalue())
    return path


class TestLoaddata:
    def test_fills_an_empty_ledger_from_a_dump_that_passes_the_audit(self, dump):
        balances = _balances()
        posted = Transaction.objects.count()
        _ledger_empty()

        call_command("loaddata", str(dump), verbosity=0)

        assert _balances() == balances
        assert Transaction.objects.count() == posted
        report = ledger_audit()
        assert report.ok, report.render()

    def test_keeps_the_triggers_after_loading(self, dump):
        _ledger_empty()
        call_command("loaddata", str(dump), verbosity=0)

        with pytest.raises(IntegrityError, match="a leg never changes"):
            Leg.objects.filter(pk=Leg.objects.first().pk).update(amount_minor=1)

    def test_never_rewrites_a_ledger_that_holds_rows(self, dump):
        balances = _balances()

        with pytest.raises(IntegrityError, match="ledger: "):
            call_command("loaddata", str(dump), verbosity=0)

        assert _balances() == balances

    def test_refuses_a_dump_whose_ledger_fails_the_audit_and_loads_nothing(self, dump):
        rows = json.loads(dump.read_text())
        for row in rows:
            if row["model"] == "ledger.account" and row["fields"]["balance_minor"]:
                row["fields"]["balance_minor"] += 1
                break
        dump.write_text(json.dumps(rows))
        _ledger_empty()

        with pytest.raises(CommandError, match="fails the audit"):
            call_command("loaddata", str(dump), verbosity=0)

        assert not Account.objects.exists()
        assert not Transaction.objects.exists()
