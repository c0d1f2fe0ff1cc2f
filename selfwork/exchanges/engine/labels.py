"""The table of the built-in processes' labels, for the translators' catalogue.

Labels live in the process files (TOML), which ``makemessages`` cannot read;
``selfwork/exchanges/process_labels.py`` lists each built-in label as a
``pgettext_lazy`` call so that they join the one project catalogue. It is
generated from the files by this module (``selfwork process labels``, which
``scripts/messages.sh`` runs) and a test fails when it falls behind them. The
engine shows a label through ``pgettext(label_context(process, kind), label)``
(``engine.model``).
"""

import json
from pathlib import Path

from selfwork.exchanges.engine.model import label_context
from selfwork.exchanges.engine.parse import process_parse

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "processes"
TABLE = Path(__file__).resolve().parent.parent / "process_labels.py"

HEADER = '''"""The built-in processes' titles and labels of states, transitions, reminders.

Generated from selfwork/exchanges/processes/*.toml by ``selfwork process labels``;
do not edit by hand (a test fails when it differs from the files).
"""

# ruff: noqa: E501

from django.utils.translation import pgettext_lazy

LABELS = (
'''


def _literal(text: str) -> str:
    # A JSON string is a Python string literal too, in the formatter's quotes.
    return json.dumps(text, ensure_ascii=False)


def labels_of(directory: Path = BUILTIN_DIR) -> list[tuple[str, str]]:
    """Every ``(context, label)`` of the process files in ``directory``, once each."""
    found: dict[tuple[str, str], None] = {}
    for path in sorted(directory.glob("*.toml")):
        process = process_parse(path.read_text(encoding="utf-8"), source=str(path))
        found[(label_context(process.name, "title"), process.title)] = None
        if process.description.strip():
            found[
                (
                    label_context(process.name, "process description"),
                    process.description.strip(),
                )
            ] = None
        groups = (
            ("state", process.states.values()),
            ("transition", process.transitions.values()),
            ("reminder", process.reminders.values()),
        )
        for kind, items in groups:
            for item in items:
                found[(label_context(process.name, kind), item.label_source)] = None
                if getattr(item, "description", ""):
                    context = label_context(process.name, f"{kind} description")
                    found[(context, item.description)] = None
    return list(found)


def labels_module(directory: Path = BUILTIN_DIR) -> str:
    """The text of ``process_labels.py`` for the process files in ``directory``."""
    lines = [HEADER]
    for context, label in labels_of(directory):
        lines.append(
            f"    pgettext_lazy(\n        {_literal(context)},\n"
            f"        {_literal(label)},\n    ),\n"
        )
    lines.append(")\n")
    return "".join(lines)


def labels_write() -> Path:
    """Rewrite ``process_labels.py`` from the built-in process files."""
    TABLE.write_text(labels_module(), encoding="utf-8")
    return TABLE
