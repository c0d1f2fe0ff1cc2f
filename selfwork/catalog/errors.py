"""The anticipated failures of listing calendars and bookings, each with a stable ``code``.

A period that is wrong in itself (it ends before it starts, is not on the unit's
boundaries, is in the past, too short, too long or too far ahead) and one the
listing does not offer (outside its opening hours, across a blocked period) are
``InvalidInput`` (422): nothing is held. A period someone else holds already is a
conflict with the calendar's state (409): the same request may succeed once that
booking is released.
"""

from selfwork.core.errors import Conflict, InvalidInput, declare


class PeriodInvalid(InvalidInput):
    """The period ends before it starts, or has no length."""

    code = "period_invalid"


class PeriodInPast(InvalidInput):
    """The period starts before now (for days: before today, in the listing's zone)."""

    code = "period_in_past"


class PeriodMisaligned(InvalidInput):
    """The period does not start and end on the listing's unit (whole hours, midnights)."""

    code = "period_misaligned"


class PeriodTooShort(InvalidInput):
    """The period is shorter than the listing's minimum length."""

    code = "period_too_short"


class PeriodTooLong(InvalidInput):
    """The period is longer than the listing's maximum length."""

    code = "period_too_long"


class PeriodTooFarAhead(InvalidInput):
    """The period ends later than the listing may be booked ahead."""

    code = "period_too_far_ahead"


class NotAvailable(InvalidInput):
    """The listing is not offered for the period: outside opening hours or blocked."""

    code = "not_available"


class NotBookable(InvalidInput):
    """The listing has no calendar: it is offered neither for rent nor to lend."""

    code = "not_bookable"


class SlotTaken(Conflict):
    """Another booking holds part of the period (with its buffer) already."""

    code = "slot_taken"
    title = "Slot taken"


class ListingTaken(Conflict):
    """The listing was promised, given or swapped: its status is an exchange's now."""

    code = "listing_taken"
    title = "Listing taken"


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("blocked_not_found", 404, "The listing has no blocked period with that id."),
    ("currency_required", 422, "A price range needs the currency its amounts are in."),
    ("duplicate_mode", 422, "A mode appears twice on the listing."),
    ("mode_not_enabled", 422, "The community does not offer that mode."),
    ("period_incomplete", 422, "available_from and available_to go together."),
    ("range_too_long", 422, "A calendar is read at most a year at a time."),
    ("request_timebank_only", 422, "A request for help is offered in hours only."),
    ("unknown_category", 422, "The community has no such category."),
    ("unknown_field", 422, "The community has no such listing field."),
    ("unknown_sort", 422, "The sort is not one the search knows."),
)
