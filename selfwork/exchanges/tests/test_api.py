"""The exchanges and processes API: shapes, refusals, and nothing stored on bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfwork.exchanges.models import Exchange, ExchangeEvent
from selfwork.payments.gateways import CARD_DECLINED, CARD_SUCCEEDS

pytestmark = pytest.mark.django_db


def problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def order(api_as, buyer, portrait, package):
    """``order()``: a Full colour commission ordered by ``buyer`` through the API."""

    def make(**changes):
        body = {
            "listing": str(portrait.public_id),
            "mode": "service",
            "package": package("Full colour"),
            "requirements": "A fox reading under a lamp.",
            **changes,
        }
        response = api_as(buyer).post("/exchanges", body)
        assert response.status_code == 201, response.content
        return response.json()

    return make


def step(api, exchange_id, name, **params):
    return api.post(f"/exchanges/{exchange_id}/transitions", {"name": name, **params})


class TestCreate:
    def test_an_order_is_priced_by_the_server(self, order, buyer, provider):
        body = order()
        assert body["process"] == "commission"
        assert body["state"] == "awaiting_payment"
        assert body["total"] == {"amount": "120.00", "currency": "EUR"}
        assert body["line_items"] == [
            {
                "label": "Book cover illustration — Full colour",
                "unit_price": {"amount": "120.00", "currency": "EUR"},
                "quantity": 1,
                "amount": {"amount": "120.00", "currency": "EUR"},
                "kind": "item",
            }
        ]
        assert body["customer"]["username"] == buyer.username
        assert body["provider"]["username"] == provider.username
        assert body["transitions"] == ["pay", "cancel"]
        assert body["revisions_allowed"] == 2
        assert body["requirements"] == "A fox reading under a lamp."
        assert [e["name"] for e in body["events"]] == ["start"]

    def test_a_client_sent_total_is_ignored_or_refused(self, api_as, buyer, portrait):
        response = api_as(buyer).post(
            "/exchanges",
            {
                "listing": str(portrait.public_id),
                "mode": "service",
                "total": {"amount": "1.00", "currency": "EUR"},
            },
        )
        assert response.status_code in (201, 422)
        if response.status_code == 201:
            assert response.json()["total"]["amount"] != "1.00"

    def test_a_made_to_order_purchase_with_options(self, api_as, buyer, bag):
        response = api_as(buyer).post(
            "/exchanges",
            {
                "listing": str(bag.public_id),
                "mode": "made_to_order",
                "quantity": 2,
                "options": {"Size": "Large"},
                "personalisation": {"Initials": "B.R."},
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["process"] == "purchase"
        assert body["total"] == {"amount": "190.00", "currency": "EUR"}

    @pytest.mark.parametrize(
        "changes,status,code",
        [
            ({"listing": "not-a-uuid"}, 422, "invalid_input"),
            ({"listing": "00000000-0000-0000-0000-000000000000"}, 404, None),
            ({"mode": "barter"}, 422, "mode_not_orderable"),
            ({"mode": "gift"}, 422, "unknown_mode"),
            ({"package": "Platinum"}, 422, "unknown_package"),
            ({"quantity": 0}, 422, "invalid_input"),
            ({"quantity": 10**20}, 422, "invalid_input"),
            ({"quantity": "2"}, 422, "invalid_input"),
            ({"requirements": "<b>bold</b>"}, 422, "markup_not_allowed"),
        ],
    )
    def test_bad_orders_are_refused_and_nothing_is_stored(
        self, api_as, buyer, portrait, package, changes, status, code
    ):
        body = {
            "listing": str(portrait.public_id),
            "mode": "service",
            "package": package(),
            **changes,
        }
        problem(api_as(buyer).post("/exchanges", body), status, code)
        assert Exchange.objects.count() == 0

    def test_ordering_needs_a_login(self, anonymous_api, portrait):
        response = anonymous_api.post(
            "/exchanges", {"listing": str(portrait.public_id), "mode": "service"}
        )
        problem(response, 401, "not_authenticated")


class TestJourney:
    def test_pay_deliver_change_deliver_accept(
        self, order, api_as, buyer, provider, png_bytes
    ):
        customer, maker = api_as(buyer), api_as(provider)
        exchange = order()["id"]

        response = step(customer, exchange, "pay", card=CARD_SUCCEEDS)
        assert response.status_code == 200, response.content
        assert response.json()["state"] == "in_progress"
        assert response.json()["due_at"] is not None

        upload = maker.client.post(
            "/api/v1/uploads?kind=file",
            {"file": _file("cover.png", png_bytes())},
            HTTP_AUTHORIZATION=f"Bearer {maker.token}",
        )
        assert upload.status_code == 201, upload.content
        assert upload.json()["url"] == ""
        file_id = upload.json()["id"]

        response = step(maker, exchange, "deliver", note="Draft", files=[file_id])
        assert response.status_code == 200, response.content
        (delivery,) = response.json()["deliveries"]
        assert delivery["files"][0]["id"] == file_id
        assert delivery["files"][0]["url"].startswith("/files/")

        response = step(customer, exchange, "request_changes", note="Warmer light")
        assert response.json()["revisions_used"] == 1
        step(maker, exchange, "deliver", note="Warmer")
        response = step(customer, exchange, "accept")

        body = response.json()
        assert body["state"] == "completed"
        assert body["transitions"] == []
        assert body["licence"]["terms"]["use"] == "personal"
        assert [e["name"] for e in body["events"]] == [
            "start",
            "pay",
            "deliver",
            "request_changes",
            "deliver",
            "accept",
        ]
        accept = body["events"][-1]
        assert accept["params"]["effects"] == {
            "released": 12000,
            "fee": 600,
            "net": 11400,
        }

    def test_a_declined_card_is_a_402_and_the_state_stays(self, order, api_as, buyer):
        exchange = order()["id"]
        response = step(api_as(buyer), exchange, "pay", card=CARD_DECLINED)
        problem(response, 402, "card_declined")
        body = api_as(buyer).get(f"/exchanges/{exchange}").json()
        assert body["state"] == "awaiting_payment"
        assert [e["name"] for e in body["events"]] == ["start"]

    def test_the_wrong_party_is_refused_with_403(self, order, api_as, provider):
        exchange = order()["id"]
        problem(step(api_as(provider), exchange, "pay", card=CARD_SUCCEEDS), 403)

    def test_a_stranger_gets_404_for_everything(self, order, api_as, stranger):
        exchange = order()["id"]
        outsider = api_as(stranger)
        problem(outsider.get(f"/exchanges/{exchange}"), 404, "exchange_not_found")
        problem(step(outsider, exchange, "cancel"), 404, "exchange_not_found")
        problem(outsider.get(f"/exchanges/{exchange}/messages"), 404)
        problem(outsider.post(f"/exchanges/{exchange}/messages", {"body": "hi"}), 404)

    def test_a_transition_not_possible_now_is_409(self, order, api_as, buyer):
        exchange = order()["id"]
        problem(step(api_as(buyer), exchange, "accept"), 409, "invalid_transition")

    @pytest.mark.parametrize(
        "body,code",
        [
            ({"name": "teleport"}, "unknown_transition"),
            ({"name": "pay", "tip": "5"}, "invalid_input"),
            ({"name": "pay", "note": "hello"}, "unknown_parameter"),
            ({"name": "pay", "card": 4242424242424242}, "invalid_input"),
            ({"name": "pay", "card": "1234"}, "invalid_card"),
            ({"name": "cancel", "refund_percent": 10**30}, "invalid_input"),
            ({}, "invalid_input"),
        ],
    )
    def test_malformed_transitions_are_422_and_change_nothing(
        self, order, api_as, buyer, body, code
    ):
        exchange = order()["id"]
        response = api_as(buyer).post(f"/exchanges/{exchange}/transitions", body)
        problem(response, 422, code)
        assert ExchangeEvent.objects.count() == 1

    def test_a_retried_request_with_the_same_idempotency_key_pays_once(
        self, order, api_as, buyer
    ):
        exchange = order()["id"]
        customer = api_as(buyer)
        headers = {"Idempotency-Key": "pay-once"}
        body = {"name": "pay", "card": CARD_SUCCEEDS}
        first = customer.post(f"/exchanges/{exchange}/transitions", body, headers)
        second = customer.post(f"/exchanges/{exchange}/transitions", body, headers)
        assert first.status_code == second.status_code == 200
        assert first.json()["events"] == second.json()["events"]
        from selfwork.payments.models import Charge

        assert Charge.objects.count() == 1


class TestReading:
    def test_my_exchanges_are_listed_newest_first(
        self, order, api_as, buyer, provider, stranger
    ):
        first, second = order()["id"], order()["id"]
        mine = api_as(buyer).get("/exchanges").json()
        assert [e["id"] for e in mine["items"]] == [second, first]
        assert mine["next"] is None
        theirs = api_as(provider).get("/exchanges", {"role": "provider"}).json()
        assert len(theirs["items"]) == 2
        assert (
            api_as(provider).get("/exchanges", {"role": "customer"}).json()["items"]
            == []
        )
        assert api_as(stranger).get("/exchanges").json()["items"] == []
        page = api_as(buyer).get("/exchanges", {"limit": 1}).json()
        assert len(page["items"]) == 1 and page["next"]
        rest = api_as(buyer).get("/exchanges", {"limit": 1, "cursor": page["next"]})
        assert rest.json()["items"][0]["id"] == first

    def test_totals_are_shown_in_the_viewers_currency(self, order, api_as, buyer):
        buyer.preferred_currency = "BRL"
        buyer.save()
        body = api_as(buyer).get(f"/exchanges/{order()['id']}").json()
        assert body["total_in_viewer_currency"]["currency"] == "BRL"
        assert body["total_in_customer_currency"]["currency"] == "BRL"
        assert body["total_in_provider_currency"]["currency"] == "EUR"

    def test_totals_in_their_own_currency_read_no_rates(self, order, api_as, buyer):
        exchange = order()["id"]
        client = api_as(buyer)
        client.get(f"/exchanges/{exchange}")  # warm: the process definition
        with CaptureQueriesContext(connection) as same:
            body = client.get(f"/exchanges/{exchange}").json()
        assert body["total_in_viewer_currency"] == body["total"]
        assert not [q for q in same.captured_queries if "core_fxrate" in q["sql"]]
        buyer.preferred_currency = "BRL"
        buyer.save()
        with CaptureQueriesContext(connection) as other:
            body = client.get(f"/exchanges/{exchange}").json()
        assert body["total_in_viewer_currency"]["currency"] == "BRL"
        assert len(other.captured_queries) == len(same.captured_queries) + 1

    def test_the_host_operates_the_exchange_and_sees_it(self, order, api_as, host):
        exchange = order()["id"]
        body = api_as(host).get(f"/exchanges/{exchange}").json()
        assert body["transitions"] == []

    def test_messages_between_the_parties(self, order, api_as, buyer, provider):
        exchange = order()["id"]
        response = api_as(buyer).post(
            f"/exchanges/{exchange}/messages", {"body": "Can it be *blue*?"}
        )
        assert response.status_code == 201, response.content
        api_as(provider).post(f"/exchanges/{exchange}/messages", {"body": "Sure."})
        listed = api_as(provider).get(f"/exchanges/{exchange}/messages").json()
        assert [(m["author"]["username"], m["body"]) for m in listed["items"]] == [
            (buyer.username, "Can it be *blue*?"),
            (provider.username, "Sure."),
        ]
        problem(
            api_as(buyer).post(f"/exchanges/{exchange}/messages", {"body": "  "}),
            422,
            "required",
        )


class TestProcesses:
    def test_the_processes_are_listed(self, anonymous_api):
        body = anonymous_api.get("/processes").json()
        names = [p["name"] for p in body["items"]]
        assert {"commission", "purchase"} <= set(names)

    def test_a_process_has_its_definition_and_graph(self, anonymous_api):
        body = anonymous_api.get("/processes/commission").json()
        assert body["initial"] == "awaiting_payment"
        pay = next(t for t in body["transitions"] if t["name"] == "pay")
        assert pay["from"] == ["awaiting_payment"]
        assert pay["actors"] == ["customer"]
        auto = next(t for t in body["transitions"] if t["name"] == "auto_accept")
        assert auto["after"] == "P3D"
        assert body["mermaid"].startswith("stateDiagram-v2")
        assert body["svg"].startswith("<svg")

    def test_an_unknown_process_is_404(self, anonymous_api):
        problem(anonymous_api.get("/processes/nope"), 404, "process_not_found")


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
