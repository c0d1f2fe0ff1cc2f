"""Every path of the commission and purchase processes, through the HTTP API.

A provider publishes a service and a product; a buyer orders, pays with the
sandbox card and walks one path; the clock is moved forward for timers
(``timers_run_due``); after each path the whole ledger is audited and the
exchange's money is accounted for: escrow zero at the end, and provider net +
fee + refunds = captured.
"""

import datetime as dt

import pytest
from django.utils import timezone

from selfwork.exchanges.actions import payment_references
from selfwork.exchanges.audit import exchanges_audit_checks
from selfwork.exchanges.models import Exchange
from selfwork.exchanges.tasks import outbox_run, timers_run_due
from selfwork.ledger.audit import ledger_audit
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.gateways import CARD_DECLINED, CARD_SUCCEEDS
from selfwork.payments.selectors import reference_totals

pytestmark = pytest.mark.django_db


def money(amount):
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
def shop(api_as, community, provider, buyer, member_of):
    """A service (100.00, 1 revision) and a product (50.00) published by ``provider``."""
    member_of(community, provider)
    member_of(community, buyer)
    maker = api_as(provider)
    service = maker.post(
        "/listings",
        {
            "community": community.slug,
            "title": "Pet portrait",
            "modes": [
                {
                    "mode": "service",
                    "packages": [
                        {
                            "name": "Portrait",
                            "price": money("100.00"),
                            "delivery_days": 5,
                            "revisions": 1,
                        }
                    ],
                }
            ],
        },
    )
    product = maker.post(
        "/listings",
        {
            "community": community.slug,
            "title": "Knitted scarf",
            "modes": [{"mode": "made_to_order", "price": money("50.00")}],
        },
    )
    assert service.status_code == product.status_code == 201
    return {
        "commission": {"listing": service.json()["id"], "mode": "service"},
        "purchase": {"listing": product.json()["id"], "mode": "made_to_order"},
    }


# (process, steps, final state, (refunded, released) in minor units). A step is
# (role, transition, params) or ("clock", days) to fire the timers due by then.
PATHS = [
    ("commission", [("c", "pay"), ("p", "deliver"), ("c", "accept")], "completed",
     (0, 10000)),
    ("commission", [("c", "pay"), ("p", "deliver"), ("c", "request_changes"),
                    ("p", "deliver"), ("c", "accept")], "completed", (0, 10000)),
    ("commission", [("c", "pay"), ("p", "deliver"), ("clock", 3)], "completed",
     (0, 10000)),
    ("commission", [("c", "cancel")], "cancelled", (0, 0)),
    ("commission", [("p", "cancel")], "cancelled", (0, 0)),
    ("commission", [("c", "pay"), ("p", "decline")], "declined", (10000, 0)),
    ("commission", [("clock", 7)], "expired", (0, 0)),
    ("commission", [("c", "pay"), ("c", "dispute"), ("h", "resolve", 25),
                    ("clock", 7)], "resolved", (2500, 7500)),
    ("commission", [("c", "pay"), ("p", "deliver"), ("p", "dispute"),
                    ("h", "resolve", 100), ("clock", 7)], "resolved", (10000, 0)),
    ("commission", [("c", "pay"), ("p", "deliver"), ("c", "dispute"),
                    ("h", "resolve", 0), ("c", "appeal"), ("s", "review", 60)],
     "resolved", (6000, 4000)),
    ("commission", [("c", "pay"), ("s", "intervene"), ("s", "review", 100)],
     "resolved", (10000, 0)),
    ("purchase", [("c", "pay"), ("p", "start_production"), ("p", "ship"),
                  ("c", "confirm_receipt")], "completed", (0, 5000)),
    ("purchase", [("c", "pay"), ("p", "start_production"), ("p", "ship"),
                  ("clock", 14)], "completed", (0, 5000)),
    ("purchase", [("c", "cancel")], "cancelled", (0, 0)),
    ("purchase", [("c", "pay"), ("c", "cancel_and_refund")], "cancelled", (5000, 0)),
    ("purchase", [("c", "pay"), ("p", "cancel_and_refund")], "cancelled", (5000, 0)),
    ("purchase", [("clock", 7)], "expired", (0, 0)),
    ("purchase", [("c", "pay"), ("p", "start_production"), ("c", "dispute"),
                  ("h", "resolve", 0), ("clock", 7)], "resolved", (0, 5000)),
    ("purchase", [("c", "pay"), ("p", "start_production"), ("c", "dispute"),
                  ("h", "resolve", 0), ("p", "appeal"), ("s", "review", 50)],
     "resolved", (2500, 2500)),
]  # fmt: skip

PARAMS = {
    "pay": {"card": CARD_SUCCEEDS},
    "deliver": {"note": "Here you are."},
    "request_changes": {"note": "A little brighter."},
    "decline": {"reason": "Too busy."},
    "dispute": {"reason": "Not as agreed."},
    "appeal": {"reason": "The host did not look at the photos."},
    "intervene": {"reason": "Both parties wrote to support."},
    "ship": {"tracking": "Parcel RR123456785DE"},
}


def path_id(path):
    process, steps, final, _ = path
    return f"{process}:" + ">".join(str(s[1]) for s in steps) + f"={final}"


@pytest.mark.parametrize("path", PATHS, ids=[path_id(p) for p in PATHS])
def test_every_path_settles_the_money(
    path, shop, api_as, buyer, provider, host, make_member
):
    process, steps, final, (refunded, released) = path
    staff = make_member("olga", is_staff=True)
    parties = {
        "c": api_as(buyer),
        "p": api_as(provider),
        "h": api_as(host),
        "s": api_as(staff),
    }
    created = parties["c"].post("/exchanges", shop[process])
    assert created.status_code == 201, created.content
    exchange_id = created.json()["id"]
    assert created.json()["process"] == process

    for step in steps:
        if step[0] == "clock":
            timers_run_due(now=timezone.now() + dt.timedelta(days=step[1], minutes=1))
            continue
        role, name = step[0], step[1]
        body = {"name": name, **PARAMS.get(name, {})}
        if name in ("resolve", "review"):
            body["refund_percent"] = step[2]
            body["note"] = "Decided on the evidence."
        response = parties[role].post(f"/exchanges/{exchange_id}/transitions", body)
        assert response.status_code == 200, (name, response.content)

    state = parties["c"].get(f"/exchanges/{exchange_id}").json()
    assert state["state"] == final
    assert state["transitions"] == []
    exchange = Exchange.objects.get(public_id=exchange_id)
    totals = reference_totals(references=payment_references(exchange))
    captured = sum(t.captured.minor for t in totals)
    assert sum(t.escrow.minor for t in totals) == 0
    assert sum(t.refunded.minor for t in totals) == refunded
    assert sum(t.released.minor for t in totals) == released
    assert (
        sum(t.net.minor + t.fees.minor + t.refunded.minor for t in totals) == captured
    )
    report = ledger_audit(
        extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    assert report.ok, report.render()
    outbox_run(now=timezone.now() + dt.timedelta(days=30))


def test_a_declined_card_then_a_good_one(shop, api_as, buyer):
    customer = api_as(buyer)
    exchange_id = customer.post("/exchanges", shop["commission"]).json()["id"]
    path = f"/exchanges/{exchange_id}/transitions"
    declined = customer.post(path, {"name": "pay", "card": CARD_DECLINED})
    assert declined.status_code == 402
    assert declined.json()["code"] == "card_declined"
    paid = customer.post(path, {"name": "pay", "card": CARD_SUCCEEDS})
    assert paid.status_code == 200
    assert paid.json()["state"] == "in_progress"
