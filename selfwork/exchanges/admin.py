"""Read-only admin: exchanges move only through ``exchange_transition``.

Operators act on exchanges (open and resolve disputes) in the exchange room or
the API, where the process decides what is possible; here they look.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from selfwork.core.admin import ReadOnlyAdmin, money_column
from selfwork.exchanges.models import (
    Delivery,
    Exchange,
    ExchangeEvent,
    Licence,
    MemberRating,
    Message,
    OutboxEvent,
    ProcessVersion,
    Review,
    Timer,
)


class EventInline(admin.TabularInline):
    model = ExchangeEvent
    fields = (
        "seq",
        "name",
        "actor",
        "actor_role",
        "from_state",
        "to_state",
        "created_at",
    )
    readonly_fields = fields
    ordering = ("seq",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Exchange)
class ExchangeAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "process_name",
        "state",
        "title",
        "customer",
        "provider",
        "community",
        "total",
        "room",
        "created_at",
    )
    readonly_fields = ("total", "deposit", "room")
    list_filter = ("process_name", "state", "community")
    search_fields = ("=public_id", "title", "customer__username", "provider__username")
    ordering = ("-created_at", "-pk")
    list_select_related = ("customer", "provider", "community")
    inlines = [EventInline]

    total = money_column("total_minor", description=_("total"))
    deposit = money_column("deposit_minor", description=_("deposit"))

    @admin.display(description=_("room"))
    def room(self, obj: Exchange) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("web:exchange", args=[obj.public_id]),
            _("Open the room"),
        )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("exchange", "number", "created_at")
    ordering = ("-created_at", "-pk")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("exchange", "author", "created_at")
    ordering = ("-created_at", "-pk")


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "exchange", "created_at")
    ordering = ("-created_at", "-pk")


# Hiding a review goes through the room or ``POST /reviews/{id}/hide``, which
# keep the reason and take its rating out of the sums; here operators look.
@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "exchange",
        "author",
        "subject",
        "author_role",
        "rating",
        "published_at",
        "hidden_at",
    )
    list_filter = ("author_role", "rating")
    search_fields = ("=public_id", "author__username", "subject__username")
    ordering = ("-created_at", "-pk")
    list_select_related = ("exchange", "author", "subject")


@admin.register(MemberRating)
class MemberRatingAdmin(ReadOnlyAdmin):
    list_display = (
        "member",
        "provider_sum",
        "provider_count",
        "customer_sum",
        "customer_count",
    )
    ordering = ("member",)
    list_select_related = ("member",)


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ("exchange", "transition", "state", "due_at", "done", "outcome")
    list_filter = ("done", "outcome", "transition")
    ordering = ("due_at", "pk")


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "exchange",
        "available_at",
        "attempts",
        "done",
        "last_error",
    )
    list_filter = ("kind", "done")
    ordering = ("-created_at", "-pk")


@admin.register(ProcessVersion)
class ProcessVersionAdmin(ReadOnlyAdmin):
    list_display = ("name", "version", "created_at")
    ordering = ("name", "-created_at")
