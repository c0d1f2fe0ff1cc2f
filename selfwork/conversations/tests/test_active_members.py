"""Active members per period: exchanges, listings and messages, each member once."""

import datetime as dt

import pytest

from selfwork.communities.services import community_create
from selfwork.conversations.selectors import active_members_by_period

pytestmark = pytest.mark.django_db


def test_counts_each_member_once_per_day(
    portrait, start, buyer, provider, stranger, now
):
    # provider listed the portrait today; buyer writes about it today and,
    # about nothing, yesterday; stranger writes to provider yesterday.
    yesterday = now - dt.timedelta(days=1)
    start(listing=str(portrait.public_id))
    start(now=yesterday)
    start(sender=stranger, now=yesterday)

    counts = active_members_by_period(since=now - dt.timedelta(days=6), bucket="day")

    assert counts == {yesterday.date(): 2, now.date(): 2}


def test_one_community_counts_messages_about_its_listings_only(
    portrait, start, community, host, stranger, now
):
    start(listing=str(portrait.public_id))
    start(sender=stranger)
    elsewhere = community_create(
        creator=host, slug="elsewhere", name="Elsewhere", now=now, settings={}
    )

    in_guild = active_members_by_period(
        since=now - dt.timedelta(days=6), bucket="week", community=community
    )
    in_elsewhere = active_members_by_period(
        since=now - dt.timedelta(days=6), bucket="week", community=elsewhere
    )

    monday = now.date() - dt.timedelta(days=now.weekday())
    assert in_guild == {monday: 2}  # the provider's listing, the buyer's message
    assert in_elsewhere == {}


def test_leaves_out_activity_before_the_period(portrait, start, now):
    start(now=now - dt.timedelta(days=10))

    counts = active_members_by_period(since=now - dt.timedelta(days=6), bucket="day")

    assert counts == {now.date(): 1}  # the provider's listing only
