"""The demo seed: big enough to explore, the same on every machine, seeded once.

The full default demo is seeded once for this module and committed, with its
history ending this hour, as ``selfwork demo`` seeds it. Each test of its content
runs in a transaction rolled back at its end; then the operator reads the demo in
a browser, through a live server, which needs the rows committed. The module ends
with the database emptied, so the other test modules never see the demo.
"""

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import zoneinfo
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import override_settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from selfwork.accounts.models import Member, PortfolioItem
from selfwork.accounts.services import member_authenticate
from selfwork.catalog.models import (
    BlockedPeriod,
    Listing,
    ListingAvailability,
    ListingImage,
    ListingMode,
)
from selfwork.catalog.selectors import ListingQuery, availability_get, listings_search
from selfwork.communities.models import ALL_MODES, Community, Membership
from selfwork.core.formats import money_format
from selfwork.core.models import Upload
from selfwork.core.periods import Period
from selfwork.core.testing import fx_reference_rates_ensure
from selfwork.demo import art
from selfwork.demo.people import GUILD
from selfwork.demo.seed import (
    BASE_TIME,
    DEMO_PASSWORD,
    DEMO_SLUGS,
    OPERATOR,
    DemoPlan,
    demo_plan,
    demo_seed,
)
from selfwork.exchanges.disputes import dispute_decision, disputes_for_operator
from selfwork.exchanges.models import Exchange, Timer
from selfwork.exchanges.services import reviews_publish_due
from selfwork.exchanges.tasks import timers_run_due
from selfwork.ledger.testing import ledger_rows_delete
from selfwork.payments.selectors import payout_times, wallet_balances
from selfwork.payments.tasks import deposits_expire_run
from selfwork.web.dashboard import _payouts_chart

pytestmark = pytest.mark.slow

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Where to keep screenshots of the operator's dashboard and decision, when asked.
SCREENS = os.environ.get("SELFWORK_DEMO_SCREENS", "")


@pytest.fixture(scope="module")
def present() -> dt.datetime:
    """The demo's present: the start of this hour, as ``selfwork demo`` takes it,
    so the live server's dashboards draw the demo's last 30 days."""
    return timezone.now().replace(minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, present):
    """The default demo, seeded once for the module and committed; the database
    is emptied after the module, as a test that commits empties it."""
    # Seeding the demo takes half a minute: once for the content and the browser.
    # MD5 only to keep the suite quick: Argon2 spends ~0.3 s per member by design.
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING),
    ):
        fx_reference_rates_ensure()
        demo_seed(now=present)
        try:
            yield
        finally:
            # The browser test's flush has emptied it already, unless it did not run.
            if connection.vendor == "sqlite":
                ledger_rows_delete()
            call_command("flush", verbosity=0, interactive=False)


@pytest.fixture
def demo(seeded, db):
    """Each test runs in a transaction rolled back at its end, on the committed demo."""


def _demo_members():
    return Member.objects.exclude(username=OPERATOR)


class TestPeople:
    def test_seeds_at_least_thirty_members_from_six_countries(self, demo):
        members = _demo_members()
        assert members.count() >= 30
        assert len(set(members.values_list("country", flat=True)) - {""}) >= 6

    def test_every_member_joins_one_to_three_communities(self, demo):
        per_member = Counter(
            Membership.objects.filter(status=Membership.Status.ACTIVE).values_list(
                "member__username", flat=True
            )
        )
        assert set(per_member) == set(
            _demo_members().values_list("username", flat=True)
        )
        assert all(1 <= n <= 3 for n in per_member.values())

    def test_the_three_communities_have_different_hosts(self, demo):
        hosts = Membership.objects.filter(
            community__slug__in=DEMO_SLUGS, role=Membership.Role.HOST
        ).values_list("member__username", flat=True)
        assert len(hosts) == 3
        assert len(set(hosts)) == 3

    def test_members_have_profiles_and_avatars(self, demo):
        members = list(_demo_members().select_related("avatar"))
        assert all(m.avatar is not None for m in members)
        assert all(m.bio and m.city and m.time_zone != "UTC" for m in members)
        assert {m.preferred_currency for m in members} >= {"AUD", "USD", "EUR", "GBP"}
        assert {m.commission_status for m in members} == {"open", "waitlist", "closed"}
        # Some read their pages and e-mails in their own language.
        languages = {m.username: m.language for m in members}
        assert languages["hannah-weber"] == "de"
        assert languages["joao-pereira"] == "pt-br"
        assert set(languages.values()) == {"", "de", "es", "fr", "pt-br"}

    def test_illustrators_show_portfolios(self, demo):
        with_portfolio = set(
            PortfolioItem.objects.values_list("member__username", flat=True)
        )
        assert {"isla-mackenzie", "priya-raman", "kofi-mensah"} <= with_portfolio

    @pytest.mark.parametrize("username", ["isla-mackenzie", "mei-chen", OPERATOR])
    def test_demo_accounts_log_in_with_the_documented_password(
        self, demo, present, username
    ):
        member = member_authenticate(
            username=username, password=DEMO_PASSWORD, address=None, now=present
        )
        assert member.username == username

    def test_the_operator_may_use_the_admin(self, demo):
        operator = Member.objects.get(username=OPERATOR)
        assert operator.is_staff and operator.is_superuser


