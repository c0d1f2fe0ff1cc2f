"""Read-only admin: posts and replies change through their services alone
(hosts moderate from the board itself, where the reason is asked for)."""

from django.contrib import admin

from selfwork.boards.models import Post, Reply
from selfwork.core.admin import ReadOnlyAdmin


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "community",
        "author",
        "kind",
        "status",
        "pinned",
        "locked",
        "vote_count",
        "reply_count",
        "created_at",
    )
    list_filter = ("kind", "status", "pinned", "locked")
    search_fields = ("title", "=public_id", "author__username")
    ordering = ("-created_at", "-pk")


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "post", "author", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("=public_id", "author__username", "post__title")
    ordering = ("-created_at", "-pk")
