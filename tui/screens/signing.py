"""A screen base for acts that sign with the user's own key (retention sweep, sync).

The app keeps only the opened vault, not the private key, so these screens load the key
again: silently when the app was started with an identity file and passphrase, else through
`PassphraseDialog`. The key stays on the screen and goes when the screen closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.message import Message
from textual.screen import Screen

from tui import messages
from tui.dialogs.passphrase import PassphraseDialog
from tui.i18n import t
from vault.crypto import sshkeys
from vault.errors import VaultError
from vault.repository import unlock_identity

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tui.app import ZorgkluisApp


@dataclass
class KeyUnlocked(Message):
    """The user's private key was loaded again and matches the vault user."""

    key: Any


def same_key(key: Ed25519PrivateKey, public_line: str) -> bool:
    """Whether `key` is the private half of an OpenSSH public key line (comments ignored)."""
    return sshkeys.public_line(key).split()[:2] == public_line.split()[:2]


class SigningScreen(Screen[None]):
    """Call `with_key(then)`; `then()` runs once `self.key` holds the user's private key."""

    def __init__(self) -> None:
        super().__init__()
        self.key: Ed25519PrivateKey | None = None
        self._after_key: Callable[[], object] | None = None

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    def with_key(self, then: Callable[[], object]) -> None:
        """Run `then` with `self.key` set, asking for the passphrase when needed."""
        if self.key is not None:
            then()
            return
        self._after_key = then
        app = self.zapp
        if app.identity_path is not None and app.passphrase is not None:
            self.load_key(app.identity_path, app.passphrase)
            return

        def given(answer: tuple[Path, str] | None) -> None:
            if answer is None:
                self._after_key = None
                self.post_message(messages.WorkFailed(t("signing.cancelled")))
            else:
                self.load_key(*answer)

        self.app.push_screen(PassphraseDialog(app.identity_path), given)

    @work(thread=True, exclusive=True, group="signing-key")
    def load_key(self, identity: Path, passphrase: str) -> None:
        try:
            key = unlock_identity(identity, passphrase.encode() if passphrase else None)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        if not same_key(key, self.zapp.vault.user.public_key):
            self.post_message(messages.WorkFailed(t("signing.other_key")))
            return
        self.post_message(KeyUnlocked(key))

    def on_key_unlocked(self, message: KeyUnlocked) -> None:
        self.key = message.key
        then, self._after_key = self._after_key, None
        if then is not None:
            then()
