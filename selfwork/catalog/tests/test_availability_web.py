"""The booking calendar on the listing page and the owner's availability page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from selfwork.catalog import selectors, services
from selfwork.catalog.models import BlockedPeriod
from selfwork.catalog.tests.payloads import MODES


def _today():
    return timezone.now().astimezone(dt.UTC).date()


def _page(listing):
    return reverse("web:listing", args=[listing.public_id])


def _rules_page(listing):
    return reverse("web:listing_availability", args=[listing.public_id])


def _form(**changes):
    return {
        "time_zone": "Europe/Dublin",
        "min_units": "2",
        "max_units": "",
        "buffer_minutes": "30",
        "advance_days": "120",
        "instant_booking": "on",
        "cancellation_policy": "flexible",
        **changes,
    }


class TestBookingCalendar:
    def test_the_listing_page_of_a_rental_shows_taken_and_free_days(
        self, tent, browse_as
    ):
        # Given the tent is held for the two days after tomorrow
        start = _today() + dt.timedelta(days=2)
        services.booking_hold(
            listing=tent,
            start=start,
            end=start + dt.timedelta(days=2),
            reference="exchange:1",
            now=timezone.now(),
        )
        # When anyone opens its page
        html = browse_as(None).get(_page(tent)).content.decode()
        # Then its calendar shows those days taken and later days free
        assert 'id="booking-calendar"' in html
        assert f"{start:%A} {start.day} {start:%B}: taken" in html
        later = start + dt.timedelta(days=2)
        if later.month == start.month:
            assert f"{later:%A} {later.day} {later:%B}: free" in html

    def test_each_day_is_named_and_described_in_the_visitors_language(
        self, tent, browse_as
    ):
        start = _today() + dt.timedelta(days=2)
        services.booking_hold(
            listing=tent,
            start=start,
            end=start + dt.timedelta(days=1),
            reference="exchange:1",
            now=timezone.now(),
        )
        visitor = browse_as(None)
        visitor.cookies["django_language"] = "fr"
        html = visitor.get(_page(tent)).content.decode()
        with translation.override("fr"):
            day = date_format(start, "l j F")
        weekdays = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
        assert day.split()[0].lower() in weekdays | {"dimanche"}
        assert f'<span class="visually-hidden">{day} : pris</span>' in html
        assert f'<span class="cal-date" aria-hidden="true">{start.day}</span>' in html

    def test_a_listing_without_a_calendar_shows_none(self, rent_out, browse_as):
        gift = rent_out(modes=[MODES["gift"]])
        assert (
            'id="booking-calendar"'
            not in browse_as(None).get(_page(gift)).content.decode()
        )

    def test_htmx_moves_to_the_next_month(self, tent, browse_as):
        first = _today().replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        url = reverse("web:listing_calendar", args=[tent.public_id])
        response = browse_as(None).get(
            url, {"month": f"{following:%Y-%m}"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith("<section")
        assert f"{following:%B %Y}" in html
        assert "Previous month" in html

    def test_a_month_in_the_past_or_nonsense_shows_this_month(self, tent, browse_as):
        url = reverse("web:listing_calendar", args=[tent.public_id])
        for month in ("1999-01", "soon", "2026-13"):
            html = browse_as(None).get(url, {"month": month}).content.decode()
            assert f"{_today():%B %Y}" in html


class TestAvailabilityPage:
    def test_the_owner_finds_it_from_the_listing_and_editor_pages(
        self, tent, seller, browse_as
    ):
        browser = browse_as(seller)
        assert _rules_page(tent) in browser.get(_page(tent)).content.decode()
        edit = reverse("web:listing_edit", args=[tent.public_id])
        assert _rules_page(tent) in browser.get(edit).content.decode()

    def test_the_owner_saves_the_rules(self, tent, seller, browse_as):
        response = browse_as(seller).post(_rules_page(tent), _form())
        assert response.status_code == 302
        rules = selectors.availability_get(listing=tent)
        assert (rules.time_zone, rules.min_units, rules.buffer_minutes) == (
            "Europe/Dublin",
            2,
            30,
        )
        assert rules.instant_booking is True
        assert rules.cancellation_policy == "flexible"

    def test_hourly_opening_hours_are_saved_by_weekday(self, kayak, seller, browse_as):
        response = browse_as(seller).post(
            _rules_page(kayak), _form(opens_sat="10:00", closes_sat="16:00")
        )
        assert response.status_code == 302
        [window] = selectors.availability_get(listing=kayak).opening_hours
        assert (window.weekday, window.opens, window.closes) == (5, 600, 960)

    def test_an_opening_window_that_closes_before_it_opens_is_shown_beside_it(
        self, kayak, seller, browse_as
    ):
        response = browse_as(seller).post(
            _rules_page(kayak), _form(opens_sat="16:00", closes_sat="10:00")
        )
        assert response.status_code == 422
        assert "closes after it opens" in response.content.decode()
        assert selectors.availability_get(listing=kayak).saved is False

    @pytest.mark.parametrize(
        "changes", [{"min_units": "0"}, {"min_units": "5", "max_units": "2"}]
    )
    def test_bad_rules_are_refused_and_nothing_is_saved(
        self, tent, seller, browse_as, changes
    ):
        response = browse_as(seller).post(_rules_page(tent), _form(**changes))
        assert response.status_code == 422
        assert selectors.availability_get(listing=tent).saved is False

    def test_another_member_gets_404_and_a_visitor_is_asked_to_log_in(
        self, tent, stranger, browse_as
    ):
        assert browse_as(stranger).get(_rules_page(tent)).status_code == 404
        assert browse_as(stranger).post(_rules_page(tent), _form()).status_code == 404
        assert browse_as(None).get(_rules_page(tent)).status_code == 302
        assert selectors.availability_get(listing=tent).saved is False

    def test_the_owner_blocks_days_and_opens_them_again(self, tent, seller, browse_as):
        browser = browse_as(seller)
        first = _today() + dt.timedelta(days=5)
        response = browser.post(
            reverse("web:listing_blocked_add", args=[tent.public_id]),
            {
                "first_day": first.isoformat(),
                "last_day": (first + dt.timedelta(days=1)).isoformat(),
                "note": "Camping",
            },
        )
        assert response.status_code == 302
        blocked = BlockedPeriod.objects.get()
        assert blocked.end_at - blocked.start_at == dt.timedelta(days=2)
        assert "Camping" in browser.get(_rules_page(tent)).content.decode()
        response = browser.post(
            reverse(
                "web:listing_blocked_remove", args=[tent.public_id, blocked.public_id]
            )
        )
        assert response.status_code == 302
        assert BlockedPeriod.objects.count() == 0

    def test_a_last_day_before_the_first_is_refused(self, tent, seller, browse_as):
        response = browse_as(seller).post(
            reverse("web:listing_blocked_add", args=[tent.public_id]),
            {"first_day": "2027-01-05", "last_day": "2027-01-01"},
        )
        assert response.status_code == 422
        assert BlockedPeriod.objects.count() == 0


class TestOneEnglishWordTwoMeanings:
    """English says "Free" of a price and of a day on the calendar; other
    languages use two words, and each page picks the right one."""

    def test_a_free_day_and_a_free_gift_read_differently_in_spanish(
        self, tent, seller, community, now, browse_as
    ):
        from selfwork.catalog.services import listing_create

        gift = listing_create(
            owner=seller,
            community=community,
            title="Seedlings",
            modes=[MODES["gift"]],
            now=now,
        )
        visitor = browse_as(None)
        visitor.cookies["django_language"] = "es"
        calendar = visitor.get(_page(tent)).content.decode()
        given = visitor.get(_page(gift)).content.decode()
        # The calendar's key says a day is available; the gift's price says it costs nothing.
        assert (
            '<span class="cal-key cal-free" aria-hidden="true"></span>Libre' in calendar
        )
        assert '<span class="price-main">Gratis</span>' in given
        assert "Libre" not in given.split('class="price-main"')[1][:40]
