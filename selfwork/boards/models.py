"""Posts on a community's board, their replies, votes, reads and mentions.

Counts a list shows (votes, replies) are kept on the post by the services that
change them, in the same transaction, so reading a board never counts rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Post(models.Model):
    """Something a member shares with their community: an idea, a question, …"""

    class Kind(models.TextChoices):
        IDEA = "idea", pgettext_lazy("post kind", "Idea")
        QUESTION = "question", pgettext_lazy("post kind", "Question")
        ANNOUNCEMENT = "announcement", pgettext_lazy("post kind", "Announcement")
        OFFER = "offer", pgettext_lazy("post kind", "Offer")
        WANT = "want", pgettext_lazy("post kind", "Want")

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden by a host")
        REMOVED = "removed", _("Removed by a host")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_posts"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=120)
    body = models.TextField(max_length=10000, blank=True)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.VISIBLE
    )
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    # Why a host hid or removed the post; kept, and shown to its author.
    moderation_reason = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    accepted_reply = models.ForeignKey(
        "Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vote_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    # The post or its newest reply: what "unread" is measured against.
    last_activity_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["idea", "question", "announcement", "offer", "want"]
                ),
                name="post_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["visible", "hidden", "removed"]),
                name="post_status_known",
            ),
            models.CheckConstraint(
                condition=Q(accepted_reply__isnull=True) | Q(kind="question"),
                name="post_accepted_only_on_questions",
            ),
            models.CheckConstraint(
                condition=Q(status="visible") | ~Q(moderation_reason=""),
                name="post_moderation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(last_activity_at__gte=models.F("created_at")),
                name="post_activity_after_creation",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "status", "-pinned", "-created_at", "-id"],
                name="post_board",
            ),
            models.Index(fields=["author", "-created_at"], name="post_author"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE


class PostImage(models.Model):
    """An image shown with a post (a photo of the offered thing, a sketch)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    upload = models.ForeignKey(
        "core.Upload", on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "upload"], name="post_image_once"),
        ]


class Reply(models.Model):
    """An answer or comment under a post; boards thread one level deep."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        REMOVED = "removed", _("Removed by a host")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="board_replies",
    )
    body = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.VISIBLE
    )
    moderation_reason = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "replies"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["visible", "removed"]),
                name="reply_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="visible") | ~Q(moderation_reason=""),
                name="reply_removal_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["post", "created_at", "id"], name="reply_post")]

    def __str__(self) -> str:
        return f"Reply {self.public_id} to {self.post_id}"

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE


class Vote(models.Model):
    """One member's vote for one post: the unique constraint makes it count once."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="vote_once"),
        ]


class PostRead(models.Model):
    """When a member last read a post; newer activity shows as unread."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reads")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="post_read_once"),
        ]


class Mention(models.Model):
    """A member named as ``@username`` in a post or a reply, told once about each."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member"],
                condition=Q(reply__isnull=True),
                name="mention_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["reply", "member"],
                condition=Q(reply__isnull=False),
                name="mention_once_per_reply",
            ),
        ]
