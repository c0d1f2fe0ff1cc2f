"""The benchmark's bulk loader writes listings the product reads like its own."""

import pytest

from selfwork.catalog.models import Listing
from selfwork.catalog.selectors import ListingQuery, listings_search
from selfwork.demo.bulk import RARE, bench_orders, bench_seed
from selfwork.exchanges.audit import exchanges_audit_checks
from selfwork.ledger.audit import ledger_audit
from selfwork.payments.audit import payments_audit_checks


@pytest.fixture
def bulk_market(db):
    return list(bench_seed(listings=300, members=4))


class TestBenchSeed:
    def test_given_a_size_when_seeding_then_it_reports_progress_to_that_size(
        self, bulk_market
    ):
        assert bulk_market == [300]
        assert Listing.objects.count() == 300

    def test_given_seeded_listings_then_each_has_its_card_as_the_services_write_it(
        self, bulk_market
    ):
        from selfwork.catalog.cards import _listings, card_item, card_web

        for listing in _listings(
            list(Listing.objects.values_list("pk", flat=True)[:60])
        ):
            assert (listing.card.item, listing.card.web) == (
                card_item(listing),
                card_web(listing),
            )

    def test_given_seeded_listings_then_their_from_price_is_their_lowest_price(
        self, bulk_market
    ):
        for listing in Listing.objects.prefetch_related("modes__packages")[:60]:
            prices = [
                (m.price_minor, m.unit)
                for m in listing.modes.all()
                if m.price_minor is not None
            ] + [
                (p.price_minor, p.unit)
                for m in listing.modes.all()
                for p in m.packages.all()
            ]
            lowest = min(prices) if prices else (None, "")
            assert (listing.price_minor, listing.price_unit) == lowest
            assert listing.sort_price == (lowest[0] or 0)
            assert listing.tags_text == " ".join(listing.tags)

    def test_given_seeded_listings_when_searching_a_rare_word_then_search_finds_them(
        self, bulk_market
    ):
        page = listings_search(query=ListingQuery(q=RARE[1]), viewer=None)
        assert [RARE[1] in x.tags for x in page.items] == [True]

    def test_given_orders_when_auditing_then_every_invariant_holds(self, bulk_market):
        customer = bench_orders(count=5)
        assert len(customer.exchanges) == 5
        assert customer.token
        report = ledger_audit(
            extra_checks=payments_audit_checks() + exchanges_audit_checks()
        )
        assert report.ok, report.violations
