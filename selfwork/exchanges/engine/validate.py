"""Checking a process's graph and pots: every state reachable and leavable, every
pot it opens settled by every terminal state.
"""

from __future__ import annotations

from selfwork.exchanges.engine.model import OVERSEERS, POT_WORDS, State, Transition


def _graph_problems(
    initial: str,
    states: dict[str, State],
    transitions: dict[str, Transition],
    on_start: tuple[str, ...] = (),
) -> list[str]:
    problems: list[str] = []
    exits: dict[str, list[Transition]] = {s: [] for s in states}
    for t in transitions.values():
        for s in t.sources:
            exits[s].append(t)

    reached = {initial}
    frontier = [initial]
    while frontier:
        here = frontier.pop()
        for t in exits[here]:
            for target in t.targets:
                if target not in reached:
                    reached.add(target)
                    frontier.append(target)
    for s in states:
        if s not in reached:
            problems.append(f"state '{s}' cannot be reached from '{initial}'")

    for s, spec in states.items():
        if spec.terminal:
            continue
        by_person = [t for t in exits[s] if set(t.actors) - {"system"}]
        by_clock_or_operator = [
            t for t in exits[s] if t.is_timer or set(OVERSEERS) & set(t.actors)
        ]
        if not exits[s]:
            problems.append(f"state '{s}' is not terminal but has no exit")
            continue
        if not by_person:
            problems.append(
                f"state '{s}' has no exit a customer, provider or operator can take"
            )
        if not by_clock_or_operator:
            problems.append(
                f"state '{s}' can be left only by its parties: add a timer (a system "
                "transition with after) or an operator transition, so a silent party "
                "cannot stall it forever"
            )

    # Every state must be able to end: some terminal state reachable from it.
    ends = {s for s, spec in states.items() if spec.terminal}
    changed = True
    while changed:
        changed = False
        for s in states:
            if s not in ends and any(set(t.targets) & ends for t in exits[s]):
                ends.add(s)
                changed = True
    for s in states:
        if s in reached and s not in ends:
            problems.append(f"no terminal state can be reached from state '{s}'")

    problems.extend(_pot_problems(initial, states, exits, on_start))
    return problems


def _pots_after(
    actions: tuple[str, ...],
    params: tuple[str, ...],
    before: frozenset[str],
    where: str,
    problems: set[str],
) -> set[frozenset[str]]:
    """The pots that may be open after ``actions`` run from ``before``."""
    from selfwork.exchanges.actions import ACTIONS

    outcomes = {before}
    partial: set[tuple[str, str, str]] = set()
    for name in actions:
        action = ACTIONS[name]
        maybe_open = set().union(*outcomes)
        for pot in action.opens:
            if pot in maybe_open:
                problems.add(
                    f"{where} runs {name}, which opens the {pot}, where it may "
                    "already be open"
                )
        for pot in action.settles:
            if pot not in maybe_open:
                problems.add(f"{where} runs {name} where {POT_WORDS[pot][1]}")
        settled = set(action.settles) | set(action.settles_open)
        after: set[frozenset[str]] = set()
        for pots in outcomes:
            left = (pots - settled) | set(action.opens)
            after.add(frozenset(left))
            if action.partial_with and action.partial_with in params:
                # Partly settled: the pot may still hold the rest.
                after.add(frozenset(left | (pots & set(action.settles))))
        outcomes = after
        if action.partial_with and action.partial_with in params:
            partial.update((pot, name, action.partial_with) for pot in action.settles)
    for pot, name, param in sorted(partial):
        if any(pot in pots for pots in outcomes):
            problems.add(
                f"{where}: a partial {name} ({param}) must be followed by "
                f"{POT_WORDS[pot][2]}, so {POT_WORDS[pot][3]} is settled"
            )
    return outcomes


def _pot_problems(
    initial: str,
    states: dict[str, State],
    exits: dict[str, list[Transition]],
    on_start: tuple[str, ...],
) -> list[str]:
    """Follow every pot (escrow, deposit, booking) along every path.

    Actions open pots (``charge`` fills escrow, ``hold_deposit`` holds a
    deposit, ``reserve`` holds a period) and settle them (a refund or release,
    a void or a claim, a released reservation); a partial refund may leave
    escrow partly open. A terminal state reachable with a pot open is refused,
    as is opening a pot that may already be open, or settling one that cannot
    be.
    """
    problems: set[str] = set()
    start = _pots_after(on_start, (), frozenset(), "on_start", problems)
    seen: dict[str, set[frozenset[str]]] = {s: set() for s in states}
    via: dict[tuple[str, frozenset[str]], str] = {}
    work: list[tuple[str, frozenset[str]]] = []
    for pots in start:
        seen[initial].add(pots)
        via[(initial, pots)] = "starting"
        work.append((initial, pots))
    while work:
        state, pots = work.pop()
        for t in exits[state]:
            where = f"transition '{t.name}' from '{state}'"
            for after in _pots_after(t.actions, t.params, pots, where, problems):
                for target in t.targets:
                    if after not in seen[target]:
                        seen[target].add(after)
                        via[(target, after)] = f"'{t.name}' from '{state}'"
                        work.append((target, after))
    for s, spec in states.items():
        if not spec.terminal:
            continue
        for pots in seen[s]:
            for pot in sorted(pots):
                problems.add(
                    f"terminal state '{s}' can be reached with {POT_WORDS[pot][0]} "
                    f"(by {via[(s, pots)]}); settle it on the way"
                )
    return sorted(problems)
