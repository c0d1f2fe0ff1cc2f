"""The anticipated failures of exchanges, each with a stable ``code``."""

from selfwork.core.errors import Conflict, InvalidInput, declare


class InvalidTransition(Conflict):
    """The exchange is not in a state the transition leaves from (409)."""

    code = "invalid_transition"
    title = "Invalid transition"


class GuardFailed(Conflict):
    """The transition's condition does not hold now, e.g. no revisions are left."""

    code = "guard_failed"
    title = "Not possible now"


class CommissionsClosed(Conflict):
    """The provider takes no new commissions."""

    code = "commissions_closed"
    title = "Commissions closed"


class ProcessInvalid(InvalidInput):
    """A process file is refused by the validator; ``problems`` lists every reason."""

    code = "invalid_process"
    title = "Invalid process"


class PaymentPending(Conflict):
    """Escrow waits for a payment a host has yet to confirm (cash, a transfer)."""

    code = "payment_pending"
    title = "Payment pending"


class AlreadyConfirmed(Conflict):
    """The party confirmed their side of the exchange already (a swap's handover)."""

    code = "already_confirmed"
    title = "Already confirmed"


class AlreadySwapped(Conflict):
    """A listing of the swap was swapped in another exchange already."""

    code = "already_swapped"
    title = "Already swapped"


class GiftPromised(Conflict):
    """The gift is promised to someone already: give it once, or reopen it first."""

    code = "gift_promised"
    title = "Gift promised"


class AlreadyRequested(Conflict):
    """The member has an open request (or proposal) for this listing already."""

    code = "already_requested"
    title = "Already requested"


class ListingNotAvailable(Conflict):
    """The listing left the exchange's reach (hidden, given or swapped) meanwhile."""

    code = "listing_not_available"
    title = "Listing not available"


class NotYourListing(InvalidInput):
    """The listing offered in a swap is not the proposer's own."""

    code = "not_your_listing"


class ListingNotActive(InvalidInput):
    """The listing offered in a swap is hidden, promised, given or swapped."""

    code = "listing_not_active"


class OtherCommunity(InvalidInput):
    """The listing offered in a swap is in another community than the one asked for."""

    code = "other_community"


class SwapNotOffered(InvalidInput):
    """The listing offered in a swap does not have the swap mode."""

    code = "swap_not_offered"


class ReviewsNotOpen(Conflict):
    """The exchange has not ended successfully, so it cannot be reviewed yet."""

    code = "reviews_not_open"
    title = "Reviews not open"


class ReviewsClosed(Conflict):
    """The review window has closed and the exchange's reviews are published."""

    code = "reviews_closed"
    title = "Reviews closed"


class AlreadyReviewed(Conflict):
    """The party reviewed this exchange already; a review is written once."""

    code = "already_reviewed"
    title = "Already reviewed"


class AlreadyReplied(Conflict):
    """The reviewed member replied to this review already; a reply is written once."""

    code = "already_replied"
    title = "Already replied"


class ReviewNotPublished(Conflict):
    """The review is not published yet, so it cannot be answered or hidden."""

    code = "review_not_published"
    title = "Review not published"


class AlreadyHidden(Conflict):
    """A host or operator hid this review already."""

    code = "already_hidden"
    title = "Already hidden"


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("approval_needed", 409, "The owner approves each booking of the listing first."),
    (
        "booking_started",
        409,
        "The booking has started, so it can no longer be cancelled.",
    ),
    ("claim_exceeds_deposit", 422, "A claim asks for more than the deposit holds."),
    ("claim_window_closed", 409, "The 48 hours to claim after the return are over."),
    ("exchange_not_found", 404, "No exchange of yours has that id."),
    (
        "final_milestone",
        409,
        "The milestone is the last one; accept the exchange instead.",
    ),
    ("invalid_rating", 422, "A rating is a whole number from 1 to 5."),
    ("listing_available", 409, "The listing is still available."),
    (
        "milestones_left",
        409,
        "Milestones remain; accept the current milestone instead.",
    ),
    ("milestones_mismatch", 422, "The milestones do not add up to the total."),
    ("mode_not_orderable", 422, "The listing's mode is not one that takes orders."),
    ("no_resolution", 422, "No resolution was recorded for the exchange yet."),
    ("no_revisions_left", 409, "Every revision the terms allow was used."),
    ("not_a_host", 403, "Only the community's hosts and operators may do that."),
    ("not_a_party", 422, "Only a party to the exchange confirms their side."),
    (
        "not_a_request",
        409,
        "The customer asked for the exchange; the provider answers it.",
    ),
    ("not_an_image_upload", 422, "Photos must be image uploads."),
    ("not_both_confirmed", 409, "Both parties confirm their side first."),
    ("not_in_hours", 422, "Only an exchange in hours takes hours."),
    ("not_reviewed_member", 403, "Only the member a review is about may reply to it."),
    (
        "option_required",
        422,
        "The listing asks for a choice of an option that is missing.",
    ),
    ("package_required", 422, "A service with packages needs one chosen."),
    ("process_mismatch", 422, "The terms do not fit the process (a price, hours)."),
    ("process_not_found", 404, "There is no process of that name."),
    ("review_not_found", 404, "No review has that id on the exchange."),
    ("self_exchange", 422, "A member cannot exchange with themselves."),
    ("sub_ratings_by_customer", 422, "Only the customer gives the detailed ratings."),
    ("unknown_option", 422, "The listing has no such option."),
    ("unknown_package", 422, "The listing has no such package."),
    ("unknown_parameter", 422, "A transition was given a parameter it does not take."),
    ("unknown_prompt", 422, "The listing has no such personalisation prompt."),
    ("unknown_transition", 422, "The process has no transition of that name."),
)
