"""Admin building blocks shared by the apps."""

from django.contrib import admin

from selfwork.core.models import LegalPage


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and inspects rows that only their app's services may write."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    """The operator's terms, privacy notice and imprint, written in Markdown."""

    list_display = ("kind", "updated_at")
    fields = ("kind", "body")
