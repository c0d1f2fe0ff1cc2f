"""Generation counters: exact invalidation for cached reads.

A read that may be cached is keyed with ``generation_get(NAME)``; every write
that changes what it shows calls ``generation_bump(NAME)`` in its transaction.
The counter lives in the database, so every app server and worker sees one
value, and it sits in ``core`` so that any layer may bump it: the accounts
(a display name), the communities (a name, a visibility) and the catalog (a
card) all change what a page of listings shows.
"""

from django.db.models import F

from selfwork.core.compiled import CompiledRead, Slot
from selfwork.core.models import Generation

# What a page of listings shows an anonymous visitor.
LISTINGS = "listings"


# Every cached read asks for its counter: this SQL is written once.
_value_read = CompiledRead(
    Generation,
    lambda shape: Generation.objects.filter(
        name=Slot("name", Generation._meta.get_field("name"))
    ).values_list("value"),
)


def generation_get(name: str) -> int:
    """The current value of counter ``name`` (0 before its first bump)."""
    found = _value_read.rows(name=name)
    return found[0][0] if found else 0


def generation_bump(name: str) -> None:
    """Move counter ``name`` on, in the caller's transaction."""
    if not Generation.objects.filter(name=name).update(value=F("value") + 1):
        Generation.objects.get_or_create(name=name)
        Generation.objects.filter(name=name).update(value=F("value") + 1)
