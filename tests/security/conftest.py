"""A small market where every kind of object has an owner, built through services.

The authorisation matrix asks each object's owner, another member of its
community, the host of another community and an anonymous visitor to reach it.
"""

import dataclasses
import datetime as dt
import functools
import hashlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def money(amount: str, currency: str = "EUR") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


RENTAL = {
    "mode": "rental",
    "price": {"amount": "6.00", "currency": "EUR"},
    "unit": "day",
    "deposit": {"amount": "40.00", "currency": "EUR"},
}
SERVICE = {
    "mode": "service",
    "packages": [
        {
            "name": "Full colour",
            "price": money("120.00"),
            "delivery_days": 10,
            "revisions": 2,
        }
    ],
}


@dataclasses.dataclass
class World:
    """Who is who, and what they own."""

    host: Any  # hosts the public guild and the private back room
    provider: Any
    buyer: Any
    neighbour: Any  # another member of the guild, party to nothing
    rival: Any  # hosts another community, member of neither
    applicant: Any  # waits for approval in the guild and the back room
    invitee: Any  # invited to the back room, not yet joined
    guild: Any
    back_room: Any
    elsewhere: Any
    listing: Any
    hidden_listing: Any
    private_listing: Any
    exchange: Any  # the buyer's commission, awaiting payment
    completed: Any  # the buyer's commission, delivered and accepted (licence)
    reviewable: Any  # the buyer's commission, accepted just now: open for reviews
    reviewed: Any  # the buyer's commission, accepted just now, both reviews published
    review: Any  # the buyer's published review of the provider, on ``reviewed``
    delivered_file: Any
    brief: Any  # the buyer's open brief in the guild
    private_brief: Any  # the buyer's brief in the back room
    offer: Any  # the provider's offer on ``brief``
    countered_offer: Any  # an offer the buyer answered with a counter
    charge: Any  # a cash payment waiting for the back room's host
    deposit: Any  # a cash deposit waiting for the back room's host
    held_deposit: Any  # a cash deposit the back room's host holds
    drill: Any  # the provider's drill for rent in the guild
    blocked: Any  # days kept off the drill's calendar
    portfolio_item: Any  # the buyer's
    token_id: int  # the buyer's API token
    private_rental: Any  # the provider's drill for rent in the back room
    private_lend: Any  # the provider's ladder, lent for free in the back room
    private_time: Any  # the provider's hours of help in the back room
    rental_photo: Any  # the provider's photo of handing the drill over to the buyer
    rental: Any  # the buyer's rental of the drill, handed over with that photo
    private_share: Any  # the provider's bike, given away or swapped, in the back room
    post: Any  # the buyer's question on the guild's board; the provider voted for it
    private_post: Any  # the buyer's question on the back room's board
    hidden_post: Any  # the buyer's idea on the guild's board, hidden by the host
    reply: Any  # the provider's reply to ``post``
    private_reply: Any  # the provider's reply to ``private_post``
    conversation: Any  # the buyer's conversation with the provider about ``listing``
    webhook: Any  # the host's webhook endpoint for the guild's events
    webhook_delivery: Any  # a ping queued to ``webhook``
    now: Any


# The password every member of the world signs up with (the account tests type it).
PASSWORD = "a long enough passphrase"
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Any:
    """The world, built once per test module inside a transaction rolled back at
    its end; each test runs in a savepoint of it (``world``) and sees it whole.

    Building it takes seconds; the matrix asks it hundreds of questions.
    """
    from django.db import transaction
    from django.test import override_settings

    from selfwork.core.testing import fx_reference_rates_ensure

    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            UPLOAD_LOCK_DIR=tmp_path_factory.getbasetemp() / "image-locks",
            SELFWORK_WEBHOOK_ALLOW_PRIVATE=True,
        ),
        transaction.atomic(),
    ):
        fx_reference_rates_ensure()
        yield world_build(now=NOW)
        transaction.set_rollback(True)


@pytest.fixture
def world(built_world, db) -> World:
    return built_world


