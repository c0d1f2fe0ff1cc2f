"""Briefs fixtures: a guild with a customer and a provider, a brief and an offer."""

import datetime as dt

import pytest

from selfwork.briefs import services


def money(amount, currency="EUR"):
    return {"amount": amount, "currency": currency}


@pytest.fixture
def guild(community, provider, buyer, member_of):
    """The guild with ``provider`` and ``buyer`` as active members."""
    member_of(community, provider)
    member_of(community, buyer)
    return community


@pytest.fixture
def other_provider(make_member, guild, member_of):
    member = make_member("olu", country="NG", city="Lagos")
    member_of(guild, member)
    return member


@pytest.fixture
def make_brief(guild, buyer, now):
    """``make_brief(**changes)``: a brief by ``buyer`` through the service."""

    def make(**changes):
        fields = {
            "author": buyer,
            "community": guild,
            "title": "A cover for my poetry book",
            "description": "Ink and **watercolour**, 6×9 inches, a lighthouse.",
            "budget_min": money("150.00"),
            "budget_max": money("300.00"),
            "now": now,
            **changes,
        }
        return services.brief_create(**fields)

    return make


@pytest.fixture
def brief(make_brief):
    return make_brief()


@pytest.fixture
def make_offer(brief, provider, now):
    """``make_offer(**changes)``: an offer by ``provider`` on ``brief``."""

    def make(**changes):
        fields = {
            "brief": brief,
            "provider": provider,
            "price": money("240.00"),
            "delivery_days": 10,
            "message": "I have painted three lighthouses this year.",
            "now": now,
            **changes,
        }
        return services.offer_create(**fields)

    return make


@pytest.fixture
def offer(make_offer):
    return make_offer()


@pytest.fixture
def later(now):
    """``later(days=…, hours=…)``: a time after ``now``."""

    def at(**delta):
        return now + dt.timedelta(**delta)

    return at
