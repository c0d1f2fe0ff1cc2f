"""The usage rights a package promises are the rights its exchange and licence grant."""

import pytest

from selfwork.catalog.services import listing_create
from selfwork.exchanges import services
from selfwork.exchanges.licences import licence_text
from selfwork.exchanges.tests.conftest import money
from selfwork.payments.gateways import CARD_SUCCEEDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def cover(guild, provider, now):
    """A book cover whose packages promise three kinds of rights."""
    return listing_create(
        owner=provider,
        community=guild,
        title="Book cover",
        modes=[
            {
                "mode": "service",
                "packages": [
                    {"name": "Personal", "price": money("40.00"), "delivery_days": 3},
                    {
                        "name": "Commercial",
                        "price": money("120.00"),
                        "delivery_days": 5,
                        "commercial_use": True,
                    },
                    {
                        "name": "Credited",
                        "price": money("90.00"),
                        "delivery_days": 5,
                        "commercial_use": True,
                        "credit_required": True,
                    },
                ],
            }
        ],
        now=now,
    )


def _completed(cover, name, buyer, provider, now):
    package = cover.modes.get(mode="service").packages.get(name=name)
    exchange = services.exchange_order(
        listing=cover,
        customer=buyer,
        mode="service",
        package=str(package.public_id),
        now=now,
    )
    for actor, step, params in [
        (buyer, "pay", {"card": CARD_SUCCEEDS}),
        (provider, "deliver", {"note": "Done."}),
        (buyer, "accept", {}),
    ]:
        exchange = services.exchange_transition(
            exchange=exchange, actor=actor, name=step, params=params, now=now
        )
    return package, exchange


@pytest.mark.parametrize(
    ("name", "use", "credit"),
    [
        ("Personal", "personal", False),
        ("Commercial", "commercial", False),
        ("Credited", "commercial", True),
    ],
)
def test_the_exchange_and_its_licence_grant_what_the_package_promised(
    cover, buyer, provider, now, name, use, credit
):
    package, exchange = _completed(cover, name, buyer, provider, now)

    promised = {
        "use": "commercial" if package.commercial_use else "personal",
        "credit_required": package.credit_required,
    }
    assert promised == {"use": use, "credit_required": credit}
    assert exchange.usage_rights == promised
    text = licence_text(exchange=exchange)
    granted = {
        "personal": "licence for personal, non-commercial use",
        "commercial": "licence for commercial use",
    }
    assert granted[use] in text
    assert ("Credit is required" in text) is credit


def test_editing_the_package_later_does_not_change_a_running_exchange(
    cover, buyer, provider, now
):
    package = cover.modes.get(mode="service").packages.get(name="Commercial")
    exchange = services.exchange_order(
        listing=cover,
        customer=buyer,
        mode="service",
        package=str(package.public_id),
        now=now,
    )
    type(package).objects.filter(pk=package.pk).update(commercial_use=False)
    exchange.refresh_from_db()
    assert exchange.usage_rights["use"] == "commercial"


def test_the_api_shows_and_takes_a_packages_rights(api_as, provider, guild):
    body = {
        "community": guild.slug,
        "title": "Logo design",
        "description": "A logo for your shop.",
        "modes": [
            {
                "mode": "service",
                "packages": [
                    {
                        "name": "Logo",
                        "price": {"amount": "200.00", "currency": "EUR"},
                        "delivery_days": 7,
                        "commercial_use": True,
                        "credit_required": False,
                    }
                ],
            }
        ],
    }
    response = api_as(provider).post("/listings", body)
    assert response.status_code == 201, response.content
    (package,) = response.json()["modes"][0]["packages"]
    assert (package["commercial_use"], package["credit_required"]) == (True, False)


def test_rights_that_are_not_yes_or_no_are_refused(api_as, provider, guild):
    body = {
        "community": guild.slug,
        "title": "Logo design",
        "description": "A logo.",
        "modes": [
            {
                "mode": "service",
                "packages": [
                    {
                        "name": "Logo",
                        "price": {"amount": "200.00", "currency": "EUR"},
                        "delivery_days": 7,
                        "commercial_use": "yes",
                    }
                ],
            }
        ],
    }
    response = api_as(provider).post("/listings", body)
    assert response.status_code == 422
    assert "commercial_use" in response.json()["detail"]
