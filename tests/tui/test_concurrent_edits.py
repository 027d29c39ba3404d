"""Two people, one dossier: the app never saves over a colleague's change it did not see.

The dossier screen remembers the version it showed; the YAML editor and the forms save
against it (`Vault.put(base=...)`), so what a colleague saved meanwhile is merged in, and the
same field changed on both sides asks the user which value stays. Real demo vault, real keys.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, RadioButton, Select, Static, TextArea

from dossier_format import codec
from tui.dialogs.conflict import ConflictDialog
from tui.dialogs.form import FormDialog
from tui.dialogs.override import OverrideDialog
from tui.screens.dossier import DossierScreen
from tui.screens.editor import EditorScreen
from vault import demo


def _pupil_and_teacher(info: demo.DemoInfo, kit: Any) -> tuple[str, str]:
    vault = kit.open_as(info, demo.IB.id)
    pupil = min(vault.list_pupils(), key=lambda p: (p.groep, p.achternaam, p.voornaam))
    return pupil.id, demo.leerkracht(pupil.groep).id


def _teacher_saves(
    info: demo.DemoInfo, kit: Any, pupil_id: str, teacher: str, **fields: Any
) -> None:
    """The teacher, on her own laptop, changes fields of `leerling` and saves."""
    vault = kit.open_as(info, teacher)
    doc = codec.load(vault.show(pupil_id))
    doc["leerling"].update(fields)
    vault.put(pupil_id, codec.dump(doc), override="test", today=kit.today)


async def _open(pilot: Any, kit: Any, pupil_id: str) -> DossierScreen:
    """The IB-er opens the pupil's dossier in the app."""
    await kit.settle(pilot)
    pilot.app.open_pupil(pupil_id)
    await kit.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DossierScreen)
    return screen


async def test_a_colleagues_save_meanwhile_is_merged_not_undone(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    pupil_id, teacher = _pupil_and_teacher(demo_vault, kit)
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        screen = await _open(pilot, kit, pupil_id)
        shown = screen.text
        # The teacher saves a change while the IB-er looks at the dossier.
        _teacher_saves(demo_vault, kit, pupil_id, teacher, stamgroep="3-Wilg")
        await pilot.press("e")
        await kit.settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, EditorScreen)
        doc = codec.load(shown)
        doc["leerling"]["groep"] = doc["leerling"]["groep"] + 1
        editor.query_one("#yaml", TextArea).load_text(codec.dump(doc))
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
    saved = codec.load_fast(kit.open_as(demo_vault, demo.IB.id).show(pupil_id))
    assert saved["leerling"]["stamgroep"] == "3-Wilg"  # the teacher's change stayed
    assert saved["leerling"]["groep"] == doc["leerling"]["groep"]


async def test_the_same_field_asks_which_value_stays(demo_vault: demo.DemoInfo, kit: Any) -> None:
    pupil_id, teacher = _pupil_and_teacher(demo_vault, kit)
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        screen = await _open(pilot, kit, pupil_id)
        shown = screen.text
        _teacher_saves(demo_vault, kit, pupil_id, teacher, stamgroep="van de juf")
        before = len(kit.open_as(demo_vault, demo.IB.id).log(pupil_id))
        await pilot.press("e")
        await kit.settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, EditorScreen)
        doc = codec.load(shown)
        doc["leerling"]["stamgroep"] = "van de IB"
        doc["leerling"]["groep"] = doc["leerling"]["groep"] + 1
        editor.query_one("#yaml", TextArea).load_text(codec.dump(doc))
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConflictDialog)
        assert [c.path for c in dialog.conflicts] == ["leerling.stamgroep"]
        # Nothing is saved until the user chooses.
        assert len(kit.open_as(demo_vault, demo.IB.id).log(pupil_id)) == before
        # Saving without a choice is refused in the dialog.
        await pilot.click("#save")
        await pilot.pause()
        assert pilot.app.screen is dialog
        await pilot.click("#choice-0-theirs")
        await pilot.pause()
        assert dialog.query_one("#choice-0-theirs", RadioButton).value
        await pilot.click("#save")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
    saved = codec.load_fast(kit.open_as(demo_vault, demo.IB.id).show(pupil_id))
    assert saved["leerling"]["stamgroep"] == "van de juf"  # the colleague's value, as chosen
    assert saved["leerling"]["groep"] == doc["leerling"]["groep"]  # and the rest of the edit


async def _zorgteam_without_consent(pilot: Any, kit: Any, pupil_id: str) -> None:
    """Record a zorgteam meeting through the form for a pupil without that consent."""
    await _open(pilot, kit, pupil_id)
    await pilot.press("b")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*"zorgteam", "enter")
    await pilot.pause()
    await pilot.press("ctrl+s")
    await kit.settle(pilot)


async def test_a_refused_act_offers_a_reason_the_yaml_or_the_form_again(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil_id, _ = _pupil_and_teacher(demo_vault, kit)
    before = len(vault.log(pupil_id))
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await _zorgteam_without_consent(pilot, kit, pupil_id)
        dialog = pilot.app.screen
        assert isinstance(dialog, OverrideDialog)
        assert "bespreking.toestemming" in [f.rule for f in dialog.new_errors]
        assert len(kit.open_as(demo_vault, demo.IB.id).log(pupil_id)) == before  # not saved
        # Back: the form opens again with what was chosen.
        await pilot.press("escape")
        await kit.settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-soort", Select).value == "zorgteam"
        # Saved again, refused again; this time: edit it as YAML, the entry is in the text.
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, OverrideDialog)
        await pilot.click("#edit")
        await kit.settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, EditorScreen)
        assert "soort: zorgteam" in editor.text
        # Leave the editor without saving, and record the act with a reason instead.
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#yes")
        await kit.settle(pilot)
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"zorgteam", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, OverrideDialog)
        # A reason that names the pupil is refused in the dialog (it would be in the history).
        voornaam = next(p for p in vault.list_pupils() if p.id == pupil_id).voornaam
        await pilot.press(*f"{voornaam} krijgt toestemming", "enter")
        await pilot.pause()
        assert pilot.app.screen is dialog
        assert "voornaam" in str(dialog.query_one("#override-status", Static).render())
        dialog.query_one("#reason", Input).value = ""
        await pilot.press(*"Toestemming komt morgen", "enter")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
    log = kit.open_as(demo_vault, demo.IB.id).log(pupil_id)
    assert len(log) == before + 1
    assert "Override: Toestemming komt morgen" in log[0].message
