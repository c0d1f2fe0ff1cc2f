"""Generation counters: exact invalidation for cached reads.

A read that may be cached is keyed with ``generation_get(NAME)``; every write
that changes what it shows calls ``generation_bump(NAME)`` in its transaction.
The counter lives in the database, so every app server and worker sees one
value, and it sits in ``core`` so that any layer may bump it: the accounts
(a display name), the communities (a name, a visibility) and the catalog (a
card) all change what a page of listings shows.
"""

from django.db.models import F

from selfwork.core.models import Generation

# What a page of listings shows an anonymous visitor.
LISTINGS = "listings"


def generation_get(name: str) -> int:
    """The current value of counter ``name`` (0 before its first bump)."""
    value = Generation.objects.filter(name=name).values_list("value", flat=True)
    return next(iter(value), 0)


def generation_bump(name: str) -> None:
    """Move counter ``name`` on, in the caller's transaction."""
    if not Generation.objects.filter(name=name).update(value=F("value") + 1):
        Generation.objects.get_or_create(name=name)
        Generation.objects.filter(name=name).update(value=F("value") + 1)
