"""The community's fees, as pure integer arithmetic (no database).

Two fees: the **provider fee** (``fee_percent`` of the price, at least the
minimum fee) is taken from what the provider is paid on release; the **customer
fee** (``customer_fee_percent`` of the price) is added to what the customer pays.
Both are income, split between the community treasury (``treasury_share_percent``)
and the platform.

Rounding rule: every percentage is taken of an integer number of minor units and
rounded **half-up to the minor unit** (0.5 of a cent becomes a cent).

Bounds: the provider fee, minimum included, never takes more than
``MAX_FEE_HUNDREDTHS`` (half) of the price it applies to, so no minimum fee can
swallow a price. Because each fee and the treasury share are computed once and
the other parts are differences, the parts add up exactly:
``net + fee + customer_fee == gross`` and
``platform + treasury == fee + customer_fee``.
"""

from dataclasses import dataclass
from decimal import Decimal

from selfwork.core.money import Money

HUNDRED_PERCENT = 100_00  # percentages are exact to two decimals: hundredths
# The most a community may set as its provider or customer fee, and the most the
# provider fee (minimum included) may take of any price.
MAX_FEE_HUNDREDTHS = 50_00


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
    """A community's fees, ready to apply to one amount in one unit.

    An exchange copies this when it starts and every payment into its escrow
    carries it, so a host who changes the fee later changes only later exchanges.
    """

    fee_hundredths: int
    minimum_minor: int
    treasury_share_hundredths: int
    customer_fee_hundredths: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.fee_hundredths <= MAX_FEE_HUNDREDTHS:
            raise ValueError("fee_hundredths out of range")
        if not 0 <= self.customer_fee_hundredths <= MAX_FEE_HUNDREDTHS:
            raise ValueError("customer_fee_hundredths out of range")
        if not 0 <= self.treasury_share_hundredths <= HUNDRED_PERCENT:
            raise ValueError("treasury_share_hundredths out of range")
        if self.minimum_minor < 0:
            raise ValueError("minimum_minor may not be negative")


NO_FEES = FeePolicy(fee_hundredths=0, minimum_minor=0, treasury_share_hundredths=0)


def refund_share(held_minor: int, percent: int) -> int:
    """The part of ``held_minor`` that ``percent`` (a whole 0–100) refunds.

    Rounded down, so the odd minor unit stays with the provider's side and a
    refund never asks escrow for more than it holds.
    """
    if held_minor < 0 or not 0 <= percent <= 100:
        raise ValueError("refund_share takes a held amount and a whole percentage")
    return held_minor * percent // 100


def customer_fee_of(price_minor: int, policy: FeePolicy) -> int:
    """The customer fee added to ``price_minor`` (≥ 0), rounded half-up."""
    return percent_of(price_minor, policy.customer_fee_hundredths)


def share_of(part_minor: int, *, whole_minor: int, of_minor: int) -> int:
    """``of_minor`` × ``part_minor`` / ``whole_minor``, rounded half-up; all of it
    when the part is the whole.

    How much of a tracked amount (the customer fee still held) goes with a part
    of escrow (a partial refund or release), in proportion.
    """
    if not 0 <= part_minor <= whole_minor or of_minor < 0 or of_minor > whole_minor:
        raise ValueError("share_of takes 0 ≤ part ≤ whole and 0 ≤ of ≤ whole")
    if part_minor == whole_minor:
        return of_minor
    return (2 * part_minor * of_minor + whole_minor) // (2 * whole_minor)


@dataclass(frozen=True)
class FeeSplit:
    """Where a gross amount goes on release: the provider's net and the fee's parts."""

    gross: Money
    fee: Money
    platform: Money
    treasury: Money
    net: Money
    customer_fee: Money


def fee_split(
    gross: Money, policy: FeePolicy, *, customer_fee_minor: int = 0
) -> FeeSplit:
    """Split ``gross`` into the provider's net and the fees (platform + treasury).

    ``customer_fee_minor`` of ``gross`` is the customer fee paid with it: income
    as it is. The provider fee is taken of the rest, the price. See the module
    docstring for the rounding rule and the bound.
    """
    if gross.minor < 0:
        raise ValueError("a gross amount is not negative")
    if not 0 <= customer_fee_minor <= gross.minor:
        raise ValueError("the customer fee is a part of the gross")
    price = gross.minor - customer_fee_minor
    fee = max(percent_of(price, policy.fee_hundredths), policy.minimum_minor)
    fee = min(fee, percent_of(price, MAX_FEE_HUNDREDTHS))
    income = fee + customer_fee_minor
    treasury = percent_of(income, policy.treasury_share_hundredths)
    unit = gross.unit
    return FeeSplit(
        gross=gross,
        fee=Money(fee, unit),
        platform=Money(income - treasury, unit),
        treasury=Money(treasury, unit),
        net=Money(price - fee, unit),
        customer_fee=Money(customer_fee_minor, unit),
    )
