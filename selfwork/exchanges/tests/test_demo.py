"""The demo's exchanges: every state of both processes, and books that audit clean."""

import datetime as dt
import random

import pytest

from selfwork.catalog.services import listing_create
from selfwork.exchanges.demo import (
    COMMISSION_PATHS,
    GIFT_PATHS,
    PURCHASE_PATHS,
    RENTAL_PATHS,
    SWAP_PATHS,
    exchanges_demo_seed,
)
from selfwork.exchanges.engine import process_load
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db

# These communities pay by card: nothing there waits for a host to confirm cash.
BY_HAND_ONLY = {"awaiting_confirmation"}


def test_the_demo_has_an_exchange_in_every_state(
    portrait, bag, host, member_of, guild, make_member, now, books
):
    for _ in range(3):
        member_of(guild, make_member())
    made = exchanges_demo_seed(now=now, rng=random.Random(7))

    assert made == len(COMMISSION_PATHS) + len(PURCHASE_PATHS) + 2
    assert Exchange.objects.count() == made
    for name in ("commission", "purchase"):
        states = set(
            Exchange.objects.filter(process_name=name).values_list("state", flat=True)
        )
        assert states == set(process_load(name).states) - BY_HAND_ONLY, name
    books(Exchange.objects.filter(state="completed").first())


def test_the_demo_has_a_rental_in_every_state(
    guild, provider, host, member_of, make_member, now, books
):
    for _ in range(4):
        member_of(guild, make_member())
    for title in ("Cordless drill", "Tile cutter"):
        listing_create(
            owner=provider,
            community=guild,
            title=title,
            modes=[
                {
                    "mode": "rental",
                    "price": {"amount": "6.00", "currency": "EUR"},
                    "unit": "day",
                    "deposit": {"amount": "40.00", "currency": "EUR"},
                }
            ],
            now=now - dt.timedelta(days=60),
        )
    exchanges_demo_seed(now=now, rng=random.Random(7))

    rentals = Exchange.objects.filter(process_name="rental")
    assert rentals.count() == len(RENTAL_PATHS)
    assert set(rentals.values_list("state", flat=True)) == (
        set(process_load("rental").states) - BY_HAND_ONLY
    )
    books(rentals.filter(state="completed").first())


def test_without_listings_the_demo_makes_no_exchanges(db, now):
    assert exchanges_demo_seed(now=now, rng=random.Random(7)) == 0


def test_the_demo_has_gifts_and_swaps_in_every_state(
    guild, provider, buyer, host, member_of, make_member, now, books
):
    neighbours = [make_member() for _ in range(4)]
    for member in neighbours:
        member_of(guild, member)
    earlier = now - dt.timedelta(days=60)
    for i in range(len(GIFT_PATHS)):
        listing_create(
            owner=provider, community=guild, title=f"Seedlings, tray {i + 1}",
            modes=[{"mode": "gift"}], now=earlier,
        )  # fmt: skip
    for owner, title in zip(
        (provider, buyer, *neighbours[:3]),
        ("Crime novels", "Board games", "Cookbooks", "Rhubarb crowns", "Puzzles"),
        strict=True,
    ):
        listing_create(
            owner=owner, community=guild, title=title, modes=[{"mode": "swap"}],
            now=earlier,
        )  # fmt: skip
    exchanges_demo_seed(now=now, rng=random.Random(7))

    for name in ("gift", "swap"):
        states = set(
            Exchange.objects.filter(process_name=name).values_list("state", flat=True)
        )
        assert states == set(process_load(name).states), name
    gifts = Exchange.objects.filter(process_name="gift")
    assert gifts.count() == sum(len(r) for _, r in GIFT_PATHS.values())
    assert Exchange.objects.filter(process_name="swap").count() == len(SWAP_PATHS)
    given = gifts.get(state="promised").listing
    assert set(gifts.filter(listing=given).values_list("state", flat=True)) == {
        "promised",
        "not_chosen",
    }
    assert gifts.filter(listing__status="active", state="requested").count() == 2
    swapped = Exchange.objects.get(process_name="swap", state="completed")
    assert {swapped.listing.status, swapped.offered_listing.status} == {"swapped"}
    books(gifts.filter(state="completed").first())


def test_the_demo_has_a_loan_and_a_time_bank_exchange_in_every_state(
    guild, provider, buyer, host, member_of, make_member, now, books
):
    from selfwork.communities.services import community_update
    from selfwork.communities.timebank import hours_balances_of
    from selfwork.exchanges.demo import LEND_PATHS, TIMEBANK_PATHS

    community_update(
        community=guild,
        actor=host,
        changes={
            "timebank_enabled": True,
            "timebank_starting_credit": {"amount": "2", "currency": "HOUR"},
        },
        now=now - dt.timedelta(days=90),
    )
    guild.refresh_from_db()
    for _ in range(4):
        member_of(guild, make_member())
    earlier = now - dt.timedelta(days=60)
    for title in ("Ladder", "Camera", "Tent"):
        listing_create(
            owner=provider,
            community=guild,
            title=title,
            modes=[{"mode": "lend", "hours": {"amount": "1", "currency": "HOUR"}}],
            now=earlier,
        )
    listing_create(
        owner=provider,
        community=guild,
        title="Bike repair hour",
        modes=[{"mode": "timebank", "hours": {"amount": "1", "currency": "HOUR"}}],
        now=earlier,
    )
    listing_create(
        owner=buyer,
        community=guild,
        title="Wanted: help moving a sofa",
        modes=[{"mode": "timebank", "hours": {"amount": "1.5", "currency": "HOUR"}}],
        kind="request",
        now=earlier,
    )
    exchanges_demo_seed(now=now, rng=random.Random(7))

    loans = Exchange.objects.filter(process_name="lend")
    assert loans.count() == len(LEND_PATHS)
    assert set(loans.values_list("state", flat=True)) == set(
        process_load("lend").states
    )
    time = Exchange.objects.filter(process_name="timebank")
    assert time.count() == len(TIMEBANK_PATHS)
    assert set(time.values_list("state", flat=True)) == set(
        process_load("timebank").states
    )
    balances = {
        b.balance.minor
        for m in guild.memberships.select_related("member")
        for b in hours_balances_of(member=m.member)
    }
    assert len(balances) > 2, "hour balances differ between members"
    books(time.filter(state="completed").first())
