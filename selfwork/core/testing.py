"""Helpers for test suites. Never used outside tests."""

import threading
from collections.abc import Callable
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
