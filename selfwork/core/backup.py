"""Backups and restores of a whole selfwork: its database and its media, in one file.

The archive is a gzipped tar holding:

- ``manifest.json``: the archive format, the database engine, when the backup was
  taken, the selfwork version, the migrations applied and the rows in each table;
- the database: ``database.sqlite3`` (a copy made with SQLite's online backup
  API) or ``database.pgdump`` (``pg_dump --format=custom``);
- ``media/``: the uploaded files, when they live on the local disk.

Both engines copy one consistent snapshot while the application keeps writing:
SQLite's backup API copies every page in a single step inside one read
transaction, and ``pg_dump`` runs in a snapshot exported by a REPEATABLE READ
transaction that also counts the rows and reads the migrations, so the manifest
describes exactly what was dumped.

The database is copied before the media: a stored file is written before the row
that names it commits, so every file the snapshot refers to is on disk by the
time the media are read. Files added later are harmless extras.

A backup never goes through ``dumpdata``: it reads table after table, each in
its own moment, so under writes a leg can be dumped without its transaction; and
it keeps rows only, not what else the database keeps (triggers, full-text
indexes, sequences).

The ledger audit that proves a restored database sound lives above the core; the
``selfwork restore`` command runs it after ``backup_restore``.
"""

import dataclasses
import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Tables a fresh ``selfwork migrate`` already fills: a database holding rows only
# there holds nothing of its own, and a restore may replace it without --force.
SEEDED_BY_MIGRATIONS = frozenset(
    {"django_content_type", "auth_permission", "core_fxrate", "core_generation"}
)
# Connection options Django passes to libpq that the PostgreSQL tools read from
# the environment too.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    """What an archive holds, written beside the database and read before a restore."""

    engine: str
    created_at: str
    selfwork_version: str
    migrations: dict[str, list[str]]
    counts: dict[str, int]
    media: str  # "included", or the storage class that keeps the media elsewhere
    media_files: int = 0
    format: int = ARCHIVE_FORMAT
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def describe(self) -> str:
        """One line for a terminal: engine, rows, tables, media."""
        media = (
            f"{self.media_files} media file(s)"
            if self.media == "included"
            else f"no media (kept by {self.media})"
        )
        return (
            f"{ENGINE_NAMES.get(self.engine, self.engine)} database "
            f"({self.rows} rows in {len(self.counts)} tables) and {media}, "
            f"taken {self.created_at} by selfwork {self.selfwork_version}"
        )


# --- Backup ------------------------------------------------------------------------


def backup_create(
    *, path: Path, now: dt.datetime, using: str = DEFAULT_DB_ALIAS
) -> Manifest:
    """Write the database and the media to the archive at ``path``; return its manifest.

    The archive is written beside ``path`` and renamed into place when complete, so
    an interrupted backup never leaves a truncated file under that name.

    :raises BackupError: if the database engine is not supported or a tool fails.
    """
    connection = connections[using]
    engine = connection.vendor
    if engine not in DATABASE_MEMBER:
        raise BackupError(f"selfwork cannot back up a {engine} database.")
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        dir=path.parent, prefix=".selfwork-backup-"
    ) as tmp:
        dump = Path(tmp) / DATABASE_MEMBER[engine]
        if engine == "sqlite":
            migrations, counts = _sqlite_dump(using, dump)
        else:
            migrations, counts = _postgresql_dump(using, dump)
        media_root = _media_root()
        media_files = list(_media_files(media_root)) if media_root else []
        manifest = Manifest(
            engine=engine,
            created_at=now.isoformat(),
            selfwork_version=_version(),
            migrations=migrations,
            counts=counts,
            media="included" if media_root else _media_storage_name(),
            media_files=0,
        )
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            archive.add(dump, arcname=dump.name)
            added = _media_add(archive, media_root, media_files) if media_root else 0
            manifest = Manifest(**{**asdict(manifest), "media_files": added})
            _member_add(
                archive, MANIFEST, json.dumps(asdict(manifest), indent=2).encode()
            )
        # The archive holds everything the database does: readable by its owner only.
        partial.chmod(0o600)
        os.replace(partial, path)
    return manifest


def _sqlite_dump(
    using: str, target: Path
) -> tuple[dict[str, list[str]], dict[str, int]]:
    source_path = str(connections[using].settings_dict["NAME"])
    if not Path(source_path).is_file():
        raise BackupError(f"There is no database at {source_path} to back up.")
    tables = _model_tables(using)
    # A separate connection, not Django's: the copy must not share a transaction
    # with anything this process does.
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(target)
    try:
        # pages=-1: every page in one step, inside one read transaction, so the
        # copy is a single moment of the database however busy its writers are.
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        return _sqlite_state(copy, tables)
    finally:
        copy.close()
        source.close()