class TestListings:
    def test_seeds_at_least_120_listings_in_every_mode(self, demo):
        assert Listing.objects.count() >= 120
        assert set(ListingMode.objects.values_list("mode", flat=True)) == set(ALL_MODES)

    def test_the_guild_prices_in_four_currencies(self, demo):
        units = set(
            Listing.objects.filter(community__slug="illustrators-guild").values_list(
                "price_unit", flat=True
            )
        )
        assert units == {"AUD", "USD", "EUR", "GBP"}

    def test_listings_were_created_over_months_before_the_demo_date(
        self, demo, present
    ):
        times = list(Listing.objects.values_list("created_at", flat=True))
        assert max(times) < present
        assert (max(times) - min(times)).days > 60

    def test_every_listing_has_a_generated_image_stored_as_an_upload(self, demo):
        assert not Listing.objects.filter(images__isnull=True).exists()
        image = ListingImage.objects.select_related("upload").first()
        with image.upload.file.open("rb") as handle:
            picture = Image.open(io.BytesIO(handle.read()))
        assert picture.size == (640, 480)
        assert image.upload.content_type == "image/jpeg"

    def test_every_upload_belongs_to_the_member_who_shows_it(self, demo):
        assert not ListingImage.objects.exclude(
            upload__owner=F("listing__owner")
        ).exists()
        assert not _demo_members().exclude(avatar__owner=F("pk")).exists()

    @pytest.mark.parametrize(
        "words", ["portrait", "watercolour", "drill", "camera", "bag", "time bank"]
    )
    def test_search_finds_what_a_visitor_would_look_for(self, demo, words):
        page = listings_search(query=ListingQuery(q=words), viewer=None)
        assert page.items
        assert words.split()[0] in " ".join(
            f"{x.title} {x.tags_text} {x.description}".lower() for x in page.items
        )

    def test_custom_fields_filter_the_guild_by_style(self, demo):
        page = listings_search(
            query=ListingQuery(
                community="illustrators-guild", custom={"style": "watercolour"}
            ),
            viewer=None,
        )
        assert page.items
        assert all(x.custom["style"] == "watercolour" for x in page.items)


class TestCalendars:
    def test_every_riverside_rental_and_lend_listing_has_a_calendar(self, demo):
        shared = Listing.objects.filter(
            community__slug="riverside-share", modes__mode__in=["rental", "lend"]
        ).distinct()
        assert shared.count() >= 10
        assert all(hasattr(x, "availability") for x in shared)
        assert not ListingAvailability.objects.exclude(
            listing__community__slug="riverside-share"
        ).exists()

    def test_the_kayak_opens_at_weekends_in_its_owners_dublin_time(self, demo):
        kayak = Listing.objects.get(title__startswith="Kayak")
        rules = availability_get(listing=kayak)
        assert (rules.unit, rules.time_zone) == ("hour", "Europe/Dublin")
        assert {w.weekday for w in rules.opening_hours} == {5, 6}
        assert rules.cancellation_policy == "strict"

    def test_the_tent_is_blocked_over_the_next_christmas(self, demo, present):
        tent = Listing.objects.get(title="Four-person tent")
        christmas = _next_christmas_eve_eve(present)
        block = BlockedPeriod.objects.get(listing=tent, note="Family camping")
        zone = zoneinfo.ZoneInfo(availability_get(listing=tent).time_zone)
        assert block.start_at.astimezone(zone) == dt.datetime.combine(
            christmas, dt.time(), zone
        )
        assert block.end_at.astimezone(zone) == dt.datetime.combine(
            christmas + dt.timedelta(days=5), dt.time(), zone
        )


