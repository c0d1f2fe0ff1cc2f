"""Fixtures for the web pages: logged-in clients and listings made through services."""

import pytest


@pytest.fixture
def login(client):
    """``login(member)`` logs the test client in as ``member`` and returns it."""

    def log_in(member):
        client.force_login(member)
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
