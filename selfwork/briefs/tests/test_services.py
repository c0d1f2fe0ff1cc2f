"""Briefs, offers and counter-proposals through their services."""

import datetime as dt

import pytest

from selfwork.briefs import services
from selfwork.briefs.errors import (
    BriefClosed,
    CounterNotOpen,
    OfferExists,
    OfferExpired,
    OfferNotOpen,
)
from selfwork.briefs.models import Brief, BriefAttachment, Counter, Offer
from selfwork.briefs.tests.conftest import money
from selfwork.core.errors import InvalidInput, NotPermitted
from selfwork.core.money import Money
from selfwork.core.uploads import upload_create
from selfwork.exchanges.models import Exchange


def counts():
    return (
        Brief.objects.count(),
        Offer.objects.count(),
        Counter.objects.count(),
        Exchange.objects.count(),
    )


class TestBriefCreate:
    def test_keeps_the_budget_in_one_currency_and_is_open(self, make_brief, now):
        brief = make_brief(deadline="2026-12-24")
        assert (brief.budget_min_minor, brief.budget_max_minor) == (15000, 30000)
        assert brief.currency == "EUR"
        assert brief.deadline_on == dt.date(2026, 12, 24)
        assert brief.status == "open" and brief.closed_at is None

    def test_keeps_its_reference_images_in_order(
        self, make_brief, buyer, png_bytes, now
    ):
        first = upload_create(owner=buyer, data=png_bytes(), now=now)
        second = upload_create(owner=buyer, data=png_bytes(color=(1, 2, 3)), now=now)
        brief = make_brief(attachments=[str(second.public_id), str(first.public_id)])
        assert [a.upload for a in brief.attachments.all()] == [second, first]

    @pytest.mark.parametrize(
        "changes, code, field",
        [
            (
                {"budget_min": money("400.00"), "budget_max": money("300.00")},
                "budget_range",
                "budget.min",
            ),
            ({"budget_max": money("300.00", "USD")}, "currency_mismatch", "budget.max"),
            ({"budget_min": money("150.001")}, "too_precise", "budget.min"),
            ({"budget_min": money("0")}, "amount_not_positive", "budget.min"),
            ({"budget_min": money("1", "HOUR")}, "unknown_currency", None),
            ({"budget_min": money("1", "eur")}, "unknown_currency", None),
            ({"budget_min": {"amount": "1"}}, "invalid_money", "budget.min"),
            ({"deadline": "2026-11-20"}, "deadline_past", "deadline"),
            ({"deadline": "24/12/2026"}, "invalid_date", "deadline"),
            ({"deadline": "2040-01-01"}, "deadline_too_far", "deadline"),
            ({"title": ""}, "required", "title"),
            ({"title": "<b>Cover</b>"}, "markup_not_allowed", "title"),
            ({"description": "  "}, "required", "description"),
            ({"description": "[x](javascript:alert(1))"}, "markup_not_allowed", None),
        ],
    )
    def test_refuses_bad_input_and_stores_nothing(
        self, make_brief, changes, code, field
    ):
        with pytest.raises(InvalidInput) as refused:
            make_brief(**changes)
        assert refused.value.code == code
        if field:
            assert refused.value.field == field
        assert Brief.objects.count() == 0

    def test_refuses_someone_elses_upload_and_leaves_nothing(
        self, make_brief, provider, png_bytes, now
    ):
        theirs = upload_create(owner=provider, data=png_bytes(), now=now)
        with pytest.raises(InvalidInput) as refused:
            make_brief(attachments=[str(theirs.public_id)])
        assert refused.value.code == "unknown_upload"
        assert not BriefAttachment.objects.exists() and not Brief.objects.exists()

    def test_only_members_post_in_a_community(self, make_brief, stranger):
        with pytest.raises(NotPermitted) as refused:
            make_brief(author=stranger)
        assert refused.value.code == "not_a_member"

    def test_a_single_price_is_a_budget_too(self, make_brief):
        brief = make_brief(budget_min=money("200"), budget_max=money("200"))
        assert brief.budget_min_minor == brief.budget_max_minor == 20000


