"""Boards fixtures: a guild whose host, provider and buyer are members, and posts."""

import pytest

from selfwork.boards import services


@pytest.fixture
def guild(community, provider, buyer, member_of):
    """The guild (hosted by ``host``) with ``provider`` and ``buyer`` as members."""
    member_of(community, provider)
    member_of(community, buyer)
    return community


@pytest.fixture
def make_post(guild, buyer, now):
    """``make_post(**changes)``: a post through the service, by ``buyer`` by default."""

    def make(**changes):
        fields = {
            "community": guild,
            "author": buyer,
            "kind": "question",
            "title": "Where can I borrow a ladder?",
            "body": "For a weekend of **gutter** cleaning.",
            "now": now,
            **changes,
        }
        return services.post_create(**fields)

    return make


@pytest.fixture
def question(make_post):
    return make_post()


@pytest.fixture
def make_reply(question, provider, now):
    def make(**changes):
        fields = {
            "post": question,
            "author": provider,
            "body": "I have one in the shed.",
            "now": now,
            **changes,
        }
        return services.reply_create(**fields)

    return make
