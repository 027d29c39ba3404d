"""History: `z` fills the screen with the diff and back, and the from-version is marked."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Static

from tui.screens.dossier import DossierScreen
from tui.widgets.diffview import DiffView
from tui.widgets.history import HistoryView
from vault import demo


def pupil_with_versions(info: demo.DemoInfo, kit: Any, count: int) -> str:
    vault = kit.open_as(info, demo.IB.id)
    return next(p.id for p in vault.list_pupils() if len(vault.log(p.id)) == count)


async def test_z_fills_the_screen_with_the_diff_and_z_or_escape_bring_it_back(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    pupil_id = pupil_with_versions(demo_master, kit, 2)
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil_id)
        await kit.settle(pilot)
        await pilot.press("h")
        await kit.settle(pilot)
        screen = pilot.app.screen
        history = screen.query_one(HistoryView)
        table = history.query_one("#versions", DataTable)
        diff = history.query_one(DiffView)
        for _ in range(2):
            await pilot.press("z")
            await pilot.pause()
            assert screen.maximized is diff and screen.focused is diff
            await pilot.press("z")
            await pilot.pause()
            assert screen.maximized is None and screen.focused is table
        # Escape first brings the diff back; only then does it leave the dossier.
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen and screen.maximized is None
        assert screen.focused is table
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, DossierScreen)


async def test_the_from_version_is_marked_in_the_table(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    pupil_id = pupil_with_versions(demo_master, kit, 2)
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil_id)
        await kit.settle(pilot)
        await pilot.press("h")
        await kit.settle(pilot)
        history = pilot.app.screen.query_one(HistoryView)
        table = history.query_one("#versions", DataTable)

        def marks() -> list[str]:
            return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]

        assert str(table.ordered_columns[0].label) == "Van"
        assert marks() == ["", ""]
        await pilot.press("m")
        await kit.settle(pilot)
        assert marks() == ["▶", ""]
        await pilot.press("down", "m")
        await kit.settle(pilot)
        assert marks() == ["", "▶"]
        title = history.query_one(DiffView).query_one(".diff-title", Static)
        assert str(title.render()) == "Verschil versie 1 → versie 1"
        await pilot.press("up")
        await kit.settle(pilot)
        assert str(title.render()) == "Verschil versie 1 → versie 2"
        # `m` on the marked version again clears the mark.
        await pilot.press("down", "m")
        await kit.settle(pilot)
        assert marks() == ["", ""]
        assert history.from_commit is None
