"""The rental contract through the HTTP API: the shapes outside clients rely on."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from selfwork.catalog.services import blocked_period_add, listing_create
from selfwork.payments.gateways import CARD_SUCCEEDS

pytestmark = pytest.mark.django_db


def money(amount):
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
def drill(guild, provider, now):
    return listing_create(
        owner=provider,
        community=guild,
        title="Cordless drill",
        modes=[
            {
                "mode": "rental",
                "price": money("6.00"),
                "unit": "day",
                "deposit": money("40.00"),
            }
        ],
        now=now,
    )


@pytest.fixture
def first_day():
    return timezone.now().date() + dt.timedelta(days=10)


def request_for(drill, first_day, days=2, offset=0):
    start = first_day + dt.timedelta(days=offset)
    return {
        "listing": str(drill.public_id),
        "mode": "rental",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=days)).isoformat(),
    }


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (120, 90, 30)).save(out, "PNG")
    return out.getvalue()


class TestRequest:
    def test_answers_the_contract(self, api_as, buyer, drill, first_day):
        created = api_as(buyer).post("/exchanges", request_for(drill, first_day))

        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["process"], body["state"]) == ("rental", "requested")
        assert body["total"] == money("12.00")
        start = dt.datetime.combine(first_day, dt.time(), tzinfo=dt.UTC)
        assert body["booking"] == {
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=2)).isoformat(),
        }
        assert body["deposit"] == {"amount": money("40.00"), "status": "none"}
        assert body["transitions"] == ["pay", "cancel"]

    def test_paying_holds_the_deposit(self, api_as, buyer, drill, first_day):
        customer = api_as(buyer)
        body = customer.post("/exchanges", request_for(drill, first_day)).json()
        paid = customer.post(
            f"/exchanges/{body['id']}/transitions",
            {"name": "pay", "card": CARD_SUCCEEDS},
        )
        assert paid.status_code == 200, paid.content
        assert paid.json()["state"] == "pending_approval"
        assert paid.json()["deposit"]["status"] == "held"

    def test_an_overlapping_period_is_409_slot_taken(
        self, api_as, buyer, make_member, member_of, guild, drill, first_day
    ):
        api_as(buyer).post("/exchanges", request_for(drill, first_day))
        neighbour = make_member("nell")
        member_of(guild, neighbour)
        taken = api_as(neighbour).post(
            "/exchanges", request_for(drill, first_day, offset=1)
        )
        assert taken.status_code == 409
        assert taken.json()["code"] == "slot_taken"

    def test_a_blocked_period_is_422_not_available(
        self, api_as, buyer, provider, drill, first_day, now
    ):
        blocked_period_add(
            listing=drill,
            actor=provider,
            start=first_day + dt.timedelta(days=1),
            end=first_day + dt.timedelta(days=2),
            now=now,
        )
        refused = api_as(buyer).post("/exchanges", request_for(drill, first_day))
        assert refused.status_code == 422
        assert refused.json()["code"] == "not_available"

    @pytest.mark.parametrize(
        "change, code",
        [
            ({"start": None}, "required"),
            ({"end": "2026-02-30"}, "period_invalid"),
            ({"package": "Big"}, "unknown_parameter"),
        ],
    )
    def test_bad_input_is_a_422_that_says_why(
        self, api_as, buyer, drill, first_day, change, code
    ):
        body = {**request_for(drill, first_day), **change}
        body = {k: v for k, v in body.items() if v is not None}
        refused = api_as(buyer).post("/exchanges", body)
        assert refused.status_code == 422, refused.content
        assert refused.json()["code"] == code


class TestHandover:
    def test_photos_are_kept_on_the_timeline(
        self, api_as, buyer, provider, drill, first_day
    ):
        customer, owner = api_as(buyer), api_as(provider)
        body = customer.post("/exchanges", request_for(drill, first_day)).json()
        path = f"/exchanges/{body['id']}/transitions"
        customer.post(path, {"name": "pay", "card": CARD_SUCCEEDS})
        owner.post(path, {"name": "approve"})
        photo = owner.upload(png())
        assert photo.status_code == 201, photo.content
        handed = owner.post(
            path,
            {"name": "handover", "note": "Charged.", "photos": [photo.json()["id"]]},
        )
        assert handed.status_code == 200, handed.content
        event = handed.json()["events"][-1]
        assert event["name"] == "handover"
        assert event["params"]["photos"] == [photo.json()["id"]]

    def test_someone_elses_upload_is_refused(
        self, api_as, buyer, provider, drill, first_day
    ):
        customer, owner = api_as(buyer), api_as(provider)
        body = customer.post("/exchanges", request_for(drill, first_day)).json()
        path = f"/exchanges/{body['id']}/transitions"
        customer.post(path, {"name": "pay", "card": CARD_SUCCEEDS})
        owner.post(path, {"name": "approve"})
        theirs = customer.upload(png()).json()["id"]
        refused = owner.post(path, {"name": "handover", "photos": [theirs]})
        assert refused.status_code == 422
        assert refused.json()["code"] == "unknown_upload"
