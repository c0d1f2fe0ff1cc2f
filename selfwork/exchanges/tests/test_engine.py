"""Process files: the validator refuses what could strand an exchange or its money.

Pure tests: parsing and validating need no database.
"""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from selfwork.exchanges import engine
from selfwork.exchanges.errors import ProcessInvalid

# A small valid process; tests break one thing at a time.
VALID = """
name = "tiny"
initial = "open"

[states.open]
description = "Waiting for payment."

[states.working]
description = "Paid; being worked on."

[states.done]
description = "Paid out."
terminal = true
success = true

[states.dropped]
description = "Nothing was paid."
terminal = true

[transitions.pay]
from = "open"
to = "working"
actor = "customer"
actions = ["charge"]
params = ["card"]

[transitions.lapse]
from = "open"
to = "dropped"
actor = "system"
after = "P2D"

[transitions.accept]
from = "working"
to = "done"
actor = "customer"
actions = ["release"]

[transitions.settle]
from = "working"
to = "done"
actor = "operator"
actions = ["refund", "release"]
params = ["refund_percent"]
"""


def problems_of(text):
    with pytest.raises(ProcessInvalid) as error:
        engine.process_parse(text)
    return error.value.extra["problems"]


def test_the_built_in_processes_are_valid():
    names = {p.name for p in engine.processes_list()}
    assert {"commission", "purchase"} <= names


def test_a_valid_process_reads_as_states_and_transitions():
    process = engine.process_parse(VALID)
    assert process.initial == "open"
    assert process.terminal_states == {"done", "dropped"}
    assert [t.name for t in process.transitions_from("open")] == ["pay", "lapse"]
    (timer,) = process.timers_from("open")
    assert timer.after == dt.timedelta(days=2)


def test_an_unreachable_state_is_refused():
    text = (
        VALID + '\n[states.limbo]\ndescription = "Nobody gets here."\nterminal = true\n'
    )
    assert "state 'limbo' cannot be reached from 'open'" in problems_of(text)


def test_a_state_without_exits_is_refused():
    text = VALID.replace(
        'description = "Paid out."\nterminal = true\nsuccess = true',
        'description = "x"',
    )
    found = problems_of(text)
    assert "state 'done' is not terminal but has no exit" in found


def test_a_state_only_its_parties_can_leave_is_refused():
    text = VALID.replace(
        '[transitions.settle]\nfrom = "working"\nto = "done"\nactor = "operator"',
        '[transitions.settle]\nfrom = "working"\nto = "done"\nactor = "provider"',
    )
    (problem,) = problems_of(text)
    assert problem.startswith("state 'working' can be left only by its parties")


def test_a_state_only_a_timer_can_leave_is_refused():
    text = VALID.replace(
        '[transitions.pay]\nfrom = "open"\nto = "working"\nactor = "customer"',
        '[transitions.pay]\nfrom = "working"\nto = "working"\nactor = "customer"',
    )
    assert "state 'open' has no exit a customer, provider or operator can take" in (
        problems_of(text)
    )


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            'actions = ["charge"]',
            'actions = ["teleport"]',
            "transition 'pay': unknown action 'teleport'",
        ),
        (
            'actor = "customer"\nactions = ["charge"]',
            'actor = "landlord"\nactions = ["charge"]',
            "transition 'pay': unknown actor 'landlord'",
        ),
        (
            'params = ["card"]',
            'params = ["coupon"]',
            "transition 'pay': unknown parameter 'coupon'",
        ),
        (
            'initial = "open"',
            'initial = "nowhere"',
            "initial must name one of the states",
        ),
        (
            'actions = ["charge"]',
            'actions = ["charge", "hold_deposit"]',
            "terminal state 'done' can be reached with a deposit still held",
        ),
        ('after = "P2D"', 'at = "tomorrow + P1D"', "unknown moment 'tomorrow'"),
        (
            'after = "P2D"',
            'at = ["entered + P2D", "booking_end"]\nat_pick = "soonest"',
            "at_pick is one of earliest, latest",
        ),
        (
            'after = "P2D"',
            'at = "entered:nowhere + P1D"',
            "entered:nowhere names an unknown state",
        ),
        ('after = "P2D"', 'after = "P2D"\nat = "entered"', "give after or at"),
        ('after = "P2D"', 'after = "P1M"', "years and months vary in length"),
        ('after = "P2D"', 'after = "P0D"', "is no time at all"),
        ('after = "P2D"', 'after = "2 days"', "is not an ISO 8601 duration"),
        ('after = "P2D"', 'after = "P2Y"', "years and months vary in length"),
        ('after = "P2D"', 'after = "P400D"', "longer than a year"),
        ('after = "P2D"\n', "", "a system transition runs on a timer"),
        (
            'actor = "customer"\nactions = ["charge"]',
            'actor = "customer"\nafter = "P1D"\nactions = ["charge"]',
            "only a system transition has a timer",
        ),
        ('to = "working"', 'to = "elsewhere"', "transition 'pay': to must name"),
        (
            'description = "Waiting for payment."',
            'colour = "red"',
            "unknown key 'colour'",
        ),
    ],
)
def test_each_mistake_is_named(old, new, expected):
    assert old in VALID
    found = problems_of(VALID.replace(old, new, 1))
    assert any(expected in p for p in found), found


