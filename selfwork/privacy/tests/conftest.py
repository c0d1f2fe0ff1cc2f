"""Data-request fixtures: a finished commission with reviews, a conversation, audits."""

import datetime as dt

import pytest

from selfwork.exchanges.services.reviews import ReviewIn, review_submit
from selfwork.exchanges.tests.conftest import (  # noqa: F401 (fixtures)
    commission,
    finish,  # noqa: F811
    guild,
    package,
    portrait,
)


@pytest.fixture
def reviewed(finish, buyer, provider, now):  # noqa: F811
    """The commission finished, and both parties reviewed it (so both published)."""
    exchange = finish(now + dt.timedelta(hours=1))
    at = now + dt.timedelta(hours=2)
    review_submit(
        exchange=exchange,
        author=buyer,
        review=ReviewIn(rating=5, text="Bruno says: a wonderful cover."),
        now=at,
    )
    review_submit(
        exchange=exchange,
        author=provider,
        review=ReviewIn(rating=5, text="A clear brief, paid at once."),
        now=at,
    )
    return exchange


@pytest.fixture
def audit():
    """``audit()``: the full audit's violations (the ledger's and the apps' own)."""
    from selfwork.exchanges.audit import exchanges_audit_checks
    from selfwork.ledger.audit import ledger_audit
    from selfwork.payments.audit import payments_audit_checks

    def run():
        report = ledger_audit(
            extra_checks=payments_audit_checks() + exchanges_audit_checks()
        )
        return report.violations

    return run
