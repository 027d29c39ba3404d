"""Pilot tests that write: forms, the YAML editor, refused saves with override, leaving
unsaved, and the review queue. Each test works on its own copy of the demo vault."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from textual.widgets import Input, Select, Static, TextArea

from dossier_format import codec
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.form import FormDialog
from tui.dialogs.override import OverrideDialog
from tui.screens.dossier import DossierScreen
from tui.screens.editor import EditorScreen
from tui.screens.pupils import PupilListScreen
from tui.screens.review import ReviewScreen
from tui.widgets.findings import FindingsPanel
from vault import demo, review


def with_goalless_plan(text: str) -> str:
    """The dossier with one more plan that has no goals (an error: plan.doelen)."""
    doc = codec.load(text)
    plan = CommentedMap(
        id="pl-99",
        soort="handelingsplan",
        niveau=1,
        hulpvraag="Hoe gaat het verder?",
        doelen=CommentedSeq(),
        start=doc["inschrijving"]["ingeschreven"],
    )
    doc.setdefault("plannen", CommentedSeq()).append(plan)
    return codec.dump(doc)


async def open_dossier(pilot: Any, kit: Any, pupil_id: str) -> DossierScreen:
    await kit.settle(pilot)
    pilot.app.open_pupil(pupil_id)
    await kit.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DossierScreen)
    return screen


async def test_a_form_act_is_saved_as_one_signed_version(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = vault.list_pupils()[0]
    before = vault.log(pupil.id)
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        await pilot.press("n")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, FormDialog)
        form.query_one("#field-niveau", Select).value = "2"
        form.query_one("#field-reden", Input).value = "Groei blijft uit bij rekenen."
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
        assert pilot.app.screen.data["niveaus"][-1]["niveau"] == 2
    after = kit.open_as(demo_vault, demo.IB.id).log(pupil.id)
    assert len(after) == len(before) + 1
    assert after[0].signature == "goed"
    assert after[0].author_id == demo.IB.id
    assert "reden: Groei blijft uit bij rekenen." in vault.show(pupil.id)


async def test_a_refused_save_keeps_the_edit_and_an_override_is_recorded(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = vault.list_pupils()[0]
    edited = with_goalless_plan(vault.show(pupil.id))
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        await pilot.press("e")
        await pilot.pause()
        editor = pilot.app.screen
        assert isinstance(editor, EditorScreen)
        editor.query_one("#yaml", TextArea).load_text(edited)
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, OverrideDialog)
        assert [f.rule for f in dialog.new_errors] == ["plan.doelen"]
        # Without a reason the dialog stays; escape cancels and the edit is still there.
        await pilot.press("enter")
        assert "verplicht" in str(dialog.query_one("#override-status", Static).render()).lower()
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is editor
        assert editor.text == edited
        panel = editor.query_one(FindingsPanel)
        assert any("003" in str(panel.get_row_at(i)[1]) for i in range(panel.row_count))
        assert len(kit.open_as(demo_vault, demo.IB.id).log(pupil.id)) == len(vault.log(pupil.id))
        # Save again and give a reason: it is saved, the reason goes into the signed commit.
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, OverrideDialog)
        await pilot.press(*"Plan volgt", "enter")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, DossierScreen)
    newest = kit.open_as(demo_vault, demo.IB.id).log(pupil.id)[0]
    assert "Override: Plan volgt" in newest.message
    assert newest.signature == "goed"


async def test_broken_yaml_is_reported_and_the_edit_survives(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = vault.list_pupils()[0]
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        await pilot.press("e")
        await pilot.pause()
        editor = pilot.app.screen
        assert isinstance(editor, EditorScreen)
        broken = editor.text + "plannen: [oeps\n"
        editor.query_one("#yaml", TextArea).load_text(broken)
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert pilot.app.screen is editor
        assert "Niet opgeslagen" in str(editor.query_one("#editor-status", Static).render())
        assert editor.text == broken
        await pilot.press("f5")
        await kit.settle(pilot)
        assert pilot.app.screen is editor
    assert len(kit.open_as(demo_vault, demo.IB.id).log(pupil.id)) == len(vault.log(pupil.id))


async def test_leaving_unsaved_asks_first(demo_vault: demo.DemoInfo, kit: Any) -> None:
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = vault.list_pupils()[0]
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await open_dossier(pilot, kit, pupil.id)
        await pilot.press("e")
        await pilot.pause()
        editor = pilot.app.screen
        assert isinstance(editor, EditorScreen)
        # Unchanged: escape leaves at once.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DossierScreen)
        await pilot.press("e")
        await pilot.pause()
        editor = pilot.app.screen
        await pilot.press(*"# nog niet klaar", "enter")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")  # escape answers no
        await pilot.pause()
        assert pilot.app.screen is editor
        assert editor.text.startswith("# nog niet klaar\n")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DossierScreen)
    assert len(kit.open_as(demo_vault, demo.IB.id).log(pupil.id)) == len(vault.log(pupil.id))


async def test_the_review_queue_shows_others_changes_and_marking_is_signed(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    vault = kit.open_as(demo_vault, demo.IB.id)
    pending = review.changes_since_review(vault)
    assert pending and all(c.author_id != demo.IB.id for p in pending for c in p.changes)
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        count = pilot.app.screen.query_one("#review-count", Static)
        assert str(count.render()) == f"Te beoordelen: {len(pending)}"
        await pilot.press("r")
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        assert [p.pupil_id for p in screen.changes] == [p.pupil_id for p in pending]
        await pilot.press("a")  # the whole queue, after confirming
        await kit.settle(pilot)
        await pilot.click("#yes")
        await kit.settle(pilot)
        assert screen.query_one("#review-empty")
        await pilot.press("escape")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, PupilListScreen)
        count = pilot.app.screen.query_one("#review-count", Static)
        assert str(count.render()) == "Te beoordelen: 0"
    reopened = kit.open_as(demo_vault, demo.IB.id)
    assert review.pending_count(reopened) == 0
    newest = reopened.history(max_count=1)[0]
    assert newest.paths == (review.review_path(demo.IB.id),)
    assert reopened.verify() == []
    # A teacher's new change shows up again.
    teacher = kit.open_as(demo_vault, "lk-groep1")
    pupil = teacher.list_pupils()[0]
    teacher.put(pupil.id, teacher.show(pupil.id) + "# gezien in de klas\n", today=kit.today)
    assert review.pending_count(kit.open_as(demo_vault, demo.IB.id)) == 1