def _next_christmas_eve_eve(now: dt.datetime) -> dt.date:
    """The first 23 December on or after ``now``: the tent's camping trip starts."""
    this_year = dt.date(now.year, 12, 23)
    return (
        this_year if this_year >= now.date() else this_year.replace(year=now.year + 1)
    )


def _blocked(plan: DemoPlan) -> dict[str, tuple[dt.date, dt.date]]:
    """Each blocked period of the plan by its note: (first day, day after the last)."""
    return {
        period["note"]: (
            dt.date.fromisoformat(period["start"]),
            dt.date.fromisoformat(period["end"]),
        )
        for x in plan.listings
        for period in (x.calendar or {}).get("blocked", [])
    }


def _undated(plan: DemoPlan) -> list:
    """The plan's listings without their blocked periods, whose days are the
    calendar's and not the demo's history."""
    return [
        replace(x, calendar={k: v for k, v in x.calendar.items() if k != "blocked"})
        if x.calendar
        else x
        for x in plan.listings
    ]


class TestThePresent:
    """``selfwork demo`` seeds the demo with its history ending at the hour it runs."""

    LATER = dt.timedelta(days=40)

    def test_a_plan_drawn_at_a_later_present_is_the_same_plan_moved_in_time(self):
        plan, later = demo_plan(), demo_plan(now=BASE_TIME + self.LATER)

        assert later.now == plan.now + self.LATER
        assert later.communities_created_at == {
            slug: at + self.LATER for slug, at in plan.communities_created_at.items()
        }
        assert [(m.person, m.signed_up_at, m.joins) for m in later.members] == [
            (
                m.person,
                m.signed_up_at + self.LATER,
                [(slug, at + self.LATER) for slug, at in m.joins],
            )
            for m in plan.members
        ]
        assert _undated(later) == [
            replace(x, created_at=x.created_at + self.LATER) for x in _undated(plan)
        ]

    def test_the_wedding_shoot_moves_with_the_present(self):
        shoot = _blocked(demo_plan())["A wedding shoot"]
        later = _blocked(demo_plan(now=BASE_TIME + self.LATER))["A wedding shoot"]

        assert later == (shoot[0] + self.LATER, shoot[1] + self.LATER)
        # Still ahead of the present, within the camera's 90 days of booking.
        assert BASE_TIME.date() < shoot[0] < BASE_TIME.date() + dt.timedelta(days=90)

    @pytest.mark.parametrize(
        "now",
        [
            BASE_TIME,
            BASE_TIME + LATER,
            dt.datetime(2026, 12, 23, 9, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 26, 9, tzinfo=dt.UTC),
            dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
        ],
    )
    def test_the_family_camping_stays_at_the_next_christmas(self, now):
        christmas = _next_christmas_eve_eve(now)

        assert _blocked(demo_plan(now=now))["Family camping"] == (
            christmas,
            christmas + dt.timedelta(days=5),
        )

    def test_no_timer_is_overdue_at_the_demos_present(self, demo, present):
        assert Timer.objects.filter(done=False).exists()
        assert not Timer.objects.filter(done=False, due_at__lte=present).exists()

    def test_the_workers_first_round_moves_no_exchange_on(self, demo, present):
        # ``selfwork demo`` seeds up to the start of the hour, so the worker's
        # first round comes within the hour (and the seed's own minutes) after.
        first_round = present + dt.timedelta(hours=1)
        states = dict(Exchange.objects.values_list("pk", "state"))

        assert timers_run_due(now=first_round) == 0
        assert deposits_expire_run(now=first_round) == 0
        assert reviews_publish_due(now=first_round) == 0
        assert dict(Exchange.objects.values_list("pk", "state")) == states


