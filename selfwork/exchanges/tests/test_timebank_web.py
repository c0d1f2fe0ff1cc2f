"""The time bank and loans in the browser: the pages that start them, the room, the wallet."""

import datetime as dt

import pytest
from django.utils import timezone

from selfwork.catalog.services import listing_create
from selfwork.communities.services import community_update
from selfwork.exchanges import services
from selfwork.exchanges.models import Exchange

pytestmark = pytest.mark.django_db


def hours(amount):
    return {"amount": amount, "currency": "HOUR"}


@pytest.fixture
def timebank(community, host, provider, buyer, member_of, now):
    community_update(
        community=community,
        actor=host,
        changes={"timebank_enabled": True, "timebank_starting_credit": hours("4")},
        now=now,
    )
    member_of(community, provider)
    member_of(community, buyer)
    community.refresh_from_db()
    return community


@pytest.fixture
def tutoring(timebank, provider, now):
    return listing_create(
        owner=provider,
        community=timebank,
        title="Maths tutoring",
        modes=[{"mode": "timebank", "hours": hours("1.00")}],
        now=now,
    )


def test_the_listing_offers_the_time_and_the_form_starts_the_exchange(
    browse_as, tutoring, buyer
):
    browser = browse_as(buyer)
    page = browser.get(f"/listings/{tutoring.public_id}/")
    assert "Ask for this time" in page.content.decode()
    form = browser.get(f"/listings/{tutoring.public_id}/time/")
    assert form.status_code == 200
    response = browser.post(
        f"/listings/{tutoring.public_id}/time/", {"hours": "1.50", "requirements": ""}
    )
    exchange = Exchange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exchanges/{exchange.public_id}/"
    assert (exchange.process_name, exchange.total_minor) == ("timebank", 150)


def test_bad_hours_in_the_form_say_what_is_wrong_and_store_nothing(
    browse_as, tutoring, buyer
):
    response = browse_as(buyer).post(
        f"/listings/{tutoring.public_id}/time/", {"hours": "0.001"}
    )
    assert response.status_code == 422
    assert "alert-error" in response.content.decode()
    assert not Exchange.objects.exists()


def test_the_room_offers_the_provider_the_hours_to_adjust(
    browse_as, tutoring, buyer, provider, now
):
    exchange = services.exchange_order(
        listing=tutoring, customer=buyer, mode="timebank", now=now
    )
    services.exchange_transition(
        exchange=exchange, actor=provider, name="accept", params={}, now=now
    )
    browser = browse_as(provider)
    room = browser.get(f"/exchanges/{exchange.public_id}/").content.decode()
    assert 'name="hours"' in room
    assert "Adjust the hours" in room
    response = browser.post(
        f"/exchanges/{exchange.public_id}/",
        {"action": "transition", "name": "adjust_hours", "hours": "2.25"},
    )
    assert response.status_code in (200, 302)
    exchange.refresh_from_db()
    assert exchange.total_minor == 225


def test_the_wallet_page_shows_the_hours_of_each_time_bank(
    browse_as, timebank, buyer, django_assert_max_num_queries
):
    browser = browse_as(buyer)
    with django_assert_max_num_queries(40):
        page = browser.get("/wallet/").content.decode()
    assert "Time bank" in page
    assert 'data-hours="4.00"' in page
    assert "Starting credit" in page


def test_the_host_sees_the_health_of_the_time_bank(browse_as, timebank, host):
    page = browse_as(host).get(f"/c/{timebank.slug}/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Time bank health" in html
    assert 'data-hours="12.00"' in html


def test_a_loan_is_asked_for_from_the_borrow_page(browse_as, timebank, provider, buyer):
    today = timezone.now()
    camera = listing_create(
        owner=provider,
        community=timebank,
        title="Film camera",
        modes=[{"mode": "lend"}],
        now=today,
    )
    browser = browse_as(buyer)
    assert "Borrow it" in browser.get(f"/listings/{camera.public_id}/").content.decode()
    first = (today + dt.timedelta(days=5)).date()
    response = browser.post(
        f"/listings/{camera.public_id}/borrow/",
        {"start": first.isoformat(), "end": (first + dt.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    exchange = Exchange.objects.get()
    assert (exchange.process_name, exchange.state) == ("lend", "requested")


@pytest.mark.parametrize("name", ["lend", "timebank"])
def test_each_process_has_its_graph_page(client, db, name):
    page = client.get(f"/processes/{name}/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode() or "stateDiagram" in page.content.decode()


def test_a_request_for_help_offers_help_instead(browse_as, timebank, buyer, provider):
    wanted = listing_create(
        owner=buyer,
        community=timebank,
        title="Wanted: a hand with a sofa",
        modes=[{"mode": "timebank", "hours": hours("1.00")}],
        kind="request",
        now=timezone.now(),
    )
    browser = browse_as(provider)
    assert (
        "Offer your help"
        in browser.get(f"/listings/{wanted.public_id}/").content.decode()
    )
    response = browser.post(f"/listings/{wanted.public_id}/time/", {"hours": ""})
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert (exchange.customer, exchange.provider, exchange.state) == (
        buyer,
        provider,
        "offered",
    )


def test_the_rooms_of_a_loan_render_in_each_state_for_both_parties(
    browse_as, timebank, provider, buyer
):
    today = timezone.now()
    ladder = listing_create(
        owner=provider,
        community=timebank,
        title="Ladder",
        modes=[{"mode": "lend", "hours": hours("1.00")}],
        now=today,
    )
    first = (today + dt.timedelta(days=3)).date()
    exchange = services.exchange_order(
        listing=ladder,
        customer=buyer,
        mode="lend",
        start=first,
        end=first + dt.timedelta(days=2),
        now=today,
    )
    steps = [(provider, "approve"), (provider, "handover"), (buyer, "return")]
    for actor, name in [(None, None), *steps]:
        if name is not None:
            exchange = services.exchange_transition(
                exchange=exchange, actor=actor, name=name, params={}, now=today
            )
        for member in (provider, buyer):
            room = browse_as(member).get(f"/exchanges/{exchange.public_id}/")
            assert room.status_code == 200, (exchange.state, member)
    html = room.content.decode()
    assert "Returned" in html
