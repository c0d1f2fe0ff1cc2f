"""The community's fee on a release, as pure integer arithmetic (no database).

Rounding rule: every percentage is taken of an integer number of minor units and
rounded **half-up to the minor unit** (0.5 of a cent becomes a cent). The fee is
``fee_percent`` of the gross, at least the minimum fee, never more than the gross;
the community treasury's part is ``treasury_share_percent`` of that fee, rounded
the same way, and the platform keeps the rest. Because the fee and the treasury
share are each computed once and the other parts are differences, the parts add
up exactly: ``net + fee == gross`` and ``platform + treasury == fee``.
"""

from dataclasses import dataclass
from decimal import Decimal

from selfwork.core.money import Money

HUNDRED_PERCENT = 100_00  # percentages are exact to two decimals: hundredths


def percent_hundredths(percent: Decimal | str | int) -> int:
    """Return ``percent`` as whole hundredths of a percent (``"5.25"`` → 525).

    :raises ValueError: for a percentage with more than two decimals, or outside
        0 to 100.
    """
    value = Decimal(str(percent)) * 100
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(f"{percent} is not a percentage with two decimals")
    hundredths = int(value)
    if not 0 <= hundredths <= HUNDRED_PERCENT:
        raise ValueError(f"{percent} is not between 0 and 100")
    return hundredths


def percent_of(minor: int, hundredths: int) -> int:
    """Return ``hundredths``/100 percent of ``minor`` (≥ 0), rounded half-up."""
    if minor < 0 or not 0 <= hundredths <= HUNDRED_PERCENT:
        raise ValueError("percent_of takes a non-negative amount and a percentage")
    # floor(x + 1/2) with x = minor * hundredths / 10_000, in integers only.
    return (2 * minor * hundredths + HUNDRED_PERCENT) // (2 * HUNDRED_PERCENT)


@dataclass(frozen=True)
class FeePolicy:
    """A community's fee, ready to apply to one amount in one unit."""

    fee_hundredths: int
    minimum_minor: int
    treasury_share_hundredths: int

    def __post_init__(self) -> None:
        if not 0 <= self.fee_hundredths <= HUNDRED_PERCENT:
            raise ValueError("fee_hundredths out of range")
        if not 0 <= self.treasury_share_hundredths <= HUNDRED_PERCENT:
            raise ValueError("treasury_share_hundredths out of range")
        if self.minimum_minor < 0:
            raise ValueError("minimum_minor may not be negative")


@dataclass(frozen=True)
class FeeSplit:
    """Where a gross amount goes on release: the provider's net and the fee's parts."""

    gross: Money
    fee: Money
    platform: Money
    treasury: Money
    net: Money


def fee_split(gross: Money, policy: FeePolicy) -> FeeSplit:
    """Split ``gross`` into the provider's net and the fee (platform + treasury).

    See the module docstring for the rounding rule. ``gross`` must not be negative.
    """
    if gross.minor < 0:
        raise ValueError("a gross amount is not negative")
    fee = max(percent_of(gross.minor, policy.fee_hundredths), policy.minimum_minor)
    fee = min(fee, gross.minor)
    treasury = percent_of(fee, policy.treasury_share_hundredths)
    unit = gross.unit
    return FeeSplit(
        gross=gross,
        fee=Money(fee, unit),
        platform=Money(fee - treasury, unit),
        treasury=Money(treasury, unit),
        net=Money(gross.minor - fee, unit),
    )
