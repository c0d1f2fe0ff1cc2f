"""The anticipated failures of briefs and offers, each with a stable ``code``.

Bad values are ``core.errors.InvalidInput`` (422) naming their field; these are
the conflicts with the state of a brief or an offer (409).
"""

from selfwork.core.errors import Conflict, declare


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


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("brief_not_found", 404, "No brief has that id (or you may not see it)."),
    ("budget_range", 422, "The budget's minimum is more than its maximum."),
    ("counter_unchanged", 422, "A counter-proposal is the same as the offer."),
    ("deadline_past", 422, "The deadline has passed already."),
    ("deadline_too_far", 422, "The deadline is more than five years away."),
    ("invalid_date", 422, "A date is not written like 2026-12-24."),
    (
        "invalid_milestones",
        422,
        "Milestones are not a short list of titles and amounts.",
    ),
    ("invalid_number", 422, "A value is not a whole number."),
    (
        "invalid_usage_rights",
        422,
        "Usage rights are not a use and whether credit is due.",
    ),
    ("milestones_total", 422, "The milestones do not add up to the price."),
    ("not_provider", 403, "Only the provider who made the offer may do that."),
    ("offer_not_found", 404, "No offer has that id on the brief."),
    ("own_brief", 403, "A member cannot make an offer on their own brief."),
)