def world_build(*, now: dt.datetime) -> World:
    from selfwork.accounts.models import ApiToken
    from selfwork.accounts.services import (
        api_token_create,
        member_signup,
        portfolio_add,
    )
    from selfwork.boards import services as boards
    from selfwork.briefs import services as briefs
    from selfwork.catalog.services import listing_create, listing_hide
    from selfwork.communities.models import Membership
    from selfwork.communities.services import (
        community_create,
        community_invite,
        community_join,
    )
    from selfwork.conversations import services as conversations
    from selfwork.core.money import Money
    from selfwork.core.uploads import upload_create
    from selfwork.exchanges import services as exchanges
    from selfwork.payments import services as payments
    from selfwork.payments.gateways import CARD_SUCCEEDS

    def make_member(name):
        return member_signup(
            username=name, email=f"{name}@example.com", password=PASSWORD, now=now
        )

    def member_of(community, member):
        return community_join(community=community, member=member, now=now)

    host = make_member("hana")
    provider = make_member("priya")
    buyer = make_member("bruno")
    neighbour = make_member("nell")
    rival = make_member("rita")
    applicant = make_member("abe")
    invitee = make_member("ivy")
    guild = community_create(
        creator=host, slug="guild", name="Guild", now=now, settings={"currency": "EUR"}
    )
    back_room = community_create(
        creator=host,
        slug="back-room",
        name="Back Room",
        now=now,
        settings={"currency": "EUR", "visibility": "private"},
    )
    elsewhere = community_create(
        creator=rival, slug="elsewhere", name="Elsewhere", now=now, settings={}
    )
    # Written, so that their pages exist and follow the community's visibility.
    for room in (guild, back_room):
        room.about, room.rules, room.contact = "Who we are.", "Be kind.", "Ask Hana."
        room.save(update_fields=["about", "rules", "contact"])
    for member in (provider, buyer, neighbour):
        member_of(guild, member)
    for member in (provider, buyer):
        community_invite(community=back_room, actor=host, member=member, now=now)
        community_join(community=back_room, member=member, now=now)
    community_invite(community=back_room, actor=host, member=invitee, now=now)
    for room in (guild, back_room):
        Membership.objects.create(
            community=room,
            member=applicant,
            role=Membership.Role.MEMBER,
            status=Membership.Status.PENDING,
            created_at=now,
        )

    listing = listing_create(
        owner=provider, community=guild, title="Portrait", modes=[SERVICE], now=now
    )
    hidden_listing = listing_create(
        owner=provider, community=guild, title="Hidden", modes=[SERVICE], now=now
    )
    listing_hide(listing=hidden_listing, actor=provider, now=now)
    private_listing = listing_create(
        owner=provider, community=back_room, title="Secret", modes=[SERVICE], now=now
    )
    package = str(listing.modes.get().packages.get().public_id)

    def order():
        return exchanges.exchange_order(
            listing=listing, customer=buyer, mode="service", package=package, now=now
        )

    exchange = order()
    completed = order()
    exchanges.exchange_transition(
        exchange=completed,
        actor=buyer,
        name="pay",
        params={"card": CARD_SUCCEEDS},
        now=now,
    )
    delivered_file = upload_create(owner=provider, data=PDF, now=now, kind="file")
    exchanges.exchange_transition(
        exchange=completed,
        actor=provider,
        name="deliver",
        params={"note": "Done", "files": [str(delivered_file.public_id)]},
        now=now,
    )
    exchanges.exchange_transition(
        exchange=completed, actor=buyer, name="accept", params={}, now=now
    )

    # Reviews are open for 14 days of the API's clock, the wall clock: these two
    # commissions end now, not at the world's fixed ``now``.
    def finished_now():
        at = timezone.now()
        ordered = exchanges.exchange_order(
            listing=listing, customer=buyer, mode="service", package=package, now=at
        )
        for actor, name, params in [
            (buyer, "pay", {"card": CARD_SUCCEEDS}),
            (provider, "deliver", {"note": "Done"}),
            (buyer, "accept", {}),
        ]:
            ordered = exchanges.exchange_transition(
                exchange=ordered, actor=actor, name=name, params=params, now=at
            )
        return ordered

    reviewable = finished_now()
    reviewed = finished_now()
    review = exchanges.review_submit(
        exchange=reviewed,
        author=buyer,
        review=exchanges.ReviewIn(rating=4, text="Good work."),
        now=timezone.now(),
    )
    exchanges.review_submit(
        exchange=reviewed,
        author=provider,
        review=exchanges.ReviewIn(rating=5, text="A kind buyer."),
        now=timezone.now(),
    )

    brief_fields = {
        "author": buyer,
        "title": "A cover",
        "description": "A lighthouse.",
        "budget_min": money("100.00"),
        "budget_max": money("300.00"),
        "now": now,
    }
    brief = briefs.brief_create(community=guild, **brief_fields)
    private_brief = briefs.brief_create(community=back_room, **brief_fields)
    offer = briefs.offer_create(
        brief=brief, provider=provider, price=money("240.00"), delivery_days=10, now=now
    )
    countered_offer = briefs.offer_create(
        brief=private_brief,
        provider=provider,
        price=money("250.00"),
        delivery_days=10,
        now=now,
    )
    briefs.offer_counter(
        offer=countered_offer,
        customer=buyer,
        price=money("200.00"),
        delivery_days=None,
        message="Lower?",
        now=now,
    )

    private_share = listing_create(
        owner=provider,
        community=back_room,
        title="Bike",
        modes=[{"mode": "gift"}, {"mode": "swap"}],
        now=now,
    )
    private_rental = listing_create(
        owner=provider,
        community=back_room,
        title="Drill",
        modes=[RENTAL],
        now=now,
    )
    private_lend = listing_create(
        owner=provider,
        community=back_room,
        title="Ladder",
        modes=[{"mode": "lend"}],
        now=now,
    )
    private_time = listing_create(
        owner=provider,
        community=back_room,
        title="An hour of help",
        modes=[{"mode": "timebank", "hours": {"amount": "1", "currency": "HOUR"}}],
        now=now,
    )
    # The rental's room and its photo are read by the wall clock; its period is
    # any future one.
    first = now.date() + dt.timedelta(days=10)
    rental = exchanges.exchange_order(
        listing=private_rental,
        customer=buyer,
        mode="rental",
        start=first,
        end=first + dt.timedelta(days=2),
        now=now,
    )
    rental_photo = upload_create(owner=provider, data=_png(), now=now)
    for actor, name, params in (
        (buyer, "pay", {"card": CARD_SUCCEEDS}),
        (provider, "approve", {}),
        (provider, "handover", {"photos": [str(rental_photo.public_id)]}),
    ):
        exchanges.exchange_transition(
            exchange=rental, actor=actor, name=name, params=params, now=now
        )

    payments.payment_settings_set(
        community=back_room, actor=host, gateway="manual", now=now
    )
    charge = payments.escrow_charge(
        reference="cash-1",
        customer=buyer,
        provider=provider,
        community=back_room,
        amount=Money.parse("25.00", "EUR"),
        now=now,
    )

    deposit = payments.deposit_authorise(
        reference="cash-2",
        customer=buyer,
        provider=provider,
        community=back_room,
        amount=Money.parse("40.00", "EUR"),
        now=now,
    )
    held_deposit = payments.manual_deposit_confirm(
        deposit=payments.deposit_authorise(
            reference="cash-3",
            customer=buyer,
            provider=provider,
            community=back_room,
            amount=Money.parse("40.00", "EUR"),
            now=now,
        ),
        host=host,
        now=now,
    )
    from selfwork.catalog.services import blocked_period_add

    drill = listing_create(
        owner=provider,
        community=guild,
        title="Cordless drill",
        modes=[
            {
                "mode": "rental",
                "price": money("6.00"),
                "unit": "day",
                "deposit": money("40.00"),
            }
        ],
        now=now,
    )
    blocked = blocked_period_add(
        listing=drill,
        actor=provider,
        start=now.date() + dt.timedelta(days=20),
        end=now.date() + dt.timedelta(days=22),
        now=now,
        note="Away at my sister's",
    )

    def question(room):
        return boards.post_create(
            community=room,
            author=buyer,
            kind="question",
            title="Who has a ladder?",
            body="Two metres would do.",
            now=now,
        )

    post, private_post = question(guild), question(back_room)
    hidden_post = boards.post_create(
        community=guild, author=buyer, kind="idea", title="Ideas", now=now
    )
    boards.post_hide(post=hidden_post, actor=host, reason="Duplicate", now=now)
    reply, private_reply = (
        boards.reply_create(post=p, author=provider, body="Mine.", now=now)
        for p in (post, private_post)
    )
    boards.post_vote(post=post, member=provider, now=now)
    boards.post_vote(post=private_post, member=provider, now=now)

    conversation = conversations.conversation_start(
        sender=buyer,
        to=provider.username,
        listing=str(listing.public_id),
        body=CONVERSATION_SECRET,
        now=now,
    ).conversation
    # The buyer blocked the applicant: a block only the buyer may take back.
    conversations.member_block(blocker=buyer, username=applicant.username, now=now)

    image = upload_create(owner=buyer, data=_png(), now=now)
    portfolio_item = portfolio_add(member=buyer, upload_id=str(image.public_id))
    api_token_create(member=buyer, now=now, name="laptop")
    token_id = ApiToken.objects.filter(member=buyer, name="laptop").get().pk
    from selfwork.webhooks import services as webhooks

    webhook = webhooks.endpoint_create(
        owner=host,
        url="http://127.0.0.1:9/hooks",
        events=["listing.created", "exchange.transitioned"],
        community=guild,
        now=now,
    )
    webhook_delivery = webhooks.endpoint_ping(endpoint=webhook, now=now)
    return World(
        host=host,
        provider=provider,
        buyer=buyer,
        neighbour=neighbour,
        rival=rival,
        applicant=applicant,
        invitee=invitee,
        guild=guild,
        back_room=back_room,
        elsewhere=elsewhere,
        listing=listing,
        hidden_listing=hidden_listing,
        private_listing=private_listing,
        exchange=exchange,
        completed=completed,
        reviewable=reviewable,
        reviewed=reviewed,
        review=review,
        delivered_file=delivered_file,
        brief=brief,
        private_brief=private_brief,
        offer=offer,
        countered_offer=countered_offer,
        charge=charge,
        deposit=deposit,
        held_deposit=held_deposit,
        drill=drill,
        blocked=blocked,
        portfolio_item=portfolio_item,
        token_id=token_id,
        private_rental=private_rental,
        private_lend=private_lend,
        private_time=private_time,
        rental_photo=rental_photo,
        rental=rental,
        private_share=private_share,
        post=post,
        private_post=private_post,
        hidden_post=hidden_post,
        reply=reply,
        private_reply=private_reply,
        conversation=conversation,
        webhook=webhook,
        webhook_delivery=webhook_delivery,
        now=now,
    )


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


