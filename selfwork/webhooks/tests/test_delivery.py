"""Deliveries to a real receiver on 127.0.0.1, each verified with `standardwebhooks`."""

import datetime as dt

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from selfwork.catalog.services import listing_create, listing_update
from selfwork.core.money import Money
from selfwork.exchanges.services import (
    ReviewIn,
    exchange_order,
    exchange_transition,
    review_submit,
)
from selfwork.notifications.models import Notification
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.payments.services import payout_create, payout_destination_add
from selfwork.webhooks.models import WebhookDelivery, WebhookEndpoint
from selfwork.webhooks.tasks import MAX_ATTEMPTS, RETRY_SCHEDULE


def later(now, **delta):
    return now + dt.timedelta(**delta)


class TestDelivered:
    def test_a_listing_arrives_signed_as_the_api_shows_it(
        self, register, bag, receiver, run, now, api_as, host, provider
    ):
        endpoint = register(["listing.created", "listing.updated"])
        listing_update(
            listing=bag,
            actor=provider,
            changes={"title": "A bag"},
            now=later(now, minutes=1),
        )
        run(later(now, minutes=2))
        # The listing was published before the endpoint existed: only the edit.
        assert receiver.kinds == ["listing.updated"]
        message = receiver.requests[0]
        payload = message.verified_by(endpoint["secret"])
        assert payload["data"] == api_as(host).get(f"/listings/{bag.public_id}").json()
        assert payload["data"]["title"] == "A bag"
        assert message.id.startswith("msg_")
        assert message.headers["content-type"] == "application/json"
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "succeeded" and delivery.response_code == 200
        listed = api_as(host).get(f"/webhooks/{endpoint['id']}/deliveries").json()
        assert listed["items"][0]["status"] == "succeeded"
        assert listed["items"][0]["webhook_id"] == message.id

    def test_only_the_events_chosen_and_of_its_community(
        self, register, guild, receiver, run, now, make_member, member_of
    ):
        register(["member.joined"])
        member_of(guild, make_member("newcomer"))
        run(now)
        assert receiver.kinds == ["member.joined"]
        assert receiver.requests[0].json["data"]["username"] == "newcomer"
        assert receiver.requests[0].json["context"] == {"community": "guild"}

    def test_a_deleted_listing_arrives_as_its_identity(
        self, register, bag, receiver, run, now, api_as, provider
    ):
        endpoint = register(["listing.removed"])
        assert api_as(provider).delete(f"/listings/{bag.public_id}").status_code == 204
        run(timezone.now())
        payload = receiver.requests[0].verified_by(endpoint["secret"])
        assert payload["type"] == "listing.removed"
        assert payload["data"] == {"id": str(bag.public_id), "community": "guild"}

    def test_a_host_who_stepped_down_hears_no_more(
        self, register, guild, receiver, run, now, make_member, member_of, host
    ):
        from selfwork.communities.models import Membership

        register(["member.joined"])
        Membership.objects.filter(community=guild, member=host).update(role="member")
        member_of(guild, make_member("newcomer"))
        run(now)
        assert receiver.requests == []

    def test_ping(self, register, receiver, run, now, api_as, host):
        endpoint = register(["listing.created"])
        response = api_as(host).post(f"/webhooks/{endpoint['id']}/ping")
        assert response.status_code == 202
        # The API's clock is the wall clock.
        run(timezone.now())
        assert receiver.kinds == ["ping"]
        receiver.requests[0].verified_by(endpoint["secret"])

    def test_an_exchange_arrives_in_order_with_its_states(
        self, register, bag, buyer, provider, receiver, run, now
    ):
        endpoint = register(
            ["exchange.started", "exchange.transitioned", "exchange.paid"]
        )
        exchange = exchange_order(
            listing=bag, customer=buyer, mode="made_to_order", now=now
        )
        exchange_transition(
            exchange=exchange,
            actor=buyer,
            name="pay",
            params={"card": CARD_SUCCEEDS},
            now=now,
        )
        exchange_transition(
            exchange=exchange,
            actor=provider,
            name="start_production",
            params={},
            now=now,
        )
        # The receiver is down for the first attempt: nothing later overtakes it.
        receiver.answers = [500]
        run(now)
        assert receiver.kinds == ["exchange.started"]
        run(later(now, seconds=7))
        assert receiver.kinds == [
            "exchange.started",
            "exchange.started",
            "exchange.transitioned",
            "exchange.paid",
            "exchange.transitioned",
        ]
        payloads = [r.verified_by(endpoint["secret"]) for r in receiver.requests]
        assert payloads[0] == payloads[1]
        assert receiver.requests[0].id == receiver.requests[1].id
        assert payloads[2]["context"] == {
            "process": "purchase",
            "transition": "pay",
            "from_state": "awaiting_payment",
            "to_state": "paid",
        }
        assert payloads[2]["data"]["id"] == str(exchange.public_id)

    def test_a_rental_books_and_frees_the_calendar(
        self, register, guild, provider, buyer, receiver, run, now
    ):
        endpoint = register(
            ["booking.created", "booking.cancelled", "exchange.refunded"]
        )
        drill = listing_create(
            owner=provider,
            community=guild,
            title="Cordless drill",
            modes=[
                {
                    "mode": "rental",
                    "price": {"amount": "6.00", "currency": "EUR"},
                    "unit": "day",
                    "deposit": {"amount": "40.00", "currency": "EUR"},
                }
            ],
            now=now,
        )
        first = now.date() + dt.timedelta(days=10)
        exchange = exchange_order(
            listing=drill,
            customer=buyer,
            mode="rental",
            start=first,
            end=first + dt.timedelta(days=2),
            now=now,
        )
        exchange_transition(
            exchange=exchange,
            actor=buyer,
            name="pay",
            params={"card": CARD_SUCCEEDS},
            now=now,
        )
        exchange_transition(
            exchange=exchange, actor=provider, name="decline", params={}, now=now
        )
        run(now)
        assert receiver.kinds == [
            "booking.created",
            "exchange.refunded",
            "booking.cancelled",
        ]
        payload = receiver.requests[0].verified_by(endpoint["secret"])
        assert payload["data"]["booking"]["start"].startswith(first.isoformat())

    def test_staff_hear_a_sale_to_the_payout_and_the_reviews(
        self, register, bag, buyer, provider, stranger, receiver, run, now, api_as
    ):
        stranger.is_staff = True
        stranger.save(update_fields=["is_staff"])
        endpoint = register(
            ["exchange.paid", "exchange.released", "payout.paid", "review.published"],
            member=stranger,
            community=None,
        )
        exchange = exchange_order(
            listing=bag, customer=buyer, mode="made_to_order", now=now
        )
        for actor, name, params in [
            (buyer, "pay", {"card": CARD_SUCCEEDS}),
            (provider, "start_production", {}),
            (provider, "ship", {"tracking": "RR123456789DE"}),
            (buyer, "confirm_receipt", {}),
        ]:
            exchange_transition(
                exchange=exchange, actor=actor, name=name, params=params, now=now
            )
        destination = payout_destination_add(
            member=provider,
            label="Bank",
            account_number="DE89370400440532013000",
            now=now,
        )
        payout = payout_create(
            member=provider,
            amount=Money.parse("10.00", "EUR"),
            destination=destination,
            now=now,
        )
        for author, rating in [(buyer, 5), (provider, 4)]:
            review_submit(
                exchange=exchange,
                author=author,
                review=ReviewIn(rating=rating, text="Lovely to deal with."),
                now=now,
            )
        run(now)
        assert receiver.kinds == [
            "exchange.paid",
            "exchange.released",
            "payout.paid",
            "review.published",
            "review.published",
        ]
        payload = receiver.requests[2].verified_by(endpoint["secret"])
        assert payload["data"]["id"] == str(payout.public_id)
        assert payload["data"]["status"] == "paid"
        ratings = {
            r.verified_by(endpoint["secret"])["data"]["rating"]
            for r in receiver.requests[3:]
        }
        assert ratings == {4, 5}


