"""Every path of the purchase process (made-to-order products), with the books checked."""

import pytest

from selfwork.core.errors import InvalidInput, NotPermitted
from selfwork.exchanges import services
from selfwork.exchanges.errors import InvalidTransition
from selfwork.exchanges.models import ExchangeEvent
from selfwork.exchanges.tasks import timers_run_due
from selfwork.payments.models import Charge

pytestmark = pytest.mark.django_db


class TestOrder:
    def test_options_and_personalisation_become_line_items(self, purchase):
        assert purchase.process_name == "purchase"
        assert purchase.state == "awaiting_payment"
        assert [(i["label"], i["unit_price_minor"]) for i in purchase.line_items] == [
            ("Hand-stitched leather bag", 8000),
            ("Size: Large", 1500),
            ("Initials: B.R.", 0),
        ]
        assert purchase.total_minor == 9500

    def test_quantity_multiplies_the_price_and_the_surcharges(self, bag, buyer, now):
        exchange = services.exchange_order(
            listing=bag,
            customer=buyer,
            mode="made_to_order",
            quantity=2,
            options={"Size": "Large"},
            now=now,
        )
        assert exchange.total_minor == 19000

    @pytest.mark.parametrize(
        "options,code",
        [
            ({}, "option_required"),
            ({"Size": "Huge"}, "unknown_choice"),
            ({"Size": "Small", "Colour": "Red"}, "unknown_option"),
        ],
    )
    def test_choices_must_be_the_listings_own(self, bag, buyer, now, options, code):
        with pytest.raises(InvalidInput) as error:
            services.exchange_order(
                listing=bag,
                customer=buyer,
                mode="made_to_order",
                options=options,
                now=now,
            )
        assert error.value.code == code

    def test_a_mode_the_listing_lacks_is_refused(self, bag, buyer, now):
        with pytest.raises(InvalidInput) as error:
            services.exchange_order(
                listing=bag, customer=buyer, mode="service", now=now
            )
        assert error.value.code == "unknown_mode"


class TestPaths:
    def test_paid_made_shipped_received_releases_to_the_maker(
        self, purchase, move, buyer, provider, books
    ):
        exchange = move(purchase, buyer, "pay")
        assert exchange.state == "paid"
        exchange = move(exchange, provider, "start_production", at=60)
        exchange = move(exchange, provider, "ship", at=120, tracking="DHL 00340434")
        assert exchange.state == "shipped"
        exchange = move(exchange, buyer, "confirm_receipt", at=180)

        assert exchange.state == "completed"
        money = books(exchange)
        assert (money["captured"], money["net"], money["fees"], money["escrow"]) == (
            9500,
            9025,
            475,
            0,
        )
        ship = ExchangeEvent.objects.get(exchange=exchange, name="ship")
        assert ship.params["tracking"] == "DHL 00340434"

    def test_fourteen_days_after_shipping_it_is_received_automatically(
        self, purchase, move, buyer, provider, later, books
    ):
        exchange = move(purchase, buyer, "pay")
        exchange = move(exchange, provider, "start_production")
        exchange = move(exchange, provider, "ship", tracking="Post 123")
        assert timers_run_due(now=later(days=13)) == 0
        assert timers_run_due(now=later(days=14)) == 1
        exchange.refresh_from_db()
        assert exchange.state == "completed"
        assert books(exchange)["released"] == 9500

    def test_shipping_needs_a_tracking_note(self, purchase, move, buyer, provider):
        exchange = move(purchase, buyer, "pay")
        exchange = move(exchange, provider, "start_production")
        with pytest.raises(InvalidInput) as error:
            move(exchange, provider, "ship")
        assert error.value.code == "required"

    @pytest.mark.parametrize("who", ["buyer", "provider"])
    def test_before_production_either_party_cancels_with_a_full_refund(
        self, purchase, move, buyer, who, request, books
    ):
        exchange = move(purchase, buyer, "pay")
        exchange = move(exchange, request.getfixturevalue(who), "cancel_and_refund")
        assert exchange.state == "cancelled"
        money = books(exchange)
        assert (money["captured"], money["refunded"], money["escrow"]) == (
            9500,
            9500,
            0,
        )

    def test_once_production_started_there_is_no_cancelling(
        self, purchase, move, buyer, provider
    ):
        exchange = move(purchase, buyer, "pay")
        exchange = move(exchange, provider, "start_production")
        with pytest.raises(InvalidTransition):
            move(exchange, buyer, "cancel_and_refund")

    def test_unpaid_it_can_be_cancelled_or_expires(self, purchase, move, buyer, later):
        assert timers_run_due(now=later(days=7)) == 1
        purchase.refresh_from_db()
        assert purchase.state == "expired"
        assert not Charge.objects.exists()

    def test_cancel_before_payment_charges_nothing(self, purchase, move, provider):
        exchange = move(purchase, provider, "cancel", reason="Out of leather.")
        assert exchange.state == "cancelled"
        assert not Charge.objects.exists()

    def test_a_dispute_after_shipping_is_resolved_by_the_host(
        self, purchase, move, buyer, provider, host, books, later
    ):
        exchange = move(purchase, buyer, "pay")
        exchange = move(exchange, provider, "start_production")
        exchange = move(exchange, provider, "ship", tracking="Post 1")
        exchange = move(exchange, buyer, "dispute", reason="Arrived torn.")
        exchange = move(
            exchange, host, "resolve", refund_percent=20, note="A torn corner."
        )
        assert exchange.state == "resolution_proposed"
        timers_run_due(now=later(days=7, minutes=1))
        exchange.refresh_from_db()
        assert exchange.state == "resolved"
        money = books(exchange)
        assert (money["refunded"], money["released"], money["escrow"]) == (
            1900,
            7600,
            0,
        )

    def test_the_maker_cannot_confirm_receipt(self, purchase, move, buyer, provider):
        exchange = move(purchase, buyer, "pay")
        exchange = move(exchange, provider, "start_production")
        exchange = move(exchange, provider, "ship", tracking="Post 1")
        with pytest.raises(NotPermitted):
            move(exchange, provider, "confirm_receipt")
