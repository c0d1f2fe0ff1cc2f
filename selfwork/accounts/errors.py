"""The anticipated failures of accounts, each with a stable ``code``."""

from selfwork.core.errors import RateLimited


class LoginRateLimited(RateLimited):
    """Too many log-in attempts for this account or from this address (429)."""

    code = "login_rate_limited"
    title = "Too many log-in attempts"
