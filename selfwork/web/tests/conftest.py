"""Fixtures for the web pages: logged-in clients and listings made through services."""

import pytest


@pytest.fixture(autouse=True)
def quick_password_hashing(request, settings):
    """Hash with MD5 in tests: Argon2 spends ~0.2 s per member by design.

    Tests marked ``real_hashing`` keep the production hashers.
    """
    if request.node.get_closest_marker("real_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_hashing: keep the production password hashers (Argon2)"
    )


@pytest.fixture
def login(client):
    """``login(member)`` logs the test client in as ``member`` and returns it."""

    def log_in(member):
        client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return log_in


@pytest.fixture
def make_listing(now):
    """``make_listing(owner, community, title=..., modes=[...])`` through the service."""
    from selfwork.catalog.services import listing_create

    def make(owner, community, title="Pet portrait in ink", modes=None, **fields):
        return listing_create(
            owner=owner,
            community=community,
            title=title,
            modes=modes
            or [
                {"mode": "made_to_order", "price": {"amount": "40", "currency": "EUR"}}
            ],
            now=now,
            **fields,
        )

    return make


@pytest.fixture
def private_community(host, now):
    from selfwork.communities.services import community_create

    return community_create(
        creator=host,
        slug="back-room",
        name="The Back Room",
        now=now,
        settings={"visibility": "private"},
    )


def page_text(response) -> str:
    return response.content.decode()
