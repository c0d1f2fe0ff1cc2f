"""What the OpenAPI document says of values services check themselves.

Services refuse a bad amount, currency, time zone or piece of plain text with
their own stable codes (``too_precise``, ``unknown_currency``, ``markup_not_allowed``);
pydantic must not refuse them first with ``invalid_input``. So these rules are
written here as JSON Schema, for the document only (``documented(...)`` and
``WithJsonSchema``), each beside the function that enforces it.

The patterns are regular expressions without look-arounds: a schema-driven
fuzzer must be able to generate strings that match them.
"""

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from selfwork.core.money import HOUR, MAX_MINOR, currencies, unit_exponent

COMPONENTS = "#/components/schemas/"
# pydantic resolves every "$ref" it meets while it builds a model's schema, and
# knows nothing of these; ``core.api`` turns the marker into the "$ref".
NAMED = "x-selfwork-schema"


def ref(name: str) -> dict[str, str]:
    """A reference to one of the ``SCHEMAS`` below, to merge into a field's schema."""
    return {NAMED: name}


def refs_resolve(node: Any) -> None:
    """Replace each ``ref(name)`` marker in a document with its "$ref"."""
    if isinstance(node, dict):
        if NAMED in node:
            node["$ref"] = COMPONENTS + node.pop(NAMED)
        for value in node.values():
            refs_resolve(value)
    elif isinstance(node, list):
        for value in node:
            refs_resolve(value)


# -- Plain text (``core.text.plain_check``) ----------------------------------------
# No control character but tab, line feed and carriage return; no "<" directly
# followed by a letter, "!", "?" or "/" and a letter (what a browser reads as a tag).
_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f"
_TAG_START = "a-zA-Z!?"


def _no_tag(control: str, *, required: bool = False) -> str:
    # Tokens: a character that is neither "<" nor refused, or a run of "<" (and
    # "</") followed by one that does not start a tag; the text may end in "<" or "</".
    char = f"[^<{control}]"
    run = f"<(?:<|/<)*(?:[^<{_TAG_START}/{control}]|/[^<{_TAG_START}{control}])"
    end = "(?:<(?:<|/<)*/?)?"
    if not required:
        return f"^(?:{char}|{run})*{end}$"
    # More than spaces: some token is a visible character or a run of "<".
    visible = f"[^\\s<{control}]"
    return (
        f"^(?:{char}|{run})*(?:{visible}|{run})(?:{char}|{run})*{end}$"
        f"|^(?:{char}|{run})*<(?:<|/<)*/?$"
    )


PLAIN = _no_tag(_CONTROL)
PLAIN_REQUIRED = _no_tag(_CONTROL, required=True)


def plain(*, max_length: int, required: bool = True) -> dict[str, Any]:
    """The schema keywords of text ``plain_check`` accepts (after stripping).

    A required text is more than spaces (plain_check strips it first).
    """
    return {
        "pattern": PLAIN_REQUIRED if required else PLAIN,
        "maxLength": max_length,
        **({"minLength": 1} if required else {}),
    }


# javascript:, vbscript: or data:, in any case (markdown_check's _SCRIPT_URL).
_SCRIPT_URL = (
    "\\b(?:[jJ][aA][vV][aA]|[vV][bB])[sS][cC][rR][iI][pP][tT]\\s*:"
    "|\\b[dD][aA][tT][aA]\\s*:"
)


def markdown(*, max_length: int, required: bool = False) -> dict[str, Any]:
    """The schema keywords of text ``markdown_check`` accepts (after stripping)."""
    return {
        "pattern": _no_tag("\\x00", required=required),
        "maxLength": max_length,
        "not": {"pattern": _SCRIPT_URL},
    }


# A list of short words (skills, languages, tags): each plain text of at most 40.
WORDS = {"maxItems": 20, "items": {"type": "string", **plain(max_length=40)}}
# Two letters, upper-cased by the service; spaces around are stripped.
COUNTRY_OR_EMPTY = "^\\s*(?:[A-Za-z]{2})?\\s*$"
# An id the caller got from POST /api/v1/uploads (``core.parse.upload_ids_parse``);
# no other value is accepted, so a fuzzer is told one (tests/test_openapi.py).
UPLOAD_ID = {"type": "string", "format": "upload"}


# -- Amounts (``core.money.Money.parse`` and ``core.parse.money_parse``) -----------
def _integer(digits: int, *, nonzero: bool) -> str:
    """An integer part of at most 16 digits whose value has at most ``digits`` digits."""
    # Money.parse takes up to 16 digits before the point, leading zeros included.
    # Each length of the significant part allows its own number of leading zeros.
    parts = [
        f"0{{0,{16 - size}}}[1-9][0-9]{{{size - 1}}}" for size in range(1, digits + 1)
    ]
    if not nonzero:
        parts.insert(0, "0{1,16}")
    return "(?:" + "|".join(parts) + ")"


