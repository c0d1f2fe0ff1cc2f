import pytest

from selfwork.catalog.tests.payloads import listing_body


@pytest.fixture(autouse=True)
def quick_password_hashing(request, settings):
    """Hash with MD5 in tests: Argon2 spends ~0.2 s per member by design.

    Tests marked ``real_hashing`` keep the production hashers.
    """
    if request.node.get_closest_marker("real_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
