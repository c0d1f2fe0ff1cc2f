"""The time bank's anticipated failures, each with a stable ``code``."""

from selfwork.core.errors import Conflict, InvalidInput, declare


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


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("already_member", 409, "The member belongs to the community already."),
    ("category_exists", 409, "The community has a category of that name already."),
    ("domain_taken", 409, "Another community has that domain already."),
    ("host_only", 403, "Only the community's hosts can do that."),
    ("invalid_ceiling", 422, "The time bank's ceiling is out of the range allowed."),
    ("invalid_color", 422, "A colour is # and six hex digits, e.g. #1d4ed8."),
    ("invalid_domain", 422, "A domain is a host name such as market.example.org."),
    ("invalid_percent", 422, "A percentage is not a number such as 5 or 7.5 in range."),
    ("invalid_slug", 422, "An address is 3 to 50 lower-case letters, digits and '-'."),
    ("invalid_starting_credit", 422, "The time bank's starting credit is negative."),
    ("invalid_visibility", 422, "Visibility is public, invite_only or private."),
    (
        "invitation_required",
        403,
        "The community is invite-only; a host invites members.",
    ),
    ("join_pending", 409, "A request to join is waiting for a host already."),
    ("last_host", 409, "The only host cannot leave or step down."),
    (
        "listing_field_exists",
        409,
        "The community has a listing field of that name already.",
    ),
    (
        "low_contrast",
        422,
        "The accent colour reads below 4.5:1 on the background or under white text.",
    ),
    ("minimum_fee_too_high", 422, "The minimum fee is more than the limit allowed."),
    ("moderator_only", 403, "Only the community's hosts and moderators can do that."),
    ("no_pending_request", 404, "The member has no request to join waiting."),
    ("not_a_member", 403, "Only members of the community can do that."),
    ("not_host", 403, "Only a host of the community may do that."),
    ("not_member", 404, "The member does not belong to the community."),
    ("slug_taken", 409, "The community address is taken."),
    (
        "starting_credit_above_ceiling",
        422,
        "The starting credit is more than the ceiling.",
    ),
)
