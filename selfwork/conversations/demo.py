"""The demo's conversations, read from ``demo_conversations.toml``, written through
the services (``conversation_start`` and ``message_send``).

One conversation is about the listing of the demo's first commission, between its
customer and provider, and ends before the commission was ordered: the exchange
room links it, as it would for a buyer who asked first.
"""

import datetime as dt
import tomllib
from pathlib import Path

from selfwork.accounts.models import Member
from selfwork.catalog.models import Listing
from selfwork.conversations import services
from selfwork.exchanges.models import Exchange

DATA = Path(__file__).with_name("demo_conversations.toml")


def _first_commission() -> Exchange | None:
    return (
        Exchange.objects.filter(process_name="commission", listing__isnull=False)
        .select_related("customer", "provider", "listing")
        .order_by("created_at", "pk")
        .first()
    )


def conversations_demo_seed(*, now: dt.datetime, data: Path = DATA) -> int:
    """Write the demo's conversations and their messages; return how many.

    A conversation whose members or listing the demo did not create is skipped,
    so a smaller demo still seeds.
    """
    plan = tomllib.loads(data.read_text())
    members = {m.username: m for m in Member.objects.all()}
    made = 0
    for spec in plan["conversation"]:
        people: dict[str, Member | None]
        if spec.get("exchange") == "first commission":
            exchange = _first_commission()
            if exchange is None:
                continue
            people = {"customer": exchange.customer, "provider": exchange.provider}
            listing: Listing | None = exchange.listing
            last = max(m["hours"] for m in spec["message"])
            started_at = exchange.created_at - dt.timedelta(
                hours=spec["hours_before"] + last
            )
        else:
            people = {"from": members.get(spec["from"]), "to": members.get(spec["to"])}
            listing = None
            if "listing" in spec:
                listing = (
                    Listing.objects.filter(title=spec["listing"]).order_by("pk").first()
                )
                if listing is None:
                    continue
            started_at = now - dt.timedelta(days=spec["days_ago"])
        found = {role: m for role, m in people.items() if m is not None}
        if len(found) != 2:
            continue
        first, *rest = spec["message"]
        writer = found[first["by"]]
        reader = next(m for m in found.values() if m != writer)
        conversation = services.conversation_start(
            sender=writer,
            to=reader.username,
            listing=str(listing.public_id) if listing else None,
            body=first["body"].strip(),
            now=started_at,
        ).conversation
        for message in rest:
            services.message_send(
                conversation=conversation,
                sender=found[message["by"]],
                body=message["body"].strip(),
                now=started_at + dt.timedelta(hours=message["hours"]),
            )
        made += 1
    return made
