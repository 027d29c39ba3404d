"""Helpers for the vault tests: test-only keys, a school vault, small fictional dossiers.

All keys made here are test-only and have no passphrase (the passphrase path is tested
separately with a cheap bcrypt work factor).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vault.crypto import sshkeys
from vault.repository import Vault, unlock_identity

TODAY = datetime.date(2025, 3, 1)

STAFF = (
    ("ib-anna", "Anna IB", "intern_begeleider"),
    ("dir-piet", "Piet Directie", "directie"),
    ("lk-els", "Els Leerkracht", "leerkracht"),
    ("lk-bob", "Bob Leerkracht", "leerkracht"),
    ("sp-ria", "Ria Specialist", "specialist"),
)


@dataclass
class Keys:
    """Test-only key pairs per user id, written to files like a real user would have them."""

    folder: Path
    private: dict[str, Ed25519PrivateKey] = field(default_factory=dict)

    def make(self, user_id: str) -> Path:
        pem, public = sshkeys.generate(f"{user_id}@test", None)
        key = self.folder / user_id
        key.write_bytes(pem)
        key.chmod(0o600)
        key.with_suffix(".pub").write_text(public + "\n")
        self.private[user_id] = unlock_identity(key, None)
        return key

    def path(self, user_id: str) -> Path:
        return self.folder / user_id

    def public(self, user_id: str) -> str:
        return self.path(user_id).with_suffix(".pub").read_text()


@dataclass
class School:
    """A vault with all `STAFF` as users; `as_(user_id)` opens it as that user."""

    path: Path
    keys: Keys
    recovery_file: Path

    def as_(self, user_id: str) -> Vault:
        # Not durable: tests survive kill -9, not power loss; skipping fsync keeps them fast.
        return Vault.open(self.path, self.keys.private[user_id], durable=False)


def dossier(
    pupil_id: str = "ll-placeholder",
    voornaam: str = "Noor",
    achternaam: str = "Verzonnen",
    betrokkenen: Sequence[str] = ("lk-els",),
    werk: Sequence[tuple[str, str]] = (),
    zorg_reden: str = "Instroom, algemene zorg in de groep.",
    okr: bool = False,
) -> str:
    """A small valid dossier in canonical style (fictional data)."""
    lines = [
        "formaat: zorgkluis-dossier/1",
        "leerling:",
        f"  id: {pupil_id}",
        f"  voornaam: {voornaam}",
        f"  achternaam: {achternaam}",
        "  geboortedatum: 2016-05-04",
        "  groep: 5",
        "inschrijving:",
        "  ingeschreven: 2020-08-24",
        "route: '003'",
    ]
    if betrokkenen:
        lines.append("betrokkenen:")
        for who in betrokkenen:
            lines += [f"  - medewerker: {who}", "    rol: leerkracht"]
    lines += [
        "niveaus:",
        "  - niveau: 1",
        "    vanaf: 2020-08-24",
        f"    reden: {zorg_reden}",
    ]
    if werk:
        lines.append("werkaantekeningen:")
        for i, (author, text) in enumerate(werk, start=1):
            lines += [
                f"  - id: wa-{i}",
                f"    auteur: {author}",
                "    datum: 2025-01-10",
                f"    tekst: {text}",
            ]
    return "\n".join(lines) + "\n"