class TestBriefClose:
    def test_closing_declines_the_live_offers(self, brief, offer, buyer, later):
        services.brief_close(brief=brief, author=buyer, now=later(hours=1))
        brief.refresh_from_db()
        offer.refresh_from_db()
        assert brief.status == "closed" and brief.closed_at == later(hours=1)
        assert offer.status == "declined"

    def test_only_its_author_closes_it(self, brief, provider, now):
        with pytest.raises(NotPermitted):
            services.brief_close(brief=brief, author=provider, now=now)
        brief.refresh_from_db()
        assert brief.status == "open"

    def test_a_closed_brief_cannot_be_cancelled(self, brief, buyer, now):
        services.brief_close(brief=brief, author=buyer, now=now)
        with pytest.raises(BriefClosed):
            services.brief_cancel(brief=brief, author=buyer, now=now)

    def test_a_closed_brief_takes_no_offers(self, brief, buyer, make_offer, now):
        services.brief_cancel(brief=brief, author=buyer, now=now)
        with pytest.raises(BriefClosed):
            make_offer()
        assert not Offer.objects.exists()


class TestOfferCreate:
    def test_keeps_its_terms_in_the_briefs_currency(self, make_offer, now):
        offer = make_offer(
            milestones=[
                {"title": "Sketch", "amount": money("80.00")},
                {"title": "Final art", "amount": money("160.00")},
            ],
            usage_rights={"use": "commercial", "credit_required": True},
            revisions=3,
            expires_in_days=5,
        )
        assert offer.price_minor == 24000
        assert offer.milestones == [
            {"title": "Sketch", "amount_minor": 8000},
            {"title": "Final art", "amount_minor": 16000},
        ]
        assert offer.usage_rights == {"use": "commercial", "credit_required": True}
        assert offer.revisions == 3
        assert offer.expires_at == now + dt.timedelta(days=5)
        assert offer.status == "open" and offer.revision == 1

    def test_usage_rights_default_to_personal_use(self, offer):
        assert offer.usage_rights == {"use": "personal", "credit_required": False}

    @pytest.mark.parametrize(
        "changes, code",
        [
            ({"price": money("240.00", "USD")}, "currency_mismatch"),
            ({"price": money("-5")}, "amount_not_positive"),
            ({"price": money("2.345")}, "too_precise"),
            ({"price": "240"}, "invalid_money"),
            ({"delivery_days": 0}, "out_of_range"),
            ({"delivery_days": 366}, "out_of_range"),
            ({"delivery_days": "10"}, "invalid_number"),
            ({"delivery_days": True}, "invalid_number"),
            ({"expires_in_days": 91}, "out_of_range"),
            (
                {"milestones": [{"title": "Sketch", "amount": money("100.00")}]},
                "milestones_total",
            ),
            (
                {"milestones": [{"title": "Sketch", "amount": money("240", "USD")}]},
                "currency_mismatch",
            ),
            ({"milestones": [{"title": "", "amount": money("240")}]}, "required"),
            ({"milestones": "half now"}, "invalid_milestones"),
            ({"usage_rights": {"use": "resale"}}, "invalid_usage_rights"),
            ({"usage_rights": {"credit_required": "yes"}}, "invalid_usage_rights"),
            (
                {"usage_rights": {"use": "personal", "exclusive": True}},
                "invalid_usage_rights",
            ),
            ({"message": "<script>alert(1)</script>"}, "markup_not_allowed"),
        ],
    )
    def test_refuses_bad_terms_and_stores_nothing(self, make_offer, changes, code):
        with pytest.raises(InvalidInput) as refused:
            make_offer(**changes)
        assert refused.value.code == code
        assert not Offer.objects.exists()

    def test_the_author_cannot_offer_on_their_own_brief(self, make_offer, buyer):
        with pytest.raises(NotPermitted) as refused:
            make_offer(provider=buyer)
        assert refused.value.code == "own_brief"

    def test_only_members_of_the_community_offer(self, make_offer, stranger):
        with pytest.raises(NotPermitted) as refused:
            make_offer(provider=stranger)
        assert refused.value.code == "not_a_member"

    def test_one_live_offer_per_provider(self, make_offer, offer):
        with pytest.raises(OfferExists):
            make_offer(price=money("200.00"))
        assert Offer.objects.count() == 1

    def test_a_withdrawn_offer_makes_room_for_a_new_one(
        self, make_offer, offer, provider, now
    ):
        services.offer_withdraw(offer=offer, provider=provider, now=now)
        assert make_offer(price=money("200.00")).status == "open"

    def test_an_expired_offer_makes_room_for_a_new_one(self, make_offer, offer, later):
        fresh = make_offer(now=later(days=15))
        offer.refresh_from_db()
        assert offer.status == "expired"
        assert fresh.status == "open"

    def test_other_providers_offer_side_by_side(
        self, offer, make_offer, other_provider
    ):
        assert make_offer(provider=other_provider).status == "open"


