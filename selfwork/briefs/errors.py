"""The anticipated failures of briefs and offers, each with a stable ``code``.

Bad values are ``core.errors.InvalidInput`` (422) naming their field; these are
the conflicts with the state of a brief or an offer (409).
"""

from selfwork.core.errors import Conflict


class BriefClosed(Conflict):
    """The brief takes no more offers: one was accepted, or its author closed it."""

    code = "brief_closed"
    title = "Brief closed"


class OfferNotOpen(Conflict):
    """The offer was accepted, withdrawn, declined or has expired already."""

    code = "offer_not_open"
    title = "Offer not open"


class OfferExpired(Conflict):
    """The offer's expiry has passed; the provider may make a new one."""

    code = "offer_expired"
    title = "Offer expired"


class OfferExists(Conflict):
    """The provider already has an open offer on this brief."""

    code = "offer_exists"
    title = "Offer exists"


class CounterNotOpen(Conflict):
    """There is no open counter-proposal on the offer to answer."""

    code = "counter_not_open"
    title = "No open counter"
