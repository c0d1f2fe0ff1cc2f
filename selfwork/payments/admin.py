"""Read-only admin: payments rows are written by the payments services alone."""

from django.contrib import admin

from selfwork.core.admin import ReadOnlyAdmin
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
        "amount_minor",
        "currency",
        "status",
        "failure_code",
        "created_at",
    )
    list_filter = ("status", "gateway", "currency")
    search_fields = ("reference", "=public_id", "customer__username")
    ordering = ("-created_at", "-pk")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("reference", "amount_minor", "currency", "created_at")
    search_fields = ("reference",)
    ordering = ("-created_at", "-pk")


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "provider",
        "community",
        "gross_minor",
        "fee_minor",
        "net_minor",
        "currency",
        "final",
        "created_at",
    )
    search_fields = ("reference", "provider__username")
    ordering = ("-created_at", "-pk")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = (
        "member",
        "amount_minor",
        "currency",
        "status",
        "failure_code",
        "created_at",
    )
    list_filter = ("status", "currency")
    search_fields = ("member__username", "=public_id")
    ordering = ("-created_at", "-pk")


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
