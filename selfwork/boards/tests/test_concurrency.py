"""Racing votes and replies over real HTTP requests, each thread on its own connection.

These tests commit (``transaction=True``): PostgreSQL decides on the vote's unique
constraint and the post's row, SQLite with its one writer. A vote counts once,
and the count on the post agrees with the votes stored.
"""

import json
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone

from selfwork.accounts.services import api_token_create
from selfwork.boards.models import Post, Reply, Vote
from selfwork.core.testing import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def now():
    """The real time: these endpoints read the clock themselves."""
    return timezone.now().replace(microsecond=0)


def post_over_http(token, path, body=None):
    response = Client().post(
        f"/api/v1{path}",
        json.dumps(body or {}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return response.status_code, json.loads(response.content).get("code")


def test_four_racing_votes_of_one_member_count_once(question, provider, now):
    token = api_token_create(member=provider, now=now)
    results = race(
        4, lambda i: post_over_http(token, f"/posts/{question.public_id}/vote")
    )
    assert Counter(status for status, _ in results) == {200: 1, 409: 3}, results
    assert {code for status, code in results if status == 409} == {"already_voted"}
    assert Vote.objects.count() == 1
    assert Post.objects.get().vote_count == 1


def test_votes_of_many_members_at_once_are_all_counted(
    question, make_member, member_of, guild, now
):
    voters = [make_member(f"voter{n}") for n in range(4)]
    tokens = []
    for voter in voters:
        member_of(guild, voter)
        tokens.append(api_token_create(member=voter, now=now))
    results = race(
        4, lambda i: post_over_http(tokens[i], f"/posts/{question.public_id}/vote")
    )
    assert [status for status, _ in results] == [200] * 4, results
    assert Post.objects.get().vote_count == Vote.objects.count() == 4


def test_replies_racing_a_lock_are_either_stored_and_counted_or_refused(
    question, provider, host, now
):
    replier = api_token_create(member=provider, now=now)
    moderator = api_token_create(member=host, now=now)

    def act(i):
        if i == 0:
            return post_over_http(moderator, f"/posts/{question.public_id}/lock")
        return post_over_http(
            replier, f"/posts/{question.public_id}/replies", {"body": f"Reply {i}"}
        )

    results = race(4, act)
    stored = sum(1 for status, _ in results[1:] if status == 201)
    refused = [code for status, code in results[1:] if status != 201]
    assert set(refused) <= {"post_locked"}, results
    assert Reply.objects.count() == stored
    post = Post.objects.get()
    assert post.locked and post.reply_count == stored
