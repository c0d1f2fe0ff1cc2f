"""Processes as data: load a TOML file, validate it, pin its version, draw it.

A process is a state machine written by an operator, not a programmer (see
``docs/processes.md``). This module turns a file into a ``Process`` and refuses
any file that could strand an exchange or its money: unreachable states, states
nobody can leave (or that only the parties can leave, so a silent party stalls
them forever), unknown actions, actors, guards or parameters, bad durations, and
terminal states that a path reaches with money still in escrow.

A process's version is the hash of its parsed definition. Every version an
exchange starts on is stored in ``ProcessVersion``; an exchange keeps running on
its version when the file changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from selfwork.core.errors import NotFound
from selfwork.exchanges.errors import ProcessInvalid
from selfwork.exchanges.guards import GUARDS
from selfwork.exchanges.moments import When, when_parse
from selfwork.exchanges.params import PARAMS

BUILTIN_DIR = Path(__file__).parent / "processes"
# ``operator``: a host of the exchange's community who is not a party to it, or
# staff; ``staff``: the install's own operators only, who review hosts' decisions.
ACTORS = ("customer", "provider", "operator", "staff", "system")
OVERSEERS = ("operator", "staff")
# How the validator speaks of each pot: (open, none open, what settles it, name).
POT_WORDS = {
    "escrow": ("money in escrow", "nothing is in escrow", "release", "escrow"),
    "deposit": (
        "a deposit still held",
        "no deposit is held",
        "release_deposit or claim_deposit",
        "the deposit",
    ),
    "booking": (
        "its period still booked",
        "no period is booked",
        "release_reservation",
        "the booking",
    ),
}
PARTIES = ("customer", "provider")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
MAX_AFTER = dt.timedelta(days=366)
TOP_KEYS = {
    "name",
    "title",
    "description",
    "initial",
    "version",
    "on_start",
    "states",
    "transitions",
    "reminders",
}
STYLES = ("primary", "danger", "quiet")
STATE_KEYS = {"description", "terminal", "success", "label"}
TRANSITION_KEYS = {
    "label",
    "description",
    "from",
    "to",
    "actor",
    "actions",
    "guards",
    "params",
    "required",
    "after",
    "at",
    "at_pick",
    "style",
}
REMINDER_KEYS = {"label", "description", "in", "at", "at_pick", "every"}


@dataclass(frozen=True)
class State:
    """A state of a process; a terminal state ends the exchange."""

    name: str
    label: str
    description: str
    terminal: bool = False
    success: bool = False


@dataclass(frozen=True)
class Transition:
    """A named move from any of ``sources`` to ``target``, taken by ``actors``."""

    name: str
    label: str
    description: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    actions: tuple[str, ...] = ()
    guards: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    # When a system transition fires (``after`` is short for "entered + after").
    when: When | None = None
    after_text: str = ""
    # How the room draws its button: primary, danger (undoes or ends) or quiet
    # (second thoughts rather than the way forward).
    style: str = "primary"

    @property
    def is_timer(self) -> bool:
        return self.when is not None

    @property
    def after(self) -> dt.timedelta | None:
        """The time since entering the state, for a plain ``after`` timer."""
        if self.when is None or len(self.when.terms) != 1:
            return None
        term = self.when.terms[0]
        return term.offset if term.moment == "entered" and not term.state else None


@dataclass(frozen=True)
class Reminder:
    """A timer that tells the parties something and changes nothing."""

    name: str
    label: str
    description: str
    states: tuple[str, ...]
    when: When
    every: dt.timedelta | None = None


@dataclass(frozen=True)
class Process:
    """A validated process at one version."""

    name: str
    title: str
    description: str
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    version: str
    # Actions run when an exchange starts, before it enters ``initial``.
    on_start: tuple[str, ...] = ()
    reminders: dict[str, Reminder] = field(default_factory=dict)
    # The TOML text it was read from, kept with each stored version.
    text: str = field(default="", repr=False)
    source: str = ""

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]

    def timers_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions_from(state) if t.is_timer]

    def reminders_in(self, state: str) -> list[Reminder]:
        return [r for r in self.reminders.values() if state in r.states]

    @property
    def terminal_states(self) -> frozenset[str]:
        return frozenset(s.name for s in self.states.values() if s.terminal)

    def uses(self, action: str) -> bool:
        return action in self.on_start or any(
            action in t.actions for t in self.transitions.values()
        )


def duration_parse(text: object) -> dt.timedelta:
    """Parse an ISO 8601 duration of weeks, days, hours, minutes and seconds.

    Years and months are refused: their length depends on the calendar.

    :raises ValueError: with a message a process author can act on.
    """
    if not isinstance(text, str):
        raise ValueError('a duration is text such as "P3D"')
    match = DURATION.match(text)
    if match is None or text in {"P", "PT"} or text.endswith("T"):
        if re.match(r"^P(\d+Y)?(\d+M)?", text) and re.search(
            r"\d+[YM]", text.split("T")[0]
        ):
            raise ValueError(
                f"'{text[:20]}': years and months vary in length; write days "
                '("P30D") or weeks ("P4W")'
            )
        raise ValueError(
            f"'{text[:20]}' is not an ISO 8601 duration such as \"P3D\", "
            '"PT12H" or "P1DT6H"'
        )
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    value = dt.timedelta(**parts)
    if value <= dt.timedelta(0):
        raise ValueError(
            f"'{text}' is no time at all; a timer needs a positive duration"
        )
    if value > MAX_AFTER:
        raise ValueError(f"'{text}' is longer than a year")
    return value


def _text(
    raw: dict, key: str, where: str, problems: list[str], *, default: str = ""
) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        problems.append(f"{where}: {key} must be text")
        return default
    return value


def _names(raw: dict, key: str, where: str, problems: list[str]) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: {key} must be a name or a list of names")
        return ()
    if len(set(value)) != len(value):
        problems.append(f"{where}: {key} lists a name twice")
    return tuple(value)


def process_parse(text: str, *, source: str = "") -> Process:
    """Parse and validate the TOML ``text`` of a process.

    :raises ProcessInvalid: listing every problem found (``problems``).
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        if "twice" in message or "overwrite" in message:
            message += " (a state or transition name is used twice)"
        raise ProcessInvalid(
            f"Not valid TOML: {message}", problems=[f"not valid TOML: {message}"]
        ) from exc
    return process_build(raw, source=source, text=text)


