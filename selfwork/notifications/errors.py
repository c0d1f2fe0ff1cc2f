"""The anticipated failures of notifications, each with a stable ``code``."""

from selfwork.core.errors import InvalidInput


class UnsubscribeLinkInvalid(InvalidInput):
    """An unsubscribe link this site did not sign, or one that was altered."""

    code = "unsubscribe_link_invalid"
    title = "Unsubscribe link invalid"
