"""The sync screen: progress, and a same-field conflict resolved by the user's choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Log, RadioButton, RadioSet, Static

from tui.screens.sync import SyncScreen
from vault import sync
from vault.repository import Vault


def _edit(vault: Vault, pupil: str, old: str, new: str, today: Any) -> None:
    text = vault.show(pupil)
    assert old in text
    vault.put(pupil, text.replace(old, new), override="test", today=today)


async def test_a_same_field_conflict_is_decided_by_the_user(kit: Any, tmp_path: Path) -> None:
    school = kit.make_school(tmp_path / "a", "School A")
    server = tmp_path / "server.git"
    kit.git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
    kit.git(school.path, "remote", "add", "origin", str(server))
    va = school.open()
    pupil = va.new(kit.dossier("Sam"), override="t", today=kit.today).pupil_id
    assert sync.sync(va, school.key(), today=kit.today).merged == "verstuurd"

    device_b = sync.clone(str(server), tmp_path / "apparaat-b")
    b = kit.School(device_b, school.keys)
    assert sync.sync(b.open(), b.key(), today=kit.today).merged == "gelijk"
    _edit(school.open(), pupil, "groep: 6", "groep: 7", kit.today)
    sync.sync(school.open(), school.key(), today=kit.today)
    _edit(b.open(), pupil, "groep: 6", "groep: 8", kit.today)
    before = kit.git(device_b, "rev-parse", "HEAD")

    async with b.app().run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_sync()
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SyncScreen)
        await pilot.click("#sync-go")
        await kit.settle(pilot)
        assert screen.query_one("#sync-log", Log).lines  # the steps were shown
        assert "1 veld(en)" in str(screen.query_one("#sync-result", Static).render())
        row = screen.query_one("#conflict-0")
        shown = " ".join(str(s.render()) for s in row.query(Static))
        assert "administratie · leerling.groep" in shown
        assert "Sam Verzonnen" in shown
        sides = [str(s.render()) for s in row.query(".side").results(Static)]
        assert sides == ["8", "7"]
        # Nothing was written while the user decides.
        assert kit.git(device_b, "rev-parse", "HEAD") == before

        # Finishing without a choice is refused.
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert screen.conflicts and kit.git(device_b, "rev-parse", "HEAD") == before

        await pilot.click("#choice-0-theirs")
        await kit.settle(pilot)
        assert row.query_one(RadioSet).pressed_button == row.query_one(
            "#choice-0-theirs", RadioButton
        )
        await pilot.press("ctrl+s")
        await kit.settle(pilot)
        assert not screen.conflicts
        assert "Samengevoegd" in str(screen.query_one("#sync-result", Static).render())

    assert "groep: 7" in b.open().show(pupil)
    parents = kit.git(device_b, "log", "-1", "--format=%P").split()
    assert len(parents) == 2
    kit.git(device_b, "verify-commit", "HEAD")
    # The server has the merge: the first device gets the chosen value.
    sync.sync(school.open(), school.key(), today=kit.today)
    assert "groep: 7" in school.open().show(pupil)
