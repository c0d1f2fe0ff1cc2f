"""The time bank over the API: orders in hours, bad input, the wallet, settings.

Every refusal is a 4xx with a stable code, and nothing moves or is stored.
"""

import pytest

from selfwork.catalog.services import listing_create
from selfwork.communities.services import community_update
from selfwork.exchanges.models import Exchange
from selfwork.ledger.models import Transaction

pytestmark = pytest.mark.django_db


def hours(amount):
    return {"amount": amount, "currency": "HOUR"}


@pytest.fixture
def timebank(community, host, provider, buyer, member_of, now):
    community_update(
        community=community,
        actor=host,
        changes={"timebank_enabled": True, "timebank_starting_credit": hours("3")},
        now=now,
    )
    member_of(community, provider)
    member_of(community, buyer)
    community.refresh_from_db()
    return community


@pytest.fixture
def lesson(timebank, provider, now):
    return listing_create(
        owner=provider,
        community=timebank,
        title="An hour of Spanish conversation",
        modes=[{"mode": "timebank", "hours": hours("1.00")}],
        now=now,
    )


@pytest.fixture
def agreed(api_as, lesson, buyer, provider):
    created = api_as(buyer).post(
        "/exchanges", {"listing": str(lesson.public_id), "mode": "timebank"}
    )
    assert created.status_code == 201, created.json()
    exchange = created.json()
    accepted = api_as(provider).post(
        f"/exchanges/{exchange['id']}/transitions", {"name": "accept"}
    )
    assert accepted.status_code == 200, accepted.json()
    return exchange["id"]


def hour_balances(api):
    wallet = api.get("/wallet")
    assert wallet.status_code == 200
    return {
        b["community"]: b["available"]
        for b in wallet.json()["balances"]
        if b["currency"] == "HOUR"
    }


def test_an_hour_is_asked_accepted_and_confirmed_and_the_wallets_say_so(
    api_as, agreed, buyer, provider
):
    assert hour_balances(api_as(buyer)) == {"guild": "3.00"}
    confirmed = api_as(buyer).post(
        f"/exchanges/{agreed}/transitions", {"name": "confirm"}
    )
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["state"] == "completed"
    assert hour_balances(api_as(buyer)) == {"guild": "2.00"}
    assert hour_balances(api_as(provider)) == {"guild": "4.00"}


