"""Pilot tests that only read: unlock, the pupil list, the dossier, history, palette and help."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.widgets import DataTable, HelpPanel, Input, Select, Static, TabbedContent

from tui.app import ZorgkluisApp, make_app
from tui.screens.dossier import DossierScreen
from tui.screens.pupils import PupilListScreen
from tui.screens.unlock import UnlockScreen
from tui.widgets.diffview import DiffView
from tui.widgets.history import HistoryView
from vault import demo


def rows(app: ZorgkluisApp) -> list[list[str]]:
    table = app.screen.query_one("#pupils", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_a_wrong_passphrase_lets_you_try_again(demo_master: demo.DemoInfo, kit: Any) -> None:
    app = make_app(demo_master.vault, identity_path=demo_master.ib_key, today=kit.today)
    async with app.run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        await pilot.press(*"verkeerd", "enter")
        await kit.settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        status = str(app.screen.query_one("#unlock-status", Static).render())
        assert "wachtwoord" in status.lower()
        assert app.screen.query_one("#passphrase", Input).value == ""
        await pilot.press(*demo.DEMO_PASSPHRASE, "enter")
        await kit.settle(pilot)
        assert isinstance(app.screen, PupilListScreen)
        assert app.vault.user.id == demo.IB.id


async def test_a_missing_identity_file_is_reported(demo_master: demo.DemoInfo, kit: Any) -> None:
    app = make_app(demo_master.vault, today=kit.today)
    async with app.run_test(size=kit.size) as pilot:
        app.screen.query_one("#identity", Input).value = str(demo_master.keys / "nergens.key")
        await pilot.click("#unlock")
        await kit.settle(pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert "niet gevonden" in str(app.screen.query_one("#unlock-status", Static).render())


async def test_the_list_shows_every_visible_pupil_with_its_summary(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    summaries = kit.open_as(demo_master, demo.IB.id).list_pupils()
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        shown = rows(pilot.app)
        assert len(shown) == len(summaries) == 16
        groepen = [int(row[1]) for row in shown]
        assert groepen == sorted(groepen)
        assert {row[1] for row in shown} == {str(g) for g in range(1, 9)}
        with_errors = [s for s in summaries if s.errors]
        for summary in with_errors:
            row = next(
                r for r in shown if r[0].startswith(f"{summary.achternaam}, {summary.voornaam}")
            )
            assert row[3] == str(summary.errors)


async def test_filters_and_incremental_search_narrow_the_list(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        app = pilot.app
        app.screen.query_one("#filter-groep", Select).value = 3
        await pilot.pause()
        assert {row[1] for row in rows(app)} == {"3"}
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert len(rows(app)) == 16
        first_name = rows(app)[0][0].split(", ")[1].split()[0]
        await pilot.press("slash", *first_name[:3].lower())
        await pilot.pause()
        narrowed = rows(app)
        assert 0 < len(narrowed) < 16
        assert all(first_name[:3].lower() in row[0].lower() for row in narrowed)
        niveau = app.screen.query_one("#filter-niveau", Select)
        await pilot.press("ctrl+l")
        niveau.value = "2"
        await pilot.pause()
        assert rows(app) and {row[2] for row in rows(app)} == {"2"}


async def test_a_teacher_sees_only_the_pupils_of_their_groep(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    async with kit.app(demo_master, "lk-groep3").run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        shown = rows(pilot.app)
        assert shown and {row[1] for row in shown} == {"3"}
        # No review queue for a teacher.
        assert not pilot.app.screen.query_one("#review-count").display


async def test_the_dossier_shows_the_timeline_tabs_and_only_own_notes(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    vault = kit.open_as(demo_master, demo.IB.id)
    pupil = max(vault.list_pupils(), key=lambda p: p.niveau or 0)
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil.id)
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, DossierScreen)
        assert pupil.voornaam in str(screen.query_one("#dossier-title", Static).render())
        overview = screen.query_one("#body-overview", Static)
        assert overview.render()  # the timeline renders
        tabs = screen.query_one(TabbedContent)
        assert tabs.tab_count == 9
        for tab in ("plannen", "toetsen", "werkaantekeningen"):
            tabs.active = f"tab-{tab}"
            await pilot.pause()
        notes = screen.data.get("werkaantekeningen", [])
        assert all(n["auteur"] == demo.IB.id for n in notes)


async def test_history_lists_signed_versions_and_diffs_two_of_them(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    vault = kit.open_as(demo_master, demo.IB.id)
    pupil_id = next(p.id for p in vault.list_pupils() if len(vault.log(p.id)) == 2)
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil_id)
        await kit.settle(pilot)
        await pilot.press("h")
        await kit.settle(pilot)
        history = pilot.app.screen.query_one(HistoryView)
        table = history.query_one("#versions", DataTable)
        assert table.row_count == 2
        assert [str(table.get_row_at(i)[3]) for i in range(2)] == ["✓", "✓"]
        diff = history.query_one(DiffView)
        title = str(diff.query_one(".diff-title", Static).render())
        assert title == "Verschil versie 1 → versie 2"
        body = str(diff.query_one(".diff-body", Static).render())
        assert "\n+ " in body  # what the second version added
        # Mark the newest as from-version, pick the oldest: the diff runs backwards.
        table.focus()
        await pilot.press("m", "down")
        await kit.settle(pilot)
        title = str(diff.query_one(".diff-title", Static).render())
        assert title == "Verschil versie 2 → versie 1"
        assert "\n- " in str(diff.query_one(".diff-body", Static).render())


async def test_palette_opens_a_pupil_and_f1_shows_help(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    pupil = kit.open_as(demo_master, demo.IB.id).list_pupils()[0]
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert pilot.app.screen.query(HelpPanel)
        await pilot.press("f1")
        await pilot.pause()
        assert not pilot.app.screen.query(HelpPanel)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*pupil.achternaam)
        await kit.settle(pilot)
        await pilot.press("enter")
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, DossierScreen)
        assert screen.pupil_id == pupil.id
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, PupilListScreen)


async def test_english_by_setting(demo_master: demo.DemoInfo, kit: Any) -> None:
    async with kit.app(demo_master, language="en").run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        table = pilot.app.screen.query_one("#pupils", DataTable)
        assert [str(c.label) for c in table.columns.values()][:2] == ["Name", "Group"]
        descriptions = {a.binding.description for a in pilot.app.screen.active_bindings.values()}
        assert {"Search", "Review", "Help", "Quit"} <= descriptions
        assert "To review" in str(pilot.app.screen.query_one("#review-count", Static).render())


async def test_enter_in_the_identity_field_moves_on_to_the_passphrase(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    app = make_app(demo_master.vault, today=kit.today)
    async with app.run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        assert app.screen.focused is app.screen.query_one("#identity", Input)
        await pilot.press("enter")  # nothing typed yet: say so, stay
        await kit.settle(pilot)
        assert "sleutelbestand" in str(app.screen.query_one("#unlock-status", Static).render())
        assert app.screen.focused is app.screen.query_one("#identity", Input)
        await pilot.press(*str(demo_master.ib_key), "enter")
        await kit.settle(pilot)
        # No unlock with an empty passphrase, no error: the cursor is in the passphrase.
        assert isinstance(app.screen, UnlockScreen)
        assert app.screen.focused is app.screen.query_one("#passphrase", Input)
        assert str(app.screen.query_one("#unlock-status", Static).render()) == ""
        await pilot.press(*demo.DEMO_PASSPHRASE, "enter")
        await kit.settle(pilot)
        assert isinstance(app.screen, PupilListScreen)


async def test_unlock_errors_in_english(demo_master: demo.DemoInfo, kit: Any) -> None:
    app = make_app(
        demo_master.vault, identity_path=demo_master.ib_key, today=kit.today, language="en"
    )
    async with app.run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        await pilot.press(*"wrong", "enter")
        await kit.settle(pilot)
        status = str(app.screen.query_one("#unlock-status", Static).render())
        assert status.startswith("The key's passphrase is missing or wrong.")
        assert "wachtwoord" not in status.lower()
