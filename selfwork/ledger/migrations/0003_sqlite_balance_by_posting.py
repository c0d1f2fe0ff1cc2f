"""On SQLite too, a balance changes only by posting a transaction.

PostgreSQL tells a trigger's UPDATE from a client's with ``pg_trigger_depth()``
(migration 0002). SQLite cannot, so it checks the change instead: a balance may
move only by the amount of the account's newest leg, and only when that leg's
transaction is posted, which is exactly what the posting trigger does. The case
this is for is an ORM ``save()`` of a stale Account, which would otherwise write
an old balance back.
"""

from django.db import migrations

SQLITE_INSTALL = [
    """
    CREATE TRIGGER ledger_account_balance_by_posting
    BEFORE UPDATE OF balance_minor ON ledger_account
    WHEN NEW.balance_minor IS NOT OLD.balance_minor AND NOT EXISTS (
      SELECT 1 FROM ledger_leg AS leg
      JOIN ledger_transaction AS txn ON txn.id = leg.transaction_id
      WHERE leg.id = (SELECT MAX(id) FROM ledger_leg WHERE account_id = OLD.id)
        AND txn.state = 'posted'
        AND leg.amount_minor = NEW.balance_minor - OLD.balance_minor
    )
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a balance changes only by posting a transaction');
    END
    """
]
SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS ledger_account_balance_by_posting"]


def install(connection) -> None:
    """Create the trigger on SQLite; PostgreSQL has its own since 0002."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in SQLITE_INSTALL:
                cursor.execute(statement)


def uninstall(connection) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in SQLITE_UNINSTALL:
                cursor.execute(statement)


def forwards(apps, schema_editor):
    install(schema_editor.connection)


def backwards(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_database_invariants")]
    operations = [migrations.RunPython(forwards, backwards)]
