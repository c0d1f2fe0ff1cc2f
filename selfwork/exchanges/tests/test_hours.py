"""Time credits: a process that moves hours runs ``credit_hours`` through the ledger.

The hours move in the exchange's community's time bank, within its floor.
"""

import pytest

from selfwork.communities.errors import InsufficientHours
from selfwork.communities.services import community_update
from selfwork.communities.timebank import hours_ref
from selfwork.core.money import Money
from selfwork.exchanges import services
from selfwork.exchanges.terms import LineItem, Terms
from selfwork.ledger.models import Account

pytestmark = pytest.mark.django_db

HOURS_PROCESS = """
name = "hours"
initial = "requested"

[states.requested]
description = "Asked for; the helper confirms it happened."

[states.done]
description = "Done; the hours moved."
terminal = true
success = true

[states.declined]
description = "Did not happen."
terminal = true

[transitions.confirm]
from = "requested"
to = "done"
actor = "customer"
actions = ["credit_hours"]

[transitions.decline]
from = "requested"
to = "declined"
actor = ["provider", "operator"]

[transitions.lapse]
from = "requested"
to = "declined"
actor = "system"
after = "P7D"
"""


@pytest.fixture
def hours_exchange(tmp_path, settings, guild, host, buyer, provider, now):
    community_update(
        community=guild,
        actor=host,
        changes={
            "timebank_enabled": True,
            "timebank_floor": {"amount": "-10", "currency": "HOUR"},
        },
        now=now,
    )
    (tmp_path / "hours.toml").write_text(HOURS_PROCESS)
    settings.SELFWORK_PROCESS_DIR = str(tmp_path)

    def start(amount):
        return services.exchange_start(
            process="hours",
            customer=buyer,
            provider=provider,
            community=guild,
            terms=Terms(
                line_items=[LineItem("Fixing a bike", Money.parse(amount, "HOUR"))],
                currency="HOUR",
            ),
            now=now,
        )

    return start


def hours_of(member, community):
    account = Account.objects.filter(
        kind="member_hours", owner_ref=hours_ref(community, member)
    ).first()
    return account.balance_minor if account else 0


def test_confirming_moves_the_hours_from_customer_to_provider(
    hours_exchange, move, buyer, provider, guild
):
    exchange = move(hours_exchange("1.50"), buyer, "confirm")
    assert exchange.state == "done"
    assert (hours_of(buyer, guild), hours_of(provider, guild)) == (-150, 150)


def test_no_one_goes_below_the_time_credit_floor(hours_exchange, move, buyer, guild):
    exchange = hours_exchange("12.00")
    with pytest.raises(InsufficientHours):
        move(exchange, buyer, "confirm")
    exchange.refresh_from_db()
    assert exchange.state == "requested"
    assert hours_of(buyer, guild) == 0