class TestRetries:
    def test_after_a_500_the_same_message_is_sent_again(
        self, register, bag, provider, receiver, run, now
    ):
        endpoint = register(["listing.updated"])
        receiver.answers = [500]
        listing_update(listing=bag, actor=provider, changes={"title": "B"}, now=now)
        run(now)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.response_code == 500
        assert delivery.next_attempt_at > now
        run(later(now, seconds=3))
        assert len(receiver.requests) == 1
        run(later(now, seconds=7))
        first, second = receiver.requests
        assert first.id == second.id and first.body == second.body
        second.verified_by(endpoint["secret"])
        delivery.refresh_from_db()
        assert delivery.status == "succeeded" and delivery.attempts == 2

    def test_a_receiver_that_does_not_answer_in_time_is_tried_again(
        self, register, bag, provider, receiver, run, now, quick_timeout
    ):
        register(["listing.updated"])
        receiver.delay = 1.5
        listing_update(listing=bag, actor=provider, changes={"title": "B"}, now=now)
        run(now)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.response_code is None
        assert "No answer within" in delivery.last_error
        receiver.delay = 0
        run(later(now, seconds=7))
        delivery.refresh_from_db()
        assert delivery.status == "succeeded"

    def test_a_redirect_is_not_followed(
        self, register, bag, provider, receiver, run, now
    ):
        register(["listing.updated"])
        receiver.answers = [302]
        listing_update(listing=bag, actor=provider, changes={"title": "B"}, now=now)
        run(now)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and delivery.response_code == 302
        assert len(receiver.requests) == 1

    def test_after_about_three_days_the_endpoint_is_disabled_and_its_owner_told(
        self, register, bag, provider, receiver, run, now, host, api_as
    ):
        endpoint = register(["listing.updated"])
        receiver.answers = [500] * 100
        listing_update(listing=bag, actor=provider, changes={"title": "B"}, now=now)
        at = now
        for pause in [dt.timedelta(0), *RETRY_SCHEDULE]:
            at += pause * 1.25
            run(at)
        assert len(receiver.requests) == MAX_ATTEMPTS
        assert dt.timedelta(days=2.5) < at - now < dt.timedelta(days=4)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "failed"
        row = WebhookEndpoint.objects.get()
        assert row.disabled_at is not None
        notice = Notification.objects.get(kind="webhook_disabled")
        assert notice.member_id == host.pk
        assert "disabled" in notice.title
        # Nothing more goes to a disabled endpoint, until its owner enables it.
        listing_update(listing=bag, actor=provider, changes={"title": "C"}, now=at)
        run(later(at, days=1))
        assert len(receiver.requests) == MAX_ATTEMPTS
        receiver.answers = []
        path = f"/webhooks/{endpoint['id']}"
        assert api_as(host).patch(path, {"enabled": True}).json()["enabled"]
        run(later(at, days=1))
        assert receiver.requests[-1].json["data"]["title"] == "C"
        # The given-up delivery goes again on request, under its webhook-id.
        retry = api_as(host).post(f"{path}/deliveries/{delivery.public_id}/retry")
        assert retry.status_code == 202 and retry.json()["status"] == "pending"
        run(timezone.now())
        assert receiver.requests[-1].id == receiver.requests[0].id
        delivery.refresh_from_db()
        assert delivery.status == "succeeded"


