"""Asks for the identity file and passphrase again before an act signed with the user's key."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.bindings import bind, translate_bindings
from tui.i18n import t


class PassphraseDialog(ModalScreen[tuple[Path, str] | None]):
    """Dismisses with (identity file, passphrase), or None when the user cancels."""

    # Its own CSS: app.tcss centres only the dialogs of the main TUI.
    DEFAULT_CSS = """
    PassphraseDialog { align: center middle; }
    #signing-status { color: $error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [bind("escape", "cancel", "key.cancel")]

    def __init__(self, identity_path: Path | None) -> None:
        super().__init__()
        translate_bindings(self)
        self.identity_path = identity_path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("signing.title"), classes="title")
            yield Static(t("signing.explain"), classes="dialog-text")
            yield Label(t("unlock.identity"))
            yield Input(value=str(self.identity_path or ""), id="signing-identity")
            yield Label(t("unlock.passphrase"))
            yield Input(password=True, id="signing-passphrase")
            yield Static("", id="signing-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("key.submit"), id="signing-ok", variant="primary")
                yield Button(t("key.cancel"), id="signing-cancel")

    def on_mount(self) -> None:
        target = "#signing-passphrase" if self.identity_path else "#signing-identity"
        self.query_one(target, Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#signing-ok")
    def submitted(self) -> None:
        identity = self.query_one("#signing-identity", Input).value.strip()
        if not identity:
            self.query_one("#signing-status", Static).update(t("unlock.no_identity"))
            return
        passphrase = self.query_one("#signing-passphrase", Input).value
        self.dismiss((Path(identity).expanduser(), passphrase))

    @on(Button.Pressed, "#signing-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
