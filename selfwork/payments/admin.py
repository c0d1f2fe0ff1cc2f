"""Read-only admin: payments rows are written by the payments services alone."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from selfwork.core.admin import ReadOnlyAdmin, money_column
from selfwork.payments.models import (
    Charge,
    CommunityPaymentSettings,
    Payout,
    PayoutDestination,
    Refund,
    Release,
    SandboxOperation,
)


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "attempt",
        "customer",
        "community",
        "gateway",
        "amount",
        "refunded",
        "status",
        "failure_code",
        "created_at",
    )
    readonly_fields = ("amount", "customer_fee", "refunded")
    list_filter = ("status", "gateway", "currency")
    search_fields = ("reference", "=public_id", "customer__username")
    ordering = ("-created_at", "-pk")

    amount = money_column("amount_minor", description=_("amount"))
    customer_fee = money_column("customer_fee_minor", description=_("customer fee"))
    refunded = money_column("refunded_minor", description=_("refunded"))


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("reference", "amount", "created_at")
    readonly_fields = ("amount",)
    search_fields = ("reference",)
    ordering = ("-created_at", "-pk")

    amount = money_column("amount_minor", description=_("amount"))


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "provider",
        "community",
        "gross",
        "fee",
        "net",
        "final",
        "created_at",
    )
    readonly_fields = (
        "gross",
        "fee",
        "customer_fee",
        "platform_fee",
        "treasury_fee",
        "net",
    )
    search_fields = ("reference", "provider__username")
    ordering = ("-created_at", "-pk")

    gross = money_column("gross_minor", description=_("gross"))
    fee = money_column("fee_minor", description=_("provider fee"))
    customer_fee = money_column("customer_fee_minor", description=_("customer fee"))
    platform_fee = money_column("platform_fee_minor", description=_("platform's part"))
    treasury_fee = money_column("treasury_fee_minor", description=_("treasury's part"))
    net = money_column("net_minor", description=_("net to the provider"))


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = (
        "member",
        "amount",
        "status",
        "failure_code",
        "created_at",
    )
    readonly_fields = ("amount",)
    list_filter = ("status", "currency")
    search_fields = ("member__username", "=public_id")
    ordering = ("-created_at", "-pk")

    amount = money_column("amount_minor", description=_("amount"))


@admin.register(PayoutDestination)
class PayoutDestinationAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "label", "masked", "created_at")
    search_fields = ("member__username",)


@admin.register(CommunityPaymentSettings)
class CommunityPaymentSettingsAdmin(ReadOnlyAdmin):
    list_display = ("community", "gateway", "updated_at")


@admin.register(SandboxOperation)
class SandboxOperationAdmin(ReadOnlyAdmin):
    list_display = ("operation", "status", "failure_code", "amount_minor", "currency")
    list_filter = ("operation", "status")
