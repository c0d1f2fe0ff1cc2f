"""Compiled reads answer exactly what their querysets would, for every value bound."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfwork.accounts.models import ApiToken, Member
from selfwork.accounts.selectors import member_for_token
from selfwork.accounts.services import api_token_create
from selfwork.catalog import selectors as catalog
from selfwork.catalog.cards import COLUMNS, CardRow
from selfwork.catalog.models import Listing
from selfwork.catalog.services import listing_create, listing_update
from selfwork.communities.models import Community
from selfwork.communities.services import community_create
from selfwork.core.compiled import CompiledRead, Slot
from selfwork.core.errors import NotFound

pytestmark = pytest.mark.django_db

_by_username = CompiledRead(
    Member,
    lambda shape: Member.objects.filter(
        username=Slot("username", Member._meta.get_field("username"))
    ).values_list("username", "date_joined", "is_active"),
)


class TestCompiledRead:
    def test_each_call_binds_its_own_values(self, make_member):
        ada, bea = make_member("ada"), make_member("bea")
        for member in (ada, bea, ada):
            assert _by_username.rows(username=member.username) == list(
                Member.objects.filter(pk=member.pk).values_list(
                    "username", "date_joined", "is_active"
                )
            )
        assert _by_username.rows(username="nobody") == []

    def test_rows_are_converted_like_the_orm_converts_them(self, make_member):
        ada = make_member("ada")
        ((username, joined, active),) = _by_username.rows(username="ada")
        assert isinstance(joined, dt.datetime) and joined == ada.date_joined
        assert active is True

    def test_the_sql_is_written_once_per_alias(self, make_member):
        make_member("ada")
        read = CompiledRead(Member, _by_username.build)
        built = []
        original = read.build
        read.build = lambda shape: built.append(shape) or original(shape)
        read.rows(username="ada")
        read.rows(username="bea")
        assert built == [None]

    def test_a_hostile_value_is_a_value_never_sql(self, make_member):
        make_member("ada")
        assert _by_username.rows(username="ada' OR '1'='1") == []
        assert _by_username.rows(username='x"; DROP TABLE accounts_member; --') == []
        assert Member.objects.filter(username="ada").exists()


class TestMemberForToken:
    def test_reads_the_whole_member_in_one_query(self, make_member, now):
        ada = make_member("ada", display_name="Ada L.")
        token = api_token_create(member=ada, name="cli", now=now)
        member_for_token(token=token, now=now)  # records the first use
        with CaptureQueriesContext(connection) as queries:
            found = member_for_token(token=token, now=now)
        assert len(queries) == 1
        expected = Member.objects.get(pk=ada.pk)
        assert found == expected
        for field in Member._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname)
        assert found._state.adding is False and found._state.db == "default"

    def test_notes_the_use_at_most_once_a_minute(self, make_member, now):
        ada = make_member("ada")
        token = api_token_create(member=ada, name="cli", now=now)
        member_for_token(token=token, now=now)
        member_for_token(token=token, now=now + dt.timedelta(seconds=30))
        assert ApiToken.objects.get().last_used_at == now
        later = now + dt.timedelta(minutes=2)
        member_for_token(token=token, now=later)
        assert ApiToken.objects.get().last_used_at == later

    def test_a_wrong_token_or_a_closed_account_reads_nobody(self, make_member, now):
        ada = make_member("ada")
        token = api_token_create(member=ada, name="cli", now=now)
        assert member_for_token(token=token + "x", now=now) is None
        Member.objects.filter(pk=ada.pk).update(is_active=False)
        assert member_for_token(token=token, now=now) is None


class TestListingCardGet:
    """``listing_card_get`` answers what ``listing_get`` answers, for every viewer."""

    @pytest.fixture
    def listings(self, host, make_member, now):
        public = community_create(creator=host, slug="open", name="Open", now=now)
        private = community_create(
            creator=host,
            slug="closed",
            name="Closed",
            now=now,
            settings={"visibility": Community.Visibility.PRIVATE},
        )
        made = {}
        for name, community in (("public", public), ("private", private)):
            made[name] = listing_create(
                owner=host,
                community=community,
                title=f"A {name} lamp",
                modes=[{"mode": "gift"}],
                now=now,
            )
        made["hidden"] = listing_create(
            owner=host,
            community=public,
            title="A hidden lamp",
            modes=[{"mode": "gift"}],
            now=now,
        )
        listing_update(
            listing=made["hidden"], actor=host, changes={"status": "hidden"}, now=now
        )
        return made

    def _expected(self, listing: Listing, viewer):
        try:
            catalog.listing_get(public_id=listing.public_id, viewer=viewer)
        except NotFound:
            return None
        return CardRow(
            *Listing.objects.filter(pk=listing.pk).values_list(*COLUMNS).get()
        )

    def _got(self, listing: Listing, viewer):
        try:
            return catalog.listing_card_get(public_id=listing.public_id, viewer=viewer)
        except NotFound:
            return None

    def test_every_viewer_sees_what_listing_get_shows_them(
        self, listings, host, stranger
    ):
        seen = {}
        for viewer_name, viewer in (
            ("visitor", AnonymousUser()),
            ("stranger", stranger),
            ("host", host),
            ("visitor again", AnonymousUser()),
        ):
            for name, listing in listings.items():
                got = self._got(listing, viewer)
                assert got == self._expected(listing, viewer), (viewer_name, name)
                seen[(viewer_name, name)] = got is not None
        assert seen == {
            ("visitor", "public"): True,
            ("visitor", "private"): False,
            ("visitor", "hidden"): False,
            ("stranger", "public"): True,
            ("stranger", "private"): False,
            ("stranger", "hidden"): False,
            ("host", "public"): True,
            ("host", "private"): True,
            ("host", "hidden"): True,
            ("visitor again", "public"): True,
            ("visitor again", "private"): False,
            ("visitor again", "hidden"): False,
        }

    def test_a_malformed_id_is_not_found(self, listings):
        with pytest.raises(NotFound):
            catalog.listing_card_get(public_id="not-a-uuid", viewer=AnonymousUser())


class TestListingGet:
    """``listing_get`` reads what the ORM reads, with its modes, packages and
    images prefetched, in four queries."""

    @pytest.fixture
    def lamp(self, host, now, png_bytes):
        from selfwork.catalog.tests.payloads import MODES
        from selfwork.core.uploads import upload_create

        public = community_create(creator=host, slug="open", name="Open", now=now)
        images = [
            str(upload_create(owner=host, data=png_bytes(), now=now).public_id)
            for _ in range(2)
        ]
        return listing_create(
            owner=host,
            community=public,
            title="A brass lamp",
            modes=[MODES["service"], MODES["rental"]],
            images=images,
            now=now,
        )

    @staticmethod
    def _by_orm(listing: Listing) -> Listing:
        return (
            Listing.objects.select_related(
                "community", "owner", "owner__avatar", "category"
            )
            .prefetch_related("modes__packages", "images__upload")
            .get(pk=listing.pk)
        )

    @staticmethod
    def _shown(listing: Listing) -> dict:
        """Every stored value a listing's page reads, through its relations."""

        def values(row):
            return {
                f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields
            }

        return {
            "listing": values(listing),
            "community": values(listing.community),
            "owner": values(listing.owner),
            "category": listing.category,
            "modes": [
                (values(m), [values(p) for p in m.packages.all()], m.listing.pk)
                for m in listing.modes.all()
            ],
            "images": [
                (values(i), values(i.upload), i.listing.pk)
                for i in listing.images.all()
            ],
        }

    def test_reads_what_the_orm_reads_and_nothing_more_after(self, lamp, stranger):
        for viewer in (AnonymousUser(), stranger, lamp.owner):
            with CaptureQueriesContext(connection) as reading:
                got = catalog.listing_get(public_id=lamp.public_id, viewer=viewer)
            with CaptureQueriesContext(connection) as showing:
                shown = self._shown(got)
            assert shown == self._shown(self._by_orm(lamp))
            assert len(reading) == 4
            assert len(showing) == 0
        assert len(shown["modes"]) == 2 and len(shown["images"]) == 2
        assert [len(packages) for _, packages, _ in shown["modes"]] == [2, 0]

    def test_a_hidden_listing_is_its_owners_alone(self, lamp, stranger, now):
        listing_update(
            listing=lamp, actor=lamp.owner, changes={"status": "hidden"}, now=now
        )
        with pytest.raises(NotFound):
            catalog.listing_get(public_id=lamp.public_id, viewer=stranger)
        with pytest.raises(NotFound):
            catalog.listing_get(public_id=lamp.public_id, viewer=AnonymousUser())
        assert catalog.listing_get(public_id=lamp.public_id, viewer=lamp.owner) == lamp


def test_a_lookup_that_would_bake_a_slot_into_the_sql_is_refused(make_member):
    # SQLite's ``iexact`` rewrites its value as text: the marker, not the value,
    # would be compared with every row, silently. Writing such a read fails
    # instead. (PostgreSQL compares UPPER() of both sides and binds the value.)
    make_member("ada")
    read = CompiledRead(
        Member,
        lambda shape: Member.objects.filter(
            username__iexact=Slot("username", Member._meta.get_field("username"))
        ).values_list("username"),
    )
    if connection.vendor == "sqlite":
        with pytest.raises(TypeError, match="bound as a value"):
            read.rows(username="ADA")
    else:
        assert read.rows(username="ADA") == [("ada",)]
        assert read.rows(username="BEA") == []
