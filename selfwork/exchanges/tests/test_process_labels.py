"""The built-in processes' labels are in the translators' catalogue and shown
translated, and an operator's own labels are shown as written."""

import pytest
from django.utils import translation

from selfwork.core.testing import catalogue_write
from selfwork.exchanges.engine.labels import TABLE, labels_module
from selfwork.exchanges.engine.load import process_load
from selfwork.exchanges.engine.parse import process_parse


def test_the_label_table_lists_every_label_of_the_process_files():
    assert TABLE.read_text(encoding="utf-8") == labels_module(), (
        "A process file's labels changed: run `selfwork process labels` "
        "(or scripts/messages.sh)."
    )


def test_the_table_names_each_label_with_its_process_and_kind():
    text = TABLE.read_text(encoding="utf-8")
    assert '"process commission state",\n        "Awaiting payment",' in text
    assert '"process rental transition",' in text


@pytest.fixture
def german(settings, tmp_path):
    catalogue_write(
        tmp_path,
        "de",
        {
            ("Awaiting payment", "process commission state"): "Wartet auf Zahlung",
            ("Completed", "process commission state"): "Abgeschlossen",
        },
    )
    settings.LOCALE_PATHS = [tmp_path]


def test_labels_are_shown_in_the_active_language(german):
    commission = process_load("commission")
    with translation.override("de"):
        assert commission.states["awaiting_payment"].label == "Wartet auf Zahlung"
        assert commission.states["completed"].label == "Abgeschlossen"
        # Another process's "Completed" is its own entry: untranslated here.
        assert process_load("purchase").states["completed"].label == "Completed"
    with translation.override("en"):
        assert commission.states["awaiting_payment"].label == "Awaiting payment"
    assert commission.states["awaiting_payment"].label_source == "Awaiting payment"


def test_an_operator_s_own_label_is_shown_as_written(german):
    text = (TABLE.parent / "processes" / "gift.toml").read_text(encoding="utf-8")
    own = process_parse(text.replace('name = "gift"', 'name = "our_gift"'))
    with translation.override("de"):
        state = next(iter(own.states.values()))
        assert state.label == state.label_source
