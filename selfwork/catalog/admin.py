"""Admin for operators: listings with their modes, packages and images, read-only.

Listings change through ``catalog.services`` (their owners use the web editor or
the API); the admin is for finding and inspecting them.
"""

from django.contrib import admin

from selfwork.catalog.models import Listing, ListingImage, ListingMode, ListingPackage
from selfwork.core.money import Money


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ListingModeInline(_ReadOnlyInline):
    model = ListingMode
    fields = ("mode", "price_minor", "unit", "rental_unit", "deposit_minor", "wants")
    readonly_fields = fields


class ListingImageInline(_ReadOnlyInline):
    model = ListingImage
    fields = ("upload", "alt", "position")
    readonly_fields = fields


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "owner", "status", "price", "created_at")
    list_filter = ("status", "community")
    search_fields = ("title", "owner__username", "community__slug", "tags_text")
    list_select_related = ("community", "owner")
    ordering = ("-created_at",)
    inlines = [ListingModeInline, ListingImageInline]
    readonly_fields = [f.name for f in Listing._meta.fields]

    @admin.display(description="From")
    def price(self, listing: Listing) -> str:
        if listing.price_minor is None:
            return "free"
        return Money(listing.price_minor, listing.price_unit).format()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ListingPackage)
class ListingPackageAdmin(admin.ModelAdmin):
    list_display = ("name", "mode", "price_minor", "unit", "delivery_days", "revisions")
    search_fields = ("name",)
    list_select_related = ("mode",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
