"""The triggers that guard the ledger, as one set to lift and put back.

They are created by migrations 0002 and 0003; only two things ever lift them:
loading a dump into an empty ledger (``selfwork manage loaddata``) and tests that
corrupt rows on purpose to show the audit finds it. Both do it inside a
transaction, so the triggers are back whatever happens.
"""

import importlib

from django.db.backends.base.base import BaseDatabaseWrapper

_MIGRATIONS = [
    importlib.import_module(f"selfwork.ledger.migrations.{name}")
    for name in ("0002_database_invariants", "0003_sqlite_balance_by_posting")
]


def ledger_triggers_drop(connection: BaseDatabaseWrapper) -> None:
    """Drop every trigger guarding the ledger on ``connection``."""
    for migration in reversed(_MIGRATIONS):
        migration.uninstall(connection)


def ledger_triggers_create(connection: BaseDatabaseWrapper) -> None:
    """Create every trigger guarding the ledger on ``connection``."""
    for migration in _MIGRATIONS:
        migration.install(connection)
