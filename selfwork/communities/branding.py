"""A community's look and address: accent colour contrast and custom domain names.

The accent colour fills buttons with white text and colours links on the page
background, so it must read on both: WCAG 2.2 AA asks for a contrast of at least
4.5:1 for normal text. The ratio is computed here from WCAG's relative-luminance
formula rather than trusted to the browser or the host's eye.
"""

import re
from typing import Any

from django.utils.translation import gettext as _

from selfwork.core.errors import InvalidInput

# The page background of the theme (``--bg`` in selfwork.css) and button text.
THEME_BACKGROUND = "#fbf7f1"
WHITE = "#ffffff"
MINIMUM_CONTRAST = 4.5
HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
# A host name of two or more labels (RFC 1123), lower-case, at most 253 characters;
# the last label is not all digits, so an IP address is not a domain.
DOMAIN = re.compile(
    r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?!\d+$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


def relative_luminance(color: str) -> float:
    """WCAG 2.2 relative luminance of a ``#rrggbb`` colour, from 0 (black) to 1."""
    channels = []
    for start in (1, 3, 5):
        value = int(color[start : start + 2], 16) / 255
        channels.append(
            value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        )
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    lighter, darker = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def accent_color_check(value: Any) -> str:
    """Return the accent colour lower-cased, or "" to clear it.

    :raises InvalidInput: ``invalid_color`` for anything but ``#rrggbb``;
        ``low_contrast`` when it reads worse than 4.5:1 on the page background
        or under white text, naming the ratio it has.
    """
    if not isinstance(value, str):
        raise InvalidInput(
            _("accent_color is a colour such as #1d4ed8."),
            field="accent_color",
            code="invalid_color",
        )
    color = value.strip().lower()
    if not color:
        return ""
    if not HEX_COLOR.match(color):
        raise InvalidInput(
            _("accent_color is a colour such as #1d4ed8 (# and six hex digits)."),
            field="accent_color",
            code="invalid_color",
        )
    for other, against in (
        (THEME_BACKGROUND, _("the page background")),
        (WHITE, _("white text")),
    ):
        ratio = contrast_ratio(color, other)
        # Rounded down, so a colour shown as "4.50:1" really is 4.5:1 or more.
        if ratio < MINIMUM_CONTRAST:
            raise InvalidInput(
                _(
                    "The accent colour %(color)s has a contrast of %(ratio)s:1 "
                    "against %(against)s; at least %(needed)s:1 is needed "
                    "(WCAG 2.2 AA). Try a darker shade."
                )
                % {
                    "color": color,
                    "ratio": f"{int(ratio * 100) / 100:.2f}",
                    "against": against,
                    "needed": f"{MINIMUM_CONTRAST:.1f}",
                },
                field="accent_color",
                code="low_contrast",
            )
    return color


def domain_check(value: Any) -> str | None:
    """Return the host name lower-cased, or None to detach the domain.

    :raises InvalidInput: ``invalid_domain`` for anything but a host name.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(
            _("domain is a host name such as market.example.org."),
            field="domain",
            code="invalid_domain",
        )
    domain = value.strip().lower()
    if not domain:
        return None
    # One final dot is the fully qualified spelling of the same name.
    domain = domain.removesuffix(".")
    if not DOMAIN.match(domain):
        raise InvalidInput(
            _(
                "domain is a host name such as market.example.org: letters, "
                "digits and '-' in dot-separated parts, without a scheme, port "
                "or path."
            ),
            field="domain",
            code="invalid_domain",
        )
    return domain
