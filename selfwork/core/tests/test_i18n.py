"""Sentences written now and read later are translated when they are read."""

from django.utils import translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from selfwork.core.i18n import interpolate_lazy, text_lazy
from selfwork.core.testing import catalogue_write


def test_a_lazy_sentence_and_its_lazy_values_take_the_reader_s_language(
    settings, tmp_path
):
    catalogue_write(
        tmp_path,
        "de",
        {
            "“%(title)s” moved on: %(label)s.": "„%(title)s“ ging weiter: %(label)s.",
            ("Delivered", "process commission state"): "Geliefert",
        },
    )
    settings.LOCALE_PATHS = [tmp_path]
    with translation.override("fr"):  # written during a French request
        sentence = interpolate_lazy(
            gettext_lazy("“%(title)s” moved on: %(label)s."),
            {
                "title": "A portrait",
                "label": pgettext_lazy("process commission state", "Delivered"),
            },
        )
        rendered = text_lazy(lambda: translation.get_language())
    with translation.override("de"):
        assert str(sentence) == "„A portrait“ ging weiter: Geliefert."
        assert str(rendered) == "de"
    with translation.override("en"):
        assert str(sentence) == "“A portrait” moved on: Delivered."
