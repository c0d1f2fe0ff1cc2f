"""Browser journeys: Playwright driving Debian's Chromium against a live server."""

import os

import pytest
from playwright.sync_api import expect

# Two test processes, Chromium and the live server share two cores: under that
# load a page can take longer than Playwright's 5 s to answer a click. Waiting
# longer costs a passing test nothing.
expect.set_options(timeout=15_000)

# The live server runs in a thread of this process; Playwright's sync API runs an
# event loop in this thread too, which makes Django refuse ORM calls from tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SELFWORK_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


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
