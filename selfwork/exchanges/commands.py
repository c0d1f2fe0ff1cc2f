"""What ``selfwork process check|graph`` and ``selfwork worker`` run, once Django is set up.

Each returns the process exit code; the CLI parses arguments and calls one.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from selfwork.core.errors import NotFound
from selfwork.exchanges.engine import (
    Process,
    process_graph_mermaid,
    process_graph_svg,
    process_load,
    process_parse,
)
from selfwork.exchanges.errors import ProcessInvalid
from selfwork.exchanges.tasks import worker_loop


def _problems(exc: ProcessInvalid) -> list[str]:
    return list(exc.extra.get("problems") or [exc.detail])


def process_check_command(path: str, stdout: TextIO) -> int:
    """Validate the process file at ``path``: 0 and a summary, or 1 and every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        stdout.write(f"{path}: cannot read: {exc}\n")
        return 1
    try:
        process = process_parse(text, source=path)
    except ProcessInvalid as exc:
        problems = _problems(exc)
        stdout.write(f"{path}: invalid, {len(problems)} problem(s):\n")
        for problem in problems:
            stdout.write(f"  - {problem}\n")
        return 1
    if Path(path).stem != process.name:
        stdout.write(
            f"{path}: valid, but save it as {process.name}.toml so it loads as "
            f"'{process.name}'\n"
        )
        return 1
    timers = sum(1 for t in process.transitions.values() if t.is_timer)
    stdout.write(
        f"{path}: the process '{process.name}' is valid (version {process.version}): "
        f"{len(process.states)} states, {len(process.transitions)} transitions, "
        f"{timers} timer(s).\n"
    )
    return 0


def process_graph_command(name: str, format: str, stdout: TextIO) -> int:
    """Write the graph of the process ``name`` (or a .toml path) as SVG or Mermaid."""
    try:
        process: Process
        if name.endswith(".toml"):
            process = process_parse(Path(name).read_text(encoding="utf-8"), source=name)
        else:
            process = process_load(name)
    except (OSError, UnicodeDecodeError) as exc:
        stdout.write(f"cannot read {name}: {exc}\n")
        return 1
    except (NotFound, ProcessInvalid) as exc:
        stdout.write(f"{exc.detail}\n")
        return 1
    if format == "mermaid":
        stdout.write(process_graph_mermaid(process))
    else:
        stdout.write(process_graph_svg(process))
    return 0


def worker_command(
    *,
    once: bool,
    now: str | None,
    stdout: TextIO,
    jobs: Sequence[tuple[str, Callable[..., int]]] = (),
) -> int:
    """Run the worker; ``now`` is an ISO 8601 time to run as of (with ``once``);
    ``jobs`` are the upper apps' work each round (see ``worker_loop``)."""
    at = None
    if now is not None:
        try:
            at = dt.datetime.fromisoformat(now)
        except ValueError:
            stdout.write(f"--now must be an ISO 8601 time, not '{now[:40]}'\n")
            return 2
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
    return worker_loop(once=once, now=at, stdout=stdout, jobs=jobs)
