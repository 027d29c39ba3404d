"""The unlock screen: identity file and passphrase; a wrong passphrase lets you try again."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from tui import messages
from tui.i18n import language, t
from vault.errors import (
    IdentityError,
    NotAVaultError,
    UnknownUserError,
    VaultError,
    WrongPassphraseError,
)
from vault.repository import Vault, unlock_identity

# The vault's errors are Dutch; in another language the unlock screen says what these mean
# itself (most specific first).
_ERROR_KEYS: tuple[tuple[type[VaultError], str], ...] = (
    (WrongPassphraseError, "unlock.error.passphrase"),
    (IdentityError, "unlock.error.identity"),
    (UnknownUserError, "unlock.error.unknown_user"),
    (NotAVaultError, "unlock.error.not_a_vault"),
)


def error_text(error: VaultError) -> str:
    """A vault error as one or two lines for the UI, in the UI's language."""
    if language() != "nl":
        for kind, key in _ERROR_KEYS:
            if isinstance(error, kind):
                return t(key)
    return f"{error.message}\n{error.hint}" if error.hint else error.message


class UnlockScreen(Screen[None]):
    """Asks for the identity and passphrase, then opens the vault in a worker."""

    def __init__(
        self, vault_path: Path, identity_path: Path | None, passphrase: str | None
    ) -> None:
        super().__init__()
        self.vault_path = vault_path
        self.identity_path = identity_path
        self.preset_passphrase = passphrase

    def compose(self) -> ComposeResult:
        with Vertical(id="unlock-box"):
            yield Static(t("unlock.title"), classes="title")
            yield Static(t("unlock.vault", path=self.vault_path), id="unlock-vault")
            yield Label(t("unlock.identity"))
            yield Input(
                value=str(self.identity_path or ""), id="identity", placeholder="~/.ssh/id_ed25519"
            )
            yield Label(t("unlock.passphrase"))
            yield Input(password=True, id="passphrase")
            yield Button(t("unlock.button"), id="unlock", variant="primary")
            yield Static("", id="unlock-status")
        yield Footer()

    def on_mount(self) -> None:
        if self.identity_path and self.preset_passphrase is not None:
            self.start_unlock(str(self.identity_path), self.preset_passphrase)
        elif self.identity_path:
            self.query_one("#passphrase", Input).focus()
        else:
            self.query_one("#identity", Input).focus()

    @on(Input.Submitted, "#identity")
    def identity_submitted(self) -> None:
        """Enter in the identity field goes on to the passphrase (it does not unlock yet)."""
        if not self.query_one("#identity", Input).value.strip():
            self.show_status(t("unlock.no_identity"))
            return
        self.show_status("")
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def submitted(self) -> None:
        identity = self.query_one("#identity", Input).value.strip()
        if not identity:
            self.show_status(t("unlock.no_identity"))
            self.query_one("#identity", Input).focus()
            return
        self.start_unlock(identity, self.query_one("#passphrase", Input).value)

    def start_unlock(self, identity: str, passphrase: str) -> None:
        self.show_status(t("unlock.busy"))
        self.query_one("#unlock", Button).disabled = True
        self.unlock(Path(identity).expanduser(), passphrase)

    @work(thread=True, exclusive=True, group="unlock")
    def unlock(self, identity: Path, passphrase: str) -> None:
        if not identity.is_file():
            self.post_message(messages.UnlockFailed(t("unlock.missing_file", path=identity)))
            return
        try:
            key = unlock_identity(identity, passphrase.encode() if passphrase else None)
            vault = Vault.open(self.vault_path, key)
        except VaultError as error:
            self.post_message(messages.UnlockFailed(error_text(error)))
            return
        self.post_message(messages.VaultUnlocked(vault, key))

    def on_unlock_failed(self, message: messages.UnlockFailed) -> None:
        self.show_status(message.message)
        self.query_one("#unlock", Button).disabled = False
        passphrase = self.query_one("#passphrase", Input)
        passphrase.value = ""
        passphrase.focus()

    def show_status(self, text: str) -> None:
        self.query_one("#unlock-status", Static).update(text)
