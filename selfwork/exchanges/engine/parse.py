"""Reading a process: TOML text or a parsed table → a validated ``Process``.

Every problem found is collected, so an author sees them all at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from typing import Any

from django.utils.translation import gettext

from selfwork.exchanges.engine.model import (
    ACTORS,
    DURATION,
    MAX_AFTER,
    NAME,
    REMINDER_KEYS,
    REVIEW_WINDOW,
    REVIEW_WINDOW_MAX,
    REVIEW_WINDOW_MIN,
    STATE_KEYS,
    STYLES,
    TOP_KEYS,
    TRANSITION_KEYS,
    Process,
    Reminder,
    State,
    Transition,
)
from selfwork.exchanges.engine.validate import _graph_problems
from selfwork.exchanges.errors import ProcessInvalid
from selfwork.exchanges.guards import GUARDS
from selfwork.exchanges.moments import When, when_parse
from selfwork.exchanges.params import PARAMS


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
            gettext("Not valid TOML: %(message)s") % {"message": message},
            problems=[f"not valid TOML: {message}"],
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
            process=str(name),
            label_source=_text(
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
        pending_target = spec.get("pending_to", "")
        if pending_target and (
            not isinstance(pending_target, str) or pending_target not in states
        ):
            problems.append(
                f"{where}: pending_to must name one of the states "
                f"(got {pending_target!r})"
            )
            pending_target = ""
        elif pending_target and states[pending_target].terminal:
            problems.append(f"{where}: pending_to must not be a terminal state")
        elif pending_target and not {"charge", "hold_deposit"} & set(actions):
            problems.append(
                f"{where}: pending_to is where a payment waits for a host; this "
                "transition takes no payment (charge or hold_deposit)"
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
            process=str(name),
            label_source=_text(
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
            pending_target=str(pending_target or ""),
        )

    on_start = _names(raw, "on_start", "on_start", problems)
    _actions_check(on_start, "on_start", problems)
    reminders = _reminders(
        raw.get("reminders", {}), states, problems, process=str(name)
    )
    review_window = _review_window(raw, problems)

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
        review_window=review_window,
    )


def _review_window(raw: dict[str, Any], problems: list[str]) -> dt.timedelta:
    """The ``review_window`` of a process, or the default when it names none."""
    text = raw.get("review_window")
    if text is None:
        return REVIEW_WINDOW
    try:
        window = duration_parse(text)
    except ValueError as exc:
        problems.append(f"review_window: {exc}")
        return REVIEW_WINDOW
    if not REVIEW_WINDOW_MIN <= window <= REVIEW_WINDOW_MAX:
        problems.append(
            'review_window: reviews stay open between one day ("P1D") and '
            '90 days ("P90D")'
        )
        return REVIEW_WINDOW
    return window


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
    raw: object, states: dict[str, State], problems: list[str], *, process: str
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
            process=process,
            label_source=_text(
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