def _fraction(exponent: int, *, nonzero: bool) -> str:
    """Decimals beyond the unit's own are allowed only as zeros (six at most)."""
    pad = f"0{{0,{6 - exponent}}}"
    if exponent == 0:
        return "(?:\\.0{1,6})"
    if not nonzero:
        return f"(?:\\.[0-9]{{1,{exponent}}}{pad})"
    shapes = [
        f"0{{{zeros}}}[1-9][0-9]{{0,{exponent - 1 - zeros}}}"
        for zeros in range(exponent)
    ]
    return "(?:\\.(?:" + "|".join(shapes) + f"){pad})"


def amount_pattern(exponent: int, *, sign: str = "any", most: int = MAX_MINOR) -> str:
    """The decimal strings ``Money.parse`` takes in a unit of ``exponent`` decimals.

    ``sign`` is ``any``, ``positive`` (more than zero) or ``not_negative``;
    ``most`` is the largest value in minor units, a power of ten.
    """
    digits = len(str(most)) - 1 - exponent  # whole units below the largest value
    largest = f"0{{0,{15 - digits}}}1{'0' * digits}(?:\\.0{{1,6}})?"
    any_int = _integer(digits, nonzero=False)
    nonzero_int = _integer(digits, nonzero=True)
    if sign == "positive":
        body = f"{nonzero_int}{_fraction(exponent, nonzero=False)}?|{largest}"
        if exponent:
            body += f"|0{{1,16}}{_fraction(exponent, nonzero=True)}"
        return f"^(?:{body})$"
    body = f"{any_int}{_fraction(exponent, nonzero=False)}?|{largest}"
    return f"^{'-?' if sign == 'any' else ''}(?:{body})$"


def percent_pattern(most: int) -> str:
    """What ``communities.services._percent_check`` takes: 0 to ``most``.

    ``most`` is a multiple of ten from 20 to 100; up to three digits, two decimals.
    """
    below = f"0{{0,2}}[0-9]|0?[1-{most // 10 - 1}][0-9]"
    top = f"0{{0,{3 - len(str(most))}}}{most}(?:\\.0{{1,2}})?"
    return f"^\\s*(?:(?:{below})(?:\\.[0-9]{{1,2}})?|{top})\\s*$"


@cache
def currency_groups() -> dict[int, list[str]]:
    """The currencies selfwork accepts, by their number of decimals."""
    groups: dict[int, list[str]] = {}
    for code in sorted(currencies()):
        groups.setdefault(unit_exponent(code), []).append(code)
    return groups


def currency_enum() -> list[str]:
    return sorted(currencies())


def _money(sign: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "anyOf": [
            {
                "type": "object",
                "required": ["amount", "currency"],
                "additionalProperties": False,
                "properties": {
                    "amount": {
                        "type": "string",
                        "pattern": amount_pattern(exponent, sign=sign),
                    },
                    "currency": {"type": "string", "enum": codes},
                },
            }
            for exponent, codes in sorted(currency_groups().items())
        ],
    }


def _hours(sign: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "object",
        "required": ["amount", "currency"],
        "additionalProperties": False,
        "properties": {
            "amount": {"type": "string", "pattern": amount_pattern(2, sign=sign)},
            "currency": {"type": "string", "const": HOUR},
        },
    }


_MONEY = (
    'An amount of a currency: {"amount": "12.50", "currency": "EUR"}. The amount is '
    "a plain decimal string with at most as many decimals as the currency has "
    "(JPY none, EUR two, BHD three; more only as zeros), at most 10^15 minor "
    "units; the currency an ISO 4217 code in upper case."
)
_HOURS = 'Time credits: {"amount": "1.50", "currency": "HOUR"}, in hundredths.'


def time_zones() -> list[str]:
    """The IANA time zones members, listings and calendars may name."""
    return sorted(available_timezones())


# Named schemas added to the document's components (``core.api``): written once,
# referred to by ``ref(name)`` wherever a body takes one.
SCHEMAS: dict[str, dict[str, Any]] = {
    "Money": _money("any", _MONEY),
    "PositiveMoney": _money("positive", _MONEY + " More than zero."),
    "MoneyNotNegative": _money("not_negative", _MONEY + " Zero or more."),
    "Hours": _hours("any", _HOURS),
    "PositiveHours": _hours("positive", _HOURS + " More than zero."),
    "Currency": {
        "type": "string",
        "enum": currency_enum(),
        "description": "An ISO 4217 code selfwork accepts, upper case.",
    },
    "TimeZone": {
        "type": "string",
        "enum": time_zones(),
        "description": "An IANA time zone name.",
    },
}