class TestRotation:
    def test_both_secrets_sign_for_24_hours_then_only_the_new(
        self, register, bag, provider, receiver, run, now, api_as, host
    ):
        endpoint = register(["listing.updated"])
        old = endpoint["secret"]
        rotated = api_as(host).post(f"/webhooks/{endpoint['id']}/rotate").json()
        new = rotated["secret"]
        rotated_at = WebhookEndpoint.objects.get().updated_at
        listing_update(listing=bag, actor=provider, changes={"title": "B"}, now=now)
        run(later(rotated_at, hours=23))
        message = receiver.requests[-1]
        assert len(message.headers["webhook-signature"].split(" ")) == 2
        message.verified_by(old)
        message.verified_by(new)
        listing_update(listing=bag, actor=provider, changes={"title": "C"}, now=now)
        run(later(rotated_at, hours=25))
        message = receiver.requests[-1]
        assert message.json["data"]["title"] == "C"
        message.verified_by(new)
        with pytest.raises(WebhookVerificationError):
            message.verified_by(old)


class TestPrivateAddressesAtSend:
    def test_an_endpoint_that_now_resolves_privately_is_not_called(
        self, register, bag, provider, receiver, run, now, settings
    ):
        register(["listing.updated"])
        settings.SELFWORK_WEBHOOK_ALLOW_PRIVATE = False
        listing_update(listing=bag, actor=provider, changes={"title": "B"}, now=now)
        run(now)
        assert receiver.requests == []
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "pending" and "127.0.0.1" in delivery.last_error


class TestLogged:
    def test_attempts_and_payouts_are_logged_by_id_never_by_url(
        self,
        register,
        bag,
        buyer,
        provider,
        receiver,
        run,
        now,
        caplog,
        django_capture_on_commit_callbacks,
    ):
        import logging

        endpoint = register(["listing.updated"], url=receiver.url + "?key=s3cret")
        receiver.answers = [500]
        listing_update(listing=bag, actor=provider, changes={"title": "B"}, now=now)
        exchange = exchange_order(
            listing=bag, customer=buyer, mode="made_to_order", now=now
        )
        with caplog.at_level(logging.INFO, logger="selfwork"):
            with django_capture_on_commit_callbacks(execute=True):
                for actor, name, params in [
                    (buyer, "pay", {"card": CARD_SUCCEEDS}),
                    (provider, "start_production", {}),
                    (provider, "ship", {"tracking": "RR123456789DE"}),
                    (buyer, "confirm_receipt", {}),
                ]:
                    exchange_transition(
                        exchange=exchange,
                        actor=actor,
                        name=name,
                        params=params,
                        now=now,
                    )
                destination = payout_destination_add(
                    member=provider,
                    label="Bank",
                    account_number="DE89370400440532013000",
                    now=now,
                )
                payout = payout_create(
                    member=provider,
                    amount=Money.parse("10.00", "EUR"),
                    destination=destination,
                    now=now,
                )
            run(now)
        attempts = [r for r in caplog.records if r.msg == "webhook delivery attempted"]
        assert [(a.endpoint, a.attempt, a.ok, a.response_status) for a in attempts] == [
            (endpoint["id"], 1, False, 500)
        ]
        (paid,) = [r for r in caplog.records if r.msg == "payout paid"]
        assert (paid.payout, paid.amount_minor, paid.currency) == (
            str(payout.public_id),
            1000,
            "EUR",
        )
        moves = [r.to_state for r in caplog.records if r.msg == "exchange transitioned"]
        assert len(moves) == 4
        everything = " ".join(str(vars(r)) for r in caplog.records)
        for secret in ("s3cret", "DE89370400440532013000", endpoint["secret"]):
            assert secret not in everything
