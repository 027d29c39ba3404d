"""Fixtures of the rights tests: a real vault built from the public lower layers, and the
shred-proof tools.

Layout as documented in vault/repository.py: `dossiers/<pupil>/<part>.age` encrypted only to
the part key, key entries in `.git/zorgkluis/keystore/`, signed commits by real SSH keys.
All keys here are test-only (no passphrase) and all pupils are fictional.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).parent))

from shred_proof import collect_pool, everything_in, git_objects, historical_blobs

from vault.crypto import age, sshkeys
from vault.git_store import GitStore
from vault.keystore import KeyEntry, KeyStore
from vault.repository import UserSigner
from vault.retention import Keeper
from vault.users import User, allowed_signers, dump_users

TODAY = dt.date(2026, 11, 22)


@dataclass
class Staff:
    """A test-only staff member: key file on disk, like a real user has it."""

    user: User
    key: Ed25519PrivateKey
    key_file: Path

    @property
    def identity(self) -> age.SshEd25519Identity:
        return age.SshEd25519Identity(self.key)


@dataclass
class MiniVault:
    """A vault with staff, a recovery key and helpers to write pupil parts with history."""

    path: Path
    store: GitStore
    keystore: KeyStore
    recovery: age.X25519Identity
    recovery_file: Path
    staff: dict[str, Staff] = field(default_factory=dict)

    def keeper(self, who: str = "ib-1") -> Keeper:
        person = self.staff[who]
        users = [s.user for s in self.staff.values()]
        return Keeper(self.path, self.store, self.keystore, person.user, person.key, users)

    def recipients(self, ids: list[str]) -> list[age.Recipient]:
        return [age.SshEd25519Recipient.from_openssh(self.staff[i].user.public_key) for i in ids]

    def save(
        self,
        pupil: str,
        parts: dict[str, str],
        *,
        who: str = "ib-1",
        rotate: tuple[str, ...] = (),
    ) -> str:
        """Encrypt each part to its (possibly rotated) key and commit all as one version."""
        changes: dict[str, bytes | None] = {}
        for part, text in parts.items():
            key_part = "administratie" if part in ("samenvatting", "toegang") else part
            if part.startswith("werkaantekeningen/"):
                readers = [part.split("/", 1)[1]]
            else:
                readers = ["ib-1", "dir-1", "lk-1"]
            entry = None
            if self.keystore.exists(pupil, key_part):
                entry = self.keystore.read(pupil, key_part, [self.staff[readers[0]].identity])
            if entry is None:
                entry = KeyEntry.new(readers)
                self.keystore.write(pupil, key_part, entry, self.recipients(readers))
            elif key_part in rotate:
                entry = entry.rotated(readers)
                self.keystore.write(pupil, key_part, entry, self.recipients(readers))
            changes[f"dossiers/{pupil}/{part}.age"] = age.encrypt(
                text.encode(), [entry.current.recipient()]
            )
        person = self.staff[who]
        return self.store.commit(
            changes, f"Dossier {pupil} bijgewerkt", UserSigner(person.user, person.key)
        )


@pytest.fixture
def mini(tmp_path: Path) -> MiniVault:
    keys = tmp_path / "sleutels"
    keys.mkdir()
    staff: dict[str, Staff] = {}
    for user_id, rol in (
        ("ib-1", "intern_begeleider"),
        ("dir-1", "directie"),
        ("lk-1", "leerkracht"),
    ):
        pem, public = sshkeys.generate(user_id, None)
        key_file = keys / user_id
        key_file.write_bytes(pem)
        os.chmod(key_file, 0o600)
        user = User(user_id, user_id.upper(), rol, " ".join(public.split()[:2]))
        staff[user_id] = Staff(user, sshkeys.load_private(pem, None), key_file)
    path = tmp_path / "kluis"
    store = GitStore.init(path)
    recovery = age.X25519Identity.generate()
    recovery_file = tmp_path / "herstelsleutel.txt"
    recovery_file.write_text(recovery.to_string() + "\n")
    users = [s.user for s in staff.values()]
    first = staff["ib-1"]
    store.commit(
        {
            ".zorgkluis/users.yaml": dump_users(users),
            ".zorgkluis/allowed_signers": allowed_signers(users),
        },
        "Kluis aangemaakt",
        UserSigner(first.user, first.key),
    )
    keystore = KeyStore(path / ".git" / "zorgkluis" / "keystore", recovery.recipient())
    return MiniVault(path, store, keystore, recovery, recovery_file, staff)


# --- the shred proof (tools in shred_proof.py, shared with tests/sync) ---


class ShredProof:
    """The shred-proof tools as one fixture (tests import nothing from this file)."""

    git_objects = staticmethod(git_objects)
    historical_blobs = staticmethod(historical_blobs)
    collect_pool = staticmethod(collect_pool)
    everything_in = staticmethod(everything_in)


@pytest.fixture
def proof() -> ShredProof:
    return ShredProof()
