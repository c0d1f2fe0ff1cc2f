"""Drawing a process: a Mermaid diagram and a self-contained SVG."""

from __future__ import annotations

import html

from selfwork.exchanges.engine.model import Process, Transition


def _actor_text(t: Transition) -> str:
    if t.is_timer:
        return f"after {t.after_text}"
    return " / ".join(t.actors)


def process_graph_mermaid(process: Process) -> str:
    """The state graph as Mermaid ``stateDiagram-v2`` text."""
    lines = ["stateDiagram-v2", f"    [*] --> {process.initial}"]
    for t in process.transitions.values():
        for source in t.sources:
            lines.append(f"    {source} --> {t.target}: {t.name} ({_actor_text(t)})")
            if t.pending_target:
                lines.append(
                    f"    {source} --> {t.pending_target}: {t.name} "
                    "(payment awaits a host)"
                )
    for state in process.states.values():
        if state.terminal:
            lines.append(f"    {state.name} --> [*]")
    return "\n".join(lines) + "\n"


def _layers(process: Process) -> dict[str, int]:
    """Each state's depth: its shortest distance from the initial state."""
    depth = {process.initial: 0}
    frontier = [process.initial]
    while frontier:
        following = []
        for state in frontier:
            for t in process.transitions_from(state):
                for target in t.targets:
                    if target not in depth:
                        depth[target] = depth[state] + 1
                        following.append(target)
        frontier = following
    for state in process.states:
        depth.setdefault(state, max(depth.values(), default=0) + 1)
    return depth


def process_graph_svg(process: Process) -> str:
    """The state graph as a self-contained SVG: states in rows by distance from the start.

    Plain geometry, no layout engine: states sit in rows by their depth, edges are
    curves labelled with the transition and who takes it.
    """
    depth = _layers(process)
    rows: dict[int, list[str]] = {}
    for state in process.states:
        rows.setdefault(depth[state], []).append(state)
    box_w, box_h, gap_x, gap_y, margin = 170, 44, 50, 90, 30
    widest = max(len(r) for r in rows.values())
    width = margin * 2 + widest * box_w + (widest - 1) * gap_x
    height = margin * 2 + len(rows) * box_h + (len(rows) - 1) * gap_y
    centre: dict[str, tuple[float, float]] = {}
    for level, names in sorted(rows.items()):
        row_w = len(names) * box_w + (len(names) - 1) * gap_x
        x0 = (width - row_w) / 2
        y = margin + level * (box_h + gap_y)
        for i, state in enumerate(names):
            centre[state] = (x0 + i * (box_w + gap_x) + box_w / 2, y + box_h / 2)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(process.title)} process graph" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{html.escape(process.title)} ({html.escape(process.version)})</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    drawn: dict[tuple[str, str], int] = {}
    for t in process.transitions.values():
        for source in t.sources:
            (x1, y1), (x2, y2) = centre[source], centre[t.target]
            n = drawn.get((source, t.target), 0)
            drawn[(source, t.target)] = n + 1
            bend = 40 + 26 * n
            if source == t.target:
                path = f"M{x1 + box_w / 2},{y1} c60,-50 60,50 0,{box_h / 2 - 4}"
                lx, ly = x1 + box_w / 2 + 50, y1
            else:
                sy = y1 + (box_h / 2 if y2 > y1 else -box_h / 2 if y2 < y1 else 0)
                ey = y2 - (box_h / 2 if y2 > y1 else -box_h / 2 if y2 < y1 else 0)
                sx = x1 if y1 != y2 else x1 + (box_w / 2 if x2 > x1 else -box_w / 2)
                ex = x2 if y1 != y2 else x2 - (box_w / 2 if x2 > x1 else -box_w / 2)
                mx = (sx + ex) / 2 + (
                    bend if y2 <= y1 else bend * (n % 2 * 2 - 1) * 0.5
                )
                my = (sy + ey) / 2 - (bend if y1 == y2 else 0)
                path = f"M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}"
                lx, ly = (sx + 2 * mx + ex) / 4, (sy + 2 * my + ey) / 4
            colour = "#999" if t.is_timer else "#555"
            dash = ' stroke-dasharray="4 3"' if t.is_timer else ""
            out.append(
                f'<path d="{path}" fill="none" stroke="{colour}"{dash} '
                'marker-end="url(#arrow)"/>'
            )
            out.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" fill="#222" '
                'paint-order="stroke" stroke="#fff" stroke-width="3">'
                f"{html.escape(t.name)} ({html.escape(_actor_text(t))})</text>"
            )
    for name, (cx, cy) in centre.items():
        box = process.states[name]
        fill = "#e6f4ea" if box.success else "#f1f1f1" if box.terminal else "#e8f0fe"
        stroke = "#1a73e8" if name == process.initial else "#444"
        border = 3 if box.terminal else 1.5
        out.append(
            f"<g><title>{html.escape(box.description)}</title>"
            f'<rect x="{cx - box_w / 2:.1f}" y="{cy - box_h / 2:.1f}" width="{box_w}" '
            f'height="{box_h}" rx="10" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{border}"/>'
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" '
            f'font-weight="600">{html.escape(name)}</text></g>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
