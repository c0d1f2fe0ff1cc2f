"""Publishing listings through the API: every mode, and every bad input refused."""

import pytest

from selfwork.catalog.tests.payloads import (
    MODES,
    assert_problem,
    hours,
    listing_body,
    money,
    row_counts,
)


class TestListingCreateInEachMode:
    def test_made_to_order_keeps_its_price(self, publish):
        listing = publish(modes=[MODES["made_to_order"]])
        assert listing["modes"] == [
            {
                "mode": "made_to_order",
                "price": {"amount": "12.50", "currency": "EUR"},
                "hours": None,
                "unit": None,
                "deposit": None,
                "options": [],
                "personalisation": [],
                "wants": "",
                "packages": [],
            }
        ]
        assert listing["price"] == {"amount": "12.50", "currency": "EUR"}

    def test_service_keeps_its_packages_in_order(self, publish):
        listing = publish(modes=[MODES["service"]])
        packages = listing["modes"][0]["packages"]
        assert [(p["name"], p["price"]["amount"]) for p in packages] == [
            ("Sketch", "40.00"),
            ("Full colour", "120.00"),
        ]
        assert packages[1]["delivery_days"] == 10
        assert packages[1]["revisions"] == 3
        assert listing["price"] == {"amount": "40.00", "currency": "EUR"}

    def test_rental_keeps_its_unit_and_deposit(self, publish):
        mode = publish(modes=[MODES["rental"]])["modes"][0]
        assert mode["price"] == {"amount": "15.00", "currency": "EUR"}
        assert mode["unit"] == "day"
        assert mode["deposit"] == {"amount": "100.00", "currency": "EUR"}

    def test_lend_is_free_or_priced_in_hours(self, publish):
        free = publish(modes=[MODES["lend"]])
        assert free["price"] is None
        assert free["modes"][0]["hours"] is None
        paid = publish(modes=[{"mode": "lend", "hours": hours("0.50")}])
        assert paid["modes"][0]["hours"] == {"amount": "0.50", "currency": "HOUR"}

    @pytest.mark.parametrize("mode", ["swap", "gift"])
    def test_swap_and_gift_are_free(self, publish, mode):
        listing = publish(modes=[MODES[mode]])
        assert listing["modes"][0]["mode"] == mode
        assert listing["price"] is None

    def test_timebank_is_priced_in_hours(self, publish):
        listing = publish(modes=[MODES["timebank"]])
        assert listing["modes"][0]["hours"] == {"amount": "1.50", "currency": "HOUR"}
        assert listing["price"] == {"amount": "1.50", "currency": "HOUR"}

    def test_one_listing_may_offer_several_modes_from_the_lowest_price(self, publish):
        listing = publish(
            modes=[MODES["rental"], MODES["made_to_order"], MODES["timebank"]]
        )
        assert [m["mode"] for m in listing["modes"]] == [
            "rental",
            "made_to_order",
            "timebank",
        ]
        assert listing["price"] == {"amount": "12.50", "currency": "EUR"}

    def test_a_listing_in_each_mode_is_found_by_search_with_q_and_mode(
        self, publish, anonymous_api
    ):
        created = {
            mode: publish(title=f"Handmade {mode} lantern", modes=[body])["id"]
            for mode, body in MODES.items()
        }
        publish(title="Unrelated teapot", modes=[MODES["gift"]])
        for mode, listing_id in created.items():
            found = anonymous_api.get("/listings", {"q": "lantern", "mode": mode})
            assert found.status_code == 200
            assert [x["id"] for x in found.json()["items"]] == [listing_id], mode
        everything = anonymous_api.get("/listings", {"q": "lantern"}).json()
        assert {x["id"] for x in everything["items"]} == set(created.values())

    def test_keeps_tags_category_custom_fields_place_and_images(
        self, publish, community, host, api_as, seller, png_bytes
    ):
        host_api = api_as(host)
        host_api.post(
            "/communities/guild/categories", {"slug": "portraits", "name": "Portraits"}
        )
        host_api.post(
            "/communities/guild/listing-fields",
            {"key": "style", "label": "Style", "kind": "choice", "choices": ["ink"]},
        )
        image = api_as(seller).upload(png_bytes()).json()
        listing = publish(
            tags=["Fox", "fox", "ink"],
            category="portraits",
            custom={"style": "ink"},
            images=[image["id"]],
            city="Lyon",
            country="fr",
        )
        assert listing["tags"] == ["fox", "ink"]
        assert listing["category"] == "portraits"
        assert listing["custom"] == {"style": "ink"}
        assert listing["images"] == [image["url"]]
        assert (listing["city"], listing["country"]) == ("Lyon", "FR")

    def test_takes_the_owners_place_when_none_is_given(self, publish):
        listing = publish()
        assert (listing["city"], listing["country"]) == ("Pune", "IN")

    def test_made_to_order_keeps_options_and_personalisation(self, publish):
        mode = {
            **MODES["made_to_order"],
            "options": [
                {
                    "name": "Size",
                    "choices": [
                        {"label": "A5"},
                        {"label": "A3", "price_delta": money("8.00")},
                    ],
                }
            ],
            "personalisation": [{"prompt": "Your pet's name", "required": True}],
        }
        out = publish(modes=[mode])["modes"][0]
        assert out["options"][0]["choices"][1]["price_delta"] == money("8.00")
        assert out["personalisation"][0]["prompt"] == "Your pet's name"


