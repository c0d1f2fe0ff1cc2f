"""Writes on conversations: start one, send a message, read, block and unblock.

Who may do what:

- any active member writes to any other active member, about nothing in
  particular or about a listing one of the two offers and the sender may see (a
  private community's listing is no subject for an outsider);
- only the two members of a conversation read it or write in it;
- a member who blocked someone takes no more messages from them, and cannot write
  to them either until they unblock them; a refused message stores nothing.

Each refusal is raised before anything is written. Starting a conversation that
already exists reuses it: the unique constraints on ``Conversation`` decide
between two requests that race to start the same one.
"""

import dataclasses
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext

from selfwork.accounts.models import Member
from selfwork.catalog.models import Listing
from selfwork.catalog.selectors import listing_get
from selfwork.conversations.errors import (
    AlreadyBlocked,
    Blocked,
    CannotMessageSelf,
    ListingNotTheirs,
    NotBlocked,
    UnknownListing,
    UnknownMember,
    YouBlocked,
)
from selfwork.conversations.models import (
    Block,
    Conversation,
    Message,
    MessageImage,
    Participant,
)
from selfwork.core.errors import NotFound
from selfwork.core.parse import upload_ids_parse
from selfwork.core.text import markdown_check
from selfwork.notifications.models import Kind
from selfwork.notifications.services import notify

BODY_MAX = 5000
MAX_IMAGES = 4
# However many messages arrive, a member gets at most one e-mail per conversation
# in this time; the page and the header's count tell them the rest.
NOTICE_INTERVAL = dt.timedelta(hours=1)


@dataclasses.dataclass(frozen=True)
class Started:
    conversation: Conversation
    message: Message
    created: bool


def recipient_get(*, sender, username: Any) -> Member:
    """The active member ``sender`` means by ``username`` (an ``@`` is allowed).

    :raises InvalidInput: ``unknown_member``; ``cannot_message_self``.
    """
    name = str(username or "").strip().lstrip("@")
    if "\x00" in name or not name:
        raise UnknownMember(gettext("Say who the message is for."), field="to")
    recipient = Member.objects.filter(username__iexact=name, is_active=True).first()
    if recipient is None:
        raise UnknownMember(
            gettext("There is no active member with that username."), field="to"
        )
    if recipient.pk == sender.pk:
        raise CannotMessageSelf(
            gettext("You cannot send a message to yourself."), field="to"
        )
    return recipient


def subject_get(*, listing: Any, sender, recipient) -> Listing | None:
    """The listing a conversation is about, or ``None`` when ``listing`` is empty.

    :raises InvalidInput: ``unknown_listing`` for a listing ``sender`` cannot see
        (a private community's, for an outsider); ``listing_not_theirs`` for one
        neither member offers.
    """
    if listing in (None, ""):
        return None
    try:
        found = listing_get(public_id=listing, viewer=sender)
    except NotFound as exc:
        raise UnknownListing(
            gettext("There is no listing with that id that you can see."),
            field="listing",
        ) from exc
    if found.owner_id not in (sender.pk, recipient.pk):
        raise ListingNotTheirs(
            gettext("A message about a listing goes to the member who offers it."),
            field="listing",
        )
    return found


def _blocks_check(*, sender, recipient) -> None:
    pairs = Block.objects.filter(
        Q(blocker=recipient, blocked=sender) | Q(blocker=sender, blocked=recipient)
    ).values_list("blocker_id", flat=True)
    blockers = set(pairs)
    if recipient.pk in blockers:
        raise Blocked(gettext("This member does not take messages from you."))
    if sender.pk in blockers:
        raise YouBlocked(
            gettext("You blocked this member; unblock them to write to them again.")
        )


def _body_parse(body: Any) -> str:
    return markdown_check(body, field="body", max_length=BODY_MAX, required=True)


def conversation_path(conversation: Conversation) -> str:
    """The page of ``conversation`` on the site."""
    return reverse("web:conversation", kwargs={"public_id": conversation.public_id})


def _notify(*, conversation: Conversation, sender, recipient, now: dt.datetime) -> None:
    """E-mail ``recipient`` about a new message, at most once per ``NOTICE_INTERVAL``.

    The compare-and-set on ``notified_at`` decides between two messages sent at
    the same moment: one e-mail, not two.
    """
    due = Q(notified_at__isnull=True) | Q(notified_at__lte=now - NOTICE_INTERVAL)
    if (
        Participant.objects.filter(
            due, conversation=conversation, member=recipient
        ).update(notified_at=now)
        != 1
    ):
        return
    values = {"name": sender.name, "listing": conversation.listing}
    if conversation.listing_id is not None:
        subject = gettext("%(name)s sent you a message about “%(listing)s”") % values
        text = (
            gettext(
                "%(name)s wrote to you about “%(listing)s”. Open the "
                "conversation to read the message and reply."
            )
            % values
        )
    else:
        subject = gettext("%(name)s sent you a message") % values
        text = (
            gettext(
                "%(name)s sent you a message on selfwork. Open the conversation "
                "to read it and reply."
            )
            % values
        )
    notify(
        member=recipient,
        kind=Kind.MESSAGE,
        title=subject,
        body=text,
        link=conversation_path(conversation),
        now=now,
    )


