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

from selfwork.exchanges.engine.draw import (
    process_graph_mermaid,
    process_graph_svg,
)
from selfwork.exchanges.engine.load import (
    BUILTIN_DIR,
    process_dirs,
    process_file_load,
    process_load,
    process_version_load,
    process_version_pin,
    processes_list,
)
from selfwork.exchanges.engine.model import (
    ACTORS,
    DURATION,
    MAX_AFTER,
    NAME,
    OVERSEERS,
    PARTIES,
    POT_WORDS,
    REMINDER_KEYS,
    STATE_KEYS,
    STYLES,
    TOP_KEYS,
    TRANSITION_KEYS,
    Process,
    Reminder,
    State,
    Transition,
)
from selfwork.exchanges.engine.parse import (
    duration_parse,
    process_build,
    process_parse,
)

__all__ = [
    "ACTORS",
    "BUILTIN_DIR",
    "DURATION",
    "MAX_AFTER",
    "NAME",
    "OVERSEERS",
    "PARTIES",
    "POT_WORDS",
    "Process",
    "REMINDER_KEYS",
    "Reminder",
    "STATE_KEYS",
    "STYLES",
    "State",
    "TOP_KEYS",
    "TRANSITION_KEYS",
    "Transition",
    "duration_parse",
    "process_build",
    "process_dirs",
    "process_file_load",
    "process_graph_mermaid",
    "process_graph_svg",
    "process_load",
    "process_parse",
    "process_version_load",
    "process_version_pin",
    "processes_list",
]
