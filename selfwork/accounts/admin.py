"""Admin for operators: members and their tokens, read-mostly.

Profile and password changes go through the web pages and services; the admin is
for looking things up and for switching an account off (``is_active``).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from selfwork.accounts.models import ApiToken, LoginAttempt, Member, PortfolioItem


class PortfolioInline(admin.TabularInline):
    model = PortfolioItem
    extra = 0
    fields = ("image", "caption", "position")
    readonly_fields = fields
    can_delete = False


@admin.register(Member)
class MemberAdmin(UserAdmin):
    list_display = (
        "username",
        "display_name",
        "email",
        "country",
        "commission_status",
        "is_active",
        "is_staff",
        "date_joined",
    )
    list_filter = ("is_active", "is_staff", "commission_status", "country")
    search_fields = ("username", "display_name", "email")
    ordering = ("-date_joined",)
    readonly_fields = ("public_id", "date_joined", "last_login")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Profile",
            {
                "fields": (
                    "public_id",
                    "display_name",
                    "bio",
                    "avatar",
                    "skills",
                    "languages",
                    "city",
                    "country",
                    "time_zone",
                    "preferred_currency",
                    "commission_status",
                    "commission_slots",
                    "away",
                )
            },
        ),
    )
    raw_id_fields = ("avatar",)
    inlines = [PortfolioInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "member", "name", "created_at", "last_used_at")
    search_fields = ("member__username", "name", "prefix")
    readonly_fields = (
        "member",
        "digest",
        "prefix",
        "name",
        "created_at",
        "last_used_at",
    )
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        # Tokens are issued by the service, which shows the token once.
        return False


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ("username", "address", "attempted_at")
    search_fields = ("username", "address")
    ordering = ("-attempted_at",)
    readonly_fields = ("username", "address", "attempted_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
