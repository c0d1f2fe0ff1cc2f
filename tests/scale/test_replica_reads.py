"""Search reads go to the streaming replica; a member reads their own writes back.

Through PgBouncer to a real primary and a real hot standby (see conftest). Which
server answered is told by the server itself: ``pg_is_in_recovery()`` on the
connection that ran the search, and by what a paused replica cannot know yet.
"""

import uuid

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfwork.catalog.services import listing_create
from selfwork.communities.services import community_create

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _word() -> str:
    """A search word no other listing holds (letters only: one token)."""
    return "zq" + "".join(
        chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10]
    )


@pytest.fixture
def guild(host, provider, member_of, now):
    community = community_create(
        creator=host,
        slug=f"guild-{uuid.uuid4().hex[:8]}",
        name="Illustrators' Guild",
        now=now,
        settings={"currency": "EUR", "fee_percent": "5"},
    )
    member_of(community, provider)
    return community


def _publish(owner, community, title, now):
    return listing_create(
        owner=owner,
        community=community,
        title=title,
        modes=[
            {
                "mode": "made_to_order",
                "price": {"amount": "30.00", "currency": "EUR"},
            }
        ],
        now=now,
    )


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def _tables_read(queries) -> str:
    return " ".join(q["sql"] for q in queries if q["sql"].lstrip().startswith("SELECT"))


def test_the_replica_alias_is_the_standby_and_the_default_the_primary():
    assert _in_recovery("replica") is True
    assert _in_recovery("default") is False


def test_behind_pgbouncer_no_statement_is_prepared():
    # A prepared statement is named in one server connection; in transaction
    # pooling the next transaction may run on another.
    for alias in ("default", "replica"):
        connections[alias].ensure_connection()
        assert connections[alias].connection.prepare_threshold is None


def test_an_anonymous_search_is_answered_by_the_replica(
    client, guild, provider, now, replica_caught_up
):
    word = _word()
    _publish(provider, guild, f"Lighthouse {word}", now)
    replica_caught_up()

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        api = client.get("/api/v1/listings", {"q": word})
        page = client.get(reverse("web:search"), {"q": word})

    assert api.status_code == 200 and page.status_code == 200
    assert [x["title"] for x in api.json()["items"]] == [f"Lighthouse {word}"]
    assert f"Lighthouse {word}" in page.content.decode()
    assert "catalog_listing" in _tables_read(replica.captured_queries)
    assert "catalog_listing" not in _tables_read(primary.captured_queries)


def test_a_member_sees_their_new_listing_at_once_while_the_replica_lags(
    browse_as, guild, provider, replica_paused
):
    word = _word()
    member = browse_as(provider)
    anonymous = browse_as(None)

    created = member.post(
        reverse("web:listing_new") + f"?community={guild.slug}",
        {
            "community": guild.slug,
            "currency": "EUR",
            "title": f"Harbour {word}",
            "mode_made_to_order": "on",
            "made_to_order_price": "45.00",
        },
    )
    assert created.status_code == 302, created.content.decode()[:500]

    mine = member.get(reverse("web:search"), {"q": word}).content.decode()
    theirs = anonymous.get(reverse("web:search"), {"q": word}).content.decode()
    # The member, who just wrote, reads from the primary; anyone else reads the
    # replica, which has not replayed the new listing yet.
    assert f"Harbour {word}" in mine
    assert f"Harbour {word}" not in theirs


def test_a_member_who_has_not_written_lately_reads_the_replica(
    browse_as, guild, provider, now, replica_paused
):
    word = _word()
    _publish(provider, guild, f"Quay {word}", now)

    page = browse_as(provider).get(reverse("web:search"), {"q": word})

    assert page.status_code == 200
    assert f"Quay {word}" not in page.content.decode()


def test_once_the_window_has_passed_the_member_reads_the_replica_again(
    browse_as, guild, provider, settings, replica_paused
):
    settings.SELFWORK_READ_YOUR_WRITES_SECONDS = 0
    word = _word()
    member = browse_as(provider)

    member.post(
        reverse("web:listing_new") + f"?community={guild.slug}",
        {
            "community": guild.slug,
            "currency": "EUR",
            "title": f"Pier {word}",
            "mode_made_to_order": "on",
            "made_to_order_price": "45.00",
        },
    )

    assert (
        f"Pier {word}"
        not in member.get(reverse("web:search"), {"q": word}).content.decode()
    )


def test_a_members_own_pages_read_the_primary(
    browse_as, guild, provider, replica_paused
):
    word = _word()
    member = browse_as(provider)
    member.post(
        reverse("web:listing_new") + f"?community={guild.slug}",
        {
            "community": guild.slug,
            "currency": "EUR",
            "title": f"Jetty {word}",
            "mode_made_to_order": "on",
            "made_to_order_price": "45.00",
        },
    )
    fresh = browse_as(provider)  # no cookie: not the write window that helps here

    assert f"Jetty {word}" in fresh.get(reverse("web:dashboard")).content.decode()
