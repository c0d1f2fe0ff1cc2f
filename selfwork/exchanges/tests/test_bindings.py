"""Mode → process is data: a host binds a mode to an operator's own process file.

The process below uses only the engine's existing parameters, guards and
actions; it is installed from a temporary folder and runs through the API and
the web room with no code change.
"""

import pytest

from selfwork.exchanges.models import Exchange
from selfwork.ledger.audit import ledger_audit
from selfwork.payments.audit import payments_audit_checks
from selfwork.payments.gateways import CARD_SUCCEEDS
from selfwork.payments.models import Release

pytestmark = pytest.mark.django_db

QUICK_SALE = """
name = "quick_sale"
title = "Quick sale"
description = "Paid into escrow, handed over in person, released on the spot."
initial = "awaiting_payment"

[states.awaiting_payment]
description = "The customer pays into escrow."

[states.paid]
label = "Paid, to collect"
description = "Paid; the customer collects it from the maker."

[states.completed]
description = "Handed over; the maker was paid."
terminal = true
success = true

[states.cancelled]
description = "Nothing was paid."
terminal = true

[transitions.pay]
from = "awaiting_payment"
to = "paid"
actor = "customer"
actions = ["charge", "notify"]
params = ["card"]

[transitions.lapse]
from = "awaiting_payment"
to = "cancelled"
actor = "system"
after = "P2D"

[transitions.withdraw]
label = "Withdraw"
from = "awaiting_payment"
to = "cancelled"
actor = ["customer", "provider"]
style = "danger"

[transitions.hand_over]
label = "Hand over"
description = "Give it to the customer: escrow is released to you."
from = "paid"
to = "completed"
actor = "provider"
actions = ["release", "notify"]
params = ["photos", "note"]

[transitions.collect_automatically]
from = "paid"
to = "completed"
actor = "system"
at = ["entered + P7D"]
actions = ["release", "notify"]
"""


@pytest.fixture
def quick_sale(settings, tmp_path):
    """The operator's process folder, holding quick_sale.toml."""
    (tmp_path / "quick_sale.toml").write_text(QUICK_SALE)
    settings.SELFWORK_PROCESS_DIR = str(tmp_path)
    return tmp_path


def bind(api, community, mode, process):
    return api.put(f"/processes/bindings/{community.slug}/{mode}", {"process": process})


class TestBinding:
    def test_a_host_binds_a_mode_to_an_installed_process(
        self, quick_sale, api_as, host, guild
    ):
        response = bind(api_as(host), guild, "made_to_order", "quick_sale")

        assert response.status_code == 200, response.content
        modes = {b["mode"]: b for b in response.json()["items"]}
        assert modes["made_to_order"] == {
            "mode": "made_to_order",
            "process": "quick_sale",
            "default": False,
        }
        assert modes["service"]["process"] == "commission"
        assert modes["service"]["default"] is True

    def test_binding_back_to_the_default_removes_the_binding(
        self, quick_sale, api_as, host, guild
    ):
        bind(api_as(host), guild, "made_to_order", "quick_sale")
        response = bind(api_as(host), guild, "made_to_order", "purchase")
        modes = {b["mode"]: b for b in response.json()["items"]}
        assert modes["made_to_order"]["default"] is True

    def test_only_a_host_binds(self, quick_sale, api_as, provider, guild):
        response = bind(api_as(provider), guild, "made_to_order", "quick_sale")
        assert response.status_code == 403
        assert response.json()["code"] == "not_host"

    def test_an_unknown_process_is_refused(self, api_as, host, guild):
        response = bind(api_as(host), guild, "made_to_order", "no_such_thing")
        assert response.status_code == 404
        assert response.json()["code"] == "process_not_found"

    def test_an_unknown_mode_is_refused(self, quick_sale, api_as, host, guild):
        response = bind(api_as(host), guild, "haggle", "quick_sale")
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_mode"

    def test_a_process_that_charges_cannot_run_terms_without_a_price(
        self, quick_sale, host, guild, now
    ):
        from selfwork.core.errors import InvalidInput
        from selfwork.core.money import Money
        from selfwork.exchanges.services import exchange_start
        from selfwork.exchanges.terms import LineItem, Terms

        with pytest.raises(InvalidInput) as refused:
            exchange_start(
                process="quick_sale",
                customer=host,
                provider=guild.created_by,
                community=guild,
                terms=Terms(
                    line_items=[LineItem("A seedling", Money(0, "EUR"))],
                    currency="EUR",
                ),
                now=now,
            )
        assert refused.value.code in ("process_mismatch", "self_exchange")


class TestAnOperatorsProcessRuns:
    def test_through_the_api_and_the_room_with_no_code_change(
        self, quick_sale, api_as, browse_as, host, buyer, provider, guild, bag
    ):
        bound = bind(api_as(host), guild, "made_to_order", "quick_sale")
        assert bound.status_code == 200, bound.content
        customer = api_as(buyer)
        created = customer.post(
            "/exchanges",
            {
                "listing": str(bag.public_id),
                "mode": "made_to_order",
                "options": {"Size": "Small"},
            },
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["process"], body["state"]) == ("quick_sale", "awaiting_payment")
        assert body["transitions"] == ["pay", "withdraw"]
        options = {o["name"]: o for o in body["transition_options"]}
        assert options["pay"]["pays"] is True
        assert options["withdraw"]["style"] == "danger"

        paid = customer.post(
            f"/exchanges/{body['id']}/transitions",
            {"name": "pay", "card": CARD_SUCCEEDS},
        )
        assert paid.status_code == 200, paid.content
        assert paid.json()["state"] == "paid"

        exchange = Exchange.objects.get(public_id=body["id"])
        page = browse_as(provider).get(f"/exchanges/{exchange.public_id}/")
        html = page.content.decode()
        assert 'value="hand_over"' in html
        assert 'name="photos"' in html and 'accept="image/*"' in html
        handed = browse_as(provider).post(
            f"/exchanges/{exchange.public_id}/",
            {"action": "transition", "name": "hand_over", "note": "Enjoy it!"},
        )
        assert handed.status_code == 302, handed.content.decode()[:500]

        exchange.refresh_from_db()
        assert exchange.state == "completed"
        assert Release.objects.get(reference=str(exchange.public_id)).gross_minor == (
            8_000
        )
        report = ledger_audit(extra_checks=payments_audit_checks())
        assert report.ok, report.render()

    def test_the_timer_at_a_moment_fires(
        self, quick_sale, api_as, host, buyer, guild, bag, now
    ):
        import datetime as dt

        from selfwork.exchanges.tasks import timers_run_due

        bind(api_as(host), guild, "made_to_order", "quick_sale")
        customer = api_as(buyer)
        body = customer.post(
            "/exchanges",
            {
                "listing": str(bag.public_id),
                "mode": "made_to_order",
                "options": {"Size": "Small"},
            },
        ).json()
        customer.post(
            f"/exchanges/{body['id']}/transitions",
            {"name": "pay", "card": CARD_SUCCEEDS},
        )
        exchange = Exchange.objects.get(public_id=body["id"])
        timer = exchange.timers.get(done=False)
        assert timer.transition == "collect_automatically"
        assert timer.due_at - exchange.state_entered_at == dt.timedelta(days=7)

        timers_run_due(now=timer.due_at + dt.timedelta(minutes=1))
        exchange.refresh_from_db()
        assert exchange.state == "completed"
