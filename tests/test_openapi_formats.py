"""The OpenAPI document says what the strings of an answer hold, and answers keep it.

Public ids are documented ``format: uuid``, moments ``format: date-time`` (RFC
3339) and days ``format: date``, so that generated clients read them as such
(``core.api.PublicId``, ``Instant``, ``Day``). The first tests walk the served
document; the journey checks real answers against it with format checking on.
"""

import datetime as dt
from typing import Any
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from selfwork.payments.gateways import CARD_SUCCEEDS

DOCUMENT = "/api/v1/openapi.json"
BASE = "urn:selfwork:openapi"

# Response properties named ``id``, ``*_id`` or ``*_at`` that are genuinely
# neither a UUID nor a date-time, and what they are instead.
NOT_UUID_OR_INSTANT = {
    # A portfolio item's row number: DELETE /members/me/portfolio/{item_id}.
    "PortfolioItemOut.id",
    # The X-Request-ID a proxy sent (any plain token), or the server's own.
    "Problem.request_id",
    # The webhook-id header: "msg_" and 32 hex digits (Standard Webhooks).
    "WebhookDeliveryOut.webhook_id",
}
# Path parameters named ``*_id`` that are not public ids.
PATH_IDS_NOT_UUID = {"item_id"}  # the portfolio item's row number


def _named_like_an_id_or_a_moment(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_at"))


def _responses(document: dict) -> set[str]:
    """The names of every component schema an answer may carry (transitively)."""
    schemas = document["components"]["schemas"]
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    visit(schemas[name])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for operations in document["paths"].values():
        for operation in operations.values():
            visit(operation.get("responses", {}))
    return found


def _formats(schema: dict) -> set[str | None]:
    """The formats a property's value may have (``null`` aside)."""
    branches = schema.get("anyOf", [schema])
    return {b.get("format") for b in branches if b.get("type") != "null"}


@pytest.fixture(scope="module")
def document() -> dict:
    from django.test import Client

    # Serving the document touches no database.
    return Client().get(DOCUMENT).json()


@pytest.mark.once
def test_every_id_and_moment_in_an_answer_declares_its_format(document):
    schemas = document["components"]["schemas"]
    responses = _responses(document)
    assert {"ExchangeOut", "PayoutOut", "Problem"} <= responses
    lacking = sorted(
        f"{name}.{prop}"
        for name in responses
        for prop, schema in schemas[name].get("properties", {}).items()
        if _named_like_an_id_or_a_moment(prop) and None in _formats(schema)
    )
    assert set(lacking) == NOT_UUID_OR_INSTANT
    # The allow-list names only properties that exist, so it cannot go stale.
    for entry in NOT_UUID_OR_INSTANT:
        name, prop = entry.split(".")
        assert prop in schemas[name]["properties"], entry


@pytest.mark.once
def test_ids_are_uuids_and_moments_date_times(document):
    schemas = document["components"]["schemas"]
    exchange = schemas["ExchangeOut"]["properties"]
    assert _formats(exchange["id"]) == {"uuid"}
    assert _formats(exchange["listing"]) == {"uuid"}
    assert _formats(exchange["created_at"]) == {"date-time"}
    # A nullable moment is a date-time or null.
    assert exchange["closed_at"]["anyOf"] == [
        {"type": "string", "format": "date-time"},
        {"type": "null"},
    ]
    assert _formats(schemas["BookingOut"]["properties"]["start"]) == {"date-time"}
    assert _formats(schemas["BriefOut"]["properties"]["deadline"]) == {"date"}
    # Ids that are slugs or usernames stay plain text.
    assert _formats(exchange["community"]) == {None}


@pytest.mark.once
def test_every_public_id_in_a_path_is_a_uuid(document):
    seen = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] != "path" or not name.endswith("_id"):
                    continue
                seen.add(name)
                expected = "uuid" if name not in PATH_IDS_NOT_UUID else None
                assert parameter["schema"].get("format") == expected, (
                    method,
                    path,
                    name,
                )
    assert {"exchange_id", "listing_id", "offer_id", "endpoint_id"} <= seen


# --- Real answers, checked against the document with formats on -----------------


class Contract:
    """Checks an answer against the operation's response schema in the document."""

    def __init__(self, document: dict):
        self.document = document
        self.registry = Registry().with_resource(
            BASE, Resource.from_contents(document, default_specification=DRAFT202012)
        )
        self.checker = Draft202012Validator.FORMAT_CHECKER

    def schema_of(self, method: str, path: str, status: int) -> dict:
        """A reference to the schema of the answer ``status`` of ``method path``."""
        content = self.document["paths"][f"/api/v1{path}"][method]["responses"][
            str(status)
        ]["content"]
        [media] = content
        steps = ["paths", f"/api/v1{path}", method, "responses", str(status)]
        steps += ["content", media, "schema"]
        # A JSON pointer into the document, as a URI fragment ("~1" is "/").
        pointer = "/".join(
            quote(step.replace("~", "~0").replace("/", "~1"), safe="") for step in steps
        )
        return {"$ref": f"{BASE}#/{pointer}"}

    def check(self, instance: Any, schema: dict) -> None:
        Draft202012Validator(
            schema, registry=self.registry, format_checker=self.checker
        ).validate(instance)

    def holds(self, response, method: str, path: str) -> dict:
        """Validate ``response`` as the answer of ``method path``; return its JSON."""
        body = response.json()
        self.check(body, self.schema_of(method, path, response.status_code))
        return body


