"""Rentals on the web: booking from the listing page, the room's rental panels,
the photos of the item, and the owner's handovers and returns on the dashboard."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from selfwork.catalog.models import Booking
from selfwork.exchanges import selectors
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """The real time: these pages read the clock themselves."""
    return timezone.now().replace(microsecond=0)


def text(response) -> str:
    return response.content.decode()


def rent_url(listing) -> str:
    return f"/listings/{listing.public_id}/rent/"


def room(exchange) -> str:
    return f"/exchanges/{exchange.public_id}/"


def days(now, ahead: int) -> str:
    return (now.date() + dt.timedelta(days=ahead)).isoformat()


def take(client, exchange, name, files=None, **params):
    data = {"action": "transition", "name": name, **params}
    if files:
        data["photos"] = files
    return client.post(room(exchange), data)


class TestListingPage:
    def test_a_neighbour_sees_a_date_form_beside_the_calendar(
        self, drill, buyer, browse_as
    ):
        page = text(browse_as(buyer).get(f"/listings/{drill.public_id}/"))
        assert 'id="booking-calendar"' in page
        assert 'type="date"' in page
        assert f'action="{rent_url(drill)}"' in page

    def test_the_owner_sees_no_booking_form(self, drill, provider, browse_as):
        page = text(browse_as(provider).get(f"/listings/{drill.public_id}/"))
        assert 'id="rental-form"' not in page

    def test_an_hourly_listing_asks_for_local_times(
        self, drill, provider, buyer, browse_as, now
    ):
        mode = drill.modes.get(mode="rental")
        mode.rental_unit = "hour"
        mode.save()
        page = text(browse_as(buyer).get(f"/listings/{drill.public_id}/"))
        assert 'type="datetime-local"' in page


class TestQuote:
    def test_two_days_show_the_rent_the_deposit_and_the_policy(
        self, drill, buyer, browse_as, now
    ):
        response = browse_as(buyer).get(
            rent_url(drill), {"start": days(now, 10), "end": days(now, 11)}
        )
        page = text(response)
        assert response.status_code == 200
        assert "2 days × €6.00 = €12.00" in page
        assert "€40.00 held on your card" in page
        assert "Moderate: full refund until 5 days before, then half" in page
        assert not Exchange.objects.exists()
        assert not Booking.objects.exists()

    def test_the_customer_fee_is_added_before_paying(
        self, drill, guild, buyer, browse_as, now
    ):
        guild.customer_fee_percent = 10
        guild.save()
        page = text(
            browse_as(buyer).get(
                rent_url(drill), {"start": days(now, 10), "end": days(now, 11)}
            )
        )
        assert "Customer fee" in page
        assert "€13.20" in page

    def test_htmx_gets_the_price_alone(self, drill, buyer, browse_as, now):
        response = browse_as(buyer).get(
            rent_url(drill),
            {"start": days(now, 10), "end": days(now, 11)},
            headers={"HX-Request": "true"},
        )
        page = text(response)
        assert page.lstrip().startswith('<div id="rental-quote"')
        assert "€12.00" in page
        assert "HX-Request" in response["Vary"]

    def test_htmx_gets_a_bad_period_as_an_error_in_the_partial(
        self, drill, buyer, browse_as, now
    ):
        response = browse_as(buyer).get(
            rent_url(drill),
            {"start": days(now, -3), "end": days(now, -2)},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert 'id="rental-error"' in text(response)


class TestBooking:
    def test_booking_two_days_opens_the_room_with_the_period_held(
        self, drill, buyer, browse_as, now
    ):
        client = browse_as(buyer)
        response = client.post(
            rent_url(drill), {"start": days(now, 10), "end": days(now, 11)}
        )
        exchange = Exchange.objects.get()
        assert response.status_code == 302
        assert response["Location"] == room(exchange)
        assert exchange.state == "requested"
        assert exchange.total_minor == 1200
        assert exchange.deposit_minor == 4000
        assert Booking.objects.get(reference=str(exchange.public_id)).status == "held"
        page = text(client.get(room(exchange)))
        assert "Pay €12.00" in page
        assert "€40.00" in page

    @pytest.mark.parametrize(
        ("first", "last", "status", "code_text"),
        [
            (-3, -2, 422, "past"),
            (11, 10, 422, "end after it starts"),
            (10, None, 422, "Choose when the rental starts and ends"),
        ],
    )
    def test_a_bad_period_is_shown_beside_the_form_and_nothing_is_held(
        self, drill, buyer, browse_as, now, first, last, status, code_text
    ):
        data = {"start": days(now, first), "end": days(now, last) if last else ""}
        response = browse_as(buyer).post(rent_url(drill), data)
        page = text(response)
        assert response.status_code == status
        assert 'id="rental-error"' in page
        assert code_text in page
        assert f'value="{data["start"]}"' in page
        assert not Exchange.objects.exists()
        assert not Booking.objects.exists()

    def test_taken_days_are_a_409_and_nothing_more_is_held(
        self, drill, make_member, guild, member_of, browse_as, now, rental
    ):
        rental(days_ahead=10, days=2)
        other_buyer = make_member("olga")
        member_of(guild, other_buyer)
        response = browse_as(other_buyer).post(
            rent_url(drill), {"start": days(now, 11), "end": days(now, 12)}
        )
        assert response.status_code == 409
        assert "Someone else holds part of this period" in text(response)
        assert Exchange.objects.count() == 1
        assert Booking.objects.filter(status="held").count() == 1

    def test_blocked_days_are_not_available(
        self, drill, provider, buyer, browse_as, now
    ):
        from selfwork.catalog.services import blocked_period_add

        blocked_period_add(
            listing=drill,
            actor=provider,
            start=now.date() + dt.timedelta(days=10),
            end=now.date() + dt.timedelta(days=12),
            now=now,
        )
        response = browse_as(buyer).post(
            rent_url(drill), {"start": days(now, 10), "end": days(now, 10)}
        )
        assert response.status_code == 422
        assert not Exchange.objects.exists()

    def test_the_owner_cannot_book_their_own_drill(
        self, drill, provider, browse_as, now
    ):
        response = browse_as(provider).post(
            rent_url(drill), {"start": days(now, 10), "end": days(now, 11)}
        )
        assert "your own listing" in text(response)
        assert not Exchange.objects.exists()

    def test_a_listing_not_for_rent_has_no_booking_page(
        self, portrait, buyer, browse_as
    ):
        assert browse_as(buyer).get(rent_url(portrait)).status_code == 404

    def test_a_stranger_outside_a_private_community_gets_404(
        self, drill, guild, stranger, browse_as
    ):
        guild.visibility = "private"
        guild.save()
        assert browse_as(stranger).get(rent_url(drill)).status_code == 404


@pytest.fixture
def out_with_photos(rental, move, provider, buyer, browse_as, png_bytes):
    """A rental paid, approved and handed over with one photo by the owner."""
    exchange = rental(days_ahead=1, days=2)
    move(exchange, buyer, "pay")
    move(exchange, provider, "approve")
    photo = SimpleUploadedFile("drill.png", png_bytes(), content_type="image/png")
    response = take(browse_as(provider), exchange, "handover", files=[photo])
    assert response.status_code == 302, response.content.decode()[:2000]
    exchange.refresh_from_db()
    assert exchange.state == "in_use"
    return exchange


class TestRoom:
    def test_shows_the_period_in_the_listings_zone_and_the_deposit_held(
        self, rental, move, buyer, provider, browse_as
    ):
        provider.time_zone = "Pacific/Auckland"
        provider.save()
        exchange = rental(days_ahead=10, days=2)
        move(exchange, buyer, "pay")
        page = text(browse_as(buyer).get(room(exchange)))
        period = selectors.exchange_rental(exchange=exchange).period
        assert period.time_zone == "Pacific/Auckland"
        assert period.start.utcoffset() != dt.timedelta(0)
        assert period.start.strftime("%-d %b %Y") in page
        assert "2 days, Pacific/Auckland time" in page
        assert "Held on the card" in page

    def test_a_stranger_gets_404(self, rental, stranger, browse_as):
        exchange = rental()
        assert browse_as(stranger).get(room(exchange)).status_code == 404

    def test_handover_photos_show_to_both_parties_and_the_host(
        self, out_with_photos, buyer, provider, host, browse_as
    ):
        for member in (buyer, provider, host):
            client = browse_as(member)
            page = text(client.get(room(out_with_photos)))
            assert "Photos of the item" in page
            src = page.split('<ul class="photo-grid">')[1].split('src="')[1]
            src = src.split('"')[0]
            assert src.startswith("/photos/") and src.endswith("?size=card")
            # The grid shows the card thumbnail; the link opens the photo.
            for url, content_type in (
                (src, "image/jpeg"),
                (f"{src}&format=webp", "image/webp"),
                (src.split("?")[0], "image/png"),
            ):
                response = client.get(url)
                assert response.status_code == 200
                assert response["Content-Type"] == content_type
                assert response["Cache-Control"] == "private, no-store"

    def test_photos_are_not_served_to_a_stranger_even_with_the_link(
        self, out_with_photos, buyer, stranger, browse_as
    ):
        page = text(browse_as(buyer).get(room(out_with_photos)))
        src = page.split('<ul class="photo-grid">')[1].split('src="')[1].split('"')[0]
        assert browse_as(stranger).get(src).status_code == 404
        assert browse_as().get(src).status_code == 302

    def test_a_link_for_another_photo_than_the_exchanges_is_404(
        self, out_with_photos, buyer, browse_as, png_bytes, now
    ):
        from selfwork.core.uploads import upload_create
        from selfwork.exchanges.downloads import photo_url

        other = upload_create(owner=buyer, data=png_bytes(), now=now)
        url = photo_url(upload=other, exchange=out_with_photos, member=buyer, now=now)
        assert browse_as(buyer).get(url).status_code == 404

    def test_a_closed_rental_shows_the_deposit_released(
        self, out_with_photos, move, buyer, provider, browse_as
    ):
        move(out_with_photos, buyer, "return")
        move(out_with_photos, provider, "close")
        page = text(browse_as(buyer).get(room(out_with_photos)))
        assert "Released" in page
        assert "Completed" in page


class TestOwnerDashboard:
    def test_lists_handovers_soon_and_returns_due_with_their_rooms(
        self, rental, move, buyer, provider, browse_as, now
    ):
        soon = rental(days_ahead=1, days=2)
        later = rental(days_ahead=40, days=1)
        out = rental(days_ahead=3, days=1)
        for exchange in (soon, later, out):
            move(exchange, buyer, "pay")
            move(exchange, provider, "approve")
        move(out, provider, "handover", at=3 * 24 * 60)
        due = selectors.rentals_due_for_owner(owner=provider, now=now)
        assert [x.pk for x in due.handovers] == [soon.pk]
        assert [x.pk for x in due.returns] == [out.pk]
        page = text(browse_as(provider).get("/dashboard/"))
        assert "To hand over" in page
        assert "Coming back" in page
        assert room(soon) in page and room(out) in page
        assert room(later) not in page.split("My exchanges")[0]

    def test_the_customer_has_nothing_to_hand_over(self, rental, move, buyer, now):
        move(rental(days_ahead=1), buyer, "pay")
        due = selectors.rentals_due_for_owner(owner=buyer, now=now)
        assert (due.handovers, due.returns) == ([], [])

    def test_is_two_queries_however_many_rentals(
        self, rental, move, buyer, provider, now, django_assert_num_queries
    ):
        for ahead in (1, 4, 7):
            exchange = rental(days_ahead=ahead, days=1)
            move(exchange, buyer, "pay")
            move(exchange, provider, "approve")
        # The rentals; the process version they pinned was read when they moved.
        with django_assert_num_queries(1):
            due = selectors.rentals_due_for_owner(owner=provider, now=now)
            titles = [(x.customer.name, x.listing.title) for x in due.handovers]
        assert len(titles) == 3
