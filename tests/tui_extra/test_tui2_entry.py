"""Reaching the screens from the command palette, and signing acts with the unlocked key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.widgets import DataTable

from tui.app import make_app
from tui.screens.export import ExportScreen
from tui.screens.retention import RetentionScreen
from tui.screens.sync import SyncScreen
from vault.crypto import sshkeys


async def _palette(pilot: Any, kit: Any, query: str) -> None:
    await pilot.press("ctrl+p")
    await kit.settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    await kit.settle(pilot)
    await pilot.press("down", "enter")
    await kit.settle(pilot)


async def test_the_palette_opens_the_three_screens(kit: Any, tmp_path: Path) -> None:
    school = kit.make_school(tmp_path / "a", "School A")
    school.open().new(kit.dossier("Pim"), override="t", today=kit.today)
    async with school.app().run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        for query, screen_type in (
            ("bewaartermijnen", RetentionScreen),
            ("overdragen Pim", ExportScreen),
            ("synchroniseren", SyncScreen),
        ):
            await _palette(pilot, kit, query)
            assert isinstance(pilot.app.screen, screen_type), query
            await pilot.press("escape")
            await kit.settle(pilot)


async def test_a_teacher_is_not_offered_retention_or_export(kit: Any, tmp_path: Path) -> None:
    school = kit.make_school(tmp_path / "a", "School A")
    vault = school.open()
    vault.grant(vault.new(kit.dossier("Pim"), override="t", today=kit.today).pupil_id, "lk")
    async with school.app("lk").run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        commands = pilot.app.COMMANDS
        provider = next(c for c in commands if c.__name__ == "ZorgkluisCommands")
        texts = [text for text, _, _ in provider(pilot.app.screen)._commands()]
        assert "kluis: synchroniseren" in texts
        assert not [t for t in texts if "bewaartermijnen" in t or "overdragen" in t]


async def test_an_empty_vault_offers_sync_and_the_review_queue(kit: Any, tmp_path: Path) -> None:
    # A new clone has no pupils yet: syncing is how its first pupils arrive.
    school = kit.make_school(tmp_path / "a", "School A")
    async with school.app().run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        assert pilot.app.unlocked and not pilot.app.pupils
        commands = pilot.app.COMMANDS
        provider = next(c for c in commands if c.__name__ == "ZorgkluisCommands")
        texts = [text for text, _, _ in provider(pilot.app.screen)._commands()]
        assert "kluis: synchroniseren" in texts
        assert "beoordelen: wachtrij openen" in texts
        assert "bewaartermijnen: bekijken" in texts


async def test_a_typed_unlock_signs_later_acts_without_asking_again(
    kit: Any, tmp_path: Path
) -> None:
    school = kit.make_school(tmp_path / "a", "School A")
    school.open().new(kit.dossier("Pim"), override="t", today=kit.today)
    server = tmp_path / "server.git"
    kit.git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
    kit.git(school.path, "remote", "add", "origin", str(server))
    # Unlocked by typing at the unlock screen: the app keeps the key, not the passphrase.
    app = make_app(school.path, identity_path=school.keys["ib"], today=kit.today)
    async with app.run_test(size=kit.size) as pilot:
        await pilot.press("enter")
        await kit.settle(pilot)
        assert app.passphrase is None
        assert sshkeys.public_line(app.identity_key) == sshkeys.public_line(school.key())
        app.open_retention()
        await kit.settle(pilot)
        screen = app.screen
        assert isinstance(screen, RetentionScreen)
        assert screen.query_one("#retention-items", DataTable).row_count == 4
        app.open_sync()
        await kit.settle(pilot)
        await pilot.click("#sync-go")
        await kit.settle(pilot)
        assert isinstance(app.screen, SyncScreen)
    # The sync ran without a prompt: the server now has the school's signed history.
    assert kit.git(server, "rev-parse", "main") == kit.git(school.path, "rev-parse", "HEAD")
