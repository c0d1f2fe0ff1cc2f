"""Compile the translation catalogues (``.po``) into what gettext reads (``.mo``).

babel's compiler is pure Python, so installing and serving need no system
gettext; the ``.mo`` files are build output, made by ``make install`` and by
``selfwork serve``/``demo`` whenever one is missing or older than its ``.po``.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues_stale(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The ``.po`` files whose ``.mo`` is missing or older than they are."""
    stale = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def catalogues_compile(
    locale_dir: Path = LOCALE_DIR, *, force: bool = False
) -> list[Path]:
    """Compile every stale catalogue (every one with ``force``); return the ``.mo``.

    Fuzzy translations are left out, as gettext's own ``msgfmt`` does: a guess
    nobody checked must not reach a reader.
    """
    sources = (
        sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))
        if force
        else catalogues_stale(locale_dir)
    )
    written = []
    for po in sources:
        locale = po.parent.parent.name
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=locale)
        mo = po.with_suffix(".mo")
        # Written beside, then moved into place: a server reading the old file
        # never sees half of the new one.
        partial = mo.with_suffix(".mo.partial")
        with partial.open("wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)
        partial.replace(mo)
        written.append(mo)
    return written