def mode_with(mode, **changes):
    return {**MODES[mode], **changes}


def package(**changes):
    return {**MODES["service"]["packages"][0], **changes}


BAD_LISTINGS = [
    # Prices that are not exact, positive amounts.
    (
        "negative",
        {"modes": [mode_with("made_to_order", price=money("-5.00"))]},
        422,
        "amount_not_positive",
    ),
    (
        "zero made to order",
        {"modes": [mode_with("made_to_order", price=money("0"))]},
        422,
        "amount_not_positive",
    ),
    (
        "zero rental",
        {"modes": [mode_with("rental", price=money("0.00"))]},
        422,
        "amount_not_positive",
    ),
    (
        "zero package",
        {"modes": [{"mode": "service", "packages": [package(price=money("0"))]}]},
        422,
        "amount_not_positive",
    ),
    (
        "zero hours",
        {"modes": [{"mode": "timebank", "hours": hours("0")}]},
        422,
        "amount_not_positive",
    ),
    (
        "non-numeric",
        {"modes": [mode_with("made_to_order", price=money("twelve"))]},
        422,
        "invalid_amount",
    ),
    (
        "NaN",
        {"modes": [mode_with("made_to_order", price=money("NaN"))]},
        422,
        "invalid_amount",
    ),
    (
        "Infinity",
        {"modes": [mode_with("made_to_order", price=money("Infinity"))]},
        422,
        "invalid_amount",
    ),
    (
        "1e400",
        {"modes": [mode_with("made_to_order", price=money("1e400"))]},
        422,
        "invalid_amount",
    ),
    (
        "thousands separator",
        {"modes": [mode_with("made_to_order", price=money("1,000"))]},
        422,
        "invalid_amount",
    ),
    (
        "0.001 EUR",
        {"modes": [mode_with("made_to_order", price=money("0.001"))]},
        422,
        "too_precise",
    ),
    (
        "1.5 JPY",
        {"modes": [mode_with("made_to_order", price=money("1.5", "JPY"))]},
        422,
        "too_precise",
    ),
    (
        "huge",
        {"modes": [mode_with("made_to_order", price=money("9999999999999999"))]},
        422,
        "amount_too_large",
    ),
    (
        "amount as a JSON object",
        {"modes": [mode_with("made_to_order", price=money({"x": 1}))]},
        422,
        "invalid_amount",
    ),
    (
        "price not an object",
        {"modes": [mode_with("made_to_order", price="12.50")]},
        422,
        "invalid_money",
    ),
    ("price missing", {"modes": [{"mode": "made_to_order"}]}, 422, "invalid_money"),
    # Currencies.
    (
        "unknown currency",
        {"modes": [mode_with("made_to_order", price=money("5", "XYZ"))]},
        422,
        "unknown_currency",
    ),
    (
        "lower-case currency",
        {"modes": [mode_with("made_to_order", price=money("5", "eur"))]},
        422,
        "unknown_currency",
    ),
    (
        "currency as a list",
        {"modes": [mode_with("made_to_order", price=money("5", ["EUR"]))]},
        422,
        "unknown_currency",
    ),
    (
        "hours for a money mode",
        {"modes": [mode_with("made_to_order", price=hours("2"))]},
        422,
        "invalid_money",
    ),
    (
        "hours for a package",
        {"modes": [{"mode": "service", "packages": [package(price=hours("2"))]}]},
        422,
        "invalid_money",
    ),
    (
        "money for hours",
        {"modes": [{"mode": "timebank", "hours": money("2.00")}]},
        422,
        "invalid_money",
    ),
    (
        "money for lend hours",
        {"modes": [{"mode": "lend", "hours": money("2.00")}]},
        422,
        "invalid_money",
    ),
    (
        "deposit in another currency",
        {"modes": [mode_with("rental", deposit=money("50.00", "USD"))]},
        422,
        "currency_mismatch",
    ),
    (
        "negative deposit",
        {"modes": [mode_with("rental", deposit=money("-1.00"))]},
        422,
        "amount_not_positive",
    ),
    (
        "modes in two currencies",
        {
            "modes": [
                MODES["made_to_order"],
                mode_with("rental", price=money("5", "USD"), deposit=money("1", "USD")),
            ]
        },
        422,
        "currency_mismatch",
    ),
    (
        "packages in two currencies",
        {
            "modes": [
                {
                    "mode": "service",
                    "packages": [
                        package(),
                        package(name="Big", price=money("9", "USD")),
                    ],
                }
            ]
        },
        422,
        "currency_mismatch",
    ),
    (
        "price delta in another currency",
        {
            "modes": [
                mode_with(
                    "made_to_order",
                    options=[
                        {
                            "name": "Size",
                            "choices": [
                                {"label": "A3", "price_delta": money("1", "USD")}
                            ],
                        }
                    ],
                )
            ]
        },
        422,
        "currency_mismatch",
    ),
    # Service packages.
    (
        "4 service packages",
        {
            "modes": [
                {
                    "mode": "service",
                    "packages": [package(name=f"Tier {i}") for i in range(4)],
                }
            ]
        },
        422,
        "invalid_input",
    ),
    (
        "no service packages",
        {"modes": [{"mode": "service", "packages": []}]},
        422,
        "invalid_input",
    ),
    (
        "zero delivery days",
        {"modes": [{"mode": "service", "packages": [package(delivery_days=0)]}]},
        422,
        "invalid_input",
    ),
    (
        "delivery days as text",
        {"modes": [{"mode": "service", "packages": [package(delivery_days="3")]}]},
        422,
        "invalid_input",
    ),
    (
        "huge delivery days",
        {"modes": [{"mode": "service", "packages": [package(delivery_days=10**20)]}]},
        422,
        "invalid_input",
    ),
    (
        "too many revisions",
        {"modes": [{"mode": "service", "packages": [package(revisions=51)]}]},
        422,
        "invalid_input",
    ),
    (
        "script in a package name",
        {
            "modes": [
                {
                    "mode": "service",
                    "packages": [package(name="<script>alert(1)</script>")],
                }
            ]
        },
        422,
        "markup_not_allowed",
    ),
    # Modes.
    ("unknown mode", {"modes": [{"mode": "auction"}]}, 422, "unknown_mode"),
    ("mode as a list", {"modes": [{"mode": ["gift"]}]}, 422, "unknown_mode"),
    ("no modes", {"modes": []}, 422, "invalid_input"),
    ("a mode twice", {"modes": [MODES["gift"], MODES["gift"]]}, 422, "duplicate_mode"),
    (
        "a field the mode lacks",
        {"modes": [{"mode": "gift", "price": money("1")}]},
        422,
        "invalid_input",
    ),
    (
        "bad rental unit",
        {"modes": [mode_with("rental", unit="week")]},
        422,
        "invalid_input",
    ),
    ("mode not an object", {"modes": ["gift"]}, 422, "invalid_input"),
    # Text.
    ("over-long title", {"title": "x" * 121}, 422, "too_long"),
    ("far too long title", {"title": "x" * 5000}, 422, "invalid_input"),
    ("empty title", {"title": "   "}, 422, "required"),
    (
        "script tag in title",
        {"title": "<script>alert(1)</script>Fox"},
        422,
        "markup_not_allowed",
    ),
    (
        "control character in title",
        {"title": "Fox\x07portrait"},
        422,
        "markup_not_allowed",
    ),
    (
        "NUL in description",
        {"description": "Fox\x00portrait"},
        422,
        "invalid_input",
    ),
    ("over-long description", {"description": "x" * 20001}, 422, "too_long"),
    (
        "script in Markdown",
        {"description": "Hi <script>alert(1)</script>"},
        422,
        "markup_not_allowed",
    ),
    (
        "javascript link in Markdown",
        {"description": "[fox](javascript:alert(1))"},
        422,
        "markup_not_allowed",
    ),
    (
        "image tag in Markdown",
        {"description": "<img src=x onerror=alert(1)>"},
        422,
        "markup_not_allowed",
    ),
    ("script in a tag", {"tags": ["<b>fox</b>"]}, 422, "markup_not_allowed"),
    ("too many tags", {"tags": [f"tag{i}" for i in range(13)]}, 422, "invalid_input"),
    (
        "script in swap wants",
        {"modes": [mode_with("swap", wants="<i>x</i>")]},
        422,
        "markup_not_allowed",
    ),
    # References.
    ("unknown community", {"community": "nowhere"}, 404, "community_not_found"),
    ("unknown category", {"category": "murals"}, 422, "unknown_category"),
    ("unknown custom field", {"custom": {"colour": "red"}}, 422, "unknown_field"),
    (
        "unknown upload",
        {"images": ["00000000-0000-0000-0000-000000000000"]},
        422,
        "unknown_upload",
    ),
    ("upload id not a uuid", {"images": ["../../etc/passwd"]}, 422, "unknown_upload"),
    ("country not a code", {"country": "France"}, 422, "invalid_input"),
    # Shape.
    ("modes missing", {"modes": None}, 422, "invalid_input"),
    ("title a number", {"title": 12}, 422, "invalid_input"),
]