class TestBoards:
    def test_riverside_has_a_lively_board(self, demo):
        from selfwork.boards.models import Post

        posts = Post.objects.filter(community__slug="riverside-share")
        assert {p.kind for p in posts} == {
            "announcement",
            "question",
            "idea",
            "offer",
            "want",
        }
        answered = posts.get(accepted_reply__isnull=False)
        assert answered.kind == "question" and answered.accepted_reply.post == answered
        assert posts.filter(kind="idea", vote_count__gte=3).exists()
        pinned = posts.get(pinned=True)
        assert pinned.kind == "announcement"
        assert pinned.author.username == "siobhan-kelly"  # the host
        assert posts.filter(locked=True).exists()

    def test_the_guild_board_has_critique_requests_and_tips(self, demo):
        from selfwork.boards.models import Post

        titles = list(
            Post.objects.filter(community__slug="illustrators-guild").values_list(
                "title", flat=True
            )
        )
        assert sum(t.startswith("Critique request") for t in titles) >= 2
        assert sum(t.startswith("Tip:") for t in titles) >= 2

    def test_mentions_in_the_demo_queue_notices(self, demo):
        from selfwork.boards.models import Mention

        assert Mention.objects.filter(member__username="declan-murphy").exists()


class TestConversations:
    def test_the_demo_has_conversations_with_unread_messages(self, demo):
        from selfwork.conversations.models import Conversation, Participant

        assert Conversation.objects.count() == 4
        assert Participant.objects.filter(unread_count__gt=0).exists()

    def test_the_first_commission_was_talked_about_before_it_was_ordered(self, demo):
        from selfwork.conversations.models import Message
        from selfwork.conversations.selectors import conversation_for_exchange
        from selfwork.exchanges.models import Exchange

        exchange = (
            Exchange.objects.filter(process_name="commission")
            .order_by("created_at", "pk")
            .first()
        )
        talk = conversation_for_exchange(
            listing_id=exchange.listing_id,
            customer_id=exchange.customer_id,
            provider_id=exchange.provider_id,
        )
        assert talk is not None
        last = Message.objects.filter(conversation=talk).latest("created_at")
        assert last.created_at < exchange.created_at


class TestPayouts:
    def test_the_dashboard_reads_a_real_wait_from_release_to_payout(
        self, demo, present
    ):
        # The sandbox pays at once; the demo's payouts land when a bank would.
        period = Period.last(90, now=present)
        times = payout_times(since=period.since)
        assert times.count >= 5
        assert 0 < times.median <= times.p90 <= times.longest <= 50 * 3600
        assert times.median < 24 * 3600 < times.longest
        chart = _payouts_chart(period, None)
        assert all(hours > 0 for hours in chart.series[0].values)

    def test_a_communitys_dashboard_reads_its_own_waits(self, demo, present):
        guild = Community.objects.get(slug=GUILD)
        times = payout_times(since=present - dt.timedelta(days=89), community=guild)
        assert times.count and times.median > 0


def _audit() -> tuple[int, str]:
    """What ``selfwork audit`` runs, and what it prints."""
    from selfwork.exchanges.audit import exchanges_audit_checks
    from selfwork.ledger.commands import audit_command
    from selfwork.payments.audit import payments_audit_checks

    out = io.StringIO()
    status = audit_command(
        out, extra_checks=payments_audit_checks() + exchanges_audit_checks()
    )
    return status, out.getvalue()


