"""Admin building blocks shared by the apps."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin

from selfwork.core.money import Money

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise
from selfwork.core.models import LegalPage


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and inspects rows that only their app's services may write."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def money_column(
    field: str, *, description: "str | _StrPromise", unit: str = "currency"
) -> Callable:
    """An admin column (or read-only field) showing the integer minor-unit
    ``field`` as money in the row's ``unit`` field: ``€12.00``, not ``1200``."""

    @admin.display(description=description, ordering=field)
    def show(_admin: admin.ModelAdmin, obj: Any) -> str:
        value = getattr(obj, field)
        if value is None:
            return "—"
        return Money(value, getattr(obj, unit)).format()

    return show


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    """The operator's terms, privacy notice and imprint, written in Markdown."""

    list_display = ("kind", "updated_at")
    fields = ("kind", "body")
