"""Move time credits from the one global account per member to each community's.

Before the time bank was per community, ``credit_hours`` kept one ``HOUR``
account per member (``member:<uuid>``). Hours are now held per community
(``hours:<slug>:<uuid>``; see ``communities.timebank``). For each old account
that holds hours, the hours each community's exchanges moved on it (its posted
legs, their transaction's reference naming the exchange) are carried to the
member's account in that community by one balanced ledger transaction, so the
audit stays whole and the history stays where it was. The communities whose
exchanges moved hours get their time bank enabled. A new account's floor is the
community's, or the balance carried if that is lower (a floor never puts an
account in breach).

Anything an old account holds that no exchange explains stays on it. The
transaction is posted through the ledger's one writer, under a key per old
account, so running this again changes nothing.
"""

import uuid
from collections import defaultdict

from django.db import migrations
from django.utils import timezone


def _exchange_id(reference: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(reference)
    except ValueError:
        return None


def hours_per_community(apps, schema_editor) -> None:
    # The ledger's writer keeps the checksums and chains the audit folds; the
    # ledger's tables are unchanged since its migrations this one depends on.
    from selfwork.ledger.models import Account, Leg
    from selfwork.ledger.services import account_get_or_create, transaction_post

    Exchange = apps.get_model("exchanges", "Exchange")
    Community = apps.get_model("communities", "Community")
    old_accounts = Account.objects.filter(
        kind="member_hours", owner_ref__startswith="member:"
    ).exclude(balance_minor=0)
    now = timezone.now()
    for account in old_accounts.order_by("pk"):
        legs = Leg.objects.filter(
            account=account, transaction__state="posted"
        ).values_list("transaction__reference", "amount_minor")
        by_exchange: dict[uuid.UUID, int] = defaultdict(int)
        for reference, amount in legs:
            exchange_id = _exchange_id(reference)
            if exchange_id is not None:
                by_exchange[exchange_id] += amount
        community_of = dict(
            Exchange.objects.filter(public_id__in=list(by_exchange)).values_list(
                "public_id", "community_id"
            )
        )
        nets: dict[int, int] = defaultdict(int)
        for exchange_id, amount in by_exchange.items():
            if exchange_id in community_of:
                nets[community_of[exchange_id]] += amount
        nets = {pk: net for pk, net in nets.items() if net}
        if not nets:
            continue
        member_id = account.owner_ref.removeprefix("member:")
        new_legs = []
        for community in Community.objects.filter(pk__in=list(nets)).order_by("pk"):
            if not community.timebank_enabled:
                community.timebank_enabled = True
                community.save(update_fields=["timebank_enabled"])
            net = nets[community.pk]
            target = account_get_or_create(
                kind="member_hours",
                owner_ref=f"hours:{community.slug}:{member_id}",
                unit="HOUR",
                now=now,
                floor_minor=min(community.timebank_floor_minor, net, 0),
                name=f"Hours in {community.slug}",
            )
            new_legs.append((target, net))
        moved = sum(net for _, net in new_legs)
        legs_out = [(account, -moved), *new_legs] if moved else new_legs
        if len(legs_out) < 2:
            continue
        transaction_post(
            kind="hours_per_community",
            legs=legs_out,
            idempotency_key=f"hours-per-community:{account.public_id}",
            now=now,
            memo="Time credits carried to each community's time bank",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0010_request_source"),
        ("communities", "0003_timebank"),
        ("ledger", "0003_sqlite_balance_by_posting"),
    ]

    operations = [
        migrations.RunPython(hours_per_community, migrations.RunPython.noop),
    ]
