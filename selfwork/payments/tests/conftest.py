"""Payments fixtures: money, a paid reference, a provider with a bank account."""

import datetime as dt
import itertools

import pytest

from selfwork.core.money import Money
from selfwork.payments import services
from selfwork.payments.gateways import CARD_SUCCEEDS

_references = itertools.count(1)


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    """MD5 in tests: Argon2 spends ~0.2 s per member by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def quick_processing_error(settings):
    """The sandbox's failing card thinks for 50 ms instead of 200 ms."""
    settings.SELFWORK_SANDBOX_PROCESSING_DELAY = 0.05


@pytest.fixture
def money():
    """``money("12.50")`` is 12.50 EUR; ``money("5", "JPY")`` is ¥5."""
    return lambda amount, unit="EUR": Money.parse(amount, unit)


@pytest.fixture
def reference():
    """A fresh opaque reference each call, like an exchange's public id."""
    return lambda: f"exchange-{next(_references)}"


@pytest.fixture
def pay(buyer, provider, community, now):
    """``pay(amount="100.00", reference=None, **options)`` charges ``buyer`` by card."""

    def charge(amount="100.00", ref="", unit="EUR", **options):
        options.setdefault("card", CARD_SUCCEEDS)
        options.setdefault("provider", provider)
        options.setdefault("customer", buyer)
        options.setdefault("community", community)
        return services.escrow_charge(
            reference=f"exchange-{next(_references)}" if ref == "" else ref,
            amount=Money.parse(amount, unit),
            now=options.pop("at", now),
            **options,
        )

    return charge


@pytest.fixture
def bank_account(provider, now):
    """``provider``'s sandbox bank account."""
    return services.payout_destination_add(
        member=provider,
        label="Main account",
        account_number="DE89 3704 0044 0532 0130 00",
        now=now,
    )


@pytest.fixture
def funded(pay, provider, community, now, bank_account):
    """``funded("100.00")``: ``provider``'s wallet then holds that much more.

    The money is paid by ``buyer`` and released with the community's fee turned
    off, so the net is exactly the amount asked for.
    """

    def fund(net="100.00"):
        net_money = Money.parse(net, "EUR")
        community.fee_percent = 0
        community.minimum_fee_minor = 0
        community.save(update_fields=["fee_percent", "minimum_fee_minor"])
        charge = pay(net_money.amount)
        services.escrow_release(
            reference=charge.reference, provider=provider, community=community, now=now
        )
        return charge

    return fund


@pytest.fixture
def later(now):
    """``later(minutes)``: a time after ``now``."""
    return lambda minutes=1: now + dt.timedelta(minutes=minutes)
