"""The dashboard page: who sees which community, charts with their tables, CSV."""

import csv
import io

import pytest
from django.utils import timezone

from selfwork.catalog.services import listing_create
from selfwork.communities.services import community_create
from selfwork.exchanges import services as exchanges
from selfwork.payments.gateways import CARD_SUCCEEDS

pytestmark = pytest.mark.django_db


def bag_for(owner, community, price, currency, today):
    return listing_create(
        owner=owner,
        community=community,
        title="Hand-stitched bag",
        modes=[
            {"mode": "made_to_order", "price": {"amount": price, "currency": currency}}
        ],
        now=today,
    )


def bought(listing, buyer, provider, today):
    """``buyer`` orders ``listing``, which is made, shipped and received today."""
    exchange = exchanges.exchange_order(
        listing=listing, customer=buyer, mode="made_to_order", now=today
    )
    for actor, name, params in (
        (buyer, "pay", {"card": CARD_SUCCEEDS}),
        (provider, "start_production", {}),
        (provider, "ship", {"tracking": "Post 1"}),
        (buyer, "confirm_receipt", {}),
    ):
        exchange = exchanges.exchange_transition(
            exchange=exchange, actor=actor, name=name, params=params, now=today
        )
    return exchange


@pytest.fixture
def today():
    return timezone.now()


@pytest.fixture
def operator(make_member):
    member = make_member("olga")
    member.is_staff = True
    member.save()
    return member


@pytest.fixture
def market(host, make_member, today, member_of, provider, buyer):
    """A second community, hosted by ``market_host``, where a USD bag was bought."""
    market_host = make_member("mele")
    market = community_create(
        creator=market_host,
        slug="market",
        name="Night Market",
        now=today,
        settings={"currency": "USD", "fee_percent": "10"},
    )
    member_of(market, provider)
    member_of(market, buyer)
    bought(bag_for(provider, market, "30.00", "USD", today), buyer, provider, today)
    return market


@pytest.fixture
def history(community, market, member_of, provider, buyer, today):
    """In the guild (5% fee): a 100.00 EUR bag bought, a 40.00 EUR one ordered."""
    member_of(community, provider)
    member_of(community, buyer)
    bought(bag_for(provider, community, "100.00", "EUR", today), buyer, provider, today)
    exchanges.exchange_order(
        listing=bag_for(provider, community, "40.00", "EUR", today),
        customer=buyer,
        mode="made_to_order",
        now=today,
    )
    return community


def csv_of(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


class TestWhoSeesIt:
    def test_the_operator_sees_every_community(self, login, operator, history):
        page = login(operator).get("/operator/dashboard/").content.decode()

        assert "Volume and fees in EUR" in page
        assert "Volume and fees in USD" in page
        assert "€100.00" in page and "$30.00" in page
        assert "Night Market" in page  # in the community filter

    def test_a_member_is_refused_the_operator_dashboard(self, login, buyer, client):
        assert client.get("/operator/dashboard/").status_code == 302
        assert login(buyer).get("/operator/dashboard/").status_code == 403

    def test_a_host_sees_only_their_community(self, login, host, history):
        response = login(host).get("/c/guild/dashboard/?community=market")

        page = response.content.decode()
        assert response.status_code == 200
        assert "Volume and fees in EUR" in page
        assert "USD" not in page and "Night Market" not in page

    def test_a_host_is_led_to_the_disputes_console_but_not_to_the_money(
        self, login, host, history
    ):
        page = login(host).get("/c/guild/dashboard/").content.decode()
        assert 'href="/operator/disputes/"' in page
        assert 'href="/operator/money/"' not in page

    def test_a_member_who_is_not_host_is_refused(self, login, buyer, history):
        assert login(buyer).get("/c/guild/dashboard/").status_code == 403

    def test_a_host_of_another_community_is_refused(self, login, history):
        from selfwork.accounts.models import Member

        market_host = Member.objects.get(username="mele")
        assert login(market_host).get("/c/guild/dashboard/").status_code == 403

    def test_an_unknown_community_is_not_found(self, login, operator, history):
        client = login(operator)
        assert client.get("/c/nowhere/dashboard/").status_code == 404
        assert client.get("/operator/dashboard/?community=nowhere").status_code == 404


class TestCharts:
    def test_each_chart_is_a_figure_with_an_image_and_its_table(
        self, login, operator, history
    ):
        page = (
            login(operator).get("/operator/dashboard/?community=guild").content.decode()
        )

        assert page.count("<figure") == page.count("<figcaption") == 6
        assert page.count('role="img"') == 6
        assert 'aria-label="Volume and fees in EUR"' in page
        assert 'aria-label="Exchanges by state now"' in page
        assert page.count("<table") == 6
        # The volume table: 100.00 released, 5.00 of it in fees, one release.
        assert '<td class="num">€100.00</td><td class="num">€5.00</td>' in page

    def test_a_period_out_of_the_list_falls_back_to_thirty_days(
        self, login, operator, history
    ):
        page = login(operator).get("/operator/dashboard/?period=12").content.decode()

        assert "The last 30 days." in page

    def test_the_page_takes_a_fixed_number_of_queries(
        self, login, operator, history, django_assert_max_num_queries
    ):
        client = login(operator)
        with django_assert_max_num_queries(14):
            assert client.get("/operator/dashboard/?period=365").status_code == 200


class TestCsv:
    def test_volume_has_a_row_per_currency_and_period(
        self, login, operator, history, today
    ):
        rows = csv_of(
            login(operator).get("/operator/dashboard/?format=csv&chart=volume&period=7")
        )

        day = timezone.localtime(today).date().isoformat()
        assert rows == [
            ["period", "currency", "volume", "fees", "releases"],
            [day, "EUR", "100.00", "5.00", "1"],
            [day, "USD", "30.00", "3.00", "1"],
        ]

    def test_a_host_downloads_their_community_only(self, login, host, history):
        response = login(host).get("/c/guild/dashboard/?format=csv&chart=exchanges")

        rows = csv_of(response)
        assert (
            'filename="selfwork-guild-exchanges.csv"' in response["Content-Disposition"]
        )
        assert rows[0] == ["period", "process", "started", "completed"]
        assert [row[1:] for row in rows[1:]] == [["purchase", "2", "1"]]

    def test_states_and_modes(self, login, operator, history):
        client = login(operator)
        states = csv_of(client.get("/operator/dashboard/?format=csv&chart=states"))
        modes = csv_of(client.get("/operator/dashboard/?format=csv&chart=modes"))

        assert states == [
            ["state", "count"],
            ["completed", "2"],
            ["awaiting_payment", "1"],
        ]
        assert modes[0] == ["mode", "count"]
        assert ["made_to_order", "3"] in modes

    def test_an_unknown_chart_is_not_found(self, login, operator, history):
        response = login(operator).get("/operator/dashboard/?format=csv&chart=nope")

        assert response.status_code == 404
