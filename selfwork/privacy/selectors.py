"""Reads for data requests: what still stands in the way of closing an account."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from selfwork.accounts.models import Member
from selfwork.core.money import Money
from selfwork.exchanges.models import Exchange
from selfwork.payments.models import Charge, Deposit, Payout
from selfwork.payments.selectors import wallet_balances


@dataclass(frozen=True)
class ClosureBlockers:
    """What must be finished before ``member`` can close their account.

    ``open_exchanges`` are the public ids of exchanges not in a terminal state;
    ``money`` says, one sentence each, what money is still held for or by them.
    """

    open_exchanges: list[str]
    money: list[str]

    @property
    def none(self) -> bool:
        return not self.open_exchanges and not self.money


def closure_blockers(*, member: Member) -> ClosureBlockers:
    """Say what keeps ``member`` from closing their account (seven queries)."""
    open_exchanges = [
        str(public_id)
        for public_id in Exchange.objects.filter(
            Q(customer=member) | Q(provider=member), closed_at__isnull=True
        )
        .order_by("created_at", "pk")
        .values_list("public_id", flat=True)
    ]
    money = []
    for balance in wallet_balances(member=member):
        if balance.available.minor:
            money.append(
                _("%(amount)s in your wallet: pay it out first.")
                % {"amount": balance.available.format()}
            )
        if balance.escrow.minor:
            money.append(
                _("%(amount)s in escrow for your work.")
                % {"amount": balance.escrow.format()}
            )
        if balance.escrow_paid.minor:
            money.append(
                _("%(amount)s you paid is in escrow.")
                % {"amount": balance.escrow_paid.format()}
            )
        if balance.deposits_held.minor:
            money.append(
                _("%(amount)s held as a deposit on your card.")
                % {"amount": balance.deposits_held.format()}
            )
    for payout in Payout.objects.filter(
        member=member, status=Payout.Status.REQUESTED
    ).order_by("pk"):
        money.append(
            _("A payout of %(amount)s is still on its way.")
            % {"amount": Money(payout.amount_minor, payout.currency).format()}
        )
    if (
        Charge.objects.filter(
            Q(customer=member) | Q(provider=member), status=Charge.Status.PENDING
        ).exists()
        or Deposit.objects.filter(
            Q(customer=member) | Q(provider=member), status=Deposit.Status.PENDING
        ).exists()
    ):
        money.append(_("A payment awaits a host's confirmation."))
    return ClosureBlockers(open_exchanges=open_exchanges, money=money)
