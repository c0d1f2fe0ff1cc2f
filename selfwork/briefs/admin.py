"""Read-only admin: briefs and offers change through their services alone."""

from django.contrib import admin

from selfwork.briefs.models import Brief, Counter, Offer
from selfwork.core.admin import ReadOnlyAdmin


@admin.register(Brief)
class BriefAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "community",
        "author",
        "currency",
        "budget_min_minor",
        "budget_max_minor",
        "status",
        "created_at",
    )
    list_filter = ("status", "currency")
    search_fields = ("title", "=public_id", "author__username")
    ordering = ("-created_at", "-pk")


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "brief",
        "provider",
        "price_minor",
        "delivery_days",
        "status",
        "revision",
        "expires_at",
    )
    list_filter = ("status",)
    search_fields = ("=public_id", "provider__username", "brief__title")
    ordering = ("-created_at", "-pk")


@admin.register(Counter)
class CounterAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "offer", "price_minor", "delivery_days", "status")
    list_filter = ("status",)
    ordering = ("-created_at", "-pk")
