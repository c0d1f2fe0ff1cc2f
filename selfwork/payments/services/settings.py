"""A community's payment settings and the fee policy a charge is priced by."""

import datetime as dt

from django.db import transaction

from selfwork.communities.models import Community
from selfwork.communities.selectors import host_required
from selfwork.core.fx import fx_convert, fx_table
from selfwork.core.money import Money
from selfwork.payments.fees import FeePolicy, percent_hundredths
from selfwork.payments.gateways import gateway_get
from selfwork.payments.models import Charge, CommunityPaymentSettings


def fee_policy_for(*, community: Community, unit: str) -> FeePolicy:
    """Return ``community``'s fee policy today, for money in ``unit``.

    Exchanges copy this when they start; a payment carries the copy it was made
    under. The minimum fee is set in the community's currency; for a payment in
    another currency it is converted at the reference rate (half-up), or dropped
    when there is no rate.
    """
    minimum = community.minimum_fee_minor
    if minimum and unit != community.currency:
        converted = fx_convert(Money(minimum, community.currency), unit, fx_table())
        minimum = converted.minor if converted is not None else 0
    return FeePolicy(
        fee_hundredths=percent_hundredths(community.fee_percent),
        minimum_minor=minimum,
        treasury_share_hundredths=percent_hundredths(community.treasury_share_percent),
        customer_fee_hundredths=percent_hundredths(community.customer_fee_percent),
    )


def charge_policy(charge: Charge) -> FeePolicy:
    """The fee policy ``charge`` was paid under."""
    return FeePolicy(
        fee_hundredths=charge.fee_hundredths,
        minimum_minor=charge.minimum_fee_minor,
        treasury_share_hundredths=charge.treasury_share_hundredths,
        customer_fee_hundredths=charge.customer_fee_hundredths,
    )


@transaction.atomic
def payment_settings_set(
    *, community: Community, actor, gateway: str, now: dt.datetime
) -> CommunityPaymentSettings:
    """Choose the gateway ``community``'s payments go through (its host only).

    :raises NotPermitted: if ``actor`` is not an active host of ``community``.
    :raises InvalidInput: ``unknown_gateway``.
    """
    host_required(community=community, member=actor)
    gateway_get(gateway)
    row, _ = CommunityPaymentSettings.objects.update_or_create(
        community=community, defaults={"gateway": gateway, "updated_at": now}
    )
    return row
