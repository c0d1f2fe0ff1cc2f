"""Everything selfwork holds about one member, as one zip archive.

The archive holds one JSON file per kind of data, the member's statement of
their wallets as CSV, and the files they uploaded or were delivered, with an
``index.json`` that lists every file and says what it is.

What is in it, and what is not:

- the member's own rows: profile, settings and preferences, memberships, API
  tokens (name, prefix and dates: never the token or its hash), the devices and
  addresses they log in from (when last seen: only digests are stored), payout
  destinations (masked, as stored), listings, briefs and offers, board posts,
  replies and votes, notifications, reviews they wrote;
- the exchanges they are a party to, with their terms, timeline, messages,
  deliveries, and the published reviews of them;
- whole conversations they are in: their messages and the other party's, since
  a conversation is the member's record of what was said to them (the usual
  practice for a subject-access request); conversations they are not in are not;
- their wallets' statement (from the ledger, by their owner reference), time
  credits, charges, refunds, releases, deposits and payouts;
- their uploads, deliverables they received once revealed to them, and images
  others attached to messages in their conversations.

Never: password hashes, token secrets or digests, gateway handles of cards or
bank accounts, reviews of the member not yet published (double-blind), anyone
else's private data.
"""

import datetime as dt
import io
import json
import mimetypes
import posixpath
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q, QuerySet

from selfwork.accounts.models import ApiToken, LoginOrigin, Member, PortfolioItem
from selfwork.boards.models import Mention, Post, PostImage, PostRead, Reply, Vote
from selfwork.briefs.models import Brief, BriefAttachment, Counter, Offer
from selfwork.catalog.models import (
    BlockedPeriod,
    Listing,
    ListingAvailability,
    ListingImage,
    ListingMode,
    ListingPackage,
)
from selfwork.communities.models import Membership
from selfwork.conversations.models import Block, Conversation, MessageImage
from selfwork.conversations.models import Message as ConversationMessage
from selfwork.core.models import Upload
from selfwork.exchanges.models import Delivery, Exchange, ExchangeEvent, Licence, Review
from selfwork.exchanges.models import Message as ExchangeMessage
from selfwork.ledger.export import ledger_export
from selfwork.ledger.models import Account
from selfwork.notifications.models import Digest, Notification, Preference
from selfwork.payments.books import member_ref
from selfwork.payments.models import (
    Charge,
    Deposit,
    Payout,
    PayoutDestination,
    PayoutPreference,
    Refund,
    Release,
)
from selfwork.payments.selectors import wallet_balances, wallet_entries, wallet_history

FORMAT_VERSION = 1
# Fields never exported, whatever row they are on.
SECRET_FIELDS = frozenset({"password", "digest", "token", "gateway_ref"})