class TestListingCreateRefusesBadInput:
    @pytest.mark.parametrize(
        ("changes", "status", "code"),
        [pytest.param(c, s, k, id=name) for name, c, s, k in BAD_LISTINGS],
    )
    def test_answers_4xx_with_a_stable_code_and_stores_nothing(
        self, seller, api_as, changes, status, code
    ):
        before = row_counts()
        response = api_as(seller).post("/listings", listing_body(**changes))
        body = assert_problem(response, status, code)
        assert body["detail"]
        assert row_counts() == before

    def test_refuses_a_mode_the_community_has_not_enabled(self, seller, host, api_as):
        api_as(host).patch("/communities/guild", {"enabled_modes": ["service"]})
        response = api_as(seller).post("/listings", listing_body(modes=[MODES["gift"]]))
        assert_problem(response, 422, "mode_not_enabled")
        assert row_counts()["Listing"] == 0

    def test_refuses_a_non_member_with_403(self, community, stranger, api_as):
        response = api_as(stranger).post("/listings", listing_body())
        assert_problem(response, 403, "not_a_member")
        assert row_counts()["Listing"] == 0

    def test_refuses_a_member_still_waiting_for_approval(
        self, community, host, stranger, api_as
    ):
        api_as(host).patch("/communities/guild", {"membership_approval": True})
        api_as(stranger).post("/communities/guild/join")
        response = api_as(stranger).post("/listings", listing_body())
        assert_problem(response, 403, "not_a_member")

    def test_refuses_an_outsider_in_a_private_community_with_404(
        self, community, host, stranger, api_as
    ):
        api_as(host).patch("/communities/guild", {"visibility": "private"})
        response = api_as(stranger).post("/listings", listing_body())
        assert_problem(response, 404, "community_not_found")

    def test_refuses_someone_elses_image(self, seller, buyer, api_as, png_bytes):
        theirs = api_as(buyer).upload(png_bytes()).json()["id"]
        before = row_counts()
        response = api_as(seller).post("/listings", listing_body(images=[theirs]))
        assert_problem(response, 422, "unknown_upload")
        assert row_counts() == before

    def test_refuses_a_missing_required_custom_field(self, seller, host, api_as):
        api_as(host).post(
            "/communities/guild/listing-fields",
            {"key": "pages", "label": "Pages", "kind": "number", "required": True},
        )
        assert_problem(
            api_as(seller).post("/listings", listing_body()), 422, "required"
        )
        response = api_as(seller).post(
            "/listings", listing_body(custom={"pages": "many"})
        )
        assert_problem(response, 422)
        assert row_counts()["Listing"] == 0

    def test_refuses_an_anonymous_caller_with_401(self, community, anonymous_api):
        assert_problem(
            anonymous_api.post("/listings", listing_body()), 401, "not_authenticated"
        )
