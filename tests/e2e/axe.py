"""axe-core, from the project's npm packages, run in a Playwright page.

``axe_violations(page)`` injects ``node_modules/axe-core/axe.min.js`` into the
page (once per document), runs it against the WCAG 2.x A and AA rules and best
practice, and returns the serious and critical violations as readable lines:
rule, impact, the element's selector and what is wrong with it. A test collects
them from many pages and asserts the list is empty, so one failure names every
problem at once.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
GRAVE = ("serious", "critical")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Page, where: str = "") -> list[str]:
    """Run axe on ``page`` as it stands; one line per serious or critical node."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `npm install` (or `make install`).")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => ({
                    impact: n.impact,
                    target: n.target.join(" "),
                    summary: n.failureSummary,
                })),
            }));
        }""",
        TAGS,
    )
    label = where or page.url
    lines = []
    for violation in results:
        for node in violation["nodes"]:
            impact = node["impact"] or violation["impact"]
            if impact not in GRAVE:
                continue
            summary = " ".join((node["summary"] or "").split())
            lines.append(
                f"{label}: [{violation['id']}, {impact}] {node['target']}"
                f" — {violation['help']}. {summary}"
            )
    return lines
