from django.contrib import admin

from selfwork.notifications.models import Notification, StoredEmail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "member", "kind", "created_at", "read_at", "email")
    list_filter = ("kind", "email")
    search_fields = ("title", "member__username")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(StoredEmail)
class StoredEmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "created_at")
    readonly_fields = ("to", "subject", "body", "headers", "created_at")

    def has_add_permission(self, request):
        return False
