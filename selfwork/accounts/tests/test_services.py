import datetime as dt

import pytest

from selfwork.accounts import selectors, services
from selfwork.accounts.models import ApiToken, Member, PortfolioItem
from selfwork.core.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from selfwork.core.models import RateCounter

PASSWORD = "a long enough passphrase"


def signup(now, username="olga", email="olga@example.com", password=PASSWORD, **kw):
    return services.member_signup(
        username=username, email=email, password=password, now=now, **kw
    )


class TestMemberSignup:
    def test_creates_a_member_named_by_their_username(self, db, now):
        member = signup(now)
        assert member.username == "olga"
        assert member.display_name == "olga"
        assert member.check_password(PASSWORD)
        assert member.date_joined == now

    def test_keeps_the_email_in_lower_case(self, db, now):
        assert signup(now, email="Olga@Example.COM").email == "olga@example.com"

    @pytest.mark.real_hashing
    def test_hashes_the_password_with_argon2(self, db, now):
        member = signup(now)
        assert member.password.startswith("argon2")
        assert PASSWORD not in member.password

    @pytest.mark.parametrize(
        "username",
        [
            "ab",
            "Olga",
            "olga smith",
            "-olga",
            "olga-",
            "o" * 31,
            "<script>",
            "olga!",
            "ölga",
            "",
        ],
    )
    def test_refuses_a_malformed_username(self, db, now, username):
        with pytest.raises(InvalidInput) as refused:
            signup(now, username=username)
        assert refused.value.code == "invalid_username"
        assert not Member.objects.exists()

    @pytest.mark.parametrize(
        "email", ["not-an-email", "olga@", "@example.com", "", "a" * 250 + "@x.io"]
    )
    def test_refuses_a_malformed_email(self, db, now, email):
        with pytest.raises(InvalidInput) as refused:
            signup(now, email=email)
        assert refused.value.code == "invalid_email"
        assert not Member.objects.exists()

    @pytest.mark.parametrize(
        "password",
        [
            "short1!",  # under the minimum length
            "password123",  # a common password
            "qwertyuiop",  # a common password
            "83920174650193",  # only digits
            "olga@example.com",  # the same as the email
        ],
    )
    def test_refuses_a_weak_password(self, db, now, password):
        with pytest.raises(InvalidInput) as refused:
            signup(now, password=password)
        assert refused.value.code == "weak_password"
        assert not Member.objects.exists()

    def test_refuses_a_taken_username(self, db, now):
        signup(now)
        with pytest.raises(Conflict) as refused:
            signup(now, email="other@example.com")
        assert refused.value.code == "username_taken"
        assert Member.objects.count() == 1

    def test_refuses_a_taken_email_whatever_its_case(self, db, now):
        signup(now)
        with pytest.raises(Conflict) as refused:
            signup(now, username="olga2", email="OLGA@example.com")
        assert refused.value.code == "email_taken"
        assert Member.objects.count() == 1

    def test_refuses_markup_in_the_display_name(self, db, now):
        with pytest.raises(InvalidInput) as refused:
            signup(now, display_name="<img src=x onerror=alert(1)>")
        assert refused.value.code == "markup_not_allowed"
        assert not Member.objects.exists()


class TestMemberAuthenticate:
    def authenticate(self, now, username="olga", password=PASSWORD, address="10.0.0.1"):
        return services.member_authenticate(
            username=username, password=password, address=address, now=now
        )

    def test_returns_the_member_for_the_right_password(self, db, now):
        member = signup(now)
        assert self.authenticate(now) == member
        member.refresh_from_db()
        assert member.last_login == now

    def test_refuses_a_wrong_password_and_counts_it(self, db, now):
        signup(now)
        with pytest.raises(NotAuthenticated) as refused:
            self.authenticate(now, password="not the passphrase")
        assert refused.value.code == "bad_credentials"
        pair = RateCounter.objects.get(bucket="login:pair:olga:10.0.0.1")
        assert pair.hits == 1

    def test_refuses_an_unknown_member_with_the_same_words(self, db, now):
        with pytest.raises(NotAuthenticated) as refused:
            self.authenticate(now, username="nobody")
        assert refused.value.code == "bad_credentials"

    def test_refuses_a_deactivated_member(self, db, now):
        member = signup(now)
        Member.objects.filter(pk=member.pk).update(is_active=False)
        with pytest.raises(NotAuthenticated):
            self.authenticate(now)

    def test_locks_the_account_after_five_failures_even_for_the_right_password(
        self, db, now
    ):
        signup(now)
        for _ in range(5):
            with pytest.raises(NotAuthenticated):
                self.authenticate(now, password="guess")
        with pytest.raises(RateLimited) as refused:
            self.authenticate(now)
        assert refused.value.code == "login_rate_limited"

    def test_lets_the_member_in_again_once_the_window_has_passed(self, db, now):
        member = signup(now)
        for _ in range(5):
            with pytest.raises(NotAuthenticated):
                self.authenticate(now, password="guess")
        later = now + dt.timedelta(minutes=16)
        assert self.authenticate(later) == member

    def test_limits_an_address_guessing_across_many_accounts(self, db, now):
        signup(now)
        for i in range(20):
            with pytest.raises(NotAuthenticated):
                self.authenticate(now, username=f"victim{i}", password="guess")
        with pytest.raises(RateLimited):
            self.authenticate(now)
        # Another address is not blocked.
        assert self.authenticate(now, address="10.0.0.2").username == "olga"

    def test_clears_the_account_failures_after_a_success(self, db, now):
        signup(now)
        for _ in range(4):
            with pytest.raises(NotAuthenticated):
                self.authenticate(now, password="guess")
        self.authenticate(now)
        assert not RateCounter.objects.filter(bucket__startswith="login:pair:").exists()


