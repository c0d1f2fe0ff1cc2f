"""The selfwork command, run as a user runs it: a real process on a real data dir."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SELFWORK = str(Path(sys.executable).parent / "selfwork")

# Every run below gets its own SQLite file, on either suite.
pytestmark = [pytest.mark.once, pytest.mark.slow]


# Seeding the whole demo took over five minutes beside a busy test run on a
# 2-core machine; the limit only catches a hang.
TIMEOUT = 600


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SELFWORK_DATA_DIR": str(data_dir)}
    env.pop("SELFWORK_DATABASE_URL", None)  # each run gets its own SQLite file
    return subprocess.run(
        [SELFWORK, *args], env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("cli")
    result = run("migrate", "--quiet", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


class TestMigrate:
    def test_creates_the_sqlite_database_in_wal_mode(self, migrated):
        import sqlite3

        path = migrated / "selfwork.sqlite3"
        assert path.exists()
        mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"

    def test_writes_a_secret_key_readable_by_the_owner_only(self, migrated):
        key = migrated / "secret_key"
        assert len(key.read_text().strip()) >= 50
        assert oct(key.stat().st_mode & 0o777) == "0o600"


class TestFxImport:
    def test_replaces_rates_from_a_csv_file(self, migrated, tmp_path):
        table = tmp_path / "rates.csv"
        table.write_text("base,quote,rate,published_on\nEUR,USD,1.2000,2026-11-20\n")
        result = run("fx", "import", str(table), data_dir=migrated)
        assert result.returncode == 0, result.stderr
        assert "Imported 1 exchange rates" in result.stdout
        shown = run(
            "manage",
            "shell",
            "-c",
            "from selfwork.core.models import FxRate;"
            "print(FxRate.objects.get(base='EUR', quote='USD').rate)",
            data_dir=migrated,
        )
        assert shown.stdout.strip().splitlines()[-1].startswith("1.2000")

    def test_refuses_a_file_with_a_bad_rate_and_changes_nothing(
        self, migrated, tmp_path
    ):
        table = tmp_path / "rates.csv"
        table.write_text(
            "base,quote,rate,published_on\nEUR,GBP,0.9,2026-11-20\nEUR,USD,-1,2026-11-20\n"
        )
        result = run("fx", "import", str(table), data_dir=migrated)
        assert result.returncode == 2
        assert "Line 3" in result.stderr
        shown = run(
            "manage",
            "shell",
            "-c",
            "from selfwork.core.models import FxRate;"
            "print(FxRate.objects.get(base='EUR', quote='GBP').rate)",
            data_dir=migrated,
        )
        assert not shown.stdout.strip().splitlines()[-1].startswith("0.9000")

    def test_says_so_when_the_file_is_missing(self, migrated, tmp_path):
        result = run("fx", "import", str(tmp_path / "nope.csv"), data_dir=migrated)
        assert result.returncode == 2
        assert "cannot read" in result.stderr


class TestLedgerCommands:
    def test_audit_of_an_empty_ledger_passes(self, migrated):
        result = run("audit", data_dir=migrated)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "All invariants hold" in result.stdout

    def test_export_writes_an_hledger_journal(self, migrated):
        result = run("ledger", "export", "--format", "hledger", data_dir=migrated)
        assert result.returncode == 0, result.stderr
        assert "hledger" in result.stdout

    def test_export_writes_the_holders_view_when_asked(self, migrated):
        # The platform's books, the default, are read from the seeded demo below.
        holders = run(
            "ledger",
            "export",
            "--format",
            "hledger",
            "--view",
            "holders",
            data_dir=migrated,
        )
        assert holders.returncode == 0, holders.stderr
        assert "hledger journal" in holders.stdout
        assert "the platform's books" not in holders.stdout

    def test_export_refuses_the_books_of_one_member(self, migrated):
        result = run(
            "ledger",
            "export",
            "--format",
            "hledger",
            "--view",
            "books",
            "--member",
            "mei-chen",
            data_dir=migrated,
        )
        assert result.returncode == 2
        assert "holders' view" in result.stderr
        assert result.stdout == ""

    def test_export_of_an_unknown_member_says_so(self, migrated):
        result = run(
            "ledger",
            "export",
            "--format",
            "csv",
            "--member",
            "nobody",
            data_dir=migrated,
        )
        assert result.returncode == 2
        assert "no member 'nobody'" in result.stderr

    def test_export_refuses_an_unknown_format(self, migrated):
        result = run("ledger", "export", "--format", "xlsx", data_dir=migrated)
        assert result.returncode == 2


class TestWorker:
    def test_runs_once_as_of_a_given_time(self, migrated):
        result = run(
            "worker", "--once", "--now", "2027-01-01T09:00:00", data_dir=migrated
        )
        assert result.returncode == 0, result.stderr
        bad = run("worker", "--once", "--now", "tomorrow", data_dir=migrated)
        assert bad.returncode == 2
        assert "ISO 8601" in bad.stdout

    @pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
    def test_a_stop_signal_ends_it_after_its_round(self, migrated, stop):
        import signal
        import time

        env = {**os.environ, "SELFWORK_DATA_DIR": str(migrated)}
        env.pop("SELFWORK_DATABASE_URL", None)
        worker = subprocess.Popen(
            [SELFWORK, "worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # As a shell starts a job in the background: SIGINT ignored, unless
            # the worker listens for it itself.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        try:
            # Its first round starts with the audit; then it waits for the next.
            assert worker.stdout is not None
            for line in worker.stdout:
                if "ledger audit" in line:
                    break
            asked = time.monotonic()
            worker.send_signal(getattr(signal, stop))
            assert worker.wait(timeout=30) == 0
            assert time.monotonic() - asked < 5
        finally:
            worker.kill()
            worker.wait()


def _serve(
    data_dir: Path, *extra: str, worker: bool = True
) -> tuple[str, dict[str, tuple[int, str]]]:
    """Run ``selfwork serve`` until it answers (and, with a ``worker``, until the
    worker's first round audited the ledger), read /readyz and /metrics, stop it,
    and return what it printed and what those answered."""
    import signal
    import socket
    import threading
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SELFWORK_DATA_DIR": str(data_dir)}
    env.pop("SELFWORK_DATABASE_URL", None)
    server = subprocess.Popen(
        [SELFWORK, "serve", "--port", str(port), "--workers", "1", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: list[str] = []
    audited = threading.Event()

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            printed.append(line)
            if "ledger audit" in line:
                audited.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        if worker:
            # The first round's audit (a heartbeat before it makes the server
            # ready); a heartbeat alone may be another worker's, a minute old.
            audited.wait(timeout=max(0.0, deadline - time.monotonic()))
        answers = {}
        for path in ("readyz", "metrics"):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}") as r:
                    answers[path] = (r.status, r.read().decode())
            except urllib.error.HTTPError as exc:
                answers[path] = (exc.code, exc.read().decode())
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        reader.join(timeout=60)
    return "".join(printed), answers


class TestServe:
    def test_runs_the_worker_beside_the_server(self, migrated):
        output, answers = _serve(migrated)
        assert "starting the worker" in output
        assert "ledger audit: all invariants hold" in output
        # The worker's heartbeat makes the server ready; gunicorn's worker
        # counted its requests where /metrics reads them.
        assert answers["readyz"][0] == 200, answers["readyz"]
        status, metrics = answers["metrics"]
        assert status == 200
        from prometheus_client.parser import text_string_to_metric_families

        requests = {
            family.name: family for family in text_string_to_metric_families(metrics)
        }["selfwork_http_requests"]
        assert any(
            sample.labels["route"] == "healthz" and sample.value >= 1
            for sample in requests.samples
        )
        assert "selfwork_worker_heartbeat_age_seconds{worker=" in metrics
        assert (migrated / "prometheus").is_dir()

    def test_no_worker_when_told_not_to(self, migrated):
        output, _ = _serve(migrated, "--no-worker", worker=False)
        assert "starting the worker" not in output
        assert "ledger audit" not in output
