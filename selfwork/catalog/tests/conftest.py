import pytest

from selfwork.catalog.tests.payloads import listing_body


@pytest.fixture
def seller(provider, community, member_of):
    """``provider``, an active member of the guild."""
    member_of(community, provider)
    return provider


@pytest.fixture
def publish(api_as, seller):
    """``publish(**changes)`` creates a listing as ``seller`` through the API."""

    def make(as_member=None, **changes):
        response = api_as(as_member or seller).post(
            "/listings", listing_body(**changes)
        )
        assert response.status_code == 201, response.content
        return response.json()

    return make


@pytest.fixture
def rent_out(seller, community, now):
    """``rent_out(unit="day")``: a rental listing of ``seller``'s, by the day or hour."""
    from selfwork.catalog.services import listing_create
    from selfwork.catalog.tests.payloads import MODES

    def make(unit="day", modes=None):
        return listing_create(
            owner=seller,
            community=community,
            title=f"Tent to rent by the {unit}",
            modes=modes or [{**MODES["rental"], "unit": unit}],
            now=now,
        )

    return make


@pytest.fixture
def tent(rent_out):
    """A tent rented by the day; its owner's time zone is UTC."""
    return rent_out("day")


@pytest.fixture
def kayak(rent_out):
    """A kayak rented by the hour."""
    return rent_out("hour")
