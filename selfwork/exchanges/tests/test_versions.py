"""A changed process file is a new version; running exchanges finish on theirs."""

import io

import pytest

from selfwork.exchanges import selectors, services
from selfwork.exchanges.engine import BUILTIN_DIR, process_load
from selfwork.exchanges.models import ProcessVersion
from selfwork.exchanges.tasks import timers_run_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def process_dir(tmp_path, settings):
    """An operator's process directory holding a copy of the built-in commission."""
    settings.SELFWORK_PROCESS_DIR = str(tmp_path)
    path = tmp_path / "commission.toml"
    path.write_text((BUILTIN_DIR / "commission.toml").read_text())
    return path


def test_a_running_exchange_finishes_on_the_version_it_started_on(
    process_dir, portrait, buyer, provider, package, move, later, now
):
    old = services.exchange_order(
        listing=portrait, customer=buyer, mode="service", package=package(), now=now
    )
    # The operator drops change requests and lengthens auto-acceptance to a week.
    text = process_dir.read_text()
    start = text.index("[transitions.request_changes]")
    end = text.index("[transitions.accept]")
    text = text[:start] + text[end:]
    text = text.replace('after = "P3D"', 'after = "P7D"')
    process_dir.write_text(text)
    new = services.exchange_order(
        listing=portrait, customer=buyer, mode="service", package=package(), now=now
    )

    assert old.process_version != new.process_version
    assert new.process_version == process_load("commission").version
    assert ProcessVersion.objects.filter(name="commission").count() == 2

    for exchange in (old, new):
        move(exchange, buyer, "pay")
        move(exchange, provider, "deliver", note="Done")
    old.refresh_from_db()
    new.refresh_from_db()
    old_moves = [
        o.name for o in selectors.transitions_available(exchange=old, member=buyer)
    ]
    new_moves = [
        o.name for o in selectors.transitions_available(exchange=new, member=buyer)
    ]
    assert "request_changes" in old_moves
    assert "request_changes" not in new_moves
    move(old, buyer, "request_changes", note="Bigger title")
    move(old, provider, "deliver", note="Done again")

    # Three days on, only the old version's timer is due.
    assert timers_run_due(now=later(days=3)) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, new.state) == ("completed", "delivered")
    assert timers_run_due(now=later(days=7)) == 1
    new.refresh_from_db()
    assert new.state == "completed"


def test_the_old_version_stays_readable_after_its_file_is_gone(
    process_dir, commission, buyer, move
):
    pinned = commission.process_version
    process_dir.unlink()
    exchange = move(commission, buyer, "pay")
    assert exchange.process_version == pinned
    assert exchange.state == "in_progress"


def test_an_invalid_edit_is_refused_and_starts_nothing(
    process_dir, portrait, buyer, package, now
):
    from selfwork.exchanges.errors import ProcessInvalid

    process_dir.write_text(
        process_dir.read_text().replace('after = "P7D"', 'after = "soon"')
    )
    with pytest.raises(ProcessInvalid):
        services.exchange_order(
            listing=portrait, customer=buyer, mode="service", package=package(), now=now
        )


def test_the_process_check_command_reports_problems(tmp_path):
    from selfwork.exchanges.commands import process_check_command

    good, bad = io.StringIO(), io.StringIO()
    assert process_check_command(str(BUILTIN_DIR / "purchase.toml"), good) == 0
    assert "purchase" in good.getvalue() and "valid" in good.getvalue()
    broken = tmp_path / "purchase.toml"
    broken.write_text(
        (BUILTIN_DIR / "purchase.toml")
        .read_text()
        .replace('actions = ["release", ', "actions = [", 1)
    )
    assert process_check_command(str(broken), bad) == 1
    assert "money in escrow" in bad.getvalue()
    missing = io.StringIO()
    assert process_check_command(str(tmp_path / "nope.toml"), missing) == 1
