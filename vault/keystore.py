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
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
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

    def token(self, pupil_id: str, part: str) -> str | None:
        """A cheap fingerprint of the entry file (inode, change time, size), or None when
        there is no entry: every write replaces the file, so the token changes with it."""
        try:
            st = self.path(pupil_id, part).stat()
        except FileNotFoundError:
            return None
        return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"

    def remember(self, pupil_id: str, part: str, entry: KeyEntry) -> None:
        """Put an entry opened elsewhere (a `KeyRing`) in the in-memory cache."""
        self._cache[(pupil_id, part)] = entry
        self._denied.discard((pupil_id, part))

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


RING_FORMAT = "zorgkluis-sleutelring/1"


@dataclass
class RingItem:
    """One pupil in a user's key ring (see `KeyRing`).

    Attributes:
        token: the `KeyStore.token` of the administratie entry this item was made from.
        entry_text: the opened administratie entry (`KeyEntry.to_bytes`), or None when the
            user has no access. Kept as text: parsing age keys costs more than the rest of a
            list, and an unchanged summary needs no key.
        summary_hash: SHA-256 of the summary ciphertext `summary` was decrypted from.
        summary: the decrypted summary (JSON bytes), or None.
        folder: the git tree id of the pupil's folder when `summary` was checked: while it is
            unchanged, nothing in the folder changed and the summary need not be read.
    """

    token: str
    entry_text: bytes | None
    summary_hash: str | None = None
    summary: bytes | None = None
    folder: str | None = None

    @classmethod
    def of(cls, token: str, entry: KeyEntry | None) -> RingItem:
        """A new item for an entry just opened from the key store (None: no access)."""
        return cls(token, entry.to_bytes() if entry is not None else None)

    def entry(self) -> KeyEntry:
        """The administratie entry (parsed now).

        Raises:
            CorruptError: the user has no access (no entry) or the text is damaged.
        """
        if self.entry_text is None:
            raise CorruptError("De sleutelring heeft geen sleutel voor deze leerling.")
        return KeyEntry.from_bytes(self.entry_text)


class KeyRing:
    """One user's cache that makes the pupil list fast: per pupil the administratie key entry
    the user can open (or the fact that they cannot) and the decrypted list summary.

    The ring is one age file (`.git/zorgkluis/ringen/<user-id>.age`, never committed)
    encrypted only to that user's own ssh key, so opening it costs one `ssh-ed25519` unwrap
    instead of one per pupil. It holds nothing the user cannot already open. An item is used
    only while its key-store entry file is unchanged (`KeyStore.token`) and the summary only
    while the pupil's folder in git (its tree id) or at least the committed summary
    ciphertext is unchanged; everything else is opened again.
    Because the ring copies part keys, whoever destroys a key destroys the rings too: the
    retention sweep removes every ring, and a user who loses access loses their ring.
    """

    def __init__(self, path: Path, identities: Sequence[age.Identity], recipient: age.Recipient):
        """Args:
        path: the ring file.
        identities: the user's identities (open the ring).
        recipient: the user's own recipient (the ring is encrypted to it only).
        """
        self.path = path
        self._identities = identities
        self._recipient = recipient

    def load(self) -> dict[str, RingItem]:
        """The ring's items by pupil id; empty when there is no ring or it does not open
        (a damaged ring is only a cache: it is rebuilt)."""
        try:
            doc = json.loads(age.decrypt(self.path.read_bytes(), self._identities))
            if doc.get("formaat") != RING_FORMAT:
                return {}
            return {
                pid: RingItem(
                    str(row["t"]),
                    row["k"].encode() if row["k"] is not None else None,
                    row.get("h"),
                    row["s"].encode() if row.get("s") is not None else None,
                    row.get("m"),
                )
                for pid, row in doc["leerlingen"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError, age.AgeError):
            return {}

    def save(self, items: Mapping[str, RingItem]) -> None:
        """Write the ring atomically (a failure to write is ignored: it is only a cache)."""
        rows = {
            pid: {
                "t": item.token,
                "k": item.entry_text.decode() if item.entry_text is not None else None,
                "h": item.summary_hash,
                "s": item.summary.decode() if item.summary is not None else None,
                "m": item.folder,
            }
            for pid, item in items.items()
        }
        data = json.dumps({"formaat": RING_FORMAT, "leerlingen": rows}, ensure_ascii=False)
        with contextlib.suppress(OSError):
            atomic_write(self.path, age.encrypt(data.encode(), [self._recipient]))

    def drop(self) -> None:
        """Delete the ring (the user lost access to something in it)."""
        self.path.unlink(missing_ok=True)
