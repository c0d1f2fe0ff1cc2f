"""A client generated from the OpenAPI document runs a commission and a rental.

``openapi-python-client`` writes a typed Python package from the document the
server serves; the journeys below call only that package (its functions, its
request and response models), as a builder's integration would. Requests go
through the WSGI application into the real database.
"""

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from selfwork.payments.gateways import CARD_SUCCEEDS

# The contract a generated client holds is the OpenAPI document and the API
# above the services; the engines are compared by the API tests themselves.
pytestmark = [pytest.mark.once, pytest.mark.slow]

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker):
    """The ``selfwork_client`` package, generated from /api/v1/openapi.json."""
    from django.test import Client

    where = tmp_path_factory.mktemp("client")
    document = Client().get("/api/v1/openapi.json")
    assert document.status_code == 200
    (where / "openapi.json").write_bytes(document.content)
    (where / "config.json").write_text(
        json.dumps(
            {
                # Enum members named after values clash for time zones such as
                # Etc/GMT+0 and Etc/GMT-0; literals keep every value as itself.
                "literal_enums": True,
                "package_name_override": "selfwork_client",
            }
        )
    )
    subprocess.run(
        [
            BIN / "openapi-python-client",
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.json",
            "--meta",
            "none",
            "--output-path",
            "selfwork_client",
        ],
        cwd=where,
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"},
        timeout=120,
    )
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module("selfwork_client")
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m.split(".")[0] == "selfwork_client"]:
            del sys.modules[name]


class Journey:
    """Calls of the generated package, as one member or nobody."""

    def __init__(self, package):
        import httpx

        from selfwork.config.wsgi import application

        self.package = package
        self.transport = httpx.WSGITransport(app=application)
        self.base_url = "http://testserver"

    def anonymous(self):
        return self.package.Client(
            base_url=self.base_url, httpx_args={"transport": self.transport}
        )

    def member(self, token):
        return self.package.AuthenticatedClient(
            base_url=self.base_url,
            token=token,
            httpx_args={"transport": self.transport},
        )

    def module(self, name):
        return importlib.import_module(f"selfwork_client.{name}")

    def call(self, operation, status, *args, **kwargs):
        """Call ``api.<tag>.<operation>``; the answer must have ``status``."""
        tag, _, name = operation.partition(".")
        function = self.module(f"api.{tag}.{name}")
        response = function.sync_detailed(*args, **kwargs)
        assert response.status_code == status, response.content
        return response.parsed

    def model(self, name, data):
        """A request model of the package, from ``data`` (checked by its own types)."""
        return getattr(self.module("models"), name).from_dict(data)

    def move(self, exchange, member, name, **params):
        """Take transition ``name`` of ``exchange`` as ``member``."""
        return self.call(
            "exchanges.exchange_transition",
            200,
            exchange.id,
            client=member,
            body=self.model("TransitionIn", {"name": name, **params}),
        )

    def rent(self, member, listing, first, days, status=201):
        return self.call(
            "exchanges.exchange_create",
            status,
            client=member,
            # The listing's id is a UUID in the answer and in the request alike;
            # the period's days are dates (the model takes a date or a datetime).
            body=self.module("models").ExchangeIn(
                listing=listing.id,
                mode="rental",
                start=first,
                end=first + dt.timedelta(days=days),
            ),
        )

    def sign_up(self, username):
        signed = self.call(
            "auth.signup",
            201,
            client=self.anonymous(),
            body=self.model(
                "SignupIn",
                {
                    "username": username,
                    "email": f"{username}@example.org",
                    "password": "a long enough passphrase",
                },
            ),
        )
        return self.member(signed.token)


@pytest.fixture
def journey(generated):
    return Journey(generated)


@pytest.fixture
def market(journey):
    """A host's community, with a provider and a customer who joined it."""
    host = journey.sign_up("hana")
    journey.call(
        "communities.community_create",
        201,
        client=host,
        body=journey.model(
            "CommunityIn",
            {"slug": "makers", "name": "Makers", "currency": "EUR", "fee_percent": "5"},
        ),
    )
    provider, customer = journey.sign_up("priya"), journey.sign_up("bruno")
    for member in (provider, customer):
        journey.call("communities.community_join", 200, "makers", client=member)
    return provider, customer


def money(amount):
    return {"amount": amount, "currency": "EUR"}


@pytest.mark.django_db(transaction=True)
def test_a_commission_from_listing_to_paid_provider(journey, market):
    provider, customer = market
    ExchangeOut = journey.module("models").ExchangeOut
    listing = journey.call(
        "listings.listing_create",
        201,
        client=provider,
        body=journey.model(
            "ListingIn",
            {
                "community": "makers",
                "title": "Pet portrait",
                "modes": [
                    {
                        "mode": "service",
                        "packages": [
                            {
                                "name": "Portrait",
                                "price": money("120.00"),
                                "delivery_days": 5,
                            }
                        ],
                    }
                ],
            },
        ),
    )
    found = journey.call("listings.listings_search", 200, client=customer, q="portrait")
    assert [item.id for item in found.items] == [listing.id]

    exchange = journey.call(
        "exchanges.exchange_create",
        201,
        client=customer,
        body=journey.module("models").ExchangeIn(listing=listing.id, mode="service"),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(exchange, ExchangeOut)
    # The document says what the strings hold: the client reads a UUID and an
    # aware moment, not text.
    assert isinstance(exchange.id, uuid.UUID)
    assert exchange.created_at.tzinfo is not None
    assert (exchange.process, exchange.total.amount) == ("commission", "120.00")

    def move(member, name, **params):
        return journey.move(exchange, member, name, **params)

    assert move(customer, "pay", card=CARD_SUCCEEDS).state == "in_progress"
    assert move(provider, "deliver", note="Here it is.").state == "delivered"
    done = move(customer, "accept")
    assert done.state == "completed"

    wallet = journey.call("wallet.wallet_read", 200, client=provider)
    [eur] = [b for b in wallet.balances if b.currency == "EUR"]
    assert eur.available == "114.00"  # 120.00 less the community's 5 % fee


@pytest.mark.django_db(transaction=True)
def test_a_rental_is_booked_paid_and_approved(journey, market):
    provider, customer = market
    drill = journey.call(
        "listings.listing_create",
        201,
        client=provider,
        body=journey.model(
            "ListingIn",
            {
                "community": "makers",
                "title": "Cordless drill",
                "modes": [
                    {
                        "mode": "rental",
                        "price": money("6.00"),
                        "unit": "day",
                        "deposit": money("40.00"),
                    }
                ],
            },
        ),
    )
    first = dt.date.today() + dt.timedelta(days=10)
    rental = journey.rent(customer, drill, first, days=2)
    assert (rental.process, rental.total.amount) == ("rental", "12.00")
    assert rental.deposit.amount.amount == "40.00"
    taken = journey.rent(journey.sign_up("carla"), drill, first, days=1, status=409)
    assert taken.code == "slot_taken"

    paid = journey.move(rental, customer, "pay", card=CARD_SUCCEEDS)
    assert paid.state == "pending_approval"
    assert journey.move(rental, provider, "approve").state == "booked"
    wallet = journey.call("wallet.wallet_read", 200, client=customer)
    [eur] = [b for b in wallet.balances if b.currency == "EUR"]
    assert eur.deposits_held == "40.00"
