"""Every string the code marks for translation is translated in every catalogue.

``makemessages`` runs on a temporary copy of the sources and the catalogues (the
tree is never modified) and the merged catalogues are read back: a msgid a
catalogue lacks, leaves empty or marks fuzzy fails the test, and so does a
translation whose placeholders (``%(name)s``, ``{name}``) differ from its msgid's.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.test import override_settings

SOURCES = Path(__file__).resolve().parents[2]  # the selfwork package
LOCALES = ("es", "fr", "de", "pt_BR")
KEPT = {".py", ".html", ".txt", ".po"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|(?<!\{)\{(\w+)\}(?!\})")

# CI installs GNU gettext (scripts/system-packages.sh), so the test runs there.
# The catalogues are the same whatever the engine: checked once.
pytestmark = [
    pytest.mark.skipif(
        shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)"
    ),
    pytest.mark.once,
]


def _sources_only(directory: str, names: list[str]) -> set[str]:
    path = Path(directory)
    return {
        name
        for name in names
        if name in {"tests", "__pycache__", "static", "migrations"}
        or ((path / name).is_file() and Path(name).suffix not in KEPT)
    }


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text or "")}


def _translations(message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return list(message.string)
    return [message.string]


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> dict[str, tuple]:
    """Each language's catalogue as committed, and as makemessages merges it."""
    copy = tmp_path_factory.mktemp("catalogues") / "selfwork"
    shutil.copytree(SOURCES, copy, ignore=_sources_only)
    here = Path.cwd()
    try:
        os.chdir(copy)
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages",
                locale=list(LOCALES),
                domain="django",
                no_obsolete=True,
                ignore_patterns=["tests/*", "*/tests/*", "locale/*"],
                verbosity=0,
            )
    finally:
        os.chdir(here)
    result = {}
    for locale in LOCALES:
        relative = Path(locale) / "LC_MESSAGES" / "django.po"
        with (SOURCES / "locale" / relative).open("rb") as handle:
            committed = read_po(handle, locale=locale)
        with (copy / "locale" / relative).open("rb") as handle:
            fresh = read_po(handle, locale=locale)
        result[locale] = (committed, fresh)
    return result


@pytest.mark.parametrize("locale", LOCALES)
def test_the_catalogue_translates_every_marked_string(merged, locale):
    committed, fresh = merged[locale]
    problems = []
    for message in fresh:
        if not message.id:
            continue
        label = repr(message.id[0] if isinstance(message.id, tuple) else message.id)
        if message.context:
            label += f" (context {message.context!r})"
        if (
            committed.get(
                message.id[0] if isinstance(message.id, tuple) else message.id,
                context=message.context,
            )
            is None
        ):
            problems.append(f"missing: {label}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {label}")
        elif not all(_translations(message)):
            problems.append(f"untranslated: {label}")
        else:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            expected = set().union(*(_placeholders(i) for i in ids))
            for text in _translations(message):
                if _placeholders(text) != expected:
                    problems.append(
                        f"placeholders differ: {label} → {text!r} "
                        f"(expected {sorted(expected)})"
                    )
    assert not problems, (
        f"{len(problems)} problem(s) in the {locale} catalogue "
        "(run scripts/messages.sh, then translate):\n" + "\n".join(problems)
    )


def test_the_checker_notices_a_changed_placeholder():
    assert _placeholders("Hello %(name)s, {count} new") == {"name", "count"}
    assert _placeholders("{{ literal }} %%") == set()
