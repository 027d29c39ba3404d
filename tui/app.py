"""The Zorgkluis Textual app: unlock, pupil list, dossier, editing, history and review."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.widgets import HelpPanel

from tui import messages
from tui.bindings import bind, localise_textual, translate_bindings
from tui.commands import ZorgkluisCommands, ZorgkluisPalette
from tui.i18n import set_language, t
from tui.screens.pupils import PupilListScreen
from tui.screens.unlock import UnlockScreen

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from dossier_format.model import PupilSummary
    from vault.repository import Vault


class ZorgkluisApp(App[None]):
    """One user's session on one vault."""

    CSS_PATH = "app.tcss"
    TITLE = "Zorgkluis"
    COMMANDS = App.COMMANDS | {ZorgkluisCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("f1", "toggle_help", "key.help"),
        bind("ctrl+q", "quit", "key.quit", priority=True),
        # Textual adds this one itself, described "palette", unless the app has it.
        Binding(
            "ctrl+p", "command_palette", "key.palette", show=False, priority=True, id="palette"
        ),
    ]

    def __init__(
        self,
        vault_path: Path,
        *,
        identity_path: Path | None = None,
        passphrase: str | None = None,
        today: date | None = None,
        language: str = "nl",
    ) -> None:
        set_language(language)
        localise_textual()
        super().__init__()
        translate_bindings(self)
        self.vault_path = vault_path
        self.identity_path = identity_path
        self.passphrase = passphrase
        self.today = today or date.today()
        self._vault: Vault | None = None
        self._key: Ed25519PrivateKey | None = None
        self.pupils: list[PupilSummary] = []
        self.pupils_stale = False

    @property
    def unlocked(self) -> bool:
        """Whether the vault is open (after `VaultUnlocked`), even when its list is empty."""
        return self._vault is not None

    @property
    def identity_key(self) -> Ed25519PrivateKey:
        """The user's private key from the unlock, for acts signed outside a save (retention
        sweep, sync). Only in memory, like the opened vault's own copy; never written."""
        assert self._key is not None, "the vault is not unlocked yet"
        return self._key

    @property
    def vault(self) -> Vault:
        """The unlocked vault (only after `VaultUnlocked`)."""
        assert self._vault is not None, "the vault is not unlocked yet"
        return self._vault

    def on_mount(self) -> None:
        self.title = t("app.title")
        self.push_screen(UnlockScreen(self.vault_path, self.identity_path, self.passphrase))

    def on_vault_unlocked(self, message: messages.VaultUnlocked) -> None:
        self._vault = message.vault
        self._key = message.key
        self.passphrase = None  # the key is loaded: the passphrase is not needed again
        self.sub_title = f"{self.vault.school} · {self.vault.user.naam}"
        self.switch_screen(PupilListScreen())

    def on_dossier_saved(self, message: messages.DossierSaved) -> None:
        self.pupils_stale = True

    def on_review_marked(self, message: messages.ReviewMarked) -> None:
        self.pupils_stale = True

    def action_toggle_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(ZorgkluisPalette())

    def search_themes(self) -> None:
        self.push_screen(ZorgkluisPalette([ThemeProvider], t("palette.themes")))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's system commands in the UI's language. No "Screenshot": it would write
        what the screen shows, pupil data included, unencrypted to the working folder."""
        yield SystemCommand(t("sys.theme"), t("sys.help.theme"), self.action_change_theme)
        yield SystemCommand(t("sys.quit"), t("sys.help.quit"), self.action_quit)
        if screen.query(HelpPanel):
            yield SystemCommand(t("sys.keys"), t("sys.help.keys_hide"), self.action_hide_help_panel)
        else:
            yield SystemCommand(t("sys.keys"), t("sys.help.keys_show"), self.action_show_help_panel)
        if screen.maximized is not None:
            yield SystemCommand(t("sys.minimize"), t("sys.help.minimize"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(t("sys.maximize"), t("sys.help.maximize"), screen.action_maximize)

    def notify_error(self, message: str) -> None:
        """Show an error the user can act on."""
        self.notify(message, severity="error", timeout=8)

    def open_pupil(self, pupil_id: str) -> None:
        """Open a pupil's dossier screen."""
        from tui.screens.dossier import DossierScreen

        self.push_screen(DossierScreen(pupil_id))

    def open_review(self) -> None:
        """Open the review queue."""
        from tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen())

    def open_retention(self) -> None:
        """Open the retention terms (status and sweep)."""
        from tui.screens.retention import RetentionScreen

        self.push_screen(RetentionScreen())

    def open_export(self, pupil_id: str) -> None:
        """Open the export wizard for one pupil."""
        from tui.screens.export import ExportScreen

        self.push_screen(ExportScreen(pupil_id))

    def open_sync(self) -> None:
        """Open the sync screen."""
        from tui.screens.sync import SyncScreen

        self.push_screen(SyncScreen())


def make_app(
    vault_path: Path,
    *,
    identity_path: Path | None = None,
    passphrase: str | None = None,
    today: date | None = None,
    language: str = "nl",
) -> ZorgkluisApp:
    """The app as the CLI and the tests build it."""
    return ZorgkluisApp(
        vault_path,
        identity_path=identity_path,
        passphrase=passphrase,
        today=today,
        language=language,
    )