def _sqlite_state(
    db: sqlite3.Connection, tables: list[str]
) -> tuple[dict[str, list[str]], dict[str, int]]:
    present = {
        name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    counts = {
        table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        for table in tables
        if table in present
    }
    applied = (
        db.execute("SELECT app, name FROM django_migrations").fetchall()
        if "django_migrations" in present
        else []
    )
    return _migrations_by_app(applied), counts


def _postgresql_dump(
    using: str, target: Path
) -> tuple[dict[str, list[str]], dict[str, int]]:
    connection = connections[using]
    pg_dump = _pg_tool("pg_dump", connection)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # The counts, the migrations and pg_dump all read this one snapshot.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        migrations, counts = _database_state(using)
        _run(
            [
                str(pg_dump),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            env=_pg_environment(connection),
            what="pg_dump",
        )
    return migrations, counts


def _media_root() -> Path | None:
    """The media directory when the media live on this disk, else None."""
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        return None
    return Path(storage.location)


def _media_storage_name() -> str:
    storage = storages["default"]
    return f"{type(storage).__module__}.{type(storage).__qualname__}"


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            yield Path(folder) / name


def _media_add(archive: tarfile.TarFile, root: Path, files: list[Path]) -> int:
    added = 0
    for file in files:
        try:
            archive.add(file, arcname=f"{MEDIA}/{file.relative_to(root).as_posix()}")
        except FileNotFoundError:
            continue  # deleted since the walk: its row is gone from the snapshot too
        added += 1
    return added


def _member_add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _version() -> str:
    try:
        return metadata.version("selfwork")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- Restore -----------------------------------------------------------------------


def manifest_read(path: Path) -> Manifest:
    """Read an archive's manifest.

    :raises BackupError: if the file is missing or is not a selfwork archive.
    """
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            data = json.loads(member.read())
        if isinstance(data, dict) and data.get("format") != ARCHIVE_FORMAT:
            raise BackupError(
                f"{path} is a backup in format {data.get('format')}; this selfwork "
                f"reads format {ARCHIVE_FORMAT}."
            )
        manifest = Manifest(**data)
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}.") from None
    except (tarfile.TarError, OSError):
        raise BackupError(
            f"{path} is not a selfwork backup (an archive `selfwork backup` writes)."
        ) from None
    except (KeyError, ValueError, TypeError) as exc:
        raise BackupError(
            f"{path} is not a selfwork backup: its manifest is missing or unreadable "
            f"({exc})."
        ) from None
    return manifest


def backup_restore(
    *, path: Path, force: bool, using: str = DEFAULT_DB_ALIAS
) -> Manifest:
    """Replace the database and the media with the archive's; return its manifest,
    with ``notes`` on media the operator must restore from elsewhere.

    The caller then applies migrations newer than the archive and audits the
    ledger: a restore is done only when the audit is clean.

    :raises BackupError: for an archive of the other engine or of a newer selfwork,
        a database or media directory holding data without ``force``, a tool that
        fails, or a restored database whose row counts differ from the manifest.
    """
    manifest = manifest_read(path)
    connection = connections[using]
    engine = connection.vendor
    if manifest.engine != engine:
        raise BackupError(
            f"{path} holds a {ENGINE_NAMES.get(manifest.engine, manifest.engine)} "
            f"database and this selfwork uses {ENGINE_NAMES.get(engine, engine)}; "
            "restore it where SELFWORK_DATABASE_URL names the same engine."
        )
    unknown = _migrations_unknown(manifest.migrations)
    if unknown:
        raise BackupError(
            f"{path} was made by a newer selfwork ({manifest.selfwork_version}): its "
            f"database has migrations this one does not know ({', '.join(unknown[:5])}"
            f"{', …' if len(unknown) > 5 else ''}). Upgrade selfwork, then restore."
        )
    media_root = _media_root()
    if not force:
        held = _database_rows(using)
        if held:
            raise BackupError(
                f"The database already holds data ({held} rows); restoring would "
                "replace it. Pass --force to replace it."
            )
        if (
            media_root
            and manifest.media == "included"
            and any(_media_files(media_root))
        ):
            raise BackupError(
                f"The media directory {media_root} already holds files; restoring "
                "would replace them. Pass --force to replace them."
            )
    with (
        tempfile.TemporaryDirectory(prefix=".selfwork-restore-", dir=_scratch()) as tmp,
        tarfile.open(path, "r:*") as archive,
    ):
        member = DATABASE_MEMBER[engine]
        try:
            archive.extract(member, tmp, filter="data")
        except KeyError:
            raise BackupError(f"{path} holds no {member}.") from None
        if engine == "sqlite":
            _sqlite_load(using, Path(tmp) / member)
        else:
            _postgresql_load(using, Path(tmp) / member)
        counts = _database_state(using)[1]
        differ = sorted(t for t, n in manifest.counts.items() if counts.get(t) != n)
        if differ:
            raise BackupError(
                "The restored database does not match the archive's manifest "
                f"(row counts differ in {', '.join(differ[:5])}); the archive "
                "may be damaged."
            )
        if media_root and manifest.media == "included":
            _media_load(archive, media_root, Path(tmp))
    notes = []
    if media_root is None and manifest.media == "included" and manifest.media_files:
        notes.append(
            f"The archive holds {manifest.media_files} media file(s) under media/, "
            f"but media are now kept by {_media_storage_name()}: copy them there "
            "yourself; they were not restored."
        )
    elif manifest.media != "included":
        notes.append(
            f"The media were kept by {manifest.media} when the backup was taken and "
            "are not in the archive: restore them from that storage's own backup."
        )
    return dataclasses.replace(manifest, notes=notes)


def _scratch() -> Path:
    scratch = Path(settings.DATA_DIR)
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch


def _sqlite_load(using: str, dump: Path) -> None:
    target_path = str(connections[using].settings_dict["NAME"])
    connections[using].close()
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        # Page by page into the live file, under its write lock: readers see the
        # old database or the restored one, never a mix.
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _postgresql_load(using: str, dump: Path) -> None:
    connection = connections[using]
    pg_restore = _pg_tool("pg_restore", connection)
    environment = _pg_environment(connection)
    connection.close()
    _run(
        [
            str(pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={environment['PGDATABASE']}",
            str(dump),
        ],
        env=environment,
        what="pg_restore",
    )


def _media_load(archive: tarfile.TarFile, root: Path, scratch: Path) -> None:
    """Put the archive's media in place of ``root``'s, swapping whole directories."""
    staged = scratch / MEDIA
    members = [m for m in archive.getmembers() if m.name.startswith(f"{MEDIA}/")]
    archive.extractall(scratch, members=members, filter="data")
    staged.mkdir(exist_ok=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    previous = scratch / "media.previous"
    if root.exists():
        shutil.move(str(root), previous)
    shutil.move(str(staged), root)


# --- The database, engine by engine -----------------------------------------------


def _model_tables(using: str) -> list[str]:
    connection = connections[using]
    return sorted(connection.introspection.django_table_names(include_views=False))


def _database_state(using: str) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Applied migrations and rows per model table, through Django's connection."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in _model_tables(using):
            if table in existing:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}"
                )
                counts[table] = cursor.fetchone()[0]
        applied: list[tuple[str, str]] = []
        if "django_migrations" in existing:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = cursor.fetchall()
    return _migrations_by_app(applied), counts


def _database_rows(using: str) -> int:
    """Rows the database holds beyond what a fresh migration puts there."""
    counts = _database_state(using)[1]
    return sum(n for table, n in counts.items() if table not in SEEDED_BY_MIGRATIONS)


def _migrations_by_app(applied: list[tuple[str, str]]) -> dict[str, list[str]]:
    by_app: dict[str, list[str]] = {}
    for app, name in sorted(applied):
        by_app.setdefault(app, []).append(name)
    return by_app


def _migrations_unknown(migrations: dict[str, list[str]]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in sorted(migrations.items())
        for name in names
        if (app, name) not in known
    ]


def _pg_environment(connection: Any) -> dict[str, str]:
    """libpq's environment for the tools: the password never on a command line."""
    params = connection.settings_dict
    # libpq reads the same PG* defaults for the tools as for Django's connection;
    # what the settings name overrides them.
    environment = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if params.get(key):
            environment[variable] = str(params[key])
    for option, variable in LIBPQ_OPTIONS.items():
        value = params.get("OPTIONS", {}).get(option)
        if value not in (None, ""):
            environment[variable] = str(value)
    return environment


def _pg_tool(name: str, connection: Any) -> Path:
    """The ``pg_dump``/``pg_restore`` closest in version to the server's, not older.

    ``SELFWORK_PG_BIN`` names the directory outright. Otherwise Debian's
    ``/usr/lib/postgresql/<major>/bin`` of the server's major version or newer
    (pg_dump refuses a server newer than itself), then the one on the PATH.
    """
    if configured := os.environ.get("SELFWORK_PG_BIN"):
        tool = Path(configured) / name
        if not tool.is_file():
            raise BackupError(
                f"SELFWORK_PG_BIN is {configured}, which holds no {name}."
            )
        return tool
    server_major = connection.pg_version // 10000
    versions = []
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        if re.fullmatch(r"\d+", folder.parent.name) and (folder / name).is_file():
            versions.append((int(folder.parent.name), folder / name))
    fitting = sorted(v for v in versions if v[0] >= server_major)
    if fitting:
        return fitting[0][1]
    if found := shutil.which(name):
        return Path(found)
    raise BackupError(
        f"No {name} for PostgreSQL {server_major} found: install the PostgreSQL "
        f"client of that version (Debian: postgresql-client-{server_major}) or set "
        "SELFWORK_PG_BIN to the directory holding it."
    )


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            f"{what} failed: {result.stderr.strip() or result.returncode}"
        )
