"""Loading processes from their folders, and pinning and loading their versions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

from selfwork.core.errors import NotFound
from selfwork.exchanges.engine.model import NAME, Process
from selfwork.exchanges.engine.parse import process_parse
from selfwork.exchanges.errors import ProcessInvalid

BUILTIN_DIR = Path(__file__).parent.parent / "processes"


def process_dirs() -> list[Path]:
    """The directories processes are read from: the operator's first, then built-ins."""
    dirs = []
    extra = getattr(settings, "SELFWORK_PROCESS_DIR", "")
    if extra:
        dirs.append(Path(extra))
    dirs.append(BUILTIN_DIR)
    return dirs


def _files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in reversed(process_dirs()):
        if directory.is_dir():
            for path in sorted(directory.glob("*.toml")):
                found[path.stem] = path  # the operator's file overrides a built-in
    return found


@cache
def _parse_cached(text: str, source: str) -> Process:
    return process_parse(text, source=source)


def process_file_load(path: Path) -> Process:
    """Load and validate the process in ``path``.

    :raises ProcessInvalid: if the file is unreadable or invalid.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProcessInvalid(
            gettext("Cannot read %(path)s: %(exc)s") % {"path": path, "exc": exc},
            problems=[f"cannot read: {exc}"],
        ) from exc
    process = _parse_cached(text, str(path))
    if process.name != path.stem:
        raise ProcessInvalid(
            gettext(
                "%(path)s: the file of the process '%(name)s' must be called "
                "%(name)s.toml"
            )
            % {"path": path, "name": process.name},
            problems=[f"the file name must be {process.name}.toml"],
        )
    return process


def process_load(name: str) -> Process:
    """Return the current version of the process called ``name``.

    :raises NotFound: if no process file has that name.
    :raises ProcessInvalid: if its file is invalid.
    """
    path = _files().get(name) if isinstance(name, str) and NAME.match(name) else None
    if path is None:
        raise NotFound(
            gettext("There is no process called '%(name)s'.")
            % {"name": str(name)[:40]},
            code="process_not_found",
        )
    return process_file_load(path)


def processes_list() -> list[Process]:
    """Return the current version of every valid process, ordered by name."""
    found = []
    for _, path in sorted(_files().items()):
        try:
            found.append(process_file_load(path))
        except ProcessInvalid:
            continue
    return found


def process_version_pin(process: Process, *, now: dt.datetime) -> None:
    """Store ``process``'s text under its version, once."""
    from selfwork.exchanges.models import ProcessVersion

    ProcessVersion.objects.get_or_create(
        name=process.name,
        version=process.version,
        defaults={"text": process.text, "created_at": now},
    )
    _versions_read.setdefault((process.name, process.version), process)


# Versions already read, by (name, version). A version is the hash of its text,
# so what it names never changes: once read, it need not be read again.
_versions_read: dict[tuple[str, str], Process] = {}


def process_version_load(name: str, version: str) -> Process:
    """Return the process ``name`` exactly at ``version``, as an exchange pinned it.

    :raises NotFound: if that version was never stored.
    """
    from selfwork.exchanges.models import ProcessVersion

    known = _versions_read.get((name, version))
    if known is not None:
        return known
    text = (
        ProcessVersion.objects.filter(name=name, version=version)
        .values_list("text", flat=True)
        .first()
    )
    if text is None:
        raise NotFound(
            gettext("The process %(name)s at version %(version)s is not stored.")
            % {"name": name, "version": version},
            code="process_not_found",
        )
    process = process_parse(text, source=f"{name}@{version}")
    if process.version != version:  # pragma: no cover - the text hashes to its version
        process = dataclasses.replace(process, version=version)
    _versions_read[(name, version)] = process
    return process
