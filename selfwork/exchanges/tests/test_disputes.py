"""The disputes console and the dispute page: who sees them, what they show,
and a decision that moves the money exactly."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from selfwork.exchanges import disputes
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db

CONSOLE = "/operator/disputes/"


@pytest.fixture
def now():
    """Five days ago: the disputes have waited for days when the pages are read."""
    return timezone.now().replace(microsecond=0) - dt.timedelta(days=5)


@pytest.fixture
def staff(make_member):
    return make_member("olga", is_staff=True)


@pytest.fixture
def disputed(commission, buyer, move):
    """The Full colour commission (€120.00), paid, disputed by the customer on day 2."""
    move(commission, buyer, "pay")
    move(commission, buyer, "dispute", at=2 * 24 * 60, reason="Not as agreed.")
    return Exchange.objects.get(pk=commission.pk)


def page(exchange) -> str:
    return f"{CONSOLE}{exchange.public_id}/"


def text(response) -> str:
    return response.content.decode()


class TestConsole:
    def test_lists_the_oldest_first_with_its_age_and_the_money_held(
        self, disputed, purchase, buyer, provider, host, move, browse_as
    ):
        move(purchase, buyer, "pay")
        move(purchase, provider, "start_production")
        move(purchase, buyer, "dispute", at=24 * 60, reason="Wrong size.")
        response = browse_as(host).get(CONSOLE)
        assert response.status_code == 200
        body = text(response)
        assert body.index("Hand-stitched leather bag") < body.index(
            "Book cover illustration"
        )
        assert ">4\xa0days<" in body and ">3\xa0days<" in body
        assert "€95.00" in body and "€120.00" in body
        assert f'href="{page(disputed)}"' in body

    def test_reads_a_fixed_number_of_queries(
        self, disputed, portrait, package, buyer, host, move, now
    ):
        from selfwork.exchanges import services

        with CaptureQueriesContext(connection) as one:
            assert len(disputes.disputes_for_operator(member=host)) == 1
        sketch = services.exchange_order(
            listing=portrait,
            customer=buyer,
            mode="service",
            package=package("Sketch"),
            now=now,
        )
        move(sketch, buyer, "pay")
        move(sketch, buyer, "dispute", reason="Late.")
        with CaptureQueriesContext(connection) as two:
            assert len(disputes.disputes_for_operator(member=host)) == 2
        assert len(two) == len(one)

    def test_staff_see_appealed_decisions_and_hosts_do_not(
        self, disputed, host, staff, provider, now, browse_as
    ):
        services_take(disputed, host, "resolve", refund_percent=0, note="Delivered.")
        services_take(disputed, provider, "appeal", reason="Unfair.")
        assert "Under review by staff" in text(browse_as(staff).get(CONSOLE))
        assert "Book cover illustration" not in text(browse_as(host).get(CONSOLE))

    def test_a_member_who_hosts_nothing_gets_404(self, disputed, buyer, browse_as):
        assert browse_as(buyer).get(CONSOLE).status_code == 404
        assert browse_as(buyer).get(page(disputed)).status_code == 404

    def test_a_stranger_gets_404_and_anonymous_is_asked_to_log_in(
        self, disputed, stranger, browse_as
    ):
        assert browse_as(stranger).get(page(disputed)).status_code == 404
        assert browse_as(stranger).post(page(disputed), {}).status_code == 404
        assert browse_as(None).get(CONSOLE).status_code == 302


def services_take(exchange, actor, name, **params):
    from selfwork.exchanges import services

    return services.exchange_transition(
        exchange=Exchange.objects.get(pk=exchange.pk),
        actor=actor,
        name=name,
        params=params,
        now=timezone.now(),
    )


class TestAHostWhoIsAParty:
    def test_never_sees_their_own_dispute_to_decide(
        self, portrait, host, provider, package, member_of, browse_as, move
    ):
        from selfwork.exchanges import services

        mine = services.exchange_order(
            listing=portrait,
            customer=host,
            mode="service",
            package=package("Sketch"),
            now=timezone.now(),
        )
        move(mine, host, "pay")
        move(mine, host, "dispute", reason="Late.")
        client = browse_as(host)
        assert "Book cover illustration" not in text(client.get(CONSOLE))
        assert client.get(page(mine)).status_code == 404
        assert client.post(page(mine), {"refund_percent": "100"}).status_code == 404
        room = text(client.get(f"/exchanges/{mine.public_id}/"))
        assert 'value="resolve"' not in room


class TestPreview:
    @pytest.mark.parametrize(
        "percent, sentence",
        [
            (0, "Refund the customer: 0 % — €0.00; the provider receives €114.00 "
             "after the fee (€6.00)."),
            (50, "Refund the customer: 50 % — €60.00; the provider receives €57.00 "
             "after the fee (€3.00)."),
            (100, "Refund the customer: 100 % — €120.00; the provider receives "
             "€0.00 after the fee (€0.00)."),
        ],
    )  # fmt: skip
    def test_says_what_each_side_receives(
        self, disputed, staff, browse_as, percent, sentence
    ):
        response = browse_as(staff).get(page(disputed), {"refund_percent": percent})
        assert response.status_code == 200
        assert sentence in text(response)
        assert Exchange.objects.get(pk=disputed.pk).state == "disputed"

    def test_htmx_gets_the_outcome_alone(self, disputed, staff, browse_as):
        response = browse_as(staff).get(
            page(disputed), {"refund_percent": 25}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert text(response).lstrip().startswith('<section class="panel dispute')
        assert "€30.00" in text(response)

    @pytest.mark.parametrize("raw", ["150", "-1", "half", "1e2"])
    def test_a_percentage_out_of_range_is_a_422(self, disputed, staff, browse_as, raw):
        response = browse_as(staff).get(page(disputed), {"refund_percent": raw})
        assert response.status_code == 422
        assert "whole percentage from 0 to 100" in text(response)

    def test_shows_the_evidence_and_the_stakes(self, disputed, buyer, staff, browse_as):
        browse_as(buyer).post(
            f"/exchanges/{disputed.public_id}/",
            {"action": "message", "body": "The colours are wrong."},
        )
        body = text(browse_as(staff).get(page(disputed)))
        assert "The colours are wrong." in body
        assert "Open a dispute" in body and "Not as agreed." in body
        assert 'id="stake-escrow">€120.00<' in body


class TestDecide:
    def test_staff_decide_for_good_and_the_money_moves_exactly(
        self, disputed, staff, buyer, provider, browse_as, books
    ):
        response = browse_as(staff).post(
            page(disputed), {"refund_percent": "50", "note": "Half was delivered."}
        )
        assert response.status_code == 302
        exchange = Exchange.objects.get(pk=disputed.pk)
        assert exchange.state == "resolved"
        assert exchange.resolution["note"] == "Half was delivered."
        assert exchange.resolution["role"] == "staff"
        money = books(exchange)  # audits the whole ledger first
        assert money["escrow"] == 0
        assert (money["refunded"], money["net"], money["fees"]) == (6000, 5700, 300)
        assert money["refunded"] + money["net"] + money["fees"] == money["captured"]
        for party in (buyer, provider):
            room = text(browse_as(party).get(f"/exchanges/{exchange.public_id}/"))
            assert "Refunded to the customer: €60.00. Paid to the provider: €57.00" in (
                room
            )
            assert "Half was delivered." in room

    def test_a_host_proposes_and_the_money_waits_in_escrow(
        self, disputed, host, browse_as, books
    ):
        client = browse_as(host)
        preview = text(client.get(page(disputed), {"refund_percent": 75}))
        assert "stays in escrow while either party may ask staff" in preview
        response = client.post(
            page(disputed), {"refund_percent": "75", "note": "Mostly undelivered."}
        )
        assert response.status_code == 302
        exchange = Exchange.objects.get(pk=disputed.pk)
        assert exchange.state == "resolution_proposed"
        assert books(exchange)["escrow"] == 12000
        assert "€120.00 stays in escrow" in text(client.get(page(exchange)))

    def test_a_reason_is_required_and_nothing_moves_without_it(
        self, disputed, staff, browse_as, books
    ):
        response = browse_as(staff).post(
            page(disputed), {"refund_percent": "50", "note": "  "}
        )
        assert response.status_code == 422
        assert "Say why" in text(response)
        assert Exchange.objects.get(pk=disputed.pk).state == "disputed"
        assert books(disputed)["escrow"] == 12000

    def test_a_bad_percentage_is_refused(self, disputed, staff, browse_as):
        response = browse_as(staff).post(
            page(disputed), {"refund_percent": "500", "note": "x"}
        )
        assert response.status_code == 422
        assert Exchange.objects.get(pk=disputed.pk).state == "disputed"

    def test_a_decided_dispute_takes_no_second_decision(
        self, disputed, staff, browse_as
    ):
        client = browse_as(staff)
        client.post(page(disputed), {"refund_percent": "0", "note": "Delivered."})
        again = client.post(page(disputed), {"refund_percent": "100", "note": "No."})
        assert again.status_code == 404
        assert Exchange.objects.get(pk=disputed.pk).resolution["refund_percent"] == 0


class TestAdmin:
    def test_shows_money_as_money_and_links_each_exchange_to_its_room(
        self, disputed, make_member, browse_as
    ):
        root = make_member("root", is_staff=True, is_superuser=True)
        client = browse_as(root)
        room = f'href="/exchanges/{disputed.public_id}/"'
        listing = text(client.get("/admin/exchanges/exchange/"))
        assert "€120.00" in listing and room in listing
        assert "12000" not in listing
        detail = text(client.get(f"/admin/exchanges/exchange/{disputed.pk}/change/"))
        assert "€120.00" in detail and room in detail
        for path in (
            "/admin/payments/charge/",
            "/admin/ledger/account/",
        ):
            page_ = client.get(path)
            assert page_.status_code == 200
            assert "€120.00" in text(page_), path
        transaction = client.get("/admin/ledger/transaction/")
        assert transaction.status_code == 200


class TestARentalDispute:
    def test_staff_award_part_of_the_deposit_and_release_the_rent(
        self, rental, buyer, provider, staff, move, browse_as, books
    ):
        booked = rental()
        move(booked, buyer, "pay")
        move(booked, provider, "approve")
        move(booked, staff, "intervene", reason="The drill came back broken.")
        client = browse_as(staff)
        assert "€40.00" in text(client.get(CONSOLE))
        preview = text(client.get(page(booked), {"amount": "15.00"}))
        assert "The provider receives €11.40 of escrow after the fee (€0.60)." in (
            preview
        )
        assert "awarded €15.00 of the €40.00 deposit" in preview
        assert client.get(page(booked), {"amount": "lots"}).status_code == 422
        response = client.post(page(booked), {"amount": "15.00", "note": "Broken."})
        assert response.status_code == 302
        exchange = Exchange.objects.get(pk=booked.pk)
        assert exchange.state == "resolved"
        assert books(exchange)["escrow"] == 0
        assert "The provider is awarded €15.00 of the deposit." in text(
            client.get(page(exchange))
        )


def test_the_wallet_api_tells_the_customer_what_was_refunded(
    disputed, staff, buyer, browse_as, api_as
):
    browse_as(staff).post(page(disputed), {"refund_percent": "25", "note": "Late."})
    wallet = api_as(buyer).get("/wallet").json()
    eur = next(b for b in wallet["balances"] if b["currency"] == "EUR")
    assert (eur["refunded"], eur["escrow_paid"]) == ("30.00", "0.00")
