"""Dutch by default, English by flag or environment; every binding is described in both."""

from __future__ import annotations

import pytest
from textual.binding import Binding

from tui import i18n
from tui.app import ZorgkluisApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.form import FormDialog
from tui.dialogs.override import OverrideDialog
from tui.screens.dossier import DossierScreen
from tui.screens.editor import EditorScreen
from tui.screens.pupils import PupilListScreen
from tui.screens.review import ReviewScreen
from tui.widgets.history import HistoryView

BOUND = [
    ZorgkluisApp,
    ConfirmDialog,
    FormDialog,
    OverrideDialog,
    DossierScreen,
    EditorScreen,
    PupilListScreen,
    ReviewScreen,
    HistoryView,
]


def test_language_comes_from_flag_then_environment_then_dutch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ZORGKLUIS_LANG", raising=False)
    assert i18n.pick_language(None) == "nl"
    monkeypatch.setenv("ZORGKLUIS_LANG", "en_GB.UTF-8")
    assert i18n.pick_language(None) == "en"
    assert i18n.pick_language("nl") == "nl"


def test_texts_switch_language() -> None:
    try:
        i18n.set_language("en")
        assert i18n.t("pupils.count", shown=1, total=2) == "1 of 2 pupils"
        i18n.set_language("nl")
        assert i18n.t("pupils.count", shown=1, total=2) == "1 van 2 leerlingen"
    finally:
        i18n.set_language("nl")


@pytest.mark.parametrize("owner", BOUND, ids=lambda c: c.__name__)
def test_every_binding_has_an_id_and_a_description_in_both_languages(owner: type) -> None:
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding)
        assert binding.id, binding
        assert i18n.has(binding.description), binding.description
        for language in i18n.LANGUAGES:
            i18n.set_language(language)
            assert i18n.t(binding.description).strip()
    i18n.set_language("nl")
