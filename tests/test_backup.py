"""``selfwork backup`` and ``selfwork restore``, run as an operator runs them.

The source is the test database itself, committed to (``transaction=True``) so the
commands, real processes, see what the services wrote. A thread keeps moving
hours through the time bank while the backup runs; the archive is restored into
a fresh data directory (SQLite) or a fresh database in the same cluster
(PostgreSQL), the restore's own audit must be clean, and every transfer
acknowledged before the backup started must be there.
"""

import dataclasses
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, connections

from selfwork.communities.services import community_update
from selfwork.communities.timebank import hours_transfer
from selfwork.core.backup import (
    MANIFEST,
    BackupError,
    Manifest,
    backup_create,
    backup_restore,
)
from selfwork.core.money import HOUR, Money

pytestmark = pytest.mark.django_db(transaction=True)

SELFWORK = str(Path(sys.executable).parent / "selfwork")
TIMEOUT = 300


def _url(settings_dict, name=None) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or settings_dict['NAME']}"
    user = quote(settings_dict["USER"] or "", safe="")
    password = settings_dict["PASSWORD"]
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgresql://{auth}@{host}:{port}/{name or settings_dict['NAME']}"


def selfwork(*args: str, data_dir: Path, database_url: str | None):
    env = {**os.environ, "SELFWORK_DATA_DIR": str(data_dir)}
    env.pop("SELFWORK_DATABASE_URL", None)
    if database_url:
        env["SELFWORK_DATABASE_URL"] = database_url
    return subprocess.run(
        [SELFWORK, *args], env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


@pytest.fixture
def source(tmp_path):
    """The running selfwork: the test database, and a data directory with media."""
    data_dir = tmp_path / "source"
    (data_dir / "media" / "uploads").mkdir(parents=True)
    (data_dir / "media" / "uploads" / "portrait.png").write_bytes(b"\x89PNG pixels")
    return data_dir, _url(connection.settings_dict)


@pytest.fixture
def fresh(tmp_path):
    """Where the archive is restored: a new data directory, and on PostgreSQL a new
    database in the same cluster."""
    data_dir = tmp_path / "fresh"
    data_dir.mkdir()
    if connection.vendor == "sqlite":
        yield data_dir, None
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield data_dir, _url(connection.settings_dict, name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_keys(data_dir: Path, database_url: str | None) -> set[str]:
    """The idempotency keys of the ledger transactions in the restored database."""
    query = "SELECT idempotency_key FROM ledger_transaction"
    if database_url is None:
        db = sqlite3.connect(data_dir / "selfwork.sqlite3")
        try:
            return {key for (key,) in db.execute(query)}
        finally:
            db.close()
    import psycopg

    with psycopg.connect(database_url) as db:
        return {key for (key,) in db.execute(query)}


@pytest.fixture
def timebank(community, host, provider, buyer, member_of, now):
    community_update(
        community=community,
        actor=host,
        changes={
            "timebank_enabled": True,
            "timebank_starting_credit": {"amount": "5", "currency": "HOUR"},
        },
        now=now,
    )
    community.refresh_from_db()
    member_of(community, provider)
    member_of(community, buyer)
    return community


class Load:
    """A thread moving a hundredth of an hour back and forth until stopped.

    ``acked`` holds the key of every transfer whose service call returned, i.e.
    committed: what a client was told had happened.
    """

    def __init__(self, community, one, other, now):
        self.acked: list[str] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.first = threading.Event()
        self._args = (community, one, other, now)
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        community, one, other, now = self._args
        i = 0
        try:
            while not self.stop.is_set():
                payer, payee = (one, other) if i % 2 == 0 else (other, one)
                key = f"load-{i}"
                hours_transfer(
                    community=community,
                    payer=payer,
                    payee=payee,
                    hours=Money(1, HOUR),
                    idempotency_key=key,
                    now=now,
                )
                self.acked.append(key)
                i += 1
                if i >= 5:
                    self.first.set()
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
            self.first.set()
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.first.wait(timeout=60), "the load never got going"
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join(timeout=60)
        assert not self.errors, self.errors


class TestBackupUnderLoad:
    def test_a_backup_taken_while_hours_move_restores_every_acknowledged_write(
        self, timebank, provider, buyer, now, source, fresh, tmp_path
    ):
        source_dir, source_url = source
        archive = tmp_path / "selfwork.tar.gz"
        with Load(timebank, provider, buyer, now) as load:
            acked_before = set(load.acked)
            backup = selfwork(
                "backup", str(archive), data_dir=source_dir, database_url=source_url
            )
            acked_during = len(load.acked) - len(acked_before)
        assert backup.returncode == 0, backup.stderr
        assert "1 media file(s)" in backup.stdout
        assert oct(archive.stat().st_mode & 0o777) == "0o600"
        # The service kept committing while the backup ran.
        assert acked_during > 0

        fresh_dir, fresh_url = fresh
        restore = selfwork(
            "restore", str(archive), data_dir=fresh_dir, database_url=fresh_url
        )

        assert restore.returncode == 0, restore.stdout + restore.stderr
        assert "All invariants hold" in restore.stdout
        assert "Restore done" in restore.stdout
        keys = restored_keys(fresh_dir, fresh_url)
        assert acked_before <= keys, sorted(acked_before - keys)[:5]
        assert (fresh_dir / "media" / "uploads" / "portrait.png").read_bytes() == (
            b"\x89PNG pixels"
        )

        # The manifest says what was dumped: as many transfers as came back.
        manifest = _manifest(archive)
        assert manifest["engine"] == connection.vendor
        assert manifest["counts"]["ledger_transaction"] == len(keys)
        assert "0003_sqlite_balance_by_posting" in manifest["migrations"]["ledger"]


class TestBackupOfMediaElsewhere:
    def test_holds_the_database_and_names_the_storage_keeping_the_media(
        self, settings, tmp_path, now
    ):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        }
        archive = tmp_path / "selfwork.tar.gz"

        manifest = backup_create(path=archive, now=now)

        assert manifest.media == "django.core.files.storage.memory.InMemoryStorage"
        with tarfile.open(archive) as tar:
            names = tar.getnames()
        assert not [n for n in names if n.startswith("media")]
        assert len(names) == 2
        assert "no media (kept by" in manifest.describe()


@pytest.mark.django_db
class TestRestoreRefuses:
    def test_an_archive_of_the_other_engine_and_touches_nothing(self, tmp_path):
        other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
        archive = tmp_path / "other.tar.gz"
        _archive_write(archive, _manifest_of(other), {})
        engine = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[other]

        with pytest.raises(BackupError, match=f"holds a {engine} database"):
            backup_restore(path=archive, force=True)

    def test_an_archive_of_a_newer_selfwork(self, tmp_path):
        archive = tmp_path / "newer.tar.gz"
        _archive_write(
            archive,
            _manifest_of(
                connection.vendor,
                selfwork_version="9.0.0",
                migrations={"ledger": ["0001_initial", "0999_from_the_future"]},
            ),
            {},
        )

        with pytest.raises(BackupError, match="ledger.0999_from_the_future"):
            backup_restore(path=archive, force=True)

    def test_over_a_database_holding_data_without_force(self, buyer, tmp_path):
        archive = tmp_path / "selfwork.tar.gz"
        _archive_write(archive, _manifest_of(connection.vendor), {})

        with pytest.raises(BackupError, match="already holds data.*--force"):
            backup_restore(path=archive, force=False)

        buyer.refresh_from_db()

    def test_over_media_files_without_force(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.MEDIA_ROOT.mkdir()
        (settings.MEDIA_ROOT / "avatar.png").write_bytes(b"\x89PNG")
        archive = tmp_path / "selfwork.tar.gz"
        _archive_write(archive, _manifest_of(connection.vendor), {})

        with pytest.raises(BackupError, match="media directory .* already holds"):
            backup_restore(path=archive, force=False)

        assert (settings.MEDIA_ROOT / "avatar.png").read_bytes() == b"\x89PNG"

    def test_a_file_that_is_no_backup(self, tmp_path):
        junk = tmp_path / "junk.tar.gz"
        junk.write_text("not an archive")

        with pytest.raises(BackupError, match="is not a selfwork backup"):
            backup_restore(path=junk, force=True)


class TestRestoreAudits:
    @pytest.mark.skipif(
        os.environ.get("SELFWORK_DATABASE_URL", "").startswith("postgres"),
        reason="edits the SQLite file inside the archive",
    )
    def test_to_call_done_a_restore_whose_ledger_fails_the_audit(
        self, timebank, provider, buyer, now, source, fresh, tmp_path
    ):
        hours_transfer(
            community=timebank,
            payer=buyer,
            payee=provider,
            hours=Money(150, HOUR),
            idempotency_key="lesson",
            now=now,
        )
        source_dir, source_url = source
        archive = tmp_path / "selfwork.tar.gz"
        made = selfwork(
            "backup", str(archive), data_dir=source_dir, database_url=source_url
        )
        assert made.returncode == 0, made.stderr
        # A leg changed behind the ledger's back, as a damaged or tampered
        # archive would hold it.
        manifest, files = _archive_read(archive)
        database = tmp_path / "database.sqlite3"
        database.write_bytes(files["database.sqlite3"])
        db = sqlite3.connect(database)
        db.execute("DROP TRIGGER ledger_leg_never_updated")
        db.execute("UPDATE ledger_leg SET amount_minor = amount_minor + 1")
        db.commit()
        db.close()
        files["database.sqlite3"] = database.read_bytes()
        _archive_write(archive, manifest, files)
        fresh_dir, fresh_url = fresh

        result = selfwork(
            "restore", str(archive), data_dir=fresh_dir, database_url=fresh_url
        )

        assert result.returncode == 1
        assert "All invariants hold" not in result.stdout
        assert "fails the audit" in result.stderr
        assert "Restore done" not in result.stdout


def _manifest_of(engine: str, **fields) -> Manifest:
    return Manifest(
        **{
            "engine": engine,
            "created_at": "2026-11-21T09:00:00+00:00",
            "selfwork_version": "0.1.0",
            "migrations": {},
            "counts": {},
            "media": "included",
            **fields,
        }
    )


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile(MANIFEST).read())


def _archive_read(archive: Path) -> tuple[Manifest, dict[str, bytes]]:
    with tarfile.open(archive) as tar:
        files = {
            m.name: tar.extractfile(m).read()
            for m in tar.getmembers()
            if m.isfile() and m.name != MANIFEST
        }
    return Manifest(**_manifest(archive)), files


def _archive_write(archive: Path, manifest: Manifest, files: dict[str, bytes]) -> None:
    contents = {**files, MANIFEST: json.dumps(dataclasses.asdict(manifest)).encode()}
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