class TestApiTokens:
    def test_stores_only_a_hash_of_the_token(self, db, now):
        member = signup(now)
        token = services.api_token_create(member=member, now=now)
        row = ApiToken.objects.get(member=member)
        assert token.startswith("sw_")
        assert row.digest != token
        assert token not in row.digest
        assert selectors.member_for_token(token=token, now=now) == member

    def test_a_revoked_token_no_longer_names_its_member(self, db, now):
        member = signup(now)
        token = services.api_token_create(member=member, now=now)
        services.api_token_revoke(
            member=member, token_id=ApiToken.objects.get(member=member).pk
        )
        assert selectors.member_for_token(token=token, now=now) is None

    def test_a_member_cannot_revoke_someone_elses_token(self, db, now, make_member):
        owner = signup(now)
        services.api_token_create(member=owner, now=now)
        other = make_member()
        with pytest.raises(NotFound):
            services.api_token_revoke(
                member=other, token_id=ApiToken.objects.get(member=owner).pk
            )
        assert ApiToken.objects.filter(member=owner).count() == 1

    def test_a_deactivated_members_token_names_nobody(self, db, now):
        member = signup(now)
        token = services.api_token_create(member=member, now=now)
        Member.objects.filter(pk=member.pk).update(is_active=False)
        assert selectors.member_for_token(token=token, now=now) is None


class TestMemberUpdate:
    def test_changes_only_the_fields_given(self, provider):
        services.member_update(
            member=provider,
            changes={"display_name": "Priya R.", "commission_slots": 5},
        )
        provider.refresh_from_db()
        assert provider.display_name == "Priya R."
        assert provider.commission_slots == 5
        assert provider.city == "Pune"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
            ({"preferred_currency": "eur"}, "preferred_currency"),
            ({"preferred_currency": "HOUR"}, "preferred_currency"),
            ({"display_name": "<b>Priya</b>"}, "display_name"),
            ({"display_name": ""}, "display_name"),
            ({"commission_slots": 101}, "commission_slots"),
            ({"commission_slots": -1}, "commission_slots"),
            ({"commission_slots": True}, "commission_slots"),
            ({"commission_status": "busy"}, "commission_status"),
            ({"country": "India"}, "country"),
            ({"skills": ["ok"] * 21}, "skills"),
            ({"bio": "[x](javascript:alert(1))"}, "bio"),
            ({"email": "new@example.com"}, "email"),
            ({"is_staff": True}, "is_staff"),
        ],
    )
    def test_refuses_a_bad_field_and_stores_nothing(self, provider, changes, field):
        before = Member.objects.values().get(pk=provider.pk)
        with pytest.raises(InvalidInput) as refused:
            services.member_update(
                member=provider, changes={"city": "Mumbai", **changes}
            )
        assert refused.value.field == field
        assert Member.objects.values().get(pk=provider.pk) == before


class TestPortfolio:
    def test_adds_the_members_own_uploads_in_order(self, provider, now, png_bytes):
        from selfwork.core.uploads import upload_create

        first = upload_create(owner=provider, data=png_bytes(), now=now)
        second = upload_create(owner=provider, data=png_bytes(), now=now)
        services.portfolio_add(member=provider, upload_id=str(first.public_id))
        services.portfolio_add(
            member=provider, upload_id=str(second.public_id), caption="Cover"
        )
        items = list(selectors.member_get(username="priya").portfolio.all())
        assert [i.image for i in items] == [first, second]
        assert items[1].caption == "Cover"

    def test_refuses_someone_elses_upload(self, provider, buyer, now, png_bytes):
        from selfwork.core.uploads import upload_create

        theirs = upload_create(owner=buyer, data=png_bytes(), now=now)
        with pytest.raises(InvalidInput) as refused:
            services.portfolio_add(member=provider, upload_id=str(theirs.public_id))
        assert refused.value.code == "unknown_upload"
        assert not PortfolioItem.objects.exists()

    def test_a_member_cannot_remove_someone_elses_image(
        self, provider, buyer, now, png_bytes
    ):
        from selfwork.core.uploads import upload_create

        mine = upload_create(owner=provider, data=png_bytes(), now=now)
        item = services.portfolio_add(member=provider, upload_id=str(mine.public_id))
        with pytest.raises(NotFound):
            services.portfolio_remove(member=buyer, item_id=item.pk)
        assert PortfolioItem.objects.filter(pk=item.pk).exists()
