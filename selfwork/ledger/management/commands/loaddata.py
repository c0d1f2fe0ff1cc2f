"""Django's ``loaddata``, able to fill an empty ledger from a ``dumpdata`` dump.

A dump holds accounts with their balances and transactions already posted: rows
the ledger's triggers refuse, since in a running ledger they arrive only through
postings. Into a ledger with no rows yet, the load runs with the triggers lifted
inside its transaction, puts them back, and then must pass the ledger audit
(balances equal their legs, transactions balance, checksums chain), or the whole
load is rolled back. A ledger that already holds rows is never rewritten this
way: the triggers stay, and a dump with ledger rows is refused by them.
"""

from django.core.management import CommandError
from django.core.management.commands import loaddata
from django.db import DEFAULT_DB_ALIAS, connections

from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account, Leg, Transaction
from selfwork.ledger.triggers import ledger_triggers_create, ledger_triggers_drop


class Command(loaddata.Command):
    help = (
        loaddata.Command.help
        + " An empty ledger may be filled from a dump; the load must pass the audit."
    )

    def loaddata(self, fixture_labels):
        # Django runs this inside one atomic block on self.using.
        if self.using != DEFAULT_DB_ALIAS or self._ledger_holds_rows():
            return super().loaddata(fixture_labels)
        connection = connections[self.using]
        ledger_triggers_drop(connection)
        super().loaddata(fixture_labels)
        ledger_triggers_create(connection)
        report = ledger_audit()
        if not report.ok:
            raise CommandError(
                "The loaded ledger fails the audit; nothing was loaded.\n"
                + report.render()
            )

    def _ledger_holds_rows(self) -> bool:
        return any(
            model.objects.using(self.using).exists()
            for model in (Account, Transaction, Leg)
        )
