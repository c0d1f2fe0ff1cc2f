"""Payment references that are exchanges, described for the wallet."""

import uuid

from django.urls import reverse

from selfwork.exchanges.models import Exchange
from selfwork.payments.references import ReferenceLabel, reference_describer


def _exchange_id(reference: str) -> uuid.UUID | None:
    """An exchange's escrow reference is its id, or its id and a milestone (``:m2``)."""
    try:
        return uuid.UUID(reference.split(":", 1)[0])
    except ValueError:
        return None


@reference_describer
def exchange_references(references: list[str]) -> dict[str, ReferenceLabel]:
    """Label each reference that belongs to an exchange with its title and parties."""
    ids = {ref: _exchange_id(ref) for ref in references}
    rows = Exchange.objects.filter(
        public_id__in={i for i in ids.values() if i is not None}
    ).select_related("customer", "provider")
    by_id = {row.public_id: row for row in rows}
    labels = {}
    for ref, exchange_id in ids.items():
        exchange = by_id.get(exchange_id) if exchange_id is not None else None
        if exchange is None:
            continue
        labels[ref] = ReferenceLabel(
            title=exchange.title,
            link=reverse("web:exchange", kwargs={"public_id": exchange.public_id}),
            customer=exchange.customer.name,
            provider=exchange.provider.name,
        )
    return labels
