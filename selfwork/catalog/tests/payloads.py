"""Request bodies and checks the catalog tests share."""


def money(amount, currency="EUR"):
    return {"amount": amount, "currency": currency}


def hours(amount):
    return {"amount": amount, "currency": "HOUR"}


# One listing body per mode, in exactly the shapes the API promises.
MODES = {
    "made_to_order": {"mode": "made_to_order", "price": money("12.50")},
    "service": {
        "mode": "service",
        "packages": [
            {
                "name": "Sketch",
                "price": money("40.00"),
                "delivery_days": 3,
                "revisions": 1,
            },
            {
                "name": "Full colour",
                "price": money("120.00"),
                "delivery_days": 10,
                "revisions": 3,
            },
        ],
    },
    "rental": {
        "mode": "rental",
        "price": money("15.00"),
        "unit": "day",
        "deposit": money("100.00"),
    },
    "lend": {"mode": "lend"},
    "swap": {"mode": "swap"},
    "gift": {"mode": "gift"},
    "timebank": {"mode": "timebank", "hours": hours("1.50")},
}


def listing_body(**changes):
    return {
        "community": "guild",
        "title": "Watercolour fox portrait",
        "description": "A *warm* portrait of your fox, painted by hand.",
        "modes": [MODES["made_to_order"]],
        **changes,
    }


def row_counts():
    """How many rows each listing table holds: a refusal must leave these alone."""
    from selfwork.catalog.models import (
        Listing,
        ListingImage,
        ListingMode,
        ListingPackage,
    )

    return {
        model.__name__: model.objects.count()
        for model in (Listing, ListingMode, ListingPackage, ListingImage)
    }


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= {"type", "title", "status", "code", "detail"}
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body
