"""Exchanges fixtures: a service and a product to order, and moving the clock."""

import datetime as dt

import pytest

from selfwork.catalog.services import listing_create
from selfwork.exchanges import services
from selfwork.payments.gateways import CARD_SUCCEEDS


def money(amount, currency="EUR"):
    return {"amount": amount, "currency": currency}


@pytest.fixture(autouse=True)
def quick_processing_error(settings):
    """The sandbox's failing card thinks for 50 ms instead of 200 ms."""
    settings.SELFWORK_SANDBOX_PROCESSING_DELAY = 0.05


@pytest.fixture
def guild(community, provider, buyer, member_of):
    """The guild with ``provider`` and ``buyer`` as members, every mode on."""
    member_of(community, provider)
    member_of(community, buyer)
    return community


@pytest.fixture
def portrait(guild, provider, now):
    """A service listing with two packages: Sketch (1 revision) and Full colour (2)."""
    return listing_create(
        owner=provider,
        community=guild,
        title="Book cover illustration",
        modes=[
            {
                "mode": "service",
                "packages": [
                    {
                        "name": "Sketch",
                        "price": money("40.00"),
                        "delivery_days": 3,
                        "revisions": 1,
                    },
                    {
                        "name": "Full colour",
                        "price": money("120.00"),
                        "delivery_days": 10,
                        "revisions": 2,
                    },
                ],
            }
        ],
        now=now,
    )


@pytest.fixture
def bag(guild, provider, now):
    """A made-to-order bag with a size option and an engraving prompt."""
    return listing_create(
        owner=provider,
        community=guild,
        title="Hand-stitched leather bag",
        modes=[
            {
                "mode": "made_to_order",
                "price": money("80.00"),
                "options": [
                    {
                        "name": "Size",
                        "choices": [
                            {"label": "Small"},
                            {"label": "Large", "price_delta": money("15.00")},
                        ],
                    }
                ],
                "personalisation": [{"prompt": "Initials", "required": False}],
            }
        ],
        now=now,
    )


@pytest.fixture
def package(portrait):
    """``package(name)``: the public id of the portrait's package called ``name``."""

    def find(name="Full colour"):
        mode = portrait.modes.get(mode="service")
        return str(mode.packages.get(name=name).public_id)

    return find


@pytest.fixture
def commission(portrait, buyer, package, now):
    """A Full colour commission by ``buyer``, awaiting payment."""
    return services.exchange_order(
        listing=portrait,
        customer=buyer,
        mode="service",
        package=package("Full colour"),
        now=now,
    )


@pytest.fixture
def purchase(bag, buyer, now):
    """A large bag with initials ordered by ``buyer``, awaiting payment."""
    return services.exchange_order(
        listing=bag,
        customer=buyer,
        mode="made_to_order",
        options={"Size": "Large"},
        personalisation={"Initials": "B.R."},
        now=now,
    )


@pytest.fixture
def move(now):
    """``move(exchange, actor, name, at=minutes, **params)`` takes a transition."""

    def take(exchange, actor, name, at=0, **params):
        if name == "pay":
            params.setdefault("card", CARD_SUCCEEDS)
        return services.exchange_transition(
            exchange=exchange,
            actor=actor,
            name=name,
            params=params,
            now=now + dt.timedelta(minutes=at),
        )

    return take


@pytest.fixture
def books():
    """``books(exchange)``: captured, refunded, released, fees, net and escrow summed
    over the exchange's references (minor units), after proving the whole ledger."""
    from selfwork.exchanges.actions import payment_references
    from selfwork.exchanges.audit import exchanges_audit_checks
    from selfwork.ledger.audit import ledger_audit
    from selfwork.payments.audit import payments_audit_checks
    from selfwork.payments.selectors import reference_totals

    def read(exchange):
        report = ledger_audit(
            extra_checks=payments_audit_checks() + exchanges_audit_checks()
        )
        assert report.ok, report.render()
        totals = reference_totals(references=payment_references(exchange))
        summed = {
            key: sum(getattr(t, key).minor for t in totals)
            for key in ("captured", "refunded", "released", "fees", "net", "escrow")
        }
        assert (
            summed["net"] + summed["fees"] + summed["refunded"] + summed["escrow"]
            == summed["captured"]
        )
        return summed

    return read


@pytest.fixture
def bank(provider, now):
    """``provider``'s sandbox bank account, with automatic payouts on."""
    from selfwork.payments import services as payments

    payments.payout_destination_add(
        member=provider,
        label="Main account",
        account_number="DE89 3704 0044 0532 0130 00",
        now=now,
    )
    return payments.payout_preference_set(member=provider, auto_payout=True, now=now)


@pytest.fixture
def later(now):
    """``later(days=0, minutes=0)``: a time after ``now``."""
    return lambda days=0, minutes=0: now + dt.timedelta(days=days, minutes=minutes)


@pytest.fixture
def drill(guild, provider, now):
    """A cordless drill for rent: 6.00 EUR a day, a 40.00 EUR deposit."""
    return listing_create(
        owner=provider,
        community=guild,
        title="Cordless drill",
        modes=[
            {
                "mode": "rental",
                "price": money("6.00"),
                "unit": "day",
                "deposit": money("40.00"),
            }
        ],
        now=now,
    )


@pytest.fixture
def rental(drill, buyer, now):
    """``rental(days_ahead=10, days=2, at=now)``: ``buyer`` requests the drill."""

    def make(days_ahead=10, days=2, at=None):
        first = (at or now).date() + dt.timedelta(days=days_ahead)
        return services.exchange_order(
            listing=drill,
            customer=buyer,
            mode="rental",
            start=first,
            end=first + dt.timedelta(days=days),
            now=at or now,
        )

    return make


@pytest.fixture
def finish(commission, provider, buyer):
    """``finish(at)``: the Full colour commission paid, delivered and accepted at ``at``."""

    def complete(at):
        exchange = services.exchange_transition(
            exchange=commission,
            actor=buyer,
            name="pay",
            params={"card": CARD_SUCCEEDS},
            now=at,
        )
        exchange = services.exchange_transition(
            exchange=exchange,
            actor=provider,
            name="deliver",
            params={"note": "Done."},
            now=at,
        )
        return services.exchange_transition(
            exchange=exchange, actor=buyer, name="accept", params={}, now=at
        )

    return complete
