"""``{% load sharing %}``: what a listing's page shows of its gifts and swaps."""

from django import template

from selfwork.catalog.models import Listing
from selfwork.catalog.selectors import listings_offered_for_swap
from selfwork.exchanges.forms import GiftRequestForm, SwapProposalForm
from selfwork.exchanges.selectors import ListingRequest, listing_requests_for_owner

register = template.Library()


@register.simple_tag
def listing_requests(listing: Listing, member) -> list[ListingRequest]:
    """The requests and proposals for ``listing``, when ``member`` owns it."""
    return listing_requests_for_owner(listing=listing, owner=member)


@register.simple_tag
def my_swap_listings(listing: Listing, member) -> list[Listing]:
    """``member``'s listings they could offer in return for ``listing``."""
    return list(listings_offered_for_swap(owner=member, community=listing.community))


@register.simple_tag
def has_mode(modes, mode: str) -> bool:
    """Whether a listing's ``modes`` include ``mode``."""
    return any(m.mode == mode for m in modes)


@register.simple_tag
def gift_request_form() -> GiftRequestForm:
    """An empty form to ask for a gift, for the listing's page."""
    return GiftRequestForm()


@register.simple_tag
def swap_proposal_form(offers: list[Listing]) -> SwapProposalForm:
    """An empty form to propose one of ``offers`` in a swap, for the listing's page."""
    return SwapProposalForm(offers=offers)