def test_a_terminal_state_reached_with_money_in_escrow_is_refused():
    text = VALID.replace(
        '[transitions.accept]\nfrom = "working"\nto = "done"\nactor = "customer"\n'
        'actions = ["release"]',
        '[transitions.accept]\nfrom = "working"\nto = "done"\nactor = "customer"\n'
        'actions = ["notify"]',
    )
    (problem,) = problems_of(text)
    assert problem.startswith(
        "terminal state 'done' can be reached with money in escrow (by 'accept' from "
        "'working')"
    )


def test_a_partial_refund_without_a_release_is_refused():
    text = VALID.replace('actions = ["refund", "release"]', 'actions = ["refund"]')
    found = problems_of(text)
    assert any("must be followed by release" in p for p in found)


def test_releasing_what_was_never_charged_is_refused():
    text = VALID.replace(
        '[transitions.lapse]\nfrom = "open"\nto = "dropped"\nactor = "system"\n'
        'after = "P2D"',
        '[transitions.lapse]\nfrom = "open"\nto = "dropped"\nactor = "system"\n'
        'after = "P2D"\nactions = ["release"]',
    )
    assert any("where nothing is in escrow" in p for p in problems_of(text))


def test_a_name_used_twice_is_refused_with_a_clear_message():
    text = VALID + '\n[states.open]\ndescription = "Again."\n'
    (problem,) = problems_of(text)
    assert "not valid TOML" in problem
    assert "used twice" in problem


def test_a_state_and_a_transition_may_not_share_a_name():
    text = VALID.replace("[transitions.lapse]", "[transitions.open]")
    assert any("a state has the same name" in p for p in problems_of(text))


def test_leaving_a_terminal_state_is_refused():
    text = VALID.replace(
        '[transitions.lapse]\nfrom = "open"',
        '[transitions.lapse]\nfrom = ["open", "done"]',
    )
    assert any("leaves the terminal state 'done'" in p for p in problems_of(text))


def test_every_problem_is_reported_at_once():
    text = VALID.replace('actor = "landlord"', "").replace(
        'actions = ["charge"]', 'actions = ["teleport"]'
    )
    text = text.replace('after = "P2D"', 'after = "soon"')
    assert len(problems_of(text)) >= 2


class TestVersions:
    def test_the_version_is_a_hash_of_what_the_file_says(self):
        one = engine.process_parse(VALID)
        spaced = engine.process_parse("# a comment\n" + VALID.replace(" = ", "  =  "))
        changed = engine.process_parse(VALID.replace("P2D", "P3D"))
        assert one.version == spaced.version
        assert one.version != changed.version
        assert len(one.version) == 16

    def test_an_explicit_version_is_kept_beside_the_hash(self):
        process = engine.process_parse('version = "2"\n' + VALID)
        assert process.version.startswith("2-")


class TestGraphs:
    def test_mermaid_names_every_transition_and_who_takes_it(self):
        text = engine.process_graph_mermaid(engine.process_parse(VALID))
        assert text.startswith("stateDiagram-v2\n    [*] --> open\n")
        assert "    open --> working: pay (customer)" in text
        assert "    open --> dropped: lapse (after P2D)" in text
        assert "    done --> [*]" in text

    def test_the_svg_is_well_formed_and_labelled(self):
        process = engine.process_load("commission")
        svg = engine.process_graph_svg(process)
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
        texts = "".join(root.itertext())
        for state in process.states:
            assert state in texts
        assert "auto_accept (after P3D)" in texts


def test_an_unknown_process_is_not_found():
    from selfwork.core.errors import NotFound

    with pytest.raises(NotFound):
        engine.process_load("nope")
    with pytest.raises(NotFound):
        engine.process_load("../../etc/passwd")


def test_an_operators_directory_adds_and_overrides_processes(tmp_path, settings):
    (tmp_path / "tiny.toml").write_text(VALID)
    (tmp_path / "broken.toml").write_text("name = ")
    settings.SELFWORK_PROCESS_DIR = str(tmp_path)
    names = [p.name for p in engine.processes_list()]
    assert "tiny" in names
    assert "broken" not in names  # listed processes are the valid ones
    with pytest.raises(ProcessInvalid):
        engine.process_load("broken")


def test_a_file_must_be_named_after_its_process(tmp_path, settings):
    (tmp_path / "other.toml").write_text(VALID)
    settings.SELFWORK_PROCESS_DIR = str(tmp_path)
    with pytest.raises(ProcessInvalid) as error:
        engine.process_load("other")
    assert "must be called tiny.toml" in error.value.detail


def test_the_worked_example_of_the_documentation_is_valid(tmp_path):
    from pathlib import Path

    doc = (Path(__file__).parents[3] / "docs" / "processes.md").read_text()
    example = doc[doc.index("## A worked example") :]
    start = example.index("```toml\n") + len("```toml\n")
    text = example[start : example.index("```", start)]
    process = engine.process_parse(text)
    assert (process.name, len(process.states), len(process.transitions)) == (
        "lesson",
        6,
        9,
    )