def process_build(raw: dict[str, Any], *, source: str = "", text: str = "") -> Process:
    """Validate a parsed definition and return the ``Process`` it describes.

    :raises ProcessInvalid: listing every problem found (``problems``).
    """
    problems: list[str] = []
    for key in sorted(set(raw) - TOP_KEYS):
        problems.append(f"unknown key '{key}' at the top level")
    name = raw.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(
            'name must be a lower-case name such as "commission" '
            "(letters, digits, underscores)"
        )
        name = "?"
    title = _text(
        raw, "title", "process", problems, default=str(name).replace("_", " ").title()
    )
    description = _text(raw, "description", "process", problems)
    explicit_version = raw.get("version")
    if explicit_version is not None and (
        not isinstance(explicit_version, str | int)
        or isinstance(explicit_version, bool)
    ):
        problems.append("version must be text or a number")

    states: dict[str, State] = {}
    raw_states = raw.get("states")
    if not isinstance(raw_states, dict) or not raw_states:
        problems.append("states must be a table of states ([states.<name>])")
        raw_states = {}
    for state_name, spec in raw_states.items():
        where = f"state '{state_name}'"
        if not NAME.match(state_name):
            problems.append(
                f"{where}: a name is lower-case letters, digits, underscores"
            )
        if not isinstance(spec, dict):
            problems.append(f"{where} must be a table")
            continue
        for key in sorted(set(spec) - STATE_KEYS):
            problems.append(f"{where}: unknown key '{key}'")
        terminal = spec.get("terminal", False)
        success = spec.get("success", False)
        if not isinstance(terminal, bool) or not isinstance(success, bool):
            problems.append(f"{where}: terminal and success are true or false")
            terminal, success = bool(terminal), bool(success)
        if success and not terminal:
            problems.append(f"{where}: only a terminal state can be a success")
        description_text = _text(spec, "description", where, problems)
        if not description_text.strip():
            problems.append(f"{where} needs a description")
        states[state_name] = State(
            name=state_name,
            label=_text(
                spec,
                "label",
                where,
                problems,
                default=state_name.replace("_", " ").capitalize(),
            ),
            description=description_text,
            terminal=terminal,
            success=success,
        )

    initial = raw.get("initial")
    if not isinstance(initial, str) or initial not in states:
        problems.append(f"initial must name one of the states (got {initial!r})")
        initial = ""
    elif states[initial].terminal:
        problems.append(f"the initial state '{initial}' cannot be terminal")

    transitions: dict[str, Transition] = {}
    raw_transitions = raw.get("transitions")
    if not isinstance(raw_transitions, dict) or not raw_transitions:
        problems.append(
            "transitions must be a table of transitions ([transitions.<name>])"
        )
        raw_transitions = {}
    for t_name, spec in raw_transitions.items():
        where = f"transition '{t_name}'"
        if not NAME.match(t_name):
            problems.append(
                f"{where}: a name is lower-case letters, digits, underscores"
            )
        if t_name in states:
            problems.append(f"{where}: a state has the same name; names must differ")
        if not isinstance(spec, dict):
            problems.append(f"{where} must be a table")
            continue
        for key in sorted(set(spec) - TRANSITION_KEYS):
            problems.append(f"{where}: unknown key '{key}'")
        sources = _names(spec, "from", where, problems)
        if not sources:
            problems.append(f"{where}: from must name at least one state")
        for source_state in sources:
            if source_state not in states:
                problems.append(
                    f"{where}: from names an unknown state '{source_state}'"
                )
            elif states[source_state].terminal:
                problems.append(
                    f"{where}: leaves the terminal state '{source_state}'; "
                    "terminal states have no exits"
                )
        target = spec.get("to")
        if not isinstance(target, str) or target not in states:
            problems.append(f"{where}: to must name one of the states (got {target!r})")
            target = ""
        actors = _names(spec, "actor", where, problems)
        if not actors:
            problems.append(f"{where}: actor must be one of {', '.join(ACTORS)}")
        for actor in actors:
            if actor not in ACTORS:
                problems.append(
                    f"{where}: unknown actor '{actor}'; actors are {', '.join(ACTORS)}"
                )
        actions = _names(spec, "actions", where, problems)
        _actions_check(actions, where, problems)
        guards = _names(spec, "guards", where, problems)
        for guard in guards:
            if guard not in GUARDS:
                problems.append(
                    f"{where}: unknown guard '{guard}'; guards are {', '.join(GUARDS)}"
                )
        params = _names(spec, "params", where, problems)
        for param in params:
            if param not in PARAMS:
                problems.append(
                    f"{where}: unknown parameter '{param}'; parameters are "
                    f"{', '.join(PARAMS)}"
                )
        required = _names(spec, "required", where, problems)
        for param in required:
            if param not in params:
                problems.append(f"{where}: requires '{param}', which is not in params")
        when, after_text = _when(spec, where, problems, set(raw_states))
        timed = "after" in spec or "at" in spec
        if "system" in actors:
            if len(actors) > 1:
                problems.append(f"{where}: a system transition has no other actor")
            if not timed:
                problems.append(
                    f"{where}: a system transition runs on a timer; give it "
                    'after = "P3D" (time since entering the state) or at = '
                    '"booking_end + P2D"'
                )
            if params:
                problems.append(f"{where}: a system transition takes no parameters")
        elif timed:
            problems.append(
                f"{where}: only a system transition has a timer (after, at); "
                f"this one is taken by {', '.join(actors)}"
            )
        style = spec.get("style", "primary")
        if style not in STYLES:
            problems.append(f"{where}: style is one of {', '.join(STYLES)}")
            style = "primary"
        if "payout" in actions and (
            "release" not in actions
            or actions.index("payout") < actions.index("release")
        ):
            problems.append(
                f"{where}: payout pays out a release; put release before it"
            )
        transitions[t_name] = Transition(
            name=t_name,
            label=_text(
                spec,
                "label",
                where,
                problems,
                default=t_name.replace("_", " ").capitalize(),
            ),
            description=_text(spec, "description", where, problems),
            sources=sources,
            target=target,
            actors=actors,
            actions=actions,
            guards=guards,
            params=params,
            required=required,
            when=when,
            after_text=after_text,
            style=str(style),
        )

    on_start = _names(raw, "on_start", "on_start", problems)
    _actions_check(on_start, "on_start", problems)
    reminders = _reminders(raw.get("reminders", {}), states, problems)

    if not problems:
        problems.extend(_graph_problems(initial, states, transitions, on_start))
    if problems:
        label = f"{source}: " if source else ""
        raise ProcessInvalid(
            f"{label}the process '{name}' is invalid: " + "; ".join(problems) + ".",
            problems=problems,
        )
    # The version hashes what the file says, in its order (which is the order
    # transitions are offered in), not how it is spelled: comments and spacing
    # do not make a new version.
    canonical = json.dumps(raw, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    version = f"{explicit_version}-{digest}" if explicit_version is not None else digest
    return Process(
        name=name,
        title=title,
        description=description,
        initial=initial,
        states=states,
        transitions=transitions,
        version=version,
        text=text,
        source=source,
        on_start=on_start,
        reminders=reminders,
    )


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
            if t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
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
            if s not in ends and any(t.target in ends for t in exits[s]):
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
                if after not in seen[t.target]:
                    seen[t.target].add(after)
                    via[(t.target, after)] = f"'{t.name}' from '{state}'"
                    work.append((t.target, after))
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


def _actions_check(actions: tuple[str, ...], where: str, problems: list[str]) -> None:
    from selfwork.exchanges.actions import ACTIONS, ACTIONS_PENDING

    for action in actions:
        if action in ACTIONS:
            continue
        if action in ACTIONS_PENDING:
            problems.append(
                f"{where}: the action '{action}' is named by the format but this "
                "version of selfwork cannot run it yet"
            )
        else:
            problems.append(
                f"{where}: unknown action '{action}'; the library has "
                f"{', '.join(ACTIONS)}"
            )


def _when(
    spec: dict, where: str, problems: list[str], states: set[str]
) -> tuple[When | None, str]:
    """A timer's ``after`` or ``at`` (never both), parsed; and its text."""
    if "after" in spec and "at" in spec:
        problems.append(f"{where}: give after or at, not both")
        return None, ""
    if "after" in spec:
        text = spec["after"] if isinstance(spec["after"], str) else ""
        try:
            duration_parse(spec["after"])
        except ValueError as exc:
            problems.append(f"{where}: after: {exc}")
            return None, text
        when, found = when_parse(
            f"entered + {text}", None, states=states, duration_parse=duration_parse
        )
        problems.extend(f"{where}: after: {p}" for p in found)
        return when, text
    if "at" in spec:
        when, found = when_parse(
            spec["at"],
            spec.get("at_pick"),
            states=states,
            duration_parse=duration_parse,
        )
        problems.extend(f"{where}: at: {p}" for p in found)
        return when, when.text() if when else ""
    if "at_pick" in spec:
        problems.append(f"{where}: at_pick goes with at")
    return None, ""


def _reminders(
    raw: object, states: dict[str, State], problems: list[str]
) -> dict[str, Reminder]:
    if not isinstance(raw, dict):
        problems.append("reminders must be a table of reminders ([reminders.<name>])")
        return {}
    reminders = {}
    for r_name, spec in raw.items():
        where = f"reminder '{r_name}'"
        if not NAME.match(r_name):
            problems.append(
                f"{where}: a name is lower-case letters, digits, underscores"
            )
        if not isinstance(spec, dict):
            problems.append(f"{where} must be a table")
            continue
        for key in sorted(set(spec) - REMINDER_KEYS):
            problems.append(f"{where}: unknown key '{key}'")
        in_states = _names(spec, "in", where, problems)
        if not in_states:
            problems.append(f"{where}: in must name the states it reminds in")
        for state_name in in_states:
            if state_name not in states:
                problems.append(f"{where}: in names an unknown state '{state_name}'")
            elif states[state_name].terminal:
                problems.append(f"{where}: a terminal state has nothing to remind of")
        if "at" not in spec:
            problems.append(f'{where}: give at, such as "booking_end"')
            continue
        when, _ = _when(
            {
                "at": spec["at"],
                **({"at_pick": spec["at_pick"]} if "at_pick" in spec else {}),
            },
            where,
            problems,
            set(states),
        )
        every = None
        if "every" in spec:
            try:
                every = duration_parse(spec["every"])
            except ValueError as exc:
                problems.append(f"{where}: every: {exc}")
        if when is None:
            continue
        reminders[r_name] = Reminder(
            name=r_name,
            label=_text(
                spec,
                "label",
                where,
                problems,
                default=r_name.replace("_", " ").capitalize(),
            ),
            description=_text(spec, "description", where, problems),
            states=in_states,
            when=when,
            every=every,
        )
    return reminders


# --- Loading and versions ----------------------------------------------------------


def process_dirs() -> list[Path]:
    """The directories processes are read from: the operator's first, then built-ins."""
    dirs = []
    extra = getattr(settings, "SELFWORK_PROCESS_DIR", "")
    if extra:
        dirs.append(Path(extra))
    dirs.append(BUILTIN_DIR)
    return dirs


def _files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in reversed(process_dirs()):
        if directory.is_dir():
            for path in sorted(directory.glob("*.toml")):
                found[path.stem] = path  # the operator's file overrides a built-in
    return found


@cache
def _parse_cached(text: str, source: str) -> Process:
    return process_parse(text, source=source)


def process_file_load(path: Path) -> Process:
    """Load and validate the process in ``path``.

    :raises ProcessInvalid: if the file is unreadable or invalid.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProcessInvalid(
            f"Cannot read {path}: {exc}", problems=[f"cannot read: {exc}"]
        ) from exc
    process = _parse_cached(text, str(path))
    if process.name != path.stem:
        raise ProcessInvalid(
            f"{path}: the file of the process '{process.name}' must be called "
            f"{process.name}.toml",
            problems=[f"the file name must be {process.name}.toml"],
        )
    return process


def process_load(name: str) -> Process:
    """Return the current version of the process called ``name``.

    :raises NotFound: if no process file has that name.
    :raises ProcessInvalid: if its file is invalid.
    """
    path = _files().get(name) if isinstance(name, str) and NAME.match(name) else None
    if path is None:
        raise NotFound(
            f"There is no process called '{str(name)[:40]}'.", code="process_not_found"
        )
    return process_file_load(path)


def processes_list() -> list[Process]:
    """Return the current version of every valid process, ordered by name."""
    found = []
    for _, path in sorted(_files().items()):
        try:
            found.append(process_file_load(path))
        except ProcessInvalid:
            continue
    return found


def process_version_pin(process: Process, *, now: dt.datetime) -> None:
    """Store ``process``'s text under its version, once."""
    from selfwork.exchanges.models import ProcessVersion

    ProcessVersion.objects.get_or_create(
        name=process.name,
        version=process.version,
        defaults={"text": process.text, "created_at": now},
    )


@cache
def _version_cached(name: str, version: str, text: str) -> Process:
    built = process_parse(text, source=f"{name}@{version}")
    if built.version != version:  # pragma: no cover - the text hashes to its version
        return dataclasses.replace(built, version=version)
    return built


def process_version_load(name: str, version: str) -> Process:
    """Return the process ``name`` exactly at ``version``, as an exchange pinned it.

    :raises NotFound: if that version was never stored.
    """
    from selfwork.exchanges.models import ProcessVersion

    text = (
        ProcessVersion.objects.filter(name=name, version=version)
        .values_list("text", flat=True)
        .first()
    )
    if text is None:
        raise NotFound(
            f"The process {name} at version {version} is not stored.",
            code="process_not_found",
        )
    return _version_cached(name, version, text)


# --- Graphs ------------------------------------------------------------------------


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
                if t.target not in depth:
                    depth[t.target] = depth[state] + 1
                    following.append(t.target)
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
