"""Helpers for test suites. Never used outside tests."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connections


def race(
    count: int,
    work: Callable[[int], Any],
    *,
    on_error: Callable[[Exception], Any] = repr,
) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at once; return each result.

    A thread that raises gives ``on_error(exc)`` instead, for the assertions to
    report. Each thread closes its own database connections when done.
    """
    start = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[i] = on_error(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def catalogue_write(
    locale_dir, language: str, translations: dict[str | tuple[str, str], str]
) -> None:
    """Write and compile a ``django`` catalogue of ``translations`` for ``language``.

    A key is a msgid, or ``(msgid, context)``. Point ``LOCALE_PATHS`` at
    ``locale_dir`` to have the site speak it (Django forgets the catalogues it
    loaded when the setting changes).
    """
    from pathlib import Path

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from django.utils.translation import to_locale

    locale = to_locale(language)
    catalogue = Catalog(locale=locale, domain="django")
    for key, text in translations.items():
        msgid, context = key if isinstance(key, tuple) else (key, None)
        catalogue.add(msgid, text, context=context)
    target = Path(locale_dir) / locale / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "django.mo").open("wb") as handle:
        write_mo(handle, catalogue)


def fx_reference_rates_ensure() -> None:
    """Load the reference exchange rates the migrations load, if a flush emptied them.

    A test that commits (a live server, a race) ends with a flush that empties
    every table, the rates included.
    """
    from selfwork.core.fx import fx_rates_import
    from selfwork.core.models import FxRate

    if not FxRate.objects.exists():
        table = Path(__file__).parent / "data" / "fx_rates.csv"
        fx_rates_import(text=table.read_text())
