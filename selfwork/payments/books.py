"""Which ledger account holds whose money: parties mapped to ledger owner references.

The ledger knows nothing about people; payments names its accounts:

==========================  =======================  =========================
account                     ledger kind              owner_ref
==========================  =======================  =========================
a member's wallet           ``member_wallet``        ``member:<member uuid>``
the escrow of a reference   ``escrow``               ``exchange:<reference>``
a reference's deposit held  ``deposit_held``         ``deposit:<reference>``
the operator's fee revenue  ``platform_fees``        ``platform``
a community's treasury      ``community_treasury``   ``community:<uuid>``
money in from a gateway     ``gateway_clearing``     ``gateway:<name>``
money out to a gateway      ``payout_clearing``      ``gateway:<name>``
==========================  =======================  =========================

Every account is opened on first use, in the unit of the money it holds.
``owner_names`` goes the other way, for the platform's books that the ledger
export writes: it names members by username and communities by slug.
"""

import datetime as dt
import re
import uuid
from collections.abc import Sequence

from django.utils.translation import gettext

from selfwork.accounts.models import Member
from selfwork.communities.models import Community
from selfwork.communities.timebank import HOURS_PREFIX
from selfwork.core.errors import InvalidInput
from selfwork.ledger.models import Account
from selfwork.ledger.services import (
    AccountWanted,
    account_get_or_create,
    accounts_get_or_create,
)

PLATFORM_REF = "platform"
ESCROW_PREFIX = "exchange:"
DEPOSIT_PREFIX = "deposit:"
# A reference must fit in an owner ref ("exchange:" + reference, 100 characters).
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,89}$")
PART = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MEMBER_PREFIX = "member:"
COMMUNITY_PREFIX = "community:"
# Ids looked up per query: well under SQLite's limit of bound parameters.
NAMES_CHUNK = 500


def reference_check(reference: object) -> str:
    """Return ``reference`` if it is an opaque id payments can name an escrow by.

    :raises InvalidInput: ``invalid_reference`` otherwise.
    """
    if not isinstance(reference, str) or not REFERENCE.match(reference):
        raise InvalidInput(
            gettext(
                "A reference is an opaque id of up to 90 letters, digits and ':._-'."
            ),
            field="reference",
            code="invalid_reference",
        )
    return reference


def part_check(part: object) -> str:
    """Return ``part`` ("" or a short lower-case slug that is not 'attempt-…')."""
    if part == "":
        return ""
    if not isinstance(part, str) or not PART.match(part) or part.startswith("attempt-"):
        raise InvalidInput(
            gettext("A part is a short lower-case name such as 'milestone-2'."),
            field="part",
            code="invalid_part",
        )
    return part


def member_ref(member) -> str:
    return f"member:{member.public_id}"


def escrow_ref(reference: str) -> str:
    return f"{ESCROW_PREFIX}{reference}"


def deposit_ref(reference: str) -> str:
    return f"{DEPOSIT_PREFIX}{reference}"


def community_ref(community) -> str:
    return f"community:{community.public_id}"


def gateway_ref(name: str) -> str:
    return f"gateway:{name}"


def wallet_wanted(member, unit: str) -> AccountWanted:
    """A member's wallet in ``unit``."""
    # Named by the public id, never the username: names outlive closed accounts.
    return AccountWanted(
        kind=Account.Kind.MEMBER_WALLET,
        owner_ref=member_ref(member),
        unit=unit,
        name=f"Wallet of member {member.public_id}",
    )


def escrow_wanted(reference: str, unit: str) -> AccountWanted:
    """The escrow of ``reference`` in ``unit``."""
    return AccountWanted(
        kind=Account.Kind.ESCROW,
        owner_ref=escrow_ref(reference),
        unit=unit,
        name=f"Escrow of {reference}",
    )


def deposit_held_wanted(reference: str, unit: str) -> AccountWanted:
    """The deposit held for ``reference`` in ``unit``."""
    return AccountWanted(
        kind=Account.Kind.DEPOSIT_HELD,
        owner_ref=deposit_ref(reference),
        unit=unit,
        name=f"Deposit held for {reference}",
    )


def platform_fees_wanted(unit: str) -> AccountWanted:
    """The operator's fee revenue in ``unit``."""
    return AccountWanted(
        kind=Account.Kind.PLATFORM_FEES,
        owner_ref=PLATFORM_REF,
        unit=unit,
        name="Platform fees",
    )


