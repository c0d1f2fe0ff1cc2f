"""Writes for data requests: closing a member's account.

Closing keeps what others and the books rely on and erases who the member was:

- the account row stays under a pseudonym (``closed-<random>``) with no personal
  data on it, and can never log in again (``accounts.member_erase``);
- listings leave search and browse (hidden, not deleted: past exchanges point at
  them); open briefs are cancelled and live offers withdrawn;
- memberships end (``communities.community_leave``, so the last host of a
  community is asked to hand it over first);
- notifications, notification preferences, digests, blocks and the payout
  preference are deleted, and so are payout destinations no payout was paid to;
- exchanges, their timelines and messages, reviews, board posts and replies and
  conversations stay for the other members, shown as by "a former member";
- the ledger stays whole: its memos name no one, and its accounts are keyed by
  the member's public id, which nothing links to the person any more.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from selfwork.accounts.models import Member
from selfwork.accounts.services import member_erase, member_password_confirm
from selfwork.briefs.models import Brief, Offer
from selfwork.briefs.services import brief_cancel, offer_withdraw
from selfwork.catalog.models import Listing
from selfwork.catalog.services import listing_status_move
from selfwork.communities.models import Membership
from selfwork.communities.services import community_leave
from selfwork.conversations.models import Block
from selfwork.notifications.models import Digest, Notification, Preference
from selfwork.payments.models import PayoutDestination, PayoutPreference
from selfwork.privacy.errors import MoneyHeld, OpenExchanges
from selfwork.privacy.selectors import closure_blockers


def _blockers_check(member: Member) -> None:
    blockers = closure_blockers(member=member)
    if blockers.open_exchanges:
        count = len(blockers.open_exchanges)
        raise OpenExchanges(
            ngettext(
                "You have %(count)d open exchange. Finish or cancel it, then close "
                "your account.",
                "You have %(count)d open exchanges. Finish or cancel them, then "
                "close your account.",
                count,
            )
            % {"count": count},
            exchanges=blockers.open_exchanges,
        )
    if blockers.money:
        raise MoneyHeld(
            _(
                "Money is still held for you: %(reasons)s Close your account once "
                "it is settled."
            )
            % {"reasons": " ".join(blockers.money)},
            reasons=blockers.money,
        )


@transaction.atomic
def member_close(
    *, member: Member, now: dt.datetime, password: str | None, by_staff: bool = False
) -> Member:
    """Close ``member``'s account for good (see the module's docstring).

    The member confirms with their ``password``; staff acting on a member's
    request pass ``by_staff=True`` instead.

    :raises NotPermitted: ``wrong_password`` (403), unless ``by_staff``.
    :raises OpenExchanges: while the member is party to an unfinished exchange.
    :raises MoneyHeld: while money is held in escrow, as a deposit, in their
        wallet or on its way to them.
    :raises Conflict: ``last_host``, if they are the only host of a community.
    """
    if not by_staff:
        member_password_confirm(member=member, password=password)
    # One closure at a time per member: the checks below hold until commit.
    Member.objects.select_for_update().filter(pk=member.pk).values("pk").first()
    if member.closed_at is not None:
        return member
    _blockers_check(member)
    for listing_id in Listing.objects.filter(
        owner=member, status=Listing.Status.ACTIVE
    ).values_list("pk", flat=True):
        listing_status_move(
            listing_id=listing_id,
            source=(Listing.Status.ACTIVE,),
            target=Listing.Status.HIDDEN,
            now=now,
        )
    for brief in Brief.objects.filter(author=member, status=Brief.Status.OPEN):
        brief_cancel(brief=brief, author=member, now=now)
    for offer in Offer.objects.filter(provider=member, status__in=Offer.LIVE):
        offer_withdraw(offer=offer, provider=member, now=now)
    for membership in Membership.objects.filter(member=member).select_related(
        "community"
    ):
        community_leave(community=membership.community, member=member)
    Notification.objects.filter(member=member).delete()
    Preference.objects.filter(member=member).delete()
    Digest.objects.filter(member=member).delete()
    Block.objects.filter(Q(blocker=member) | Q(blocked=member)).delete()
    PayoutPreference.objects.filter(member=member).delete()
    PayoutDestination.objects.filter(member=member, payouts__isnull=True).delete()
    return member_erase(member=member, now=now)
