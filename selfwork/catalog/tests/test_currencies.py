"""Only currencies in use today price a listing: API and web form read one list."""

import pytest
from django.urls import reverse

from selfwork.accounts.forms import currency_choices
from selfwork.catalog.models import Listing
from selfwork.core.money import currencies

IN_USE = ["EUR", "USD", "JPY", "BRL"]
HISTORIC = ["DEM", "FRF", "ITL", "HRK", "XAU"]


def _price(currency: str) -> str:
    return "1000" if currency == "JPY" else "40.00"


@pytest.fixture
def seller(provider, community, member_of):
    member_of(community, provider)
    return provider


def _api_create(api_as, seller, currency):
    return api_as(seller).post(
        "/listings",
        {
            "community": "guild",
            "title": "Fox in gouache",
            "modes": [
                {
                    "mode": "made_to_order",
                    "price": {"amount": _price(currency), "currency": currency},
                }
            ],
        },
    )


def _web_create(browse_as, seller, currency):
    return browse_as(seller).post(
        reverse("web:listing_new") + "?community=guild",
        {
            "community": "guild",
            "currency": currency,
            "title": "Fox in gouache",
            "mode_made_to_order": "on",
            "made_to_order_price": _price(currency),
        },
    )


def test_the_list_holds_currencies_in_use_and_no_historic_one():
    assert set(IN_USE) <= currencies()
    assert not set(HISTORIC) & currencies()
    assert [c for c, _ in currency_choices()] == sorted(currencies())


class TestApi:
    @pytest.mark.parametrize("currency", HISTORIC[:2])
    def test_a_historic_currency_is_refused(self, api_as, seller, currency):
        response = _api_create(api_as, seller, currency)
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_currency"
        assert not Listing.objects.exists()

    @pytest.mark.parametrize("currency", IN_USE)
    def test_a_currency_in_use_is_accepted(self, api_as, seller, currency):
        response = _api_create(api_as, seller, currency)
        assert response.status_code == 201, response.content
        assert response.json()["price"]["currency"] == currency


class TestWebForm:
    def test_a_historic_currency_is_refused(self, browse_as, seller):
        response = _web_create(browse_as, seller, "DEM")
        assert response.status_code == 422
        assert not Listing.objects.exists()
        picker = response.content.decode().split('name="currency"', 1)[1]
        options = picker.split("</select>", 1)[0]
        assert 'value="EUR"' in options and 'value="DEM"' not in options

    @pytest.mark.parametrize("currency", IN_USE)
    def test_a_currency_in_use_is_accepted(self, browse_as, seller, currency):
        response = _web_create(browse_as, seller, currency)
        assert response.status_code == 302, response.content[:2000]
        assert Listing.objects.get().price_unit == currency
