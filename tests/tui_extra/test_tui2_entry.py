"""Reaching the screens from the command palette, and the key prompt before signing acts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.widgets import Button, DataTable, Input, Static

from tui.app import make_app
from tui.dialogs.passphrase import PassphraseDialog
from tui.screens.export import ExportScreen
from tui.screens.retention import RetentionScreen
from tui.screens.sync import SyncScreen


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


async def test_without_a_stored_passphrase_the_key_is_asked_again(kit: Any, tmp_path: Path) -> None:
    school = kit.make_school(tmp_path / "a", "School A")
    school.open().new(kit.dossier("Pim"), override="t", today=kit.today)
    # Unlocked by typing at the unlock screen: the app keeps no passphrase.
    app = make_app(school.path, identity_path=school.keys["ib"], today=kit.today)
    async with app.run_test(size=kit.size) as pilot:
        await pilot.press("enter")
        await kit.settle(pilot)
        app.open_retention()
        await kit.settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PassphraseDialog)
        # Another user's key is refused; nothing is shown.
        dialog.query_one("#signing-identity", Input).value = str(school.keys["lk"])
        await pilot.press("enter")
        await kit.settle(pilot)
        screen = app.screen
        assert isinstance(screen, RetentionScreen) and screen.key is None
        assert screen.query_one("#retention-items", DataTable).row_count == 0
        # Refresh asks again; the right key loads the table.
        await pilot.press("r")
        await kit.settle(pilot)
        assert isinstance(app.screen, PassphraseDialog)
        await pilot.press("enter")
        await kit.settle(pilot)
        assert screen.key is not None
        assert screen.query_one("#retention-items", DataTable).row_count == 4


async def test_cancelling_the_key_prompt_does_nothing(kit: Any, tmp_path: Path) -> None:
    school = kit.make_school(tmp_path / "a", "School A")
    school.open().new(kit.dossier("Pim"), override="t", today=kit.today)
    head = kit.git(school.path, "rev-parse", "HEAD")
    app = make_app(school.path, identity_path=school.keys["ib"], today=kit.today)
    async with app.run_test(size=kit.size) as pilot:
        await pilot.press("enter")
        await kit.settle(pilot)
        app.open_sync()
        await kit.settle(pilot)
        await pilot.click("#sync-go")
        await kit.settle(pilot)
        assert isinstance(app.screen, PassphraseDialog)
        await pilot.press("escape")
        await kit.settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        assert not screen.query_one("#sync-go", Button).disabled
        assert "niets gedaan" in str(screen.query_one("#sync-result", Static).render())
    assert kit.git(school.path, "rev-parse", "HEAD") == head