def treasury_wanted(community, unit: str) -> AccountWanted:
    """``community``'s treasury in ``unit``."""
    return AccountWanted(
        kind=Account.Kind.COMMUNITY_TREASURY,
        owner_ref=community_ref(community),
        unit=unit,
        name=f"Treasury of {community.slug}",
    )


def gateway_clearing_wanted(name: str, unit: str) -> AccountWanted:
    """Money in from the gateway ``name``, in ``unit``."""
    return AccountWanted(
        kind=Account.Kind.GATEWAY_CLEARING,
        owner_ref=gateway_ref(name),
        unit=unit,
        floor_minor=None,
        name=f"Gateway clearing ({name})",
    )


def payout_clearing_wanted(name: str, unit: str) -> AccountWanted:
    """Money out to the gateway ``name``, in ``unit``."""
    return AccountWanted(
        kind=Account.Kind.PAYOUT_CLEARING,
        owner_ref=gateway_ref(name),
        unit=unit,
        floor_minor=None,
        name=f"Payout clearing ({name})",
    )


def accounts_open(*wanted: AccountWanted, now: dt.datetime) -> list[Account]:
    """The accounts ``wanted``, in order, opened on first use: one query when open."""
    return accounts_get_or_create(wanted=wanted, now=now)


def _account(wanted: AccountWanted, now: dt.datetime) -> Account:
    return account_get_or_create(
        kind=wanted.kind,
        owner_ref=wanted.owner_ref,
        unit=wanted.unit,
        now=now,
        floor_minor=wanted.floor_minor,
        name=wanted.name,
    )


def wallet_account(member, unit: str, now: dt.datetime) -> Account:
    return _account(wallet_wanted(member, unit), now)


def escrow_account(reference: str, unit: str, now: dt.datetime) -> Account:
    return _account(escrow_wanted(reference, unit), now)


def deposit_held_account(reference: str, unit: str, now: dt.datetime) -> Account:
    return _account(deposit_held_wanted(reference, unit), now)


def platform_fees_account(unit: str, now: dt.datetime) -> Account:
    return _account(platform_fees_wanted(unit), now)


def treasury_account(community, unit: str, now: dt.datetime) -> Account:
    return _account(treasury_wanted(community, unit), now)


def gateway_clearing_account(name: str, unit: str, now: dt.datetime) -> Account:
    return _account(gateway_clearing_wanted(name, unit), now)


def payout_clearing_account(name: str, unit: str, now: dt.datetime) -> Account:
    return _account(payout_clearing_wanted(name, unit), now)


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _names_of(model, field: str, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    ordered = sorted(ids)
    found: dict[uuid.UUID, str] = {}
    for start in range(0, len(ordered), NAMES_CHUNK):
        found.update(
            model.objects.filter(
                public_id__in=ordered[start : start + NAMES_CHUNK]
            ).values_list("public_id", field)
        )
    return found


def owner_names(owner_refs: Sequence[str]) -> dict[str, str]:
    """Name the holders of ``owner_refs`` for the platform's books.

    A member's wallet (``member:<uuid>``) and hours (``hours:<slug>:<uuid>``)
    are named by the member's username, a treasury (``community:<uuid>``) by
    the community's slug. References this cannot name are left out; the export
    names those by the reference itself. Two queries per 500 of each.
    """
    members: dict[str, uuid.UUID] = {}
    communities: dict[str, uuid.UUID] = {}
    for ref in owner_refs:
        if ref.startswith(MEMBER_PREFIX):
            found = _uuid(ref.removeprefix(MEMBER_PREFIX))
            target = members
        elif ref.startswith(COMMUNITY_PREFIX):
            found = _uuid(ref.removeprefix(COMMUNITY_PREFIX))
            target = communities
        elif ref.startswith(HOURS_PREFIX) and ref.count(":") == 2:
            found = _uuid(ref.rsplit(":", 1)[1])
            target = members
        else:
            continue
        if found is not None:
            target[ref] = found
    usernames = _names_of(Member, "username", set(members.values()))
    slugs = _names_of(Community, "slug", set(communities.values()))
    names = {ref: usernames[id] for ref, id in members.items() if id in usernames}
    names.update({ref: slugs[id] for ref, id in communities.items() if id in slugs})
    return names
