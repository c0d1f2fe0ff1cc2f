"""The time bank's anticipated failures, each with a stable ``code``."""

from selfwork.core.errors import Conflict, InvalidInput


class InsufficientHours(Conflict):
    """Giving these hours would take the payer below the community's floor (409).

    Nothing moves; the same request may succeed once the payer has earned more.
    """

    code = "insufficient_hours"
    title = "Not enough hours"


class HoursCeilingReached(Conflict):
    """Receiving these hours would take the payee above the community's ceiling."""

    code = "hours_ceiling_reached"
    title = "Hours ceiling reached"


class TimebankDisabled(InvalidInput):
    """The community has no time bank, so nothing can be exchanged in hours."""

    code = "timebank_disabled"