class TestOfferWithdrawAndDecline:
    def test_only_the_provider_withdraws(self, offer, buyer, now):
        with pytest.raises(NotPermitted):
            services.offer_withdraw(offer=offer, provider=buyer, now=now)

    def test_withdrawing_twice_is_refused(self, offer, provider, now):
        services.offer_withdraw(offer=offer, provider=provider, now=now)
        with pytest.raises(OfferNotOpen):
            services.offer_withdraw(offer=offer, provider=provider, now=now)

    def test_the_author_declines(self, offer, buyer, now):
        services.offer_decline(offer=offer, customer=buyer, now=now)
        offer.refresh_from_db()
        assert offer.status == "declined"

    def test_the_provider_cannot_decline_for_the_customer(self, offer, provider, now):
        with pytest.raises(NotPermitted):
            services.offer_decline(offer=offer, customer=provider, now=now)


class TestCounter:
    def test_the_customer_proposes_another_price(self, offer, buyer, now):
        counter = services.offer_counter(
            offer=offer,
            customer=buyer,
            price=money("200.00"),
            message="Tight year.",
            now=now,
        )
        offer.refresh_from_db()
        assert offer.status == "countered"
        assert (counter.price_minor, counter.delivery_days) == (20000, 10)
        assert counter.status == "open"

    def test_accepting_makes_the_offers_next_revision(
        self, offer, buyer, provider, now
    ):
        counter = services.offer_counter(
            offer=offer,
            customer=buyer,
            price=money("200.00"),
            delivery_days=14,
            now=now,
        )
        services.counter_accept(counter=counter, provider=provider, now=now)
        offer.refresh_from_db()
        counter.refresh_from_db()
        assert (offer.price_minor, offer.delivery_days) == (20000, 14)
        assert offer.revision == 2 and offer.status == "open"
        assert counter.status == "accepted"

    def test_a_new_price_drops_milestones_that_no_longer_add_up(
        self, make_offer, buyer, provider, now
    ):
        offer = make_offer(
            milestones=[
                {"title": "Sketch", "amount": money("80.00")},
                {"title": "Final art", "amount": money("160.00")},
            ]
        )
        counter = services.offer_counter(
            offer=offer, customer=buyer, price=money("200.00"), now=now
        )
        services.counter_accept(counter=counter, provider=provider, now=now)
        offer.refresh_from_db()
        assert offer.milestones == []

    def test_the_same_price_keeps_the_milestones(
        self, make_offer, buyer, provider, now
    ):
        offer = make_offer(
            milestones=[
                {"title": "Sketch", "amount": money("80.00")},
                {"title": "Final art", "amount": money("160.00")},
            ]
        )
        counter = services.offer_counter(
            offer=offer,
            customer=buyer,
            price=money("240.00"),
            delivery_days=20,
            now=now,
        )
        services.counter_accept(counter=counter, provider=provider, now=now)
        offer.refresh_from_db()
        assert len(offer.milestones) == 2 and offer.delivery_days == 20

    def test_declining_keeps_the_offer_as_it_was(self, offer, buyer, provider, now):
        counter = services.offer_counter(
            offer=offer, customer=buyer, price=money("200.00"), now=now
        )
        services.counter_decline(counter=counter, provider=provider, now=now)
        offer.refresh_from_db()
        assert (offer.status, offer.price_minor, offer.revision) == ("open", 24000, 1)

    def test_one_counter_at_a_time(self, offer, buyer, now):
        services.offer_counter(offer=offer, customer=buyer, price=money("200"), now=now)
        with pytest.raises(OfferNotOpen):
            services.offer_counter(
                offer=offer, customer=buyer, price=money("190"), now=now
            )
        assert Counter.objects.count() == 1

    def test_an_unchanged_counter_is_refused(self, offer, buyer, now):
        with pytest.raises(InvalidInput) as refused:
            services.offer_counter(
                offer=offer, customer=buyer, price=money("240.00"), now=now
            )
        assert refused.value.code == "counter_unchanged"

    def test_only_the_author_counters(self, offer, provider, stranger, now):
        for who in (provider, stranger):
            with pytest.raises(NotPermitted):
                services.offer_counter(
                    offer=offer, customer=who, price=money("200"), now=now
                )

    def test_only_the_provider_answers(self, offer, buyer, now):
        counter = services.offer_counter(
            offer=offer, customer=buyer, price=money("200"), now=now
        )
        with pytest.raises(NotPermitted):
            services.counter_accept(counter=counter, provider=buyer, now=now)
        offer.refresh_from_db()
        assert offer.price_minor == 24000

    def test_an_expired_offer_cannot_be_countered(self, offer, buyer, later):
        with pytest.raises(OfferExpired):
            services.offer_counter(
                offer=offer, customer=buyer, price=money("200"), now=later(days=15)
            )

    def test_a_counter_is_answered_once(self, offer, buyer, provider, now):
        counter = services.offer_counter(
            offer=offer, customer=buyer, price=money("200"), now=now
        )
        services.counter_decline(counter=counter, provider=provider, now=now)
        with pytest.raises(CounterNotOpen):
            services.counter_accept(counter=counter, provider=provider, now=now)


