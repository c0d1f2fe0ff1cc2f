"""The availability API and the search filters, as a client sees them.

The API serves requests at the real time, so periods here are in the future
relative to the wall clock: a few days from today, UTC midnights (the listing
owner's zone is UTC unless a test sets another).
"""

import datetime as dt

import pytest
from django.utils import timezone

from selfwork.catalog import selectors, services
from selfwork.catalog.models import BlockedPeriod, Booking
from selfwork.catalog.tests.payloads import MODES, assert_problem


def _today():
    return timezone.now().astimezone(dt.UTC).date()


def _day(offset):
    return _today() + dt.timedelta(days=offset)


def _midnight(offset):
    return dt.datetime.combine(_day(offset), dt.time(0), tzinfo=dt.UTC)


def _iso(offset):
    return _midnight(offset).isoformat()


@pytest.fixture
def booked_tent(tent):
    """The tent, held for days +3 to +5 (two days)."""
    services.booking_hold(
        listing=tent,
        start=_day(3),
        end=_day(5),
        reference="exchange:tent",
        now=timezone.now(),
    )
    return tent


class TestAvailabilityRead:
    def test_anyone_reads_the_busy_and_free_days_of_a_visible_listing(
        self, booked_tent, anonymous_api
    ):
        response = anonymous_api.get(
            f"/listings/{booked_tent.public_id}/availability",
            {"from": _day(0).isoformat(), "to": _day(7).isoformat()},
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["unit"], body["time_zone"]) == ("day", "UTC")
        assert body["busy"] == [{"start": _iso(3), "end": _iso(5)}]
        assert body["free"] == [
            {"start": _iso(0), "end": _iso(3)},
            {"start": _iso(5), "end": _iso(7)},
        ]
        assert body["cancellation_policy"] == "moderate"
        assert body["blocked"] is None

    def test_without_a_range_it_shows_five_weeks_from_today(self, tent, anonymous_api):
        body = anonymous_api.get(f"/listings/{tent.public_id}/availability").json()
        assert body["free"] == [{"start": _iso(0), "end": _iso(35)}]

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            ({"from": "2027-01-05", "to": "2027-01-01"}, "period_invalid"),
            ({"from": "soon"}, "period_invalid"),
            ({"from": "2027-01-01T00:00:00"}, "period_invalid"),
            ({"from": "2027-01-01", "to": "2028-06-01"}, "range_too_long"),
            ({"from": "0001-01-01T00:00:00+14:00"}, "period_invalid"),
        ],
    )
    def test_a_bad_range_is_422(self, tent, anonymous_api, params, code):
        assert_problem(
            anonymous_api.get(f"/listings/{tent.public_id}/availability", params),
            422,
            code,
        )

    def test_a_listing_without_a_calendar_is_not_bookable(
        self, rent_out, anonymous_api
    ):
        gift = rent_out(modes=[MODES["gift"]])
        assert_problem(
            anonymous_api.get(f"/listings/{gift.public_id}/availability"),
            422,
            "not_bookable",
        )

    def test_a_hidden_listing_is_404_for_others(self, tent, seller, stranger, api_as):
        services.listing_hide(listing=tent, actor=seller, now=timezone.now())
        assert_problem(
            api_as(stranger).get(f"/listings/{tent.public_id}/availability"),
            404,
            "listing_not_found",
        )
        own = api_as(seller).get(f"/listings/{tent.public_id}/availability")
        assert own.status_code == 200
        assert own.json()["blocked"] == []

    def test_periods_are_rfc_3339_even_in_a_local_mean_time(
        self, tent, seller, anonymous_api
    ):
        # Amsterdam kept +00:19:32 until 1937; RFC 3339 offsets are whole minutes.
        services.availability_set(
            listing=tent, actor=seller, now=timezone.now(), time_zone="Europe/Amsterdam"
        )
        old = anonymous_api.get(
            f"/listings/{tent.public_id}/availability",
            {"from": "1930-01-01", "to": "1930-01-03"},
        ).json()
        assert old["free"] == [
            {"start": "1929-12-31T23:40:28+00:00", "end": "1930-01-02T23:40:28+00:00"}
        ]
        # A time the zone keeps in whole minutes is still written in it.
        now = anonymous_api.get(
            f"/listings/{tent.public_id}/availability",
            {"from": "2030-01-01", "to": "2030-01-02"},
        ).json()
        assert now["free"][0]["start"] == "2030-01-01T00:00:00+01:00"


