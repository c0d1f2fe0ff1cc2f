"""Moving through a page with the keyboard alone, as a person without a mouse does.

``tab_to`` presses Tab (or Shift+Tab) until the element wanted has the focus,
and on the way notes every focused element that shows no focus indicator (an
outline, or a ring on the card it stretches over): a keyboard user would lose
track there.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page

# The focused element shows an outline of its own, or its card does (a card's
# title link stretches over the whole card, which draws the ring).
FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const shows = (node) => {
        const style = getComputedStyle(node);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
        return outline || style.boxShadow !== "none";
    };
    const card = el.closest(".card");
    if (shows(el) || (card && shows(card))) return "";
    const name = (el.getAttribute("aria-label") || el.textContent || el.name || "").trim();
    return `${el.tagName.toLowerCase()} "${name.slice(0, 40)}"`;
}"""


class Keyboard:
    """One person's keyboard on one page; ``unseen`` lists focus without a ring."""

    def __init__(self, page: Page):
        self.page = page
        self.unseen: list[str] = []

    def tab_to(self, target: Locator, *, backwards: bool = False, limit: int = 120):
        """Press Tab (Shift+Tab backwards) until ``target`` has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        element = target.element_handle()
        for _ in range(limit):
            self.page.keyboard.press(key)
            unseen = self.page.evaluate(FOCUS_SHOWN)
            if unseen:
                self.unseen.append(f"{self.page.url}: {unseen}")
            if self.page.evaluate("(el) => el === document.activeElement", element):
                return
        raise AssertionError(f"{target} never had the focus after {limit} × {key}")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