@pytest.fixture(scope="module")
def contract(document) -> Contract:
    return Contract(document)


def test_format_checking_is_on(contract):
    """Without rfc3339-validator, jsonschema checks no date-time and says nothing."""
    assert {"uuid", "date-time", "date"} <= set(contract.checker.checkers)
    moment = {"type": "string", "format": "date-time"}
    contract.check("2026-11-21T09:00:00+00:00", moment)
    with pytest.raises(ValidationError):
        contract.check("2026-11-21 09:00:00", moment)
    with pytest.raises(ValidationError):
        contract.check("1930-01-01T00:00:00+00:19:32", moment)
    with pytest.raises(ValidationError):
        contract.check("guild", {"type": "string", "format": "uuid"})


def test_a_journey_answers_as_the_document_says(
    contract, api_as, community, provider, buyer, member_of
):
    member_of(community, provider)
    member_of(community, buyer)
    as_provider, as_buyer = api_as(provider), api_as(buyer)
    euros = {"amount": "120.00", "currency": "EUR"}

    # Given a service listing and a rental, created through the API,
    created = as_provider.post(
        "/listings",
        {
            "community": community.slug,
            "title": "Pet portrait",
            "modes": [
                {
                    "mode": "service",
                    "packages": [
                        {"name": "Portrait", "price": euros, "delivery_days": 5}
                    ],
                }
            ],
        },
    )
    assert created.status_code == 201, created.content
    listing = contract.holds(created, "post", "/listings")
    drill = as_provider.post(
        "/listings",
        {
            "community": community.slug,
            "title": "Cordless drill",
            "modes": [
                {
                    "mode": "rental",
                    "price": {"amount": "6.00", "currency": "EUR"},
                    "unit": "day",
                    "deposit": {"amount": "40.00", "currency": "EUR"},
                }
            ],
        },
    ).json()
    contract.holds(
        as_buyer.get(f"/listings/{listing['id']}"), "get", "/listings/{listing_id}"
    )
    contract.holds(
        as_buyer.get(f"/listings/{drill['id']}/availability"),
        "get",
        "/listings/{listing_id}/availability",
    )

    # when a buyer orders each and the portrait is paid, delivered and accepted,
    started = as_buyer.post("/exchanges", {"listing": listing["id"], "mode": "service"})
    assert started.status_code == 201, started.content
    exchange = contract.holds(started, "post", "/exchanges")
    first = dt.date.today() + dt.timedelta(days=10)
    rented = as_buyer.post(
        "/exchanges",
        {
            "listing": drill["id"],
            "mode": "rental",
            "start": first.isoformat(),
            "end": (first + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert contract.holds(rented, "post", "/exchanges")["booking"] is not None
    moves = [
        (as_buyer, {"name": "pay", "card": CARD_SUCCEEDS}),
        (as_provider, {"name": "deliver", "note": "Here it is."}),
        (as_buyer, {"name": "accept"}),
    ]
    for member, move in moves:
        moved = member.post(f"/exchanges/{exchange['id']}/transitions", move)
        assert moved.status_code == 200, moved.content
        contract.holds(moved, "post", "/exchanges/{exchange_id}/transitions")

    # then every answer, read again, holds to the document, formats included.
    read = contract.holds(
        as_buyer.get(f"/exchanges/{exchange['id']}"), "get", "/exchanges/{exchange_id}"
    )
    assert read["deliveries"] and read["events"]
    assert read["id"] == exchange["id"] and read["listing"] == listing["id"]
    assert read["closed_at"] is not None
    contract.holds(as_buyer.get("/exchanges"), "get", "/exchanges")
    entries = as_provider.get("/wallet/entries")
    assert contract.holds(entries, "get", "/wallet/entries")["items"]
    bank = as_provider.post(
        "/wallet/destinations",
        {"label": "Bank", "account_number": "NL91 ABNA 0417 1643 00"},
    )
    assert bank.status_code == 201, bank.content
    contract.holds(bank, "post", "/wallet/destinations")
    paid = as_provider.post(
        "/wallet/payouts", {"amount": {"amount": "10.00", "currency": "EUR"}}
    )
    assert paid.status_code == 201, paid.content
    assert contract.holds(paid, "post", "/wallet/payouts")["paid_at"] is not None
    contract.holds(as_provider.get("/wallet/payouts"), "get", "/wallet/payouts")
    missing = as_buyer.get("/exchanges/not-an-id")
    assert missing.status_code == 404
    assert contract.holds(missing, "get", "/exchanges/{exchange_id}")["code"] == (
        "exchange_not_found"
    )


def test_an_answer_that_breaks_its_format_is_caught(contract, api_as, buyer):
    """The journey's check can fail: a moment without its offset is refused."""
    answer = api_as(buyer).get("/members/me")
    me = answer.json()
    contract.holds(answer, "get", "/members/me")
    me["joined_at"] = me["joined_at"][:19]  # 2026-11-21T09:00:00, no offset
    with pytest.raises(ValidationError, match="date-time"):
        contract.check(me, contract.schema_of("get", "/members/me", 200))


def _enum_of(schema: dict) -> list | None:
    for branch in [schema, *schema.get("anyOf", [])]:
        if "enum" in branch:
            return branch["enum"]
    return None


@pytest.mark.django_db
def test_an_empty_query_choice_is_documented_exactly_when_it_is_accepted(
    document, api_as, community, host
):
    """A form leaves a choice it has no value for empty (``?sort=``): where the
    server takes that as "no choice", the document's enum lists "", and where it
    does not, the answer is a 422. A fuzzer found ``show_in=`` accepted though
    its enum left "" out, so every generated client would refuse to send it."""
    api = api_as(host)
    checked = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        parameters = operation.get("parameters", [])
        concrete = path.replace("{slug}", community.slug)
        if "{" in concrete:
            continue
        for parameter in parameters:
            if parameter["in"] != "query":
                continue
            choices = _enum_of(parameter["schema"])
            if choices is None:
                continue
            answer = api.get(concrete.removeprefix("/api/v1"), {parameter["name"]: ""})
            name = f"GET {path}?{parameter['name']}="
            checked.append(name)
            if "" in choices:
                assert answer.status_code == 200, (name, answer.content[:300])
            else:
                assert answer.status_code == 422, (name, answer.status_code)
    assert len(checked) >= 5, checked


@pytest.mark.django_db
def test_an_accent_colour_the_document_allows_is_accepted(
    document, api_as, community, host
):
    """The document's limits on a branding colour are the server's: surrounding
    spaces are allowed, within the same 20 characters the server counts."""
    schema = document["components"]["schemas"]["CommunityUpdateIn"]["properties"][
        "accent_color"
    ]
    string = next(b for b in schema["anyOf"] if b.get("type") == "string")
    api = api_as(host)
    padded = "#1d4ed8".center(string["maxLength"])
    answer = api.patch(f"/communities/{community.slug}", {"accent_color": padded})
    assert answer.status_code == 200, answer.content
    assert answer.json()["accent_color"] == "#1d4ed8"
    too_long = "#1d4ed8".center(string["maxLength"] + 1)
    answer = api.patch(f"/communities/{community.slug}", {"accent_color": too_long})
    assert answer.status_code == 422


# Query parameters and request fields that take a day or a moment.
PERIOD_PARAMETERS = {"from", "to", "available_from", "available_to"}
PERIOD_FIELDS = {"start", "end"}


def test_every_period_bound_a_request_takes_is_a_date_or_a_date_time(document):
    """A rental's start and end, a calendar's from and to: a generated client
    offers a date or a datetime for them, not a bare string."""
    schemas = document["components"]["schemas"]
    found = []
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] in PERIOD_PARAMETERS:
                    found.append((parameter["name"], parameter["schema"]))
    for name, schema in schemas.items():
        if name.endswith("In"):
            for field, value in schema.get("properties", {}).items():
                if field in PERIOD_FIELDS:
                    found.append((f"{name}.{field}", value))
    assert len(found) >= 8, found
    for name, schema in found:
        assert {"date", "date-time"} <= _formats(schema), name


@pytest.mark.parametrize(
    "text, taken",
    [
        ("2026-12-24", True),
        ("2026-12-24T10:00:00+01:00", True),
        ("2026-12-24T10:00:00.250Z", True),
        ("2026-12-24T10:00:00", False),  # no offset: which zone?
        ("2026-12-24 10:00:00+01:00", False),
        ("24.12.2026", False),
    ],
)
def test_the_documented_period_bound_is_what_the_server_takes(document, text, taken):
    from selfwork.catalog.calendar import instant_parse
    from selfwork.catalog.errors import PeriodInvalid

    schema = document["components"]["schemas"]["BlockedIn"]["properties"]["start"]
    validator = Draft202012Validator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert validator.is_valid(text) == taken
    try:
        instant_parse(text, zone=dt.UTC, field="start")
    except PeriodInvalid:
        assert not taken
    else:
        assert taken
