"""Admin for operators: members and their tokens, read-mostly.

Profile and password changes go through the web pages and services; the admin is
for looking things up and for switching an account off (``is_active``).
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from selfwork.accounts.models import ApiToken, Member, PortfolioItem
from selfwork.core.admin import ReadOnlyAdmin
from selfwork.core.models import RateCounter


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's log-in form, saying so when the log-in limits refused it."""

    def get_invalid_login_error(self) -> ValidationError:
        refusal = getattr(self.request, "login_refusal", None)
        if refusal is not None:
            return ValidationError(refusal.detail, code="login_rate_limited")
        return super().get_invalid_login_error()


admin.site.login_form = AdminLoginForm


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


@admin.register(RateCounter)
class RateCounterAdmin(ReadOnlyAdmin):
    list_display = ("bucket", "hits", "reset_at")
    search_fields = ("bucket",)
    ordering = ("-reset_at",)