def test_hours_may_be_asked_for_explicitly(api_as, lesson, buyer):
    created = api_as(buyer).post(
        "/exchanges",
        {"listing": str(lesson.public_id), "mode": "timebank", "hours": hours("2.5")},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["total"] == hours("2.50")


@pytest.mark.parametrize(
    "amount, code",
    [
        (hours("-1.00"), "amount_not_positive"),
        (hours("0"), "amount_not_positive"),
        (hours("0.001"), "too_precise"),
        ({"amount": "1.00", "currency": "EUR"}, "invalid_money"),
        (hours("abc"), "invalid_amount"),
        (hours("100000"), "amount_too_large"),
    ],
)
def test_bad_hours_on_ordering_are_refused_and_nothing_is_stored(
    api_as, lesson, buyer, amount, code
):
    response = api_as(buyer).post(
        "/exchanges",
        {"listing": str(lesson.public_id), "mode": "timebank", "hours": amount},
    )
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code
    assert not Exchange.objects.exists()


@pytest.mark.parametrize(
    "amount, code",
    [
        (hours("-2"), "amount_not_positive"),
        (hours("0.00"), "amount_not_positive"),
        (hours("0.001"), "too_precise"),
    ],
)
def test_bad_hours_on_adjusting_are_refused_and_nothing_changes(
    api_as, agreed, provider, amount, code
):
    response = api_as(provider).post(
        f"/exchanges/{agreed}/transitions", {"name": "adjust_hours", "hours": amount}
    )
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code
    assert Exchange.objects.get().total_minor == 100


def test_adjusting_the_hours_changes_what_confirming_moves(
    api_as, agreed, provider, buyer
):
    adjusted = api_as(provider).post(
        f"/exchanges/{agreed}/transitions",
        {"name": "adjust_hours", "hours": hours("1.25")},
    )
    assert adjusted.status_code == 200, adjusted.json()
    assert adjusted.json()["total"] == hours("1.25")
    api_as(buyer).post(f"/exchanges/{agreed}/transitions", {"name": "confirm"})
    assert hour_balances(api_as(buyer)) == {"guild": "1.75"}


def test_confirming_twice_is_a_conflict_and_moves_the_hours_once(api_as, agreed, buyer):
    first = api_as(buyer).post(f"/exchanges/{agreed}/transitions", {"name": "confirm"})
    again = api_as(buyer).post(f"/exchanges/{agreed}/transitions", {"name": "confirm"})
    assert first.status_code == 200
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    assert Transaction.objects.filter(kind="hours").count() == 1


def test_the_wrong_party_and_a_stranger_are_refused(api_as, agreed, provider, stranger):
    wrong = api_as(provider).post(
        f"/exchanges/{agreed}/transitions", {"name": "confirm"}
    )
    unknown = api_as(stranger).post(
        f"/exchanges/{agreed}/transitions", {"name": "confirm"}
    )
    assert wrong.status_code == 403
    assert (unknown.status_code, unknown.json()["code"]) == (404, "exchange_not_found")
    assert not Transaction.objects.filter(kind="hours").exists()


def test_past_the_floor_confirming_is_a_conflict_and_nothing_moves(
    api_as, timebank, lesson, host, buyer, provider
):
    settings = api_as(host).patch(
        "/communities/guild", {"timebank_floor": hours("-1.00")}
    )
    assert settings.status_code == 200, settings.json()
    created = (
        api_as(buyer)
        .post(
            "/exchanges",
            {
                "listing": str(lesson.public_id),
                "mode": "timebank",
                "hours": hours("4.01"),
            },
        )
        .json()
    )
    api_as(provider).post(f"/exchanges/{created['id']}/transitions", {"name": "accept"})
    refused = api_as(buyer).post(
        f"/exchanges/{created['id']}/transitions", {"name": "confirm"}
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "insufficient_hours")
    assert hour_balances(api_as(buyer)) == {"guild": "3.00"}
    assert Exchange.objects.get().state == "agreed"


class TestSettings:
    def test_the_host_sets_the_limits_and_everyone_reads_them(
        self, api_as, community, host
    ):
        response = api_as(host).patch(
            "/communities/guild",
            {
                "timebank_enabled": True,
                "timebank_starting_credit": hours("2"),
                "timebank_floor": hours("-5.5"),
                "timebank_ceiling": hours("40"),
            },
        )
        assert response.status_code == 200, response.json()
        assert response.json()["timebank"] == {
            "enabled": True,
            "starting_credit": hours("2.00"),
            "floor": hours("-5.50"),
            "ceiling": hours("40.00"),
        }

    def test_the_defaults(self, api_as, community, host):
        timebank = api_as(host).get("/communities/guild").json()["timebank"]
        assert timebank == {
            "enabled": False,
            "starting_credit": hours("0.00"),
            "floor": hours("-20.00"),
            "ceiling": hours("100.00"),
        }

    @pytest.mark.parametrize(
        "changes, code",
        [
            ({"timebank_floor": hours("5")}, "invalid_floor"),
            ({"timebank_floor": hours("-0.001")}, "too_precise"),
            ({"timebank_ceiling": hours("0")}, "invalid_ceiling"),
            ({"timebank_ceiling": hours("-3")}, "invalid_ceiling"),
            ({"timebank_starting_credit": hours("-1")}, "invalid_starting_credit"),
            (
                {"timebank_starting_credit": hours("101")},
                "starting_credit_above_ceiling",
            ),
            ({"timebank_ceiling": {"amount": "5", "currency": "EUR"}}, "invalid_money"),
        ],
    )
    def test_bad_limits_are_refused_and_nothing_is_stored(
        self, api_as, community, host, changes, code
    ):
        response = api_as(host).patch("/communities/guild", changes)
        assert response.status_code == 422, response.json()
        assert response.json()["code"] == code
        community.refresh_from_db()
        assert (community.timebank_floor_minor, community.timebank_ceiling_minor) == (
            -2000,
            10000,
        )

    def test_only_a_host_changes_them(self, api_as, timebank, buyer):
        response = api_as(buyer).patch(
            "/communities/guild", {"timebank_floor": hours("-50")}
        )
        assert response.status_code == 403

    def test_a_starting_credit_is_issued_once_on_joining(
        self, api_as, timebank, make_member, host
    ):
        newcomer = make_member("nora")
        api = api_as(newcomer)
        assert api.post("/communities/guild/join").status_code == 200
        assert hour_balances(api) == {"guild": "3.00"}
        assert api.post("/communities/guild/leave").status_code in (200, 204)
        assert api.post("/communities/guild/join").status_code == 200
        assert hour_balances(api) == {"guild": "3.00"}


class TestHealth:
    def test_the_host_reads_it(self, api_as, agreed, buyer, host):
        api_as(buyer).post(f"/exchanges/{agreed}/transitions", {"name": "confirm"})
        health = api_as(host).get("/communities/guild/timebank")
        assert health.status_code == 200, health.json()
        body = health.json()
        assert body["in_circulation"] == hours("9.00")
        assert body["issued"] == hours("9.00")
        assert body["below_zero"] == 0
        assert body["most_active_givers"][0]["username"] == "priya"

    def test_members_may_not(self, api_as, timebank, buyer):
        assert api_as(buyer).get("/communities/guild/timebank").status_code == 403


class TestRequests:
    def test_a_request_for_help_is_posted_and_answered_over_the_api(
        self, api_as, timebank, buyer, provider
    ):
        created = api_as(buyer).post(
            "/listings",
            {
                "community": "guild",
                "title": "Wanted: someone to water my plants",
                "kind": "request",
                "modes": [{"mode": "timebank", "hours": hours("0.50")}],
            },
        )
        assert created.status_code == 201, created.json()
        assert created.json()["kind"] == "request"
        answered = api_as(provider).post(
            "/exchanges", {"listing": created.json()["id"], "mode": "timebank"}
        )
        assert answered.status_code == 201, answered.json()
        exchange = answered.json()
        assert exchange["state"] == "offered"
        accepted = api_as(buyer).post(
            f"/exchanges/{exchange['id']}/transitions", {"name": "accept_offer"}
        )
        assert accepted.status_code == 200, accepted.json()
        api_as(buyer).post(
            f"/exchanges/{exchange['id']}/transitions", {"name": "confirm"}
        )
        assert hour_balances(api_as(buyer)) == {"guild": "2.50"}
        assert hour_balances(api_as(provider)) == {"guild": "3.50"}

    @pytest.mark.parametrize(
        "body, code",
        [
            ({"kind": "wish", "modes": [{"mode": "gift"}]}, None),
            ({"kind": "request", "modes": [{"mode": "gift"}]}, "request_timebank_only"),
        ],
    )
    def test_bad_requests_are_refused(self, api_as, timebank, buyer, body, code):
        response = api_as(buyer).post(
            "/listings", {"community": "guild", "title": "Help", **body}
        )
        assert response.status_code == 422, response.json()
        if code:
            assert response.json()["code"] == code


def test_someone_outside_the_community_cannot_ask_for_hours(api_as, lesson, stranger):
    response = api_as(stranger).post(
        "/exchanges", {"listing": str(lesson.public_id), "mode": "timebank"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_a_member")
    assert not Exchange.objects.exists()


def test_the_wallet_reads_every_time_bank_in_the_same_queries(
    api_as, timebank, buyer, make_member, now
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from selfwork.communities.services import community_create, community_join

    api = api_as(buyer)
    api.get("/wallet")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        api.get("/wallet")
    for slug in ("orchard", "workshop"):
        other = community_create(
            creator=make_member(),
            slug=slug,
            name=slug.title(),
            now=now,
            settings={"timebank_enabled": True},
        )
        community_join(community=other, member=buyer, now=now)
    with CaptureQueriesContext(connection) as three:
        wallet = api.get("/wallet").json()
    assert len(three) == len(one)
    assert [b["community"] for b in wallet["balances"] if b["currency"] == "HOUR"] == [
        "guild",
        "orchard",
        "workshop",
    ]
