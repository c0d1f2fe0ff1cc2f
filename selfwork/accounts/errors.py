"""The anticipated failures of accounts, each with a stable ``code``."""

from selfwork.core.errors import RateLimited, declare


class LoginRateLimited(RateLimited):
    """Too many log-in attempts for this account or from this address (429)."""

    code = "login_rate_limited"
    title = "Too many log-in attempts"


# Codes raised with a general class (``InvalidInput(..., code=…)``).
declare(
    __name__,
    ("bad_credentials", 401, "The username or password is wrong."),
    ("email_taken", 409, "An account with that e-mail address exists already."),
    ("invalid_email", 422, "The e-mail address is not one."),
    (
        "invalid_username",
        422,
        "A username is 3 to 30 lower-case letters, digits, '-' or '_'.",
    ),
    ("member_not_found", 404, "No active member has that username."),
    ("portfolio_full", 409, "The portfolio holds as many images as it may."),
    ("username_taken", 409, "The username is taken."),
    ("weak_password", 422, "The password is missing, too short or too common."),
    ("wrong_password", 403, "The password given to confirm a step is not yours."),
)
