"""The data migration that carries global time credits to each community's account."""

import importlib

import pytest
from django.apps import apps

from selfwork.communities.timebank import hours_ref
from selfwork.core.money import Money
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.services import exchange_start
from selfwork.exchanges.terms import LineItem, Terms
from selfwork.ledger.audit import ledger_audit
from selfwork.ledger.models import Account
from selfwork.ledger.services import account_get_or_create, transaction_post

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "selfwork.exchanges.migrations.0011_hours_per_community"
)


def old_account(member, now):
    return account_get_or_create(
        kind="member_hours",
        owner_ref=f"member:{member.public_id}",
        unit="HOUR",
        now=now,
        floor_minor=-1000,
    )


def test_global_hours_move_to_the_community_of_the_exchange_that_moved_them(
    guild, buyer, provider, now
):
    # An exchange of the old days, whose hours credit_hours kept globally.
    exchange = exchange_start(
        process="purchase",
        customer=buyer,
        provider=provider,
        community=guild,
        terms=Terms(
            line_items=[LineItem("A thing", Money.parse("10", "EUR"))],
            currency="EUR",
        ),
        now=now,
    )
    Exchange.objects.filter(pk=exchange.pk).update(currency="HOUR")
    transaction_post(
        kind="hours",
        legs=[(old_account(buyer, now), -150), (old_account(provider, now), 150)],
        idempotency_key="old-hours",
        now=now,
        reference=str(exchange.public_id),
    )

    migration.hours_per_community(apps, None)
    migration.hours_per_community(apps, None)  # again: nothing more moves

    guild.refresh_from_db()
    assert guild.timebank_enabled
    balances = dict(
        Account.objects.filter(kind="member_hours").values_list(
            "owner_ref", "balance_minor"
        )
    )
    assert balances == {
        f"member:{buyer.public_id}": 0,
        f"member:{provider.public_id}": 0,
        hours_ref(guild, buyer): -150,
        hours_ref(guild, provider): 150,
    }
    report = ledger_audit()
    assert report.ok, report.render()
