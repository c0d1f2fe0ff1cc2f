"""Conversations fixtures: a provider's listing in the guild, and a way to write."""

import pytest

from selfwork.conversations import services


@pytest.fixture
def portrait(community, provider, member_of, now):
    """``provider``'s portrait service in the guild (public), as a Listing."""
    from selfwork.catalog.services import listing_create
    from selfwork.catalog.tests.payloads import MODES

    member_of(community, provider)
    return listing_create(
        owner=provider,
        community=community,
        title="Pet portrait in watercolour",
        modes=[MODES["service"]],
        now=now,
    )


@pytest.fixture
def start(buyer, provider, now):
    """``start(**changes)``: ``buyer`` writes to ``provider`` through the service."""

    def make(**changes):
        fields = {
            "sender": buyer,
            "to": provider.username,
            "body": "Hello! Could you paint **two** cats?",
            "now": now,
            **changes,
        }
        return services.conversation_start(**fields)

    return make
