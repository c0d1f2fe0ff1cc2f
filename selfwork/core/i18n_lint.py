"""Find visible text in templates that is not marked for translation.

A template's text reaches a member in their language only when it sits inside
``{% translate %}`` or ``{% blocktranslate %}``. This checker reads each template
with Django's own lexer, replaces every variable and tag by a neutral mark, and
parses what is left as HTML: a text node, or a human-facing attribute (``title``,
``alt``, ``placeholder``, ``aria-label``, a button's ``value``…), that still holds
a letter is text nobody marked.

Run it on files or folders: ``python -m selfwork.core.i18n_lint selfwork/web``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

# Stands where a variable or a tag was: not a letter, so it never counts as text.
MARK = "\u2063"

HUMAN_ATTRIBUTES = frozenset(
    {
        "title",
        "alt",
        "placeholder",
        "aria-label",
        "aria-description",
        "aria-placeholder",
        "aria-roledescription",
        "aria-valuetext",
        "label",
    }
)
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
SKIPPED_ELEMENTS = frozenset({"script", "style", "code", "pre", "svg"})

# Words that read the same in every language: the product's own name and
# abbreviations that are names, not words.
UNTRANSLATED = frozenset({"selfwork", "CSV", "SVG", "API", "URL", "JSON", "ID", "UTC"})

BLOCKS_OF_MARKED_TEXT = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
}
BLOCKS_SKIPPED = {"comment": "endcomment", "verbatim": "endverbatim"}

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


@dataclass(frozen=True)
class Unmarked:
    """One piece of visible text that is not marked for translation."""

    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def is_visible_text(text: str) -> bool:
    """Say whether ``text`` holds words a reader would need translated."""
    words = _ENTITY.sub(" ", text.replace(MARK, " "))
    remaining = " ".join(
        w for w in words.split() if w.strip(".,:;()") not in UNTRANSLATED
    )
    return bool(_LETTER.search(remaining))


def neutralised(source: str) -> Iterator[tuple[str, int]]:
    """Yield the template's plain text with each tag or variable replaced by MARK.

    Text inside ``blocktranslate``, ``comment`` and ``verbatim`` blocks, and every
    ``{# … #}`` comment, is dropped; each piece comes with its line number.
    """
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if closing is not None:
            if (
                token.token_type is TokenType.BLOCK
                and token.contents.split()[0] == closing
            ):
                closing = None
            continue
        if token.token_type is TokenType.TEXT:
            yield token.contents, token.lineno or 1
        elif token.token_type is TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            closing = BLOCKS_OF_MARKED_TEXT.get(name) or BLOCKS_SKIPPED.get(name)
            yield MARK, token.lineno or 1
        elif token.token_type is TokenType.VAR:
            yield MARK, token.lineno or 1


class _TextFinder(HTMLParser):
    def __init__(self, path: Path, lines: list[int]) -> None:
        super().__init__(convert_charrefs=False)
        self.path = path
        self.lines = lines  # template line of each line of the neutralised text
        self.skipping: list[str] = []
        self.found: list[Unmarked] = []

    def _report(self, text: str) -> None:
        if is_visible_text(text):
            first_letter = _LETTER.search(text)
            lead = text[: first_letter.start()] if first_letter else ""
            row = self.getpos()[0] + lead.count("\n")
            line = self.lines[min(row, len(self.lines)) - 1]
            shown = " ".join(text.replace(MARK, " ").split())
            self.found.append(Unmarked(self.path, line, shown))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._report(data)

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            human = name in HUMAN_ATTRIBUTES or (
                name == "value"
                and tag in {"input", "button"}
                and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if human:
                self._report(value)


def unmarked_in(path: Path, source: str | None = None) -> list[Unmarked]:
    """Return the unmarked visible text of one template (or of ``source``)."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    text: list[str] = []
    lines: list[int] = []
    for piece, line in neutralised(source):
        text.append(piece)
        lines.extend([line + i for i in range(piece.count("\n"))])
    lines.append(lines[-1] if lines else 1)
    finder = _TextFinder(path, lines)
    finder.feed("".join(text))
    finder.close()
    return finder.found


def templates_under(roots: Iterable[Path]) -> Iterator[Path]:
    """Yield every template file (``.html``, ``.txt``) under ``roots``."""
    for root in roots:
        if root.is_file():
            yield root
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".txt"} and "templates" in path.parts:
                yield path


def main(argv: list[str]) -> int:
    """Print every unmarked string under the given paths; exit 1 if any."""
    found = [
        u
        for p in templates_under(Path(a) for a in argv or ["selfwork"])
        for u in unmarked_in(p)
    ]
    for unmarked in found:
        print(unmarked)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
