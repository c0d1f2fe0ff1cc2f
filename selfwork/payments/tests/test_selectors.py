"""Wallet selectors: a fixed number of queries however long the member's history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfwork.payments import services
from selfwork.payments.selectors import (
    community_gateway,
    money_overview,
    payouts_list,
    wallet_balances,
    wallet_entries,
)
from selfwork.payments.testing import eur

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_provider(pay, funded, provider, community, now):
    funded("50.00")
    for n in range(5):
        pay("10.00", ref=f"held-{n}")
    for _ in range(5):
        services.payout_create(member=provider, amount=eur("1.00"), now=now)
    return provider


def test_balances_take_six_queries(busy_provider):
    with CaptureQueriesContext(connection) as queries:
        (balance,) = wallet_balances(member=busy_provider)
    # Accounts, escrow held and paid, payouts, deposits held, refunds.
    assert len(queries) == 6
    assert (balance.available, balance.escrow, balance.paid_out) == (
        eur("45.00"),
        eur("50.00"),
        eur("5.00"),
    )


def test_entries_and_payouts_take_one_query_each(busy_provider):
    with CaptureQueriesContext(connection) as queries:
        entries = list(wallet_entries(member=busy_provider))
        payouts = list(payouts_list(member=busy_provider))
        [(e.transaction.kind, e.account.unit) for e in entries]
        [p.destination.label for p in payouts]
    assert len(queries) == 2
    assert [e.transaction.kind for e in entries] == ["payout"] * 5 + ["release"]


def test_the_gateway_defaults_to_the_setting(community, settings):
    assert community_gateway(community=community) == "sandbox"
    settings.SELFWORK_PAYMENT_GATEWAY = "manual"
    assert community_gateway(community=community) == "manual"


def test_the_operators_overview_adds_up(busy_provider):
    overview = money_overview()
    assert overview.escrow_outstanding == [(eur("50.00"), 5)]
    assert overview.wallets == [eur("45.00")]
