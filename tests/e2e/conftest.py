"""Browser journeys: Playwright driving Debian's Chromium against a live server.

The browser itself is set up in the root conftest: the demo's operator reads the
demo in a browser too, beside the demo's other tests.
"""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def confirm_next(page) -> list[str]:
    """Accept the next confirmation ``page`` asks; the list gets its question."""
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    return asked
