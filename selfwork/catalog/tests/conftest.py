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
