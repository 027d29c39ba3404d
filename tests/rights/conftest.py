"""Fixtures of the rights tests: a real vault built from the public lower layers, and the
shred-proof tools.

Layout as documented in vault/repository.py: `dossiers/<pupil>/<part>.age` encrypted only to
the part key, key entries in `.git/zorgkluis/keystore/`, signed commits by real SSH keys.
All keys here are test-only (no passphrase) and all pupils are fictional.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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


# --- the shred proof: every key and age file reachable from the vault folder ---

_SECRET_RE = re.compile(rb"AGE-SECRET-KEY-1[0-9A-Z]+")
_ARMOR_RE = re.compile(
    rb"-----BEGIN AGE ENCRYPTED FILE-----\r?\n.*?-----END AGE ENCRYPTED FILE-----", re.S
)
_SSH_RE = re.compile(
    rb"-----BEGIN OPENSSH PRIVATE KEY-----.*?-----END OPENSSH PRIVATE KEY-----\n?", re.S
)


def git_objects(repo: Path) -> list[bytes]:
    """The content of every object in the repository (loose and packed, reachable or not)."""
    out = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout
    contents, pos = [], 0
    while pos < len(out):
        header_end = out.index(b"\n", pos)
        _sha, _kind, size = out[pos:header_end].split()
        start = header_end + 1
        contents.append(out[start : start + int(size)])
        pos = start + int(size) + 1
    return contents


def historical_blobs(repo: Path, paths: set[str]) -> list[bytes]:
    """Every version of `paths` in any commit of any ref."""
    listing = subprocess.run(
        ["git", "rev-list", "--all", "--objects"], cwd=repo, capture_output=True, check=True
    ).stdout.decode()
    shas = {
        line.split(" ", 1)[0] for line in listing.splitlines() if line.split(" ", 1)[-1] in paths
    }
    return [
        subprocess.run(
            ["git", "cat-file", "blob", s], cwd=repo, capture_output=True, check=True
        ).stdout
        for s in sorted(shas)
    ]


def collect_pool(sources: list[bytes]) -> tuple[list[age.Identity], int]:
    """Every identity reachable from `sources`, opening age files with what was found so far."""
    identities: dict[str, age.Identity] = {}
    ciphertexts: list[bytes] = []

    def scan(data: bytes) -> None:
        for match in _SECRET_RE.findall(data):
            text = match.decode()
            identities.setdefault(text, age.X25519Identity.parse(text))
        for match in _SSH_RE.findall(data):
            key = sshkeys.load_private(match, None)
            identities.setdefault(sshkeys.public_line(key), age.SshEd25519Identity(key))
        if data.startswith(b"age-encryption.org/v1\n"):
            ciphertexts.append(data)
        ciphertexts.extend(_ARMOR_RE.findall(data))

    for data in sources:
        scan(data)
    opened: set[int] = set()
    progress = True
    while progress:
        progress = False
        for index, blob in enumerate(ciphertexts):
            if index in opened:
                continue
            try:
                plain = age.decrypt(blob, list(identities.values()))
            except age.AgeError:
                continue
            opened.add(index)
            scan(plain)
            progress = True
    return list(identities.values()), len(opened)


def everything_in(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in folder.rglob("*") if p.is_file()]


class ShredProof:
    """The shred-proof tools as one fixture (tests import nothing from this file)."""

    git_objects = staticmethod(git_objects)
    historical_blobs = staticmethod(historical_blobs)
    collect_pool = staticmethod(collect_pool)
    everything_in = staticmethod(everything_in)


@pytest.fixture
def proof() -> ShredProof:
    return ShredProof()
