"""An exchange's answer is sent as ``exchange_out`` builds it, unvalidated: so what
it builds must already be exactly what ``ExchangeOut`` would make of it, in every
state, for each party; and the API must send that."""

import pytest
from django.utils import timezone

from selfwork.exchanges.api import ExchangeOut, exchange_out
from selfwork.exchanges.selectors import exchange_get_for_party


def _checked(exchange, viewer, api):
    exchange = exchange_get_for_party(public_id=exchange.public_id, member=viewer)
    built = exchange_out(exchange, viewer=viewer, at=timezone.now())
    assert built == ExchangeOut.model_validate(built).model_dump(mode="json")
    answer = api(viewer).get(f"/exchanges/{exchange.public_id}")
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    body = answer.json()
    assert body == ExchangeOut.model_validate(body).model_dump(mode="json")
    return body


@pytest.mark.django_db
class TestTheAnswerIsWhatTheSchemaSays:
    def test_a_commission_through_every_step(
        self, commission, move, buyer, provider, api_as
    ):
        seen = []
        exchange = commission
        for actor, name, params in (
            (None, None, {}),
            (buyer, "pay", {}),
            (provider, "deliver", {"note": "First draft."}),
            (buyer, "accept", {}),
        ):
            if name:
                exchange = move(exchange, actor, name, **params)
            for viewer in (buyer, provider):
                body = _checked(exchange, viewer, api_as)
                seen.append((body["state"], viewer.username, body["transitions"]))
        # Each party's own transitions, as the state offers them.
        assert seen[0][0] == "awaiting_payment" and "pay" in seen[0][2]
        assert seen[-1][0] != seen[0][0]

    def test_a_rental_with_a_booking_and_a_deposit(
        self, rental, move, buyer, provider, api_as
    ):
        exchange = rental()
        for viewer in (buyer, provider):
            body = _checked(exchange, viewer, api_as)
        assert body["booking"] is not None
        assert body["deposit"]["amount"]["amount"] == "40.00"

    def test_the_usage_rights_name_both_fields_even_when_unset(
        self, purchase, buyer, api_as
    ):
        body = _checked(purchase, buyer, api_as)
        assert set(body["usage_rights"]) == {"use", "credit_required"}
