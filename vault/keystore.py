"""The key store: each part's X25519 keys, outside git history.

Layout (inside the vault's `.git` folder, so it is never committed but is part of the vault
folder and of any deliberate backup of it):

    .git/zorgkluis/keystore/<pupil-id>/<part>.age
    .git/zorgkluis/keystore/<pupil-id>/werkaantekeningen/<user-id>.age

Each entry is one age file, encrypted to the `ssh-ed25519` keys of the staff entitled to the part
plus the school's X25519 recovery key. Its plaintext is an age identity file:

    # zorgkluis-sleutels/1
    # lezers: <user-id> <user-id> ...
    AGE-SECRET-KEY-1...   (oldest generation)
    AGE-SECRET-KEY-1...   (current generation: new versions are encrypted to this one)

All generations of a part live in one file, so deleting that file destroys every version of
that part in every clone (crypto-shredding), while the recovery key alone can open all other
entries. Older generations stay for reading history after a rotation.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vault.crypto import age
from vault.errors import CorruptError, NoAccessError

ENTRY_HEADER = "# zorgkluis-sleutels/1"
READERS_PREFIX = "# lezers:"


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically (temp file in the same folder, fsync, rename).

    Args:
        path: target file; its folder is created when missing.
        data: the bytes to write.
        mode: file permissions of the result.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(frozen=True)
class KeyEntry:
    """The decrypted content of one key-store entry.

    Attributes:
        readers: ids of the users the entry was encrypted to (besides the recovery key).
        keys: all generations of the part key, oldest first; the last is current.
    """

    readers: frozenset[str]
    keys: tuple[age.X25519Identity, ...]

    @property
    def current(self) -> age.X25519Identity:
        """The generation new versions of the part are encrypted to."""
        return self.keys[-1]

    @classmethod
    def new(cls, readers: Iterable[str]) -> KeyEntry:
        """A fresh entry with one newly generated key."""
        return cls(frozenset(readers), (age.X25519Identity.generate(),))

    def rotated(self, readers: Iterable[str]) -> KeyEntry:
        """This entry with a new current generation and new readers."""
        return KeyEntry(frozenset(readers), (*self.keys, age.X25519Identity.generate()))

    def with_readers(self, readers: Iterable[str]) -> KeyEntry:
        """This entry with other readers and the same keys."""
        return KeyEntry(frozenset(readers), self.keys)

    def to_bytes(self) -> bytes:
        """The identity-file plaintext of the entry."""
        lines = [ENTRY_HEADER, f"{READERS_PREFIX} {' '.join(sorted(self.readers))}".rstrip()]
        lines += [k.to_string() for k in self.keys]
        return ("\n".join(lines) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyEntry:
        """Parse `to_bytes` output.

        Raises:
            CorruptError: the plaintext is not a key-store entry.
        """
        readers: frozenset[str] = frozenset()
        keys: list[age.X25519Identity] = []
        try:
            for line in data.decode().splitlines():
                if line.startswith(READERS_PREFIX):
                    readers = frozenset(line[len(READERS_PREFIX) :].split())
                elif line and not line.startswith("#"):
                    keys.append(age.X25519Identity.parse(line.strip()))
        except (UnicodeDecodeError, age.AgeError, ValueError) as exc:
            raise CorruptError("Een sleutel in de sleutelkluis is beschadigd.") from exc
        if not keys:
            raise CorruptError("Een sleutel in de sleutelkluis is leeg.")
        return cls(readers, tuple(keys))


class KeyStore:
    """Reads and writes key-store entries for one vault.

    Decrypted entries (and entries this user cannot open) are cached in memory until
    `forget`; nothing decrypted is written to disk.
    """

    def __init__(self, root: Path, recovery: age.X25519Recipient) -> None:
        """Args:
        root: the key-store folder (`.git/zorgkluis/keystore`).
        recovery: the school's recovery recipient; every entry is also encrypted to it.
        """
        self.root = root
        self.recovery = recovery
        self._cache: dict[tuple[str, str], KeyEntry | None] = {}
        self._denied: set[tuple[str, str]] = set()

    def path(self, pupil_id: str, part: str) -> Path:
        """The file of the entry for `part` of `pupil_id`."""
        return self.root / pupil_id / f"{part}.age"

    def exists(self, pupil_id: str, part: str) -> bool:
        """True when an entry exists (whether or not this user can open it)."""
        return self.path(pupil_id, part).is_file()

    def parts(self, pupil_id: str) -> list[str]:
        """The part names that have an entry for `pupil_id`."""
        base = self.root / pupil_id
        if not base.is_dir():
            return []
        names = [p.relative_to(base).as_posix() for p in base.rglob("*.age")]
        return sorted(n[: -len(".age")] for n in names)

    def read(self, pupil_id: str, part: str, identities: Sequence[age.Identity]) -> KeyEntry | None:
        """Open the entry of `part`, or return None when there is no entry.

        Raises:
            NoAccessError: the entry exists but is not encrypted to any of `identities`.
            CorruptError: the entry is damaged.
        """
        key = (pupil_id, part)
        if key in self._denied:
            raise NoAccessError("Je hebt geen toegang tot dit deel van het dossier.")
        if key not in self._cache:
            try:
                self._cache[key] = self._open(pupil_id, part, identities)
            except NoAccessError:
                self._denied.add(key)
                raise
        return self._cache[key]

    def _open(
        self, pupil_id: str, part: str, identities: Sequence[age.Identity]
    ) -> KeyEntry | None:
        try:
            data = self.path(pupil_id, part).read_bytes()
        except FileNotFoundError:
            return None
        try:
            return KeyEntry.from_bytes(age.decrypt(data, identities))
        except age.NoIdentityMatchError as exc:
            raise NoAccessError("Je hebt geen toegang tot dit deel van het dossier.") from exc
        except age.AgeError as exc:
            raise CorruptError("Een sleutel in de sleutelkluis is beschadigd.") from exc

    def write(
        self, pupil_id: str, part: str, entry: KeyEntry, recipients: Sequence[age.Recipient]
    ) -> None:
        """Encrypt `entry` to `recipients` plus the recovery key and store it atomically."""
        data = age.encrypt(entry.to_bytes(), [*recipients, self.recovery])
        atomic_write(self.path(pupil_id, part), data)
        self._cache[(pupil_id, part)] = entry
        self._denied.discard((pupil_id, part))

    def forget(self) -> None:
        """Drop the in-memory cache (after another process may have changed entries)."""
        self._cache.clear()
        self._denied.clear()
