"""``{% load commissions %}``: how full a provider's commission slots are."""

from django import template

from selfwork.exchanges.selectors import CommissionQueue, commission_queue

register = template.Library()


@register.simple_tag
def commission_queue_of(member) -> CommissionQueue:
    """``{% commission_queue_of member as queue %}``: slots free, or the queue's length."""
    return commission_queue(provider=member)
