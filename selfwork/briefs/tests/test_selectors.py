"""Briefs selectors: what each person sees, in a constant number of queries."""

import pytest

from selfwork.briefs import selectors, services
from selfwork.briefs.tests.conftest import money
from selfwork.core.uploads import upload_create


@pytest.fixture
def busy_brief(make_brief, make_offer, buyer, provider, other_provider, png_bytes, now):
    image = upload_create(owner=buyer, data=png_bytes(), now=now)
    brief = make_brief(attachments=[str(image.public_id)])
    for who in (provider, other_provider):
        offer = make_offer(brief=brief, provider=who)
        services.offer_counter(offer=offer, customer=buyer, price=money("100"), now=now)
    return brief


class TestQueries:
    def test_the_board_reads_briefs_authors_and_images_in_two_queries(
        self, busy_brief, make_brief, django_assert_num_queries, stranger
    ):
        make_brief(title="Another")
        with django_assert_num_queries(2):
            briefs = list(selectors.briefs_open(viewer=stranger))
            for brief in briefs:
                assert brief.author.name and brief.community.name
                list(brief.attachments.all())
                brief.offer_count  # noqa: B018 - annotated, no query
        assert sorted(b.offer_count for b in briefs) == [0, 0, 2]

    def test_offers_with_their_counters_in_two_queries(
        self, busy_brief, buyer, django_assert_num_queries
    ):
        with django_assert_num_queries(2):
            offers = list(selectors.offers_for_brief(brief=busy_brief, viewer=buyer))
            for offer in offers:
                assert offer.provider.name
                assert selectors.counter_open(offer=offer) is not None
        assert len(offers) == 2


class TestWhoSeesWhat:
    def test_a_provider_sees_only_their_offer(self, busy_brief, provider):
        offers = selectors.offers_for_brief(brief=busy_brief, viewer=provider)
        assert [o.provider for o in offers] == [provider]

    def test_others_see_no_offers(self, busy_brief, stranger):
        assert not selectors.offers_for_brief(
            brief=busy_brief, viewer=stranger
        ).exists()

    def test_past_deadlines_leave_the_board(self, make_brief, stranger, later):
        due = make_brief(deadline=later(days=2).date())
        assert due in selectors.briefs_open(viewer=stranger, now=later(days=2))
        assert due not in selectors.briefs_open(viewer=stranger, now=later(days=3))

    def test_an_offer_past_its_expiry_reads_as_expired(self, offer, later):
        assert selectors.offer_status(offer=offer, now=later(days=13)) == "open"
        assert selectors.offer_status(offer=offer, now=later(days=14)) == "expired"