def _message_write(
    *,
    conversation: Conversation,
    sender,
    recipient,
    body: str,
    uploads: list,
    now: dt.datetime,
) -> Message:
    message = Message.objects.create(
        conversation=conversation, sender=sender, body=body, created_at=now
    )
    MessageImage.objects.bulk_create(
        [
            MessageImage(message=message, upload=u, position=i)
            for i, u in enumerate(uploads)
        ]
    )
    # Never back in time: a server whose clock lags must not move a conversation
    # down the list behind messages it already shows.
    latest = Greatest(F("last_message_at"), Value(now, output_field=DateTimeField()))
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=latest)
    Participant.objects.filter(conversation=conversation, member=recipient).update(
        unread_count=F("unread_count") + 1, last_message_at=latest
    )
    # Writing answers what one has read: the sender's side is read up to now.
    Participant.objects.filter(conversation=conversation, member=sender).update(
        unread_count=0, read_at=now, last_message_at=latest
    )
    _notify(conversation=conversation, sender=sender, recipient=recipient, now=now)
    return message


def _images_parse(images: Any, *, owner) -> list:
    if not images:
        return []
    return upload_ids_parse(
        images, owner=owner, field="images", limit=MAX_IMAGES, duplicates="merge"
    )


def _conversation_get_or_create(
    *, sender, recipient, listing, now: dt.datetime
) -> tuple[Conversation, bool]:
    first, second = sorted([sender, recipient], key=lambda m: m.pk)
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                first=first,
                second=second,
                listing=listing,
                about_listing=listing is not None,
                created_at=now,
                last_message_at=now,
            )
            Participant.objects.bulk_create(
                [
                    Participant(
                        conversation=conversation, member=m, last_message_at=now
                    )
                    for m in (first, second)
                ]
            )
    except IntegrityError:
        # Another request started it a moment ago: the constraint kept it single.
        existing = Conversation.objects.get(
            first=first,
            second=second,
            listing=listing,
            about_listing=listing is not None,
        )
        return existing, False
    return conversation, True


@transaction.atomic
def conversation_start(
    *,
    sender,
    to: Any,
    body: Any,
    listing: Any = None,
    images: Any = None,
    now: dt.datetime,
) -> Started:
    """Write to the member called ``to``, about ``listing`` (an id) or not.

    The conversation between the two about the same listing (or about none) is
    reused when it exists; the message is added to it.

    :raises InvalidInput: ``unknown_member`` for no active member of that name;
        ``cannot_message_self``; ``unknown_listing`` for a listing the sender
        cannot see; ``listing_not_theirs`` for a listing neither of them offers;
        ``required``, ``too_long`` or ``markup_not_allowed`` for the body;
        ``unknown_upload`` for an image that is not one of the sender's uploads.
    :raises NotPermitted: ``blocked`` when the recipient blocked the sender,
        ``you_blocked`` when the sender blocked the recipient.
    """
    recipient = recipient_get(sender=sender, username=to)
    subject = subject_get(listing=listing, sender=sender, recipient=recipient)
    body = _body_parse(body)
    uploads = _images_parse(images, owner=sender)
    _blocks_check(sender=sender, recipient=recipient)
    conversation, created = _conversation_get_or_create(
        sender=sender, recipient=recipient, listing=subject, now=now
    )
    message = _message_write(
        conversation=conversation,
        sender=sender,
        recipient=recipient,
        body=body,
        uploads=uploads,
        now=now,
    )
    return Started(conversation=conversation, message=message, created=created)


@transaction.atomic
def message_send(
    *,
    conversation: Conversation,
    sender,
    body: Any,
    images: Any = None,
    now: dt.datetime,
) -> Message:
    """Write in a conversation ``sender`` is one of the two members of.

    :raises NotFound: ``conversation_not_found`` for anyone else.
    :raises InvalidInput: ``required``, ``too_long``, ``markup_not_allowed``,
        ``unknown_upload``.
    :raises NotPermitted: ``blocked``, ``you_blocked``; nothing is stored.
    """
    if sender.pk not in (conversation.first_id, conversation.second_id):
        raise NotFound(gettext("No such conversation."), code="conversation_not_found")
    recipient = conversation.other(sender)
    if not recipient.is_active:
        raise UnknownMember(
            gettext("This member's account is closed; they cannot read messages."),
            field="to",
        )
    body = _body_parse(body)
    uploads = _images_parse(images, owner=sender)
    _blocks_check(sender=sender, recipient=recipient)
    return _message_write(
        conversation=conversation,
        sender=sender,
        recipient=recipient,
        body=body,
        uploads=uploads,
        now=now,
    )


def conversation_mark_read(
    *, conversation: Conversation, member, now: dt.datetime
) -> None:
    """Mark every message of the conversation read for ``member``."""
    Participant.objects.filter(conversation=conversation, member=member).update(
        unread_count=0, read_at=now
    )


@transaction.atomic
def member_block(*, blocker, username: Any, now: dt.datetime) -> Block:
    """Block the member called ``username``: ``blocker`` takes no more messages.

    :raises InvalidInput: ``unknown_member``, ``cannot_message_self``.
    :raises AlreadyBlocked: if ``blocker`` blocked them before.
    """
    blocked = recipient_get(sender=blocker, username=username)
    try:
        with transaction.atomic():
            block = Block.objects.create(
                blocker=blocker, blocked=blocked, created_at=now
            )
    except IntegrityError as exc:
        raise AlreadyBlocked(gettext("You have blocked this member already.")) from exc
    return block


@transaction.atomic
def member_unblock(*, blocker, username: Any) -> Member:
    """Take back a block: the member may write to ``blocker`` again.

    :raises InvalidInput: ``unknown_member``.
    :raises NotBlocked: if there is no such block.
    """
    blocked = recipient_get(sender=blocker, username=username)
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted == 0:
        raise NotBlocked(gettext("You have not blocked this member."))
    return blocked
