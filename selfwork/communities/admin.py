"""Admin for operators: communities, memberships, categories and fields, read-mostly.

Settings and membership changes go through the community services (hosts use the
web settings page), so the admin only lists and inspects.
"""

from django.contrib import admin

from selfwork.communities.models import Category, Community, ListingField, Membership


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ("slug", "name", "position")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ListingFieldInline(admin.TabularInline):
    model = ListingField
    extra = 0
    fields = ("key", "label", "kind", "choices", "required", "position")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Community)
class CommunityAdmin(_ReadOnly):
    list_display = (
        "name",
        "slug",
        "visibility",
        "currency",
        "fee_percent",
        "customer_fee_percent",
        "member_count",
        "created_at",
    )
    list_filter = ("visibility", "currency", "membership_approval")
    search_fields = ("name", "slug", "tagline")
    ordering = ("-created_at",)
    inlines = [CategoryInline, ListingFieldInline]


@admin.register(Membership)
class MembershipAdmin(_ReadOnly):
    list_display = ("member", "community", "role", "status", "created_at", "joined_at")
    list_filter = ("role", "status")
    search_fields = ("member__username", "community__slug", "community__name")
    list_select_related = ("member", "community")
    ordering = ("-created_at",)


@admin.register(Category)
class CategoryAdmin(_ReadOnly):
    list_display = ("name", "slug", "community", "position")
    search_fields = ("name", "slug", "community__slug")
    list_select_related = ("community",)


@admin.register(ListingField)
class ListingFieldAdmin(_ReadOnly):
    list_display = ("label", "key", "kind", "required", "community")
    list_filter = ("kind", "required")
    search_fields = ("label", "key", "community__slug")
    list_select_related = ("community",)
