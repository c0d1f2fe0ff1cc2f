"""The anticipated failures of exchanges, each with a stable ``code``."""

from selfwork.core.errors import Conflict, InvalidInput


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
