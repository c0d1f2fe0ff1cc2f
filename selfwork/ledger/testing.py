"""Helpers for test suites that post to the ledger. Never used outside tests.

A ``transaction=True`` test on SQLite ends with Django's flush, a ``DELETE FROM``
each table, which the ledger's triggers refuse once posted rows exist (on
PostgreSQL the flush is a TRUNCATE, which they do not guard). Call
``ledger_rows_delete()`` at the end of such a test, e.g. from a fixture.
"""

import importlib

from django.db import connection, transaction

_invariants = importlib.import_module(
    "selfwork.ledger.migrations.0002_database_invariants"
)


def ledger_rows_delete() -> None:
    """Delete every ledger row of the test database, triggers lifted meanwhile."""
    name = str(connection.settings_dict["NAME"])
    if "test" not in name.rsplit("/", 1)[-1]:
        raise RuntimeError(
            f"refusing to delete ledger rows outside a test database: {name}"
        )
    with transaction.atomic():
        _invariants.uninstall(connection)
        with connection.cursor() as cursor:
            for table in ("ledger_leg", "ledger_transaction", "ledger_account"):
                cursor.execute(f"DELETE FROM {table}")
        _invariants.install(connection)
