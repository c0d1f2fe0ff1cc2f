"""``{% load wallet %}``: a member's balances for cards on other pages (dashboard)."""

from django import template

from selfwork.payments.selectors import WalletBalance, wallet_balances

register = template.Library()


@register.simple_tag
def balances_of(member) -> list[WalletBalance]:
    """``{% balances_of user as balances %}``: the member's balances per currency."""
    if member is None or not member.is_authenticated:
        return []
    return wallet_balances(member=member)