def _scalar(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


class _Names:
    """Turns foreign keys into words: members by username, rows by public id."""

    def __init__(self) -> None:
        self.cache: dict[type, dict[int, Any]] = {}

    def resolve(self, model: type[models.Model], ids: set[int]) -> dict[int, Any]:
        known = self.cache.setdefault(model, {})
        missing = {i for i in ids if i is not None and i not in known}
        if missing:
            rows: Iterable[tuple[int, Any]]
            if model is Member:
                rows = Member.objects.filter(pk__in=missing).values_list(
                    "pk", "username"
                )
            elif any(f.name == "public_id" for f in model._meta.concrete_fields):
                rows = model._default_manager.filter(pk__in=missing).values_list(
                    "pk", "public_id"
                )
            else:
                rows = [(i, i) for i in missing]
            known.update((pk, _scalar(v)) for pk, v in rows)
        return known


def _rows(
    queryset: QuerySet, names: _Names, *, exclude: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """Every concrete field of each row, foreign keys in words, secrets left out."""
    model = queryset.model
    skip = SECRET_FIELDS | set(exclude)
    fields = [
        f for f in model._meta.concrete_fields if f.name not in skip and f.name != "id"
    ]
    values = list(queryset.values("pk", *[f.attname for f in fields]))
    relations = {
        f: names.resolve(f.related_model, {row[f.attname] for row in values})
        for f in fields
        if f.is_relation and f.related_model is not None
    }
    out = []
    for row in values:
        item: dict[str, Any] = {}
        for f in fields:
            value = row[f.attname]
            if f in relations:
                value = relations[f].get(value) if value is not None else None
            item[f.name] = _scalar(value)
        out.append(item)
    return out


@dataclass
class _Archive:
    """The files of the archive as they are gathered, and what each one is."""

    files: dict[str, bytes] = field(default_factory=dict)
    index: list[dict[str, Any]] = field(default_factory=list)

    def add(self, name: str, data: bytes, about: str, **extra: Any) -> None:
        self.files[name] = data
        self.index.append({"file": name, "about": about, "bytes": len(data), **extra})

    def add_json(self, name: str, data: Any, about: str) -> None:
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        self.add(name, text.encode(), about, content_type="application/json")


def _profile(member: Member, names: _Names) -> dict[str, Any]:
    return {
        "member": _rows(
            Member.objects.filter(pk=member.pk),
            names,
            exclude=("is_superuser", "is_staff"),
        )[0],
        "portfolio": _rows(PortfolioItem.objects.filter(member=member), names),
        "memberships": _rows(Membership.objects.filter(member=member), names),
        "api_tokens": _rows(ApiToken.objects.filter(member=member), names),
        "log_in_origins": _rows(
            LoginOrigin.objects.filter(member=member),
            names,
            exclude=("member",),
        ),
        "notification_preferences": _rows(
            Preference.objects.filter(member=member), names
        ),
        "payout_destinations": _rows(
            PayoutDestination.objects.filter(member=member), names
        ),
        "payout_preferences": _rows(
            PayoutPreference.objects.filter(member=member), names
        ),
        "blocked_members": _rows(Block.objects.filter(blocker=member), names),
    }


def _listings(member: Member, names: _Names) -> dict[str, Any]:
    listings = Listing.objects.filter(owner=member).order_by("pk")
    return {
        "listings": _rows(listings, names, exclude=("search_vector",)),
        "modes": _rows(ListingMode.objects.filter(listing__in=listings), names),
        "packages": _rows(
            ListingPackage.objects.filter(mode__listing__in=listings), names
        ),
        "images": _rows(ListingImage.objects.filter(listing__in=listings), names),
        "availability": _rows(
            ListingAvailability.objects.filter(listing__in=listings), names
        ),
        "blocked_periods": _rows(
            BlockedPeriod.objects.filter(listing__in=listings), names
        ),
    }


def _exchanges(member: Member, names: _Names) -> dict[str, Any]:
    exchanges = Exchange.objects.filter(
        Q(customer=member) | Q(provider=member)
    ).order_by("pk")
    deliveries = Delivery.objects.filter(exchange__in=exchanges).order_by("pk")
    files = Delivery.files.through.objects.filter(delivery__in=deliveries)
    files_of: dict[int, list[Any]] = {}
    uploads = names.resolve(Upload, set(files.values_list("upload_id", flat=True)))
    for delivery_id, upload_id in files.values_list("delivery_id", "upload_id"):
        files_of.setdefault(delivery_id, []).append(uploads[upload_id])
    delivered = _rows(deliveries, names)
    for row, pk in zip(delivered, deliveries.values_list("pk", flat=True), strict=True):
        row["files"] = files_of.get(pk, [])
    return {
        "exchanges": _rows(exchanges, names),
        "events": _rows(
            ExchangeEvent.objects.filter(exchange__in=exchanges).order_by("pk"), names
        ),
        "messages": _rows(
            ExchangeMessage.objects.filter(exchange__in=exchanges).order_by("pk"),
            names,
        ),
        "deliveries": delivered,
        "licences": _rows(Licence.objects.filter(exchange__in=exchanges), names),
    }


def _reviews(member: Member, names: _Names) -> dict[str, Any]:
    return {
        "written": _rows(Review.objects.filter(author=member).order_by("pk"), names),
        # Double-blind: a review of the member is theirs to read once published.
        "received": _rows(
            Review.objects.filter(subject=member, published_at__isnull=False).order_by(
                "pk"
            ),
            names,
            exclude=("hidden_by",),
        ),
    }


def _conversations(member: Member, names: _Names) -> dict[str, Any]:
    conversations = Conversation.objects.filter(participants__member=member).order_by(
        "pk"
    )
    messages = ConversationMessage.objects.filter(
        conversation__in=conversations
    ).order_by("pk")
    return {
        "conversations": _rows(conversations, names),
        "messages": _rows(messages, names),
        "attachments": _rows(
            MessageImage.objects.filter(message__in=messages).order_by("pk"), names
        ),
    }


def _boards(member: Member, names: _Names) -> dict[str, Any]:
    posts = Post.objects.filter(author=member).order_by("pk")
    return {
        "posts": _rows(posts, names, exclude=("search_vector",)),
        "post_images": _rows(PostImage.objects.filter(post__in=posts), names),
        "replies": _rows(Reply.objects.filter(author=member).order_by("pk"), names),
        "votes": _rows(Vote.objects.filter(member=member).order_by("pk"), names),
        "reads": _rows(PostRead.objects.filter(member=member).order_by("pk"), names),
        "mentions_of_you": _rows(
            Mention.objects.filter(member=member).order_by("pk"), names
        ),
    }


def _briefs(member: Member, names: _Names) -> dict[str, Any]:
    briefs = Brief.objects.filter(author=member).order_by("pk")
    offers = Offer.objects.filter(Q(provider=member) | Q(brief__in=briefs)).order_by(
        "pk"
    )
    return {
        "briefs": _rows(briefs, names),
        "attachments": _rows(BriefAttachment.objects.filter(brief__in=briefs), names),
        "offers": _rows(offers, names),
        "counters": _rows(Counter.objects.filter(offer__in=offers), names),
    }


def _notifications(member: Member, names: _Names) -> dict[str, Any]:
    return {
        "notifications": _rows(
            Notification.objects.filter(member=member).order_by("pk"), names
        ),
        "digests": _rows(Digest.objects.filter(member=member).order_by("pk"), names),
    }


def _money(member: Member, names: _Names) -> dict[str, Any]:
    legs = list(wallet_entries(member=member))
    history = [
        {
            "at": row.leg.transaction.posted_at,
            "amount": row.amount.as_dict(),
            "what": row.what,
            "detail": row.detail,
            "about": row.title,
            "reference": row.leg.transaction.reference,
            "transaction": row.leg.transaction.public_id,
        }
        for row in wallet_history(member=member, legs=legs)
    ]
    hours = Account.objects.filter(
        kind=Account.Kind.MEMBER_HOURS, owner_ref__endswith=f":{member.public_id}"
    ).order_by("pk")
    return {
        "balances": [
            {
                "currency": b.currency,
                "available": b.available.as_dict(),
                "in_escrow_for_your_work": b.escrow.as_dict(),
                "in_escrow_you_paid": b.escrow_paid.as_dict(),
                "paid_out": b.paid_out.as_dict(),
                "deposits_held": b.deposits_held.as_dict(),
            }
            for b in wallet_balances(member=member)
        ],
        "wallet_history": history,
        "time_credit_accounts": [
            {"account": a.owner_ref, "unit": a.unit, "balance_minor": a.balance_minor}
            for a in hours
        ],
        "charges": _rows(
            Charge.objects.filter(Q(customer=member) | Q(provider=member)).order_by(
                "pk"
            ),
            names,
        ),
        "refunds": _rows(
            Refund.objects.filter(
                reference__in=Charge.objects.filter(customer=member).values("reference")
            ).order_by("pk"),
            names,
        ),
        "releases": _rows(
            Release.objects.filter(provider=member).order_by("pk"), names
        ),
        "deposits": _rows(
            Deposit.objects.filter(Q(customer=member) | Q(provider=member)).order_by(
                "pk"
            ),
            names,
        ),
        "payouts": _rows(Payout.objects.filter(member=member).order_by("pk"), names),
    }


def _uploads(member: Member) -> QuerySet[Upload]:
    """The member's uploads, deliverables revealed to them, images sent to them."""
    received = Q(
        pk__in=Delivery.files.through.objects.filter(
            delivery__exchange__customer=member,
            delivery__exchange__deliverables_revealed_at__isnull=False,
        ).values("upload_id")
    ) | Q(
        pk__in=MessageImage.objects.filter(
            message__conversation__participants__member=member
        ).values("upload_id")
    )
    return Upload.objects.filter(Q(owner=member) | received).order_by("pk")


def _file_name(upload: Upload) -> str:
    extension = posixpath.splitext(upload.file.name or "")[1] or (
        mimetypes.guess_extension(upload.content_type) or ""
    )
    return f"uploads/{upload.public_id}{extension}"


SECTIONS = (
    ("profile.json", _profile, "Your account, profile, settings and preferences"),
    ("listings.json", _listings, "Your listings with their modes, packages, images"),
    (
        "exchanges.json",
        _exchanges,
        "Exchanges you are a party to: terms, timeline, messages, deliveries",
    ),
    ("reviews.json", _reviews, "Reviews you wrote, and published reviews of you"),
    (
        "conversations.json",
        _conversations,
        "Conversations you are in, with both parties' messages",
    ),
    ("boards.json", _boards, "Your board posts, replies and votes"),
    ("briefs.json", _briefs, "Your briefs, and offers made to them or by you"),
    ("notifications.json", _notifications, "What you were notified of"),
    ("wallet.json", _money, "Balances, wallet history, charges, payouts, deposits"),
)


def member_export(*, member: Member, now: dt.datetime) -> bytes:
    """Return the zip archive of everything held about ``member``."""
    names = _Names()
    archive = _Archive()
    for name, section, about in SECTIONS:
        archive.add_json(name, section(member, names), about)
    statement = io.StringIO()
    ledger_export(format="csv", stream=statement, owner_ref_prefix=member_ref(member))
    archive.add(
        "wallet.csv",
        statement.getvalue().encode(),
        "Every posting on your wallets, with the balance after it (CSV)",
        content_type="text/csv",
    )
    uploads: list[dict[str, Any]] = []
    for upload in _uploads(member):
        path = _file_name(upload)
        try:
            with upload.file.open("rb") as stored:
                data = stored.read()
        except OSError:
            # A file missing from storage is listed, not fatal to the export.
            uploads.append({"id": upload.public_id, "file": None})
            continue
        archive.add(
            path,
            data,
            "A file you uploaded"
            if upload.owner_id == member.pk
            else "A file another member sent you",
            content_type=upload.content_type,
        )
        uploads.append({"id": upload.public_id, "file": path})
    archive.add_json(
        "uploads.json",
        {
            "uploads": _rows(_uploads(member), names, exclude=("file",)),
            "files": uploads,
        },
        "Your uploads and the files sent to you, by id",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, data in archive.files.items():
            zipped.writestr(name, data)
        index = {
            "format": FORMAT_VERSION,
            "member": str(member.public_id),
            "username": member.username,
            "created_at": now.isoformat(),
            "files": [
                *archive.index,
                {"file": "index.json", "about": "This list of the archive's files"},
            ],
        }
        zipped.writestr(
            "index.json", json.dumps(index, cls=DjangoJSONEncoder, indent=2)
        )
    return buffer.getvalue()


def export_filename(*, member: Member, now: dt.datetime) -> str:
    """The name the archive is offered under."""
    return f"selfwork-{member.username}-{now:%Y-%m-%d}.zip"