class TestTheBooks:
    """The demo's money, as ``selfwork audit`` and ``selfwork ledger export`` see it."""

    def test_the_seeded_demo_passes_the_audit(self, demo):
        status, report = _audit()
        assert status == 0, report[-3000:]
        assert "All invariants hold" in report
        assert "0 transactions" not in report

    def test_the_books_balance_in_hledger_and_pass_bean_check(self, demo, tmp_path):
        from selfwork.ledger.commands import export_command
        from selfwork.payments.books import owner_names

        journals = {}
        for format in ("hledger", "beancount"):
            out = io.StringIO()
            assert export_command(format, out, owner_names=owner_names) == 0
            journals[format] = tmp_path / f"books.{format}"
            journals[format].write_text(out.getvalue())
        checked = subprocess.run(
            [str(Path(sys.executable).with_name("bean-check")), journals["beancount"]],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        hledger = shutil.which("hledger")
        assert hledger, "hledger is missing: run scripts/system-packages.sh"

        def net(report: str) -> set[str]:
            result = subprocess.run(
                [hledger, "--strict", "-f", str(journals["hledger"]), report]
                + ["-O", "csv"],
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0, result.stderr
            rows = {row[0]: row[-1] for row in csv.reader(io.StringIO(result.stdout))}
            return set(rows["Net:"].split(", "))

        # Assets less liabilities and equity are exactly the income earned.
        income = net("incomestatement")
        assert income and income == net("balancesheetequity")
        # Members are named by username, the treasuries by their community.
        text = journals["hledger"].read_text()
        assert "account Liabilities:Members:" in text
        assert "MEMBER-" not in text

    def test_a_leg_changed_behind_the_ledgers_back_fails_the_audit_loudly(self, demo):
        from django.db import connection

        from selfwork.ledger.testing import ledger_triggers_drop

        ledger_triggers_drop()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_leg SET amount_minor = amount_minor + 1 "
                "WHERE id = (SELECT MIN(id) FROM ledger_leg)"
            )
        status, report = _audit()
        assert status == 1
        assert "All invariants hold" not in report


class TestSeedingOnce:
    def test_seeding_again_adds_nothing(self, demo, present):
        before = (
            Member.objects.count(),
            Community.objects.count(),
            Listing.objects.count(),
            Upload.objects.count(),
        )
        demo_seed(now=present)
        after = (
            Member.objects.count(),
            Community.objects.count(),
            Listing.objects.count(),
            Upload.objects.count(),
        )
        assert after == before

    def test_seeding_again_with_progress_says_so_and_shows_the_logins(
        self, demo, present, capsys
    ):
        demo_seed(progress=True, now=present)
        out = capsys.readouterr().out
        assert "already seeded" in out
        assert DEMO_PASSWORD in out
        assert OPERATOR in out


class TestDeterminism:
    def test_the_database_holds_exactly_the_plan(self, demo, present):
        plan = demo_plan(now=present)
        stored = sorted(
            Listing.objects.values_list("title", "owner__username", "created_at")
        )
        assert stored == sorted((x.title, x.owner, x.created_at) for x in plan.listings)

    def test_the_same_seed_draws_the_same_demo(self):
        assert demo_plan() == demo_plan()

    def test_another_seed_draws_another_demo(self):
        assert demo_plan(seed=1) != demo_plan(seed=2)

    def test_the_same_seed_draws_the_same_picture(self):
        first = art.picture(motif="camera", seed="x", label="Film camera")
        assert art.picture(motif="camera", seed="x", label="Film camera") == first
        assert art.picture(motif="camera", seed="y", label="Film camera") != first

    def test_the_plan_meets_the_demo_brief_without_a_database(self):
        plan = demo_plan()
        assert len(plan.members) >= 30
        assert len(plan.listings) >= 120
        assert {m for x in plan.listings for m in (d["mode"] for d in x.modes)} == set(
            ALL_MODES
        )


# The operator reads the demo's dashboard and settles one of its disputes, in a
# browser: the live server's charts draw the demo's own money; the operator opens
# the disputes console, splits the oldest disputed commission half and half, and
# both parties' wallets show where the money went.


def _logged_in(
    browser: Browser, base: str, username: str
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Demo members read the site in their own languages; this test reads English.
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    return context, page


def _wallet_value(page: Page, currency: str, label: str):
    return (
        page.locator(".balance-card")
        .filter(has=page.get_by_role("heading", name=currency, exact=True))
        .locator("dt", has_text=re.compile(f"^{re.escape(label)}$"))
        .locator("xpath=following-sibling::dd[1]")
    )


def _balance(member, currency: str):
    return next(b for b in wallet_balances(member=member) if b.currency == currency)


def _oldest_split_commission(operator):
    """The longest-waiting disputed commission with money in escrow and no deposit."""
    for row in disputes_for_operator(member=operator):
        decision = dispute_decision(exchange=row.exchange, member=operator)
        if (
            row.escrow
            and row.deposit is None
            and row.exchange.state == "disputed"
            and "refund_percent" in decision.params
        ):
            return row
    raise AssertionError("the demo has no disputed commission to split")


# After the content tests, here and as pytest-django orders them (the tests that
# commit after those rolled back): the flush at its end empties the database.
@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_operator_reads_the_demo_and_splits_a_dispute(
    live_server, browser: Browser, seeded
):
    base = live_server.url
    operator = Member.objects.get(username=OPERATOR)
    context, olga = _logged_in(browser, base, OPERATOR)

    # The dashboard draws the demo's last 30 days
    olga.get_by_role("link", name="Operator dashboard").click()
    expect(olga).to_have_url(re.compile(r"/operator/dashboard/$"))
    volume = olga.locator(
        "figure", has=olga.get_by_role("img", name="Volume and fees in EUR")
    )
    # Bars with a title each (a tooltip), not only the legend's swatches
    expect(volume.locator("svg rect:has(title)").first).to_be_attached()
    volume.get_by_text("The numbers").click()
    amounts = volume.locator("td").all_inner_texts()
    assert any(re.search(r"€[1-9]", text) for text in amounts), amounts
    expect(olga.get_by_role("img", name="Exchanges by state now")).to_be_visible()
    if SCREENS:
        olga.screenshot(
            path=os.path.join(SCREENS, "demo-dashboard.png"), full_page=True
        )

    # The console lists the demo's disputes; she opens the oldest commission's
    row = _oldest_split_commission(operator)
    exchange, escrow = row.exchange, row.escrow
    customer_before = _balance(exchange.customer, escrow.unit)
    provider_before = _balance(exchange.provider, escrow.unit)
    olga.goto(f"{base}/operator/disputes/")
    expect(olga.locator(".disputes-table tbody tr")).to_have_count(
        len(disputes_for_operator(member=operator))
    )
    olga.locator(f"a[href$='{exchange.public_id}/']").click()
    expect(olga.get_by_role("heading", name="Decide")).to_be_visible()
    # Both sides of it: what each party wrote in the exchange's conversation
    said = olga.locator("section", has=olga.get_by_role("heading", name="Messages"))
    for party in (exchange.customer, exchange.provider):
        expect(said.get_by_text(party.name, exact=True)).to_be_visible()

    # Half back to the customer: the outcome is shown before she confirms
    olga.get_by_label("50 %").check()
    olga.get_by_role("button", name="Show the outcome").click()
    expect(olga.locator("#outcome")).to_contain_text("Refund the customer: 50 %")
    olga.get_by_label("Why you decide so").fill("Half of the work was as agreed.")
    if SCREENS:
        olga.screenshot(path=os.path.join(SCREENS, "demo-dispute.png"), full_page=True)
    olga.get_by_role("button", name="Confirm the decision").click()
    expect(olga.locator("#dispute-state")).to_have_text("Resolved")
    context.close()

    customer_after = _balance(exchange.customer, escrow.unit)
    provider_after = _balance(exchange.provider, escrow.unit)
    refund = customer_after.refunded.minor - customer_before.refunded.minor
    earned = provider_after.available.minor - provider_before.available.minor
    assert refund in (escrow.minor // 2, (escrow.minor + 1) // 2)
    assert 0 < earned <= escrow.minor - refund
    assert (
        customer_after.escrow_paid.minor
        == customer_before.escrow_paid.minor - escrow.minor
    )
    assert provider_after.escrow.minor == provider_before.escrow.minor - escrow.minor

    # Each party's wallet shows it
    context, customer = _logged_in(browser, base, exchange.customer.username)
    customer.goto(f"{base}/wallet/")
    expect(_wallet_value(customer, escrow.unit, "Refunded to your card")).to_have_text(
        money_format(customer_after.refunded, locale="en")
    )
    context.close()
    context, provider = _logged_in(browser, base, exchange.provider.username)
    provider.goto(f"{base}/wallet/")
    expect(_wallet_value(provider, escrow.unit, "Available")).to_have_text(
        money_format(provider_after.available, locale="en")
    )
    context.close()
