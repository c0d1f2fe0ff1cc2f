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
# Where the theme sets the accent's strong shade as text: the page, cards, the
# footer (``--surface-2``) and the pale highlight of the current page in the menu
# (``--brand-soft``). The last two are darker than the page, so an accent that
# just passes on the page is darkened for them.
THEME_TEXT_SURFACES = (THEME_BACKGROUND, WHITE, "#f4ede3", "#fbe6d8")
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


def accent_readable(color: str) -> bool:
    """Whether ``color`` reads 4.5:1 on the page background and under white text.

    The rule ``accent_color_check`` enforces on saving, asked again when the
    colour is served: a colour stored before the rule, or by other means, is
    not applied and the theme's own colours stay.
    """
    return bool(HEX_COLOR.match(color)) and all(
        contrast_ratio(color, other) >= MINIMUM_CONTRAST
        for other in (THEME_BACKGROUND, WHITE)
    )


def accent_strong(color: str) -> str:
    """The accent, darkened in 5% steps until it reads 4.5:1 on every surface
    where the theme sets it as text (links, the current page in the menu)."""
    channels = [int(color[start : start + 2], 16) for start in (1, 3, 5)]
    for step in range(21):
        keep = 1 - step / 20
        shade = "#" + "".join(f"{round(value * keep):02x}" for value in channels)
        if all(
            contrast_ratio(shade, surface) >= MINIMUM_CONTRAST
            for surface in THEME_TEXT_SURFACES
        ):
            return shade
    return "#000000"


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
