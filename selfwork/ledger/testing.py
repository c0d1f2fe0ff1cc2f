"""Helpers for test suites that post to the ledger. Never used outside tests.

A ``transaction=True`` test on SQLite ends with Django's flush, a ``DELETE FROM``
each table, which the ledger's triggers refuse once posted rows exist (on
PostgreSQL the flush is a TRUNCATE, which they do not guard). Call
``ledger_rows_delete()`` at the end of such a test, e.g. from a fixture.

Tests that corrupt the ledger on purpose (to show the audit finds it) lift the
triggers with ``ledger_triggers_drop()`` inside the test's transaction; the
rollback at the end of the test brings them back, as ``ledger_triggers_create()``
would.
"""

from django.db import connection, transaction

from selfwork.ledger import triggers


def ledger_triggers_drop() -> None:
    """Drop every trigger guarding the ledger on the default connection."""
    triggers.ledger_triggers_drop(connection)


def ledger_triggers_create() -> None:
    """Create every trigger guarding the ledger on the default connection."""
    triggers.ledger_triggers_create(connection)


def ledger_rows_delete() -> None:
    """Delete every ledger row of the test database, triggers lifted meanwhile."""
    name = str(connection.settings_dict["NAME"])
    if "test" not in name.rsplit("/", 1)[-1]:
        raise RuntimeError(
            f"refusing to delete ledger rows outside a test database: {name}"
        )
    with transaction.atomic():
        ledger_triggers_drop()
        with connection.cursor() as cursor:
            for table in ("ledger_leg", "ledger_transaction", "ledger_account"):
                cursor.execute(f"DELETE FROM {table}")
        ledger_triggers_create()
