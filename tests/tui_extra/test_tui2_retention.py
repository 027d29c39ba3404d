"""The retention screen lists every part's deadline and state, and sweeps after confirmation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, ProgressBar, Static

from dossier_format.retention_rules import BEWAREN, RetentionItem
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.retention import RetentionScreen
from vault import retention


def _school(kit: Any, tmp_path: Path) -> tuple[Any, str, str]:
    school = kit.make_school(tmp_path / "a", "School A")
    vault = school.open()
    old = vault.new(
        kit.dossier("Oud", left="2015-07-10", admitted="2015-09-01"), override="t", today=kit.today
    ).pupil_id
    now = vault.new(kit.dossier("Nu"), override="t", today=kit.today).pupil_id
    return school, old, now


def _table(screen: RetentionScreen) -> list[list[str]]:
    table = screen.query_one("#retention-items", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_lists_parts_and_sweeps_only_after_confirmation(kit: Any, tmp_path: Path) -> None:
    school, old, now = _school(kit, tmp_path)
    with retention.Keeper.of_vault(school.open(), school.key()) as keeper:
        before: dict[str, list[RetentionItem]] = {}
        for item in retention.status(keeper, kit.today):
            before.setdefault(item.pupil_id, []).append(item)
    assert any(i.te_laat for i in before[old])
    async with school.app().run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_retention()
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RetentionScreen)
        rows = _table(screen)
        # four parts per pupil, the leaver's parts expired with their deadlines
        assert len(rows) == 8
        expired = [r for r in rows if r[0] == "Oud Verzonnen"]
        assert {r[1] for r in expired} == {"administratie", "okr", "zorg", "werkaantekeningen/ib"}
        shown = {r[1]: r[2] for r in expired}
        assert shown == {
            i.part: "verlopen (te laat)" if i.te_laat else "verlopen" for i in before[old]
        }
        assert (expired[0][1], expired[0][3]) == ("administratie", "2020-07-10")
        assert {r[2] for r in rows if r[0] == "Nu Verzonnen"} == {"bewaren"}
        status = str(screen.query_one("#retention-status", Static).render())
        assert "8 onderdelen, 4 te vernietigen" in status

        # Cancelling (escape) keeps everything.
        await pilot.press("s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")
        await kit.settle(pilot)
        assert pilot.app.screen is screen
        assert len(school.open().keystore.parts(old)) == 4

        # Confirming destroys the expired part keys with progress, in one signed commit.
        await pilot.press("s")
        await kit.settle(pilot)
        await pilot.click("#yes")
        await kit.settle(pilot)
        bar = screen.query_one("#sweep-progress", ProgressBar)
        assert (bar.total, bar.progress) == (4, 4)
        # The leaver's parts are gone from the tree and the key store, so from the list too.
        assert [r[0] for r in _table(screen)] == ["Nu Verzonnen"] * 4
    vault = school.open()
    assert list(vault.keystore.parts(old)) == []
    assert len(list(vault.keystore.parts(now))) == 4
    assert kit.git(school.path, "log", "-1", "--format=%s").startswith("Bewaartermijnen: 4")
    kit.git(school.path, "verify-commit", "HEAD")  # signed by a known signer (raises if not)
    log = kit.git(school.path, "show", "HEAD:.zorgkluis/bewaarlog.jsonl")
    assert log.count(old) == 4 and now not in log
    with retention.Keeper.of_vault(vault, school.key()) as keeper:
        states = {i.pupil_id: i.state for i in retention.status(keeper, kit.today)}
    assert old not in states and states[now] == BEWAREN


async def test_a_teacher_may_not_sweep(kit: Any, tmp_path: Path) -> None:
    school, old, _ = _school(kit, tmp_path)
    async with school.app("lk").run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_retention()
        await kit.settle(pilot)
        await pilot.press("s")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, RetentionScreen)
    assert len(school.open().keystore.parts(old)) == 4
