"""What ``selfwork audit`` and ``selfwork ledger export`` run, once Django is set up.

Each returns the process exit code; the CLI parses arguments and calls one.
"""

import sys
from collections.abc import Iterable
from typing import TextIO

from selfwork.core.errors import InvalidInput
from selfwork.ledger.audit import Check, ledger_audit
from selfwork.ledger.export import OwnerNames, ledger_export


def audit_command(stdout: TextIO, extra_checks: Iterable[Check] = ()) -> int:
    """Audit the whole ledger, print the report; 0 if every invariant holds, else 1.

    ``extra_checks`` are the invariants of apps above the ledger (payments, exchanges).
    """
    report = ledger_audit(extra_checks=extra_checks)
    stdout.write(report.render())
    return 0 if report.ok else 1


def export_command(
    format: str,
    stdout: TextIO,
    owner_ref_prefix: str | None = None,
    stderr: TextIO | None = None,
    view: str | None = None,
    owner_names: OwnerNames | None = None,
) -> int:
    """Write the journal in ``format`` to ``stdout``; 0, or 2 for a refused export.

    ``view`` and ``owner_names`` are ``ledger_export``'s (the platform's books
    by default, the holders' view for one owner).
    """
    try:
        ledger_export(
            format=format,
            stream=stdout,
            owner_ref_prefix=owner_ref_prefix,
            view=view,
            owner_names=owner_names,
        )
    except InvalidInput as exc:
        (stderr or sys.stderr).write(f"selfwork ledger export: {exc.detail}\n")
        return 2
    return 0