class TestAvailabilityUpdate:
    def body(self, **changes):
        return {
            "time_zone": "Europe/Dublin",
            "min_units": 2,
            "max_units": 14,
            "buffer_minutes": 60,
            "advance_days": 90,
            "instant_booking": True,
            "cancellation_policy": "strict",
            "blocked": [
                {
                    "start": _day(10).isoformat(),
                    "end": _day(12).isoformat(),
                    "note": "Away",
                }
            ],
            **changes,
        }

    def put(self, api, listing, body):
        return api.client.put(
            f"/api/v1/listings/{listing.public_id}/availability",
            body,
            content_type="application/json",
            **api._headers(None),
        )

    def test_the_owner_replaces_the_rules_and_sees_them(self, tent, seller, api_as):
        response = self.put(api_as(seller), tent, self.body())
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["time_zone"] == "Europe/Dublin"
        assert (body["min_units"], body["max_units"]) == (2, 14)
        assert (body["buffer_minutes"], body["advance_days"]) == (60, 90)
        assert (body["instant_booking"], body["cancellation_policy"]) == (
            True,
            "strict",
        )
        [blocked] = body["blocked"]
        assert blocked["note"] == "Away"
        assert dt.datetime.fromisoformat(blocked["start"]).date() == _day(10)
        # The block shows as busy to everyone.
        assert any(
            dt.datetime.fromisoformat(p["start"]).date() == _day(10)
            for p in body["busy"]
        )

    def test_another_member_gets_404_and_nothing_changes(self, tent, stranger, api_as):
        assert_problem(
            self.put(api_as(stranger), tent, self.body()), 404, "listing_not_found"
        )
        assert selectors.availability_get(listing=tent).saved is False
        assert BlockedPeriod.objects.count() == 0

    def test_an_anonymous_caller_gets_401(self, tent, anonymous_api):
        assert_problem(self.put(anonymous_api, tent, self.body()), 401)

    @pytest.mark.parametrize(
        "changes",
        [
            {"time_zone": "Atlantis/Capital"},
            {"min_units": 0},
            {"min_units": 5, "max_units": 2},
            {"advance_days": 10_000},
            {"cancellation_policy": "lenient"},
            {"instant_booking": "yes"},
            {
                "opening_hours": [
                    {"weekday": "mon", "opens": "09:00", "closes": "17:00"}
                ]
            },
            {"blocked": [{"start": "2027-01-02", "end": "2027-01-01"}]},
        ],
    )
    def test_bad_settings_are_422_and_nothing_is_stored(
        self, tent, seller, api_as, changes
    ):
        response = self.put(api_as(seller), tent, self.body(**changes))
        assert_problem(response, 422)
        assert selectors.availability_get(listing=tent).saved is False
        assert BlockedPeriod.objects.count() == 0

    def test_hourly_opening_hours_round_trip(self, kayak, seller, api_as):
        hours = [{"weekday": "sat", "opens": "10:00", "closes": "18:00"}]
        response = self.put(
            api_as(seller), kayak, {"opening_hours": hours, "blocked": []}
        )
        assert response.status_code == 200, response.content
        assert response.json()["opening_hours"] == hours
        assert response.json()["unit"] == "hour"


class TestSearchAvailable:
    @pytest.fixture
    def listings(self, booked_tent, rent_out, seller):
        """The booked tent (+3..+5), a free drill to lend, a blocked ladder, a gift."""
        drill = rent_out(modes=[MODES["lend"]])
        ladder = rent_out("day")
        services.blocked_period_add(
            listing=ladder,
            actor=seller,
            start=_day(4),
            end=_day(6),
            now=timezone.now(),
        )
        gift = rent_out(modes=[MODES["gift"]])
        return {"tent": booked_tent, "drill": drill, "ladder": ladder, "gift": gift}

    def ids(self, api, start, end):
        response = api.get(
            "/listings",
            {
                "available_from": _day(start).isoformat(),
                "available_to": _day(end).isoformat(),
            },
        )
        assert response.status_code == 200, response.content
        return {x["id"] for x in response.json()["items"]}

    def test_only_listings_free_for_the_whole_period_are_found(
        self, listings, anonymous_api
    ):
        ids = {name: str(x.public_id) for name, x in listings.items()}
        assert self.ids(anonymous_api, 0, 3) == {
            ids["tent"],
            ids["drill"],
            ids["ladder"],
        }
        assert self.ids(anonymous_api, 2, 4) == {ids["drill"], ids["ladder"]}
        assert self.ids(anonymous_api, 3, 5) == {ids["drill"]}
        assert self.ids(anonymous_api, 5, 6) == {ids["tent"], ids["drill"]}
        assert self.ids(anonymous_api, 6, 9) == {
            ids["tent"],
            ids["drill"],
            ids["ladder"],
        }

    def test_a_released_booking_makes_the_listing_found_again(
        self, listings, anonymous_api
    ):
        services.booking_release(reference="exchange:tent", now=timezone.now())
        assert str(listings["tent"].public_id) in self.ids(anonymous_api, 2, 4)

    def test_the_search_takes_a_constant_number_of_queries(
        self, listings, django_assert_num_queries
    ):
        query = selectors.ListingQuery(
            available_from=_day(0).isoformat(), available_to=_day(3).isoformat()
        )
        # The page's ids, its listings, then their modes, packages and images,
        # prefetched.
        with django_assert_num_queries(5):
            page = selectors.listings_search(query=query, viewer=None)
        assert len(page.items) == 3

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            ({"available_from": "2027-01-01"}, "period_incomplete"),
            (
                {"available_from": "2027-01-05", "available_to": "2027-01-01"},
                "period_invalid",
            ),
            (
                {"available_from": "2027-01-01", "available_to": "2028-06-01"},
                "range_too_long",
            ),
            (
                {"available_from": "later", "available_to": "2028-06-01"},
                "period_invalid",
            ),
        ],
    )
    def test_a_bad_period_is_422(self, db, anonymous_api, params, code):
        assert_problem(anonymous_api.get("/listings", params), 422, code)

    def test_held_bookings_are_found_through_the_booking_index(self, booked_tent):
        assert Booking._meta.indexes[0].name == "booking_held_by_listing"
