"""Helpers for the sync tests: test-only keys, a school vault, devices, small dossiers.

All keys made here are test-only and have no passphrase.
"""

from __future__ import annotations

import datetime
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vault.crypto import age, sshkeys
from vault.keystore import KeyEntry
from vault.repository import Vault, unlock_identity
from vault.sync import SyncResult, clone, sync

TODAY = datetime.date(2025, 3, 1)
CANARY = "Kanarievogel"

STAFF = (
    ("ib-anna", "Anna IB", "intern_begeleider"),
    ("dir-piet", "Piet Directie", "directie"),
    ("lk-els", "Els Leerkracht", "leerkracht"),
    ("sp-ria", "Ria Specialist", "specialist"),
)


@dataclass
class Server:
    """The bare repository behind the git daemon, and its URL."""

    bare: Path
    url: str

    def all_objects(self) -> bytes:
        """Every object in the server's repository (loose and packed), decompressed."""
        return subprocess.run(
            ["git", "-C", str(self.bare), "cat-file", "--batch-all-objects", "--batch"],
            capture_output=True,
            check=True,
        ).stdout

    def gc(self) -> None:
        """What a server's maintenance job does: drop unreachable objects now."""
        for args in (["reflog", "expire", "--expire=now", "--all"], ["gc", "-q", "--prune=now"]):
            subprocess.run(["git", "-C", str(self.bare), *args], check=True)


@dataclass
class Keys:
    """Test-only key pairs per user id."""

    folder: Path
    private: dict[str, Ed25519PrivateKey] = field(default_factory=dict)

    def make(self, user_id: str) -> None:
        pem, public = sshkeys.generate(f"{user_id}@test", None)
        key = self.folder / user_id
        key.write_bytes(pem)
        key.chmod(0o600)
        key.with_suffix(".pub").write_text(public + "\n")
        self.private[user_id] = unlock_identity(key, None)

    def public(self, user_id: str) -> str:
        return (self.folder / f"{user_id}.pub").read_text()


@dataclass
class Device:
    """One staff member's clone of the vault."""

    path: Path
    user_id: str
    keys: Keys

    def open(self) -> Vault:
        return Vault.open(self.path, self.keys.private[self.user_id], durable=False)

    def sync(self, url: str, **kwargs: object) -> SyncResult:
        return sync(self.open(), self.keys.private[self.user_id], url, today=TODAY, **kwargs)  # type: ignore[arg-type]

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", str(self.path), *args], capture_output=True, text=True, check=False
        )


@dataclass
class School:
    """A vault made on the first device and published to the server."""

    root: Path
    server: Server
    keys: Keys
    recovery: age.X25519Identity
    first: Device

    def device(self, name: str, user_id: str) -> Device:
        path = clone(self.server.url, self.root / name)
        return Device(path, user_id, self.keys)

    def entry(self, device: Device, pupil_id: str, part: str) -> KeyEntry | None:
        """A key-store entry as the recovery key sees it (None: no entry on that device)."""
        path = device.path / ".git" / "zorgkluis" / "keystore" / pupil_id / f"{part}.age"
        if not path.exists():
            return None
        return KeyEntry.from_bytes(age.decrypt(path.read_bytes(), [self.recovery]))


def make_school(root: Path, server: Server) -> School:
    folder = root / "keys"
    folder.mkdir()
    keys = Keys(folder)
    for user_id, _, _ in STAFF:
        keys.make(user_id)
    first_id, name, role = STAFF[0]
    recovery_file = root / "herstel.txt"
    vault = Vault.init(
        root / "apparaat-a",
        school="De Verzonnen School",
        route_id="003",
        user_id=first_id,
        name=name,
        ssh_public_key=keys.public(first_id),
        recovery_key_out=recovery_file,
        role=role,
        identity=keys.private[first_id],
        durable=False,
    )
    for user_id, naam, rol in STAFF[1:]:
        vault.add_user(user_id, naam, rol, keys.public(user_id))
    recovery = age.X25519Identity.parse(recovery_file.read_text().split()[-1])
    first = Device(root / "apparaat-a", first_id, keys)
    return School(root, server, keys, recovery, first)


def dossier(pupil_id: str = "ll-placeholder", groep: int = 5, reden: str = "Instroom.") -> str:
    """A small valid dossier in canonical style (fictional data, with the canary name)."""
    return "\n".join(
        [
            "formaat: zorgkluis-dossier/1",
            "leerling:",
            f"  id: {pupil_id}",
            f"  voornaam: {CANARY}",
            "  achternaam: Zeldzaamheid",
            "  geboortedatum: 2016-05-04",
            f"  groep: {groep}",
            "inschrijving:",
            "  ingeschreven: 2020-08-24",
            "route: '003'",
            "betrokkenen:",
            "  - medewerker: lk-els",
            "    rol: leerkracht",
            "niveaus:",
            "  - niveau: 1",
            "    vanaf: 2020-08-24",
            f"    reden: {reden}",
            "",
        ]
    )


def with_talk(text: str, talk_id: str, subject: str) -> str:
    """`text` with one more kindgesprek (an entry with an id in the zorg part)."""
    if "gesprekken:\n" not in text:
        text += "gesprekken:\n"
    return text + "\n".join(
        [
            f"  - id: {talk_id}",
            "    soort: kindgesprek",
            "    datum: 2025-02-01",
            f"    onderwerp: {subject}",
            "",
        ]
    )
