"""Selectors read in a constant number of queries, whatever the history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfwork.exchanges import selectors, services

pytestmark = pytest.mark.django_db


def queries(read):
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def test_my_exchanges_are_one_query_however_many(
    portrait, buyer, package, now, django_assert_num_queries
):
    for _ in range(4):
        services.exchange_order(
            listing=portrait, customer=buyer, mode="service", package=package(), now=now
        )
    with django_assert_num_queries(1):
        rows = list(selectors.exchanges_list_for_member(member=buyer))
        assert [r.provider.username for r in rows] == ["priya"] * 4
        assert all(r.community.slug == "guild" for r in rows)


def test_deliveries_with_their_files_are_two_queries(
    commission, move, buyer, provider, django_assert_num_queries
):
    exchange = move(commission, buyer, "pay")
    for n in range(3):
        exchange = move(exchange, provider, "deliver", note=f"Draft {n}")
        if n < 2:
            exchange = move(exchange, buyer, "request_changes", note="Again")
    with django_assert_num_queries(2):
        deliveries = list(selectors.exchange_deliveries(exchange=exchange))
        assert [len(d.files.all()) for d in deliveries] == [0, 0, 0]


def test_reading_an_exchange_does_not_grow_with_its_history(
    commission, move, buyer, provider, api_as
):
    api = api_as(buyer)
    exchange = move(commission, buyer, "pay")
    exchange = move(exchange, provider, "deliver", note="One")
    api.get(f"/exchanges/{exchange.public_id}")  # warm: token, process version cache
    short = queries(lambda: api.get(f"/exchanges/{exchange.public_id}"))
    exchange = move(exchange, buyer, "request_changes", note="Again")
    exchange = move(exchange, provider, "deliver", note="Two")
    exchange = move(exchange, buyer, "request_changes", note="Again")
    exchange = move(exchange, provider, "deliver", note="Three")
    assert queries(lambda: api.get(f"/exchanges/{exchange.public_id}")) == short


def test_operators_see_their_communities_exchanges(commission, host, stranger):
    assert list(selectors.exchanges_for_operator(member=host)) == [commission]
    assert list(selectors.exchanges_for_operator(member=stranger)) == []
    assert (
        selectors.exchange_get_for_party(public_id=commission.public_id, member=host)
        == commission
    )


def test_an_exchange_reads_the_same_for_each_reader_as_the_orm_would(
    commission, buyer, provider, host, stranger, make_member, django_assert_num_queries
):
    """The party read's SQL is written once (``core.compiled``); what it answers
    is what the queryset answers: the exchange and its six selected rows, for
    its parties, a host of its community and staff, and nothing for others."""
    from selfwork.core.errors import NotFound
    from selfwork.exchanges.models import Exchange

    staff = make_member("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    expected = Exchange.objects.select_related(
        "customer", "provider", "community", "listing", "offered_listing", "licence"
    ).get(pk=commission.pk)
    for reader in (buyer, provider, host, staff, buyer):
        with django_assert_num_queries(1):
            got = selectors.exchange_get_for_party(
                public_id=commission.public_id, member=reader
            )
            assert got.customer.username == expected.customer.username
            assert got.provider.username == expected.provider.username
            assert got.community.slug == expected.community.slug
            assert got.listing.title == expected.listing.title
            assert got.offered_listing is None
            assert selectors.licence_for(exchange=got) is None
        for field in Exchange._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(expected, field.attname)
        assert got._state.adding is False
    for outsider in (stranger, None):
        with pytest.raises(NotFound):
            selectors.exchange_get_for_party(
                public_id=commission.public_id, member=outsider
            )
    with pytest.raises(NotFound):
        selectors.exchange_get_for_party(public_id="not-an-id", member=buyer)