# Bookkeeping that any authenticated request writes, whatever it asks for.
# What the buyer wrote to the provider: nobody else may read it.
CONVERSATION_SECRET = "Could you paint my cat, Tiramisu, by May?"

NOT_FINGERPRINTED = {("accounts_apitoken", "last_used_at")}
# Throttles count every attempt, refused ones included: that is how they slow an
# attacker down. The counters hold no object's data.
NOT_FINGERPRINTED_TABLES = {"core_ratecounter"}


@functools.cache
def _fingerprint_queries() -> tuple[tuple[str, str, tuple], ...]:
    """(table, SQL, parameters) reading every row of every table the project's
    models own, ordered by key: compiled once, run raw for each fingerprint."""
    queries = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in NOT_FINGERPRINTED_TABLES:
            continue
        columns = [
            f.attname
            for f in meta.concrete_fields
            if (meta.db_table, f.attname) not in NOT_FINGERPRINTED
        ]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        sql, params = rows.query.sql_with_params()
        queries.append((meta.db_table, sql, tuple(params)))
    return tuple(queries)


def database_fingerprint() -> dict[str, str]:
    """A hash of every row of every table the project's models own, by table."""
    fingerprint = {}
    with connection.cursor() as cursor:
        for table, sql, params in _fingerprint_queries():
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            fingerprint[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return fingerprint
