"""A screen base for acts that sign with the user's own key (retention sweep, sync).

The key was loaded once at unlock (`VaultUnlocked`) and the app keeps it in memory, as the
opened vault keeps its own copy to sign saves, so these acts do not ask for the passphrase again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tui.app import ZorgkluisApp


class SigningScreen(Screen[None]):
    """A screen whose workers sign with `self.key`, the user's private key."""

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    @property
    def key(self) -> Ed25519PrivateKey:
        """The unlocked user's private key."""
        return self.zapp.identity_key
