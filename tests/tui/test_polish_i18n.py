"""The whole UI in its language: the palette, its system commands, and the keys of Textual's
own widgets in the footer and the F1 panel (Dutch by default, English by flag)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.command import CommandInput, CommandPalette
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea
from textual.widgets._key_panel import BindingsTable

from tui import i18n
from tui.bindings import localise_textual, textual_key
from vault import demo

# What Textual says in English, that must not show in the Dutch UI.
ENGLISH = (
    "palette",
    "Cursor up",
    "Cursor down",
    "Focus Next",
    "Focus Previous",
    "Open the command palette",
    "Copy selected text",
    "Scroll Up",
    "Page up",
    "Show menu",
    "Delete character left",
    "Submit",
)


def key_panel_text(pilot: Pilot[Any]) -> str:
    table = pilot.app.screen.query_one(BindingsTable)
    console = pilot.app.console
    with console.capture() as capture:
        console.print(table.render_bindings_table())
    return capture.get()


def textual_classes() -> list[type[DOMNode]]:
    def walk(cls: type[DOMNode]) -> list[type[DOMNode]]:
        return [c for sub in cls.__subclasses__() for c in (sub, *walk(sub))]

    return [c for c in walk(DOMNode) if c.__module__.startswith("textual.")]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_key_textual_describes_has_a_text_in_both_languages(language: str) -> None:
    try:
        i18n.set_language(language)
        localise_textual()
        for cls in textual_classes():
            for binding in cls.__dict__.get("BINDINGS", []):
                if not isinstance(binding, Binding) or binding.system or not binding.description:
                    continue
                key = textual_key(cls, binding)
                assert key, f"{cls.__name__}: {binding.action} ({binding.description})"
                assert binding.description == i18n.t(key)
    finally:
        i18n.set_language("nl")
        localise_textual()


async def test_the_footer_and_f1_speak_dutch(demo_master: demo.DemoInfo, kit: Any) -> None:
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen.focused, DataTable)
        palette = screen.active_bindings["ctrl+p"].binding
        assert palette.description == "Opdrachten"
        await pilot.press("f1")
        await pilot.pause()
        text = key_panel_text(pilot)
        for english in ENGLISH:
            assert english not in text
        assert "Omhoog" in text and "Volgend veld" in text and "Opdrachten" in text
        # The search field's keys and its section title too.
        screen.query_one("#search", Input).focus()
        await pilot.pause()
        text = key_panel_text(pilot)
        assert "Invoerveld" in text and "Teken links wissen" in text
        assert "Input" not in text and "Delete character left" not in text


async def test_the_palette_and_its_system_commands_speak_dutch(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        commands = list(pilot.app.get_system_commands(pilot.app.screen))
        titles = [c.title for c in commands]
        assert titles[:3] == ["Kleuren", "Stoppen", "Toetsen"]
        assert "Screenshot" not in titles  # it would write pupil data unencrypted to disk
        assert not [c for c in commands if "application" in c.help or "Quit" in c.title]
        await pilot.press("ctrl+p")
        await kit.settle(pilot)
        palette = pilot.app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(CommandInput).placeholder == "Zoek een opdracht of leerling…"
        await pilot.press(*"qqqxxzz")
        await kit.settle(pilot)
        await pilot.pause(0.7)
        shown = [str(o.prompt.renderable) for o in palette.query_one("CommandList").options]  # type: ignore[attr-defined]
        assert shown == ["Niets gevonden"]


async def test_english_mode_has_english_keys_everywhere(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    async with kit.app(demo_master, language="en").run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        assert pilot.app.screen.active_bindings["ctrl+p"].binding.description == "Commands"
        await pilot.press("f1")
        await pilot.pause()
        text = key_panel_text(pilot)
        assert "Up" in text and "Next field" in text and "Omhoog" not in text
        commands = list(pilot.app.get_system_commands(pilot.app.screen))
        assert [c.title for c in commands][:3] == ["Theme", "Quit", "Keys"]
        await pilot.press("f1", "ctrl+p")
        await kit.settle(pilot)
        placeholder = pilot.app.screen.query_one(CommandInput).placeholder
        assert placeholder == "Search for a command or pupil…"
    # The Dutch app after an English one in the same process is Dutch again.
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        bindings = pilot.app.screen.focused._bindings
        assert bindings.key_to_bindings["up"][0].description == "Omhoog"
        assert TextArea.BINDINGS[0].description == "Omhoog"  # type: ignore[union-attr]


async def test_the_palette_names_pupils_with_their_tussenvoegsel(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    pupils = kit.open_as(demo_master, demo.IB.id).list_pupils()
    pupil = next(p for p in pupils if p.tussenvoegsel)
    name = f"{pupil.voornaam} {pupil.tussenvoegsel} {pupil.achternaam} ({pupil.groep})"
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        await pilot.press("ctrl+p", *f"{pupil.tussenvoegsel} {pupil.achternaam}")
        await kit.settle(pilot)
        await pilot.pause(0.3)
        palette = pilot.app.screen
        shown = [str(o.prompt) for o in palette.query_one("CommandList").options]
        assert any(f"leerling: openen {name}" in line for line in shown), shown
