"""Conversations between two members, their messages, and members' blocks.

A conversation joins exactly two members, stored in id order (``first`` has the
lower id), so "the conversation between Ana and Ben about this listing" is one
row that unique constraints keep single however many requests race to start it.
Each member's side (unread count, last read, last e-mail) is a ``Participant``
row, so a member's list is one indexed read.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from selfwork.accounts.models import Member


class Conversation(models.Model):
    """Two members talking, about one listing or about nothing in particular."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    second = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # A listing can be deleted for good; its conversations stay, about "a listing
    # that was deleted", and never merge with the pair's conversation about nothing.
    listing = models.ForeignKey(
        "catalog.Listing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    about_listing = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    # The newest message: what "newest activity first" orders by.
    last_message_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="conversation_members_ordered"
            ),
            models.UniqueConstraint(
                fields=["first", "second", "listing"],
                condition=Q(listing__isnull=False),
                name="conversation_once_per_listing",
            ),
            models.UniqueConstraint(
                fields=["first", "second"],
                condition=Q(listing__isnull=True, about_listing=False),
                name="conversation_once_without_listing",
            ),
            models.CheckConstraint(
                condition=Q(listing__isnull=True) | Q(about_listing=True),
                name="conversation_listing_flagged",
            ),
            models.CheckConstraint(
                condition=Q(last_message_at__gte=F("created_at")),
                name="conversation_activity_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.public_id}"

    def other(self, member) -> Member:
        """The member ``member`` is talking to."""
        return self.second if self.first_id == member.pk else self.first


class Participant(models.Model):
    """One member's side of a conversation: what they have not read yet."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Messages from the other member since this one last read the conversation.
    unread_count = models.PositiveIntegerField(default=0)
    read_at = models.DateTimeField(null=True, blank=True)
    # The last e-mail about new messages here: at most one an hour.
    notified_at = models.DateTimeField(null=True, blank=True)
    # Copied from the conversation so a member's list pages by one index.
    last_message_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "member"], name="participant_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["member", "-last_message_at", "-id"], name="participant_inbox"
            ),
        ]


class Message(models.Model):
    """What one member wrote to the other: Markdown, with images attached."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["conversation", "created_at", "id"],
                name="conversation_message_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.public_id}"


class MessageImage(models.Model):
    """An image sent with a message (a sketch, a photo of the thing to repair)."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="images"
    )
    upload = models.ForeignKey(
        "core.Upload", on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "upload"], name="message_image_once"
            ),
        ]


class Block(models.Model):
    """``blocker`` takes no more messages from ``blocked``."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~Q(blocker=F("blocked")), name="block_not_self"
            ),
        ]
