"""Hypothesis throws near-miss and hostile listing bodies at the API.

Schemathesis (tests/test_openapi.py) knows only the OpenAPI shapes, where a mode is
any object; these strategies know the modes, so they reach deep into the parsing
of prices, packages and options. Whatever arrives: never a 5xx, and a refusal
stores nothing.
"""

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from selfwork.catalog.tests.payloads import row_counts
from selfwork.communities.models import ALL_MODES

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def mostly(good, bad):
    """Draw ``good`` three times in four, so the fuzz gets past the first check."""
    return st.one_of(good, good, good, bad)


amounts = mostly(
    st.from_regex(r"-?\d{1,5}(\.\d{1,3})?", fullmatch=True),
    st.sampled_from(["1e400", "NaN", "Infinity", "1,000", " 7 ", ""])
    | st.integers(-(10**20), 10**20)
    | st.floats()
    | st.text(max_size=12),
)
currencies = mostly(
    st.sampled_from(["EUR", "EUR", "USD", "JPY", "BHD", "HOUR"]),
    st.sampled_from(["eur", "XYZ", ""]) | st.text(max_size=4) | json_values,
)
money = mostly(
    st.fixed_dictionaries({"amount": amounts, "currency": currencies}), json_values
)
packages = mostly(
    st.lists(
        st.fixed_dictionaries(
            {
                "name": mostly(st.sampled_from(["Sketch", "Full"]), st.text()),
                "price": money,
                "delivery_days": mostly(st.integers(-5, 400), json_values),
            },
            optional={
                "revisions": mostly(st.integers(-5, 60), json_values),
                "description": st.text(max_size=20),
            },
        ),
        max_size=4,
    ),
    json_values,
)
options = mostly(
    st.lists(
        st.fixed_dictionaries(
            {
                "name": st.sampled_from(["Size", "Colour"]),
                "choices": st.lists(
                    st.fixed_dictionaries(
                        {"label": st.sampled_from(["A5", "A3", "<b>x</b>"])},
                        optional={"price_delta": money},
                    ),
                    max_size=3,
                ),
            }
        ),
        max_size=2,
    ),
    json_values,
)
prompts = mostly(
    st.lists(
        st.fixed_dictionaries(
            {"prompt": st.sampled_from(["Name", "Colour"])},
            optional={"required": json_values},
        ),
        max_size=2,
    ),
    json_values,
)
# One strategy per mode with that mode's own fields, and a wild one with any.
modes = st.one_of(
    st.fixed_dictionaries(
        {"mode": st.just("made_to_order"), "price": money},
        optional={"options": options, "personalisation": prompts},
    ),
    st.fixed_dictionaries({"mode": st.just("service"), "packages": packages}),
    st.fixed_dictionaries(
        {"mode": st.just("rental"), "price": money},
        optional={
            "unit": mostly(st.sampled_from(["day", "hour"]), json_values),
            "deposit": money,
        },
    ),
    st.fixed_dictionaries({"mode": st.just("lend")}, optional={"hours": money}),
    st.fixed_dictionaries(
        {"mode": st.just("swap")},
        optional={"wants": mostly(st.sampled_from(["a drill", ""]), json_values)},
    ),
    st.fixed_dictionaries({"mode": st.just("gift")}),
    st.fixed_dictionaries({"mode": st.just("timebank"), "hours": money}),
    st.fixed_dictionaries(
        {"mode": st.sampled_from([*ALL_MODES, "auction"]) | json_values},
        optional={
            "price": money,
            "hours": money,
            "packages": packages,
            "options": options,
            "wants": json_values,
        },
    ),
)
words = st.text(alphabet="abcdefghij ", min_size=1, max_size=30).filter(str.strip)
bodies = st.fixed_dictionaries(
    {
        "community": st.just("guild"),
        "title": mostly(words, st.text(max_size=130)),
        "modes": st.lists(modes, min_size=1, max_size=3),
    },
    optional={
        "description": mostly(words, st.text(max_size=50)),
        "tags": st.lists(mostly(words, st.text(max_size=12)), max_size=3),
        "country": mostly(st.sampled_from(["NZ", "fr", ""]), st.text(max_size=3)),
    },
)


class TestListingCreateFuzz:
    @given(body=bodies)
    @settings(
        max_examples=120,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    def test_never_answers_5xx_and_a_refusal_stores_nothing(self, seller, api_as, body):
        before = row_counts()
        response = api_as(seller).post("/listings", body)
        # --hypothesis-show-statistics shows how deep the bodies reached.
        event(f"{response.status_code} {response.json().get('code')}")
        assert response.status_code < 500, response.content
        if response.status_code == 201:
            assert row_counts()["Listing"] == before["Listing"] + 1
        else:
            assert 400 <= response.status_code < 500
            assert response["Content-Type"] == "application/problem+json"
            assert row_counts() == before
