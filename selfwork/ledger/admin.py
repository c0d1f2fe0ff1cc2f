"""Read-only admin: the ledger is written by ``transaction_post`` alone."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from selfwork.core.admin import ReadOnlyAdmin, money_column
from selfwork.ledger.models import Account, Leg, Transaction


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("kind", "owner_ref", "unit", "balance", "floor")
    readonly_fields = ("balance", "floor")
    list_filter = ("kind", "unit")
    search_fields = ("owner_ref", "=public_id", "name")
    ordering = ("owner_ref", "kind", "unit")

    balance = money_column("balance_minor", description=_("balance"), unit="unit")
    floor = money_column("floor_minor", description=_("floor"), unit="unit")


class LegInline(admin.TabularInline):
    model = Leg
    fields = ("account", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    amount = money_column("amount_minor", description=_("amount"), unit="unit")


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("posted_at", "kind", "reference", "memo", "state")
    list_filter = ("kind", "state")
    search_fields = ("=public_id", "=idempotency_key", "reference", "memo")
    date_hierarchy = "posted_at"
    ordering = ("-pk",)
    inlines = [LegInline]
