"""The anticipated failures of conversations, each declared once with its code.

Bad values are ``core.errors.InvalidInput`` (422) naming their field, with the
codes below; blocks are refusals (403); strangers get 404 from the selectors.
"""

from selfwork.core.errors import Conflict, InvalidInput, NotPermitted, declare


class CannotMessageSelf(InvalidInput):
    """A member wrote to themselves."""

    code = "cannot_message_self"
    title = "Cannot message yourself"


class UnknownMember(InvalidInput):
    """``to`` names no active member."""

    code = "unknown_member"
    title = "Unknown member"


class UnknownListing(InvalidInput):
    """``listing`` names no listing the sender may see."""

    code = "unknown_listing"
    title = "Unknown listing"


class ListingNotTheirs(InvalidInput):
    """A conversation about a listing is with the member who offers it."""

    code = "listing_not_theirs"
    title = "Listing of someone else"


class Blocked(NotPermitted):
    """The recipient blocked the sender: nothing is delivered or stored."""

    code = "blocked"
    title = "Blocked by the member"


class YouBlocked(NotPermitted):
    """The sender blocked the recipient; they unblock them to write again."""

    code = "you_blocked"
    title = "You blocked the member"


class AlreadyBlocked(Conflict):
    code = "already_blocked"
    title = "Already blocked"


class NotBlocked(Conflict):
    code = "not_blocked"
    title = "Not blocked"


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("conversation_not_found", 404, "No conversation of yours has that id."),
)
