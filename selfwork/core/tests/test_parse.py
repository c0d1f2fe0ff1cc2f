"""One parser for each kind of value interfaces receive."""

import uuid

import pytest

from selfwork.core.errors import InvalidInput
from selfwork.core.money import Money
from selfwork.core.parse import int_parse, money_parse, upload_ids_parse
from selfwork.core.uploads import upload_create


def refused(call) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value


class TestIntParse:
    def test_returns_a_whole_number_in_range(self):
        assert int_parse(7, field="days", low=1, high=7) == 7

    @pytest.mark.parametrize("value", [True, "5", 2.0, None])
    def test_refuses_what_is_not_an_integer_with_its_code(self, value):
        error = refused(
            lambda: int_parse(value, field="days", low=1, high=7, code="invalid_number")
        )
        assert (error.code, error.field) == ("invalid_number", "days")

    def test_refuses_out_of_range_with_the_range_code_or_the_default(self):
        assert (
            refused(
                lambda: int_parse(
                    8, field="d", low=1, high=7, range_code="out_of_range"
                )
            ).code
            == "out_of_range"
        )
        assert refused(lambda: int_parse(0, field="d", low=1, high=7)).code == (
            "invalid_input"
        )


class TestMoneyParse:
    def test_parses_an_amount_object(self):
        value = {"amount": "12.50", "currency": "EUR"}
        assert money_parse(value, field="price") == Money(1250, "EUR")

    @pytest.mark.parametrize(
        "value, hours, code",
        [
            ("12.50", False, "invalid_money"),
            ({"amount": "1"}, False, "invalid_money"),
            # Exactly as the document's Money says: no other member.
            ({"amount": "1", "currency": "EUR", "note": "x"}, False, "invalid_money"),
            ({"amount": "1", "currency": "HOUR"}, False, "unknown_currency"),
            ({"amount": "1", "currency": "EUR"}, True, "invalid_money"),
            ({"amount": "١٠", "currency": "EUR"}, False, "invalid_amount"),
            ({"amount": "1.001", "currency": "EUR"}, False, "too_precise"),
        ],
    )
    def test_refuses_with_a_stable_code(self, value, hours, code):
        assert refused(lambda: money_parse(value, field="p", hours=hours)).code == code

    def test_hours_when_asked_and_positive_when_asked(self):
        hours = {"amount": "1.50", "currency": "HOUR"}
        assert money_parse(hours, field="h", hours=True) == Money(150, "HOUR")
        zero = {"amount": "0", "currency": "EUR"}
        assert money_parse(zero, field="p") == Money(0, "EUR")
        assert (
            refused(lambda: money_parse(zero, field="p", positive=True)).code
            == "amount_not_positive"
        )


class TestUploadIdsParse:
    @pytest.fixture
    def uploads(self, buyer, png_bytes, now):
        return [upload_create(owner=buyer, data=png_bytes(), now=now) for _ in range(2)]

    def test_returns_the_owners_uploads_in_order(self, buyer, uploads):
        ids = [str(uploads[1].public_id), str(uploads[0].public_id).upper()]
        assert upload_ids_parse(ids, owner=buyer, field="images", limit=5) == [
            uploads[1],
            uploads[0],
        ]

    def test_refuses_another_members_upload_and_a_non_id(
        self, buyer, stranger, uploads
    ):
        theirs = [str(uploads[0].public_id)]
        for value, owner in [
            (theirs, stranger),
            (["x"], buyer),
            ([str(uuid.uuid4())], buyer),
        ]:
            error = refused(
                lambda: upload_ids_parse(value, owner=owner, field="images", limit=5)
            )
            assert (error.code, error.field) == ("unknown_upload", "images")

    def test_refuses_too_many_and_duplicates_unless_told(self, buyer, uploads):
        one = str(uploads[0].public_id)
        refused(lambda: upload_ids_parse([one, one], owner=buyer, field="f", limit=1))
        refused(lambda: upload_ids_parse([one, one], owner=buyer, field="f", limit=5))
        merged = upload_ids_parse(
            [one, one], owner=buyer, field="f", limit=5, duplicates="merge"
        )
        kept = upload_ids_parse(
            [one, one], owner=buyer, field="f", limit=5, duplicates="keep"
        )
        assert (merged, kept) == ([uploads[0]], [uploads[0], uploads[0]])