class TestOfferAccept:
    def test_starts_a_commission_awaiting_payment_with_the_offers_terms(
        self, make_offer, buyer, provider, guild, now
    ):
        offer = make_offer(
            milestones=[
                {"title": "Sketch", "amount": money("80.00")},
                {"title": "Final art", "amount": money("160.00")},
            ],
            usage_rights={"use": "commercial", "credit_required": True},
            revisions=3,
        )
        exchange = services.offer_accept(offer=offer, customer=buyer, now=now)
        assert exchange.process_name == "commission"
        assert exchange.state == "awaiting_payment"
        assert exchange.source == "offer"
        assert (exchange.customer, exchange.provider) == (buyer, provider)
        assert exchange.community == guild
        assert Money(exchange.total_minor, exchange.currency) == Money(24000, "EUR")
        assert exchange.delivery_days == 10
        assert exchange.revisions_allowed == 3
        assert exchange.usage_rights == {"use": "commercial", "credit_required": True}
        assert exchange.milestones == [
            {"title": "Sketch", "amount_minor": 8000},
            {"title": "Final art", "amount_minor": 16000},
        ]
        assert exchange.title == "A cover for my poetry book"

    def test_closes_the_brief_and_declines_the_other_offers(
        self, brief, offer, make_offer, other_provider, buyer, now
    ):
        rival = make_offer(provider=other_provider, price=money("180.00"))
        exchange = services.offer_accept(offer=offer, customer=buyer, now=now)
        brief.refresh_from_db()
        offer.refresh_from_db()
        rival.refresh_from_db()
        assert brief.status == "closed"
        assert offer.status == "accepted"
        assert offer.exchange_public_id == exchange.public_id
        assert rival.status == "declined"

    def test_a_countered_offer_is_accepted_as_it_stands(self, offer, buyer, now):
        counter = services.offer_counter(
            offer=offer, customer=buyer, price=money("200"), now=now
        )
        exchange = services.offer_accept(offer=offer, customer=buyer, now=now)
        counter.refresh_from_db()
        assert exchange.total_minor == 24000
        assert counter.status == "superseded"

    def test_the_accepted_revision_is_what_the_commission_costs(
        self, offer, buyer, provider, now
    ):
        counter = services.offer_counter(
            offer=offer, customer=buyer, price=money("210.00"), now=now
        )
        services.counter_accept(counter=counter, provider=provider, now=now)
        exchange = services.offer_accept(offer=offer, customer=buyer, now=now)
        assert exchange.total_minor == 21000

    def test_only_the_author_accepts(self, offer, provider, stranger, now):
        for who in (provider, stranger):
            with pytest.raises(NotPermitted):
                services.offer_accept(offer=offer, customer=who, now=now)
        assert not Exchange.objects.exists()

    def test_an_expired_offer_is_refused(self, offer, buyer, later):
        with pytest.raises(OfferExpired):
            services.offer_accept(offer=offer, customer=buyer, now=later(days=14))
        brief = offer.brief
        brief.refresh_from_db()
        assert brief.status == "open" and not Exchange.objects.exists()

    def test_a_withdrawn_offer_is_refused(self, offer, buyer, provider, now):
        services.offer_withdraw(offer=offer, provider=provider, now=now)
        with pytest.raises(OfferNotOpen):
            services.offer_accept(offer=offer, customer=buyer, now=now)

    def test_a_second_accept_is_refused_and_starts_nothing(
        self, offer, make_offer, other_provider, buyer, now
    ):
        rival = make_offer(provider=other_provider)
        services.offer_accept(offer=offer, customer=buyer, now=now)
        before = counts()
        for which in (offer, rival):
            which.refresh_from_db()
            with pytest.raises((BriefClosed, OfferNotOpen)):
                services.offer_accept(offer=which, customer=buyer, now=now)
        assert counts() == before

    def test_a_stale_copy_of_the_offer_cannot_be_accepted_twice(
        self, offer, buyer, now
    ):
        stale = Offer.objects.get(pk=offer.pk)
        services.offer_accept(offer=offer, customer=buyer, now=now)
        stale_brief = Brief.objects.get(pk=offer.brief_id)
        stale_brief.status = "open"  # as a racing request read it, before the close
        stale.brief = stale_brief
        with pytest.raises(BriefClosed):
            services.offer_accept(offer=stale, customer=buyer, now=now)
        assert Exchange.objects.count() == 1

    def test_a_provider_who_left_the_community_cannot_be_hired(
        self, offer, buyer, provider, guild, now
    ):
        from selfwork.communities.services import community_leave

        community_leave(community=guild, member=provider)
        with pytest.raises(NotPermitted):
            services.offer_accept(offer=offer, customer=buyer, now=now)


class TestOffersExpire:
    def test_marks_offers_past_their_expiry(
        self, offer, make_offer, other_provider, now, later
    ):
        fresh = make_offer(provider=other_provider, expires_in_days=30)
        assert services.offers_expire(now=later(days=14)) == 1
        offer.refresh_from_db()
        fresh.refresh_from_db()
        assert (offer.status, fresh.status) == ("expired", "open")
