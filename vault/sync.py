"""Synchronising a vault with a school server: fetch, merge, push (see docs/sync.md).

The server is a plain git repository. It holds exactly what the vault repository holds
(ciphertext, signed commits, opaque pupil ids) plus one extra ref, `refs/zorgkluis/sleutels`:
the key store, as a parentless signed commit whose tree holds the encrypted key-store entries
(`<pupil-id>/<part>.age`). That ref is replaced on every publish, never appended to, so part keys
and access changes reach other devices without entering the vault's history; the key-store
objects are fetched into a throw-away repository and never into the vault's own object store.

`sync(vault, key)`:

1. fetches `main` of the remote (into `refs/zorgkluis/sync/remote`) and its key store;
2. merges: fast-forward when possible; otherwise every path both sides changed is merged on
   decrypted content (`dossier_format.merge.merge3` for dossier parts; set union for the
   explicit grants, with a removal winning; line union for the retention log; summaries are
   recomputed), re-encrypted to the part's current key, and committed as ONE signed merge
   commit with two parents. A same-field conflict stops the sync before anything is written:
   `SyncConflictError` names each pupil, part and field; both versions stay in git (ours on
   `main`, theirs at `refs/zorgkluis/conflict/<sha>`), and calling `sync` again with `choices`
   decides them;
3. merges the key store entry by entry (three-way on ciphertext hashes against the last sync;
   when both sides changed an entry: all key generations, readers in both versions only, a fresh
   generation when that drops someone). Parts recorded as destroyed in the signed retention log
   (`.zorgkluis/bewaarlog.jsonl`) are shredded locally and never published, so an offline device
   cannot bring a shredded key back; a revoked reader is never re-added by a merge;
4. pushes `main` (refused if the server moved meanwhile: the next sync merges again) and the
   key store (with a lease on the version it merged).

`merge_part_files` is the same merge for one file, used by the git merge driver.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_format import checks, codec, model, parts
from dossier_format.errors import DossierError
from dossier_format.merge import Choice, Conflict, merge3
from vault import access, audit_sync, summary
from vault.access import Grants
from vault.crypto import age, sshkeys, sshsig
from vault.errors import CorruptError, LockedError, NoAccessError, VaultError
from vault.git_store import GitStore
from vault.git_store import LockedError as GitLockedError
from vault.keystore import KeyEntry, atomic_write
from vault.repository import Vault, vault_lock
from vault.retention import (
    LOG_FILE,
    Keeper,
    backup,
    destroy_backups_holding,
    shred_file,
    shred_rings,
)
from vault.users import User, allowed_signers, dump_users, find_by_key, parse_users

MAIN = "refs/heads/main"
REMOTE_REF = "refs/zorgkluis/sync/remote"
CONFLICT_PREFIX = "refs/zorgkluis/conflict/"
KEYSTORE_REF = "refs/zorgkluis/sleutels"
"""The server ref that holds the key store: replaced on every publish, never appended to."""

USERS_FILE = ".zorgkluis/users.yaml"
SIGNERS_FILE = ".zorgkluis/allowed_signers"
DOSSIERS = "dossiers/"
STATE_DIR = Path(".git") / "zorgkluis"
SUMMARY_PART = "samenvatting"
GRANTS_PART = "toegang"
MERGE_DRIVER = "zorgkluis"
MAX_ROUNDS = 3
_ZERO = "0" * 40

Progress = Callable[[str], None]
"""Called with a short Dutch description of each step."""

Choices = Mapping[tuple[str, str], Mapping[str, Choice]]
"""(pupil id, part) -> {conflict path: "ours" | "theirs"}."""


class SyncError(VaultError):
    """Synchronising failed; nothing half-done was left behind."""


@dataclass(frozen=True)
class PartConflict:
    """A field both devices changed differently in one part of one pupil.

    Attributes:
        pupil_id: the pupil (opaque id).
        part: the part name (e.g. "zorg").
        conflict: the field, with the base, our and their values (in memory only).
    """

    pupil_id: str
    part: str
    conflict: Conflict


class SyncConflictError(SyncError):
    """Both devices changed the same field: nothing was merged, both versions are kept.

    Attributes:
        conflicts: every field to decide (see `sync(choices=...)`).
        theirs_ref: the ref that keeps the other device's version.
    """

    def __init__(self, conflicts: Sequence[PartConflict], theirs_ref: str) -> None:
        fields = "; ".join(f"{c.pupil_id} {c.part}: {c.conflict.path}" for c in conflicts)
        super().__init__(
            f"Synchroniseren gestopt: op twee apparaten is hetzelfde veld gewijzigd ({fields}). "
            "Er is niets samengevoegd of verstuurd; beide versies blijven bewaard.",
            "Kies per veld welke versie blijft (in de Zorgkluis-app: Synchroniseren), of pas "
            "het dossier aan en synchroniseer opnieuw. De andere versie staat in "
            f"{theirs_ref}.",
        )
        self.conflicts = list(conflicts)
        self.theirs_ref = theirs_ref


@dataclass(frozen=True)
class SyncResult:
    """What a sync did.

    Attributes:
        head: our `main` after the sync (the server has the same), or None for an empty vault.
        merged: "gelijk" (nothing to merge), "vooruit" (fast-forward), "samengevoegd" (a
            signed merge commit) or "verstuurd" (only we had new commits).
        keys_received: key-store entries taken from or merged with the server.
        keys_shredded: key-store entries destroyed because the retention log says so.
        backups_destroyed: key-store backups on this device made useless because they held
            a key the retention log records as destroyed (their backup keys are shredded).
        new_backup: the fresh backup written after that (directie and IB-ers), or None.
        notices: Dutch lines the user must read (e.g. edits to a part destroyed meanwhile
            that were not taken over); also passed to `progress` when they arise.
    """

    head: str | None
    merged: str
    keys_received: int = 0
    keys_shredded: list[str] = field(default_factory=list)
    backups_destroyed: int = 0
    new_backup: Path | None = None
    notices: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- git helpers


def _git(
    repo: Path, *args: str, data: bytes | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    full_env.pop("GIT_DIR", None)
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=data, capture_output=True, env=full_env
    )


def _ok(done: subprocess.CompletedProcess[bytes], what: str) -> bytes:
    if done.returncode != 0:
        raise SyncError(
            f"{what} is mislukt.", f"Technische melding: {done.stderr.decode(errors='replace')}"
        )
    return done.stdout


def _rev(repo: Path, name: str) -> str | None:
    done = _git(repo, "rev-parse", "--verify", "-q", f"{name}^{{commit}}")
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


def _tree(repo: Path, rev: str | None) -> dict[str, str]:
    """path -> blob sha of every file at `rev` (empty for None)."""
    if rev is None:
        return {}
    out = _ok(_git(repo, "ls-tree", "-r", "-z", rev), "Een boom lezen")
    files = {}
    for row in out.split(b"\0"):
        if row:
            meta, _, path = row.partition(b"\t")
            files[path.decode()] = meta.split()[2].decode()
    return files


def _blobs(repo: Path, shas: Sequence[str]) -> list[bytes]:
    """The contents of `shas`, in one `git cat-file --batch` exchange."""
    if not shas:
        return []
    out = _ok(
        _git(repo, "cat-file", "--batch", data="".join(s + "\n" for s in shas).encode()),
        "Objecten lezen",
    )
    blobs, pos = [], 0
    for sha in shas:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3:
            raise SyncError(f"Het git-object {sha[:12]} ontbreekt of is beschadigd.")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        pos = end + 2 + size
    return blobs


def _write_blob(repo: Path, data: bytes) -> str:
    return _ok(_git(repo, "hash-object", "-w", "--stdin", data=data), "Opslaan").decode().strip()


def _ident(user: User, when: datetime.datetime) -> str:
    offset = int((when.utcoffset() or datetime.timedelta(0)).total_seconds()) // 60
    sign = "-" if offset < 0 else "+"
    zone = f"{sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
    return f"{user.naam} <{user.id}> {int(when.timestamp())} {zone}"


def _signed_commit(
    repo: Path, tree: str, parents: Sequence[str], message: str, user: User, key: Ed25519PrivateKey
) -> str:
    """Write a commit signed in git's SSH format (`git verify-commit` accepts it)."""
    ident = _ident(user, datetime.datetime.now().astimezone())
    head = [f"tree {tree}", *(f"parent {p}" for p in parents)]
    head += [f"author {ident}", f"committer {ident}"]
    payload = ("\n".join(head) + "\n\n" + message.rstrip("\n") + "\n").encode()
    signature = sshsig.sign(payload, key, "git").decode().rstrip("\n")
    header = "gpgsig " + signature.replace("\n", "\n ")
    split = payload.index(b"\n\n")
    raw = payload[:split] + b"\n" + header.encode() + payload[split:]
    out = _git(repo, "hash-object", "-t", "commit", "-w", "--stdin", data=raw)
    return _ok(out, "Een commit schrijven").decode().strip()


def _split_signature(raw: bytes) -> tuple[bytes, bytes | None]:
    head, sep, body = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    kept, sig = [], []
    inside = False
    for line in lines:
        if line.startswith(b"gpgsig "):
            inside = True
            sig.append(line[len(b"gpgsig ") :])
        elif inside and line.startswith(b" "):
            sig.append(line[1:])
        else:
            inside = False
            kept.append(line)
    payload = b"\n".join(kept) + sep + body
    return payload, (b"\n".join(sig) + b"\n") if sig else None


def _signer_of(repo: Path, commit: str, users: Sequence[User]) -> User | None:
    """The vault user whose valid SSH signature the commit carries, or None."""
    (raw,) = _blobs(repo, [commit])
    payload, signature = _split_signature(raw)
    if signature is None:
        return None
    try:
        public = sshsig.verify(payload, signature, "git")
    except sshsig.SignatureError:
        return None
    return find_by_key(users, sshkeys.public_line(public))


# --------------------------------------------------------------------------- setup


def configure_merge_driver(path: Path, command: str, signing_key: Path | None = None) -> None:
    """Register the zorgkluis merge driver for `*.age` in a vault clone (idempotent).

    Plain `git merge` then merges dossier parts on decrypted content like `sync` does (the
    driver needs the user's key: env ZORGKLUIS_IDENTITY and ZORGKLUIS_PASSPHRASE). With
    `signing_key`, plain git also signs its commits with that staff key (`user.signingKey`,
    `commit.gpgsign`; git runs `ssh-keygen -Y sign`, which asks for the passphrase), so a merge
    made by plain git is signed like one made by `sync`. This is this clone's own config: it
    never leaves the device.

    Args:
        path: the vault folder.
        command: the shell command that runs `zorgkluis` (e.g. "zorgkluis").
        signing_key: the user's OpenSSH private key file, if known.
    """
    driver = f"{command} merge-driver %O %A %B %P"
    settings = [
        (f"merge.{MERGE_DRIVER}.name", "Zorgkluis: dossierdelen ontsleuteld samenvoegen"),
        (f"merge.{MERGE_DRIVER}.driver", driver),
    ]
    if signing_key is not None:
        settings += [
            ("user.signingKey", str(signing_key.resolve())),
            ("commit.gpgsign", "true"),
        ]
    for key, value in settings:
        _ok(_git(path, "config", key, value), "De git-instelling")
    attributes = path / ".git" / "info" / "attributes"
    line = f"*.age merge={MERGE_DRIVER}\n"
    existing = attributes.read_text() if attributes.exists() else ""
    if line not in existing:
        atomic_write(attributes, (existing + line).encode(), mode=0o644)


# --------------------------------------------------------------------------- part merge


def _key_part(file_part: str) -> str:
    return "administratie" if file_part in (SUMMARY_PART, GRANTS_PART) else file_part


def split_part_path(path: str) -> tuple[str, str] | None:
    """(pupil id, file part) of a `dossiers/<id>/<part>.age` path, else None."""
    if not path.startswith(DOSSIERS) or not path.endswith(".age"):
        return None
    pupil_id, _, rest = path[len(DOSSIERS) :].partition("/")
    return (pupil_id, rest[: -len(".age")]) if pupil_id and rest else None


def _decrypt(blob: bytes | None, entry: KeyEntry) -> bytes | None:
    if blob is None:
        return None
    try:
        return age.decrypt(blob, entry.keys)
    except age.AgeError as exc:
        raise CorruptError("Een dossierdeel is beschadigd of hoort niet bij zijn sleutel.") from exc


def merge_grants(base: bytes | None, ours: bytes, theirs: bytes) -> bytes:
    """Three-way merge of explicit grants (`toegang.age` plaintext): a removal always wins.

    Each set is merged as (ours ∩ theirs) ∪ added-by-ours ∪ added-by-theirs; a user who ends
    up both granted and removed stays removed.
    """
    b = Grants.from_bytes(base) if base else Grants()
    o, t = Grants.from_bytes(ours), Grants.from_bytes(theirs)

    def three(bs: frozenset[str], os_: frozenset[str], ts: frozenset[str]) -> frozenset[str]:
        return (os_ & ts) | (os_ - bs) | (ts - bs)

    removed = three(b.verwijderd, o.verwijderd, t.verwijderd)
    added = three(b.toegevoegd, o.toegevoegd, t.toegevoegd) - removed
    return Grants(added, removed).to_bytes()


def merge_lines(ours: bytes, theirs: bytes) -> bytes:
    """Merge an append-only log: ours, then their lines we do not have, in their order."""
    have = set(ours.splitlines())
    extra = [line for line in theirs.splitlines() if line not in have]
    return ours + b"".join(line + b"\n" for line in extra)


def merge_users(base: bytes | None, ours: bytes, theirs: bytes) -> bytes:
    """Three-way merge of `.zorgkluis/users.yaml`, user by user (id).

    Raises:
        SyncError: both sides changed the same user differently.
        CorruptError: a users file is unreadable.
    """
    sides = [{u.id: u for u in parse_users(data)} if data else {} for data in (base, ours, theirs)]
    b, o, t = sides
    merged: list[User] = []
    for user_id in sorted(set(b) | set(o) | set(t)):
        bu, ou, tu = b.get(user_id), o.get(user_id), t.get(user_id)
        if ou == tu or bu == tu:
            chosen = ou
        elif bu == ou:
            chosen = tu
        else:
            raise SyncError(
                f"Medewerker '{user_id}' is op twee apparaten verschillend gewijzigd.",
                "Pas de medewerker op één apparaat opnieuw aan na het synchroniseren.",
            )
        if chosen is not None:
            merged.append(chosen)
    return dump_users(merged)


def merge_signers(ours: bytes, theirs: bytes, users: Sequence[User]) -> bytes:
    """The allowed-signers file for the merged `users`, keeping former users of either side
    (with the `valid-before` limit one side already gave them, else from now)."""
    former: dict[str, str] = {}
    for line in (ours + theirs).decode(errors="replace").splitlines():
        fields = line.split()
        blob = next((b for a, b in itertools.pairwise(fields) if a.startswith("ssh-")), None)
        if blob is not None and ("valid-before=" in line or blob not in former):
            former[blob] = line
    return allowed_signers(users, "".join(f"{v}\n" for v in former.values()).encode())


def merge_part_text(
    file_part: str, base: bytes | None, ours: bytes, theirs: bytes, choices: Mapping[str, Choice]
) -> tuple[bytes, list[Conflict]]:
    """Merge the plaintexts of one file part; returns (merged, conflicts left).

    Raises:
        DossierError: a dossier part is not YAML.
    """
    if file_part == GRANTS_PART:
        return merge_grants(base, ours, theirs), []
    result = merge3((base or b"").decode(), ours.decode(), theirs.decode(), choices)
    return result.text.encode(), result.conflicts


def merge_part_files(
    vault: Vault,
    key: Ed25519PrivateKey,
    path: str,
    base: bytes | None,
    ours: bytes,
    theirs: bytes,
) -> tuple[bytes, list[Conflict]]:
    """Merge three versions of one encrypted dossier part file (the git merge driver).

    Args:
        vault: the opened vault (its key store opens the part key).
        key: the private key the vault was opened with.
        path: the repository path, `dossiers/<id>/<part>.age`.
        base, ours, theirs: the three ciphertexts (base None when there is none).

    Returns:
        (ciphertext of the merge encrypted to the part's current key, conflicts). With
        conflicts the ciphertext holds our value at each conflicting field. The list summary
        (`samenvatting.age`) is derived data: ours is kept until the pupil's next save.

    Raises:
        SyncError: not a dossier part path.
        NoAccessError: the user cannot open the part key.
        CorruptError, DossierError: a damaged file.
    """
    where = split_part_path(path)
    if where is None:
        raise SyncError(
            f"'{path}' is geen dossierdeel en kan niet ontsleuteld samengevoegd worden."
        )
    pupil_id, file_part = where
    if file_part == SUMMARY_PART:
        return ours, []  # derived data: the next save of the pupil rewrites it
    entry = vault.keystore.read(pupil_id, _key_part(file_part), [age.SshEd25519Identity(key)])
    if entry is None:
        raise NoAccessError("De sleutel van dit deel bestaat niet (meer).")
    texts = [_decrypt(blob, entry) for blob in (base, ours, theirs)]
    merged, conflicts = merge_part_text(file_part, texts[0], texts[1] or b"", texts[2] or b"", {})
    return age.encrypt(merged, [entry.current.recipient()]), conflicts


# --------------------------------------------------------------------------- key store


def _sha256(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _local_entries(root: Path) -> dict[str, bytes]:
    """Every key-store entry on this device: ciphertext by name ("<pupil-id>/<part>")."""
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix()[: -len(".age")]: p.read_bytes()
        for p in sorted(root.rglob("*.age"))
    }


def _open_entry(data: bytes | None, identities: Sequence[age.Identity]) -> KeyEntry | None:
    if data is None:
        return None
    try:
        return KeyEntry.from_bytes(age.decrypt(data, identities))
    except (age.AgeError, CorruptError):
        return None


def merge_entries(
    ours: KeyEntry, theirs: KeyEntry, readers: frozenset[str] | None = None
) -> KeyEntry:
    """Merge two versions of one key-store entry that both devices changed.

    All key generations are kept (ours first, then theirs we lack). The readers are `readers`
    (what the access policy gives for the merged dossier) or, when that is unknown, those in
    both versions, so a revocation on either device wins. A fresh generation is added when
    that drops someone who could read either side's current key, or when both sides rotated.
    """
    keys = list(ours.keys)
    known = {k.to_string() for k in keys}
    theirs_only = [k for k in theirs.keys if k.to_string() not in known]
    ours_only = {k.to_string() for k in ours.keys} - {k.to_string() for k in theirs.keys}
    chosen = ours.readers & theirs.readers if readers is None else readers
    merged = KeyEntry(chosen, (*keys, *theirs_only))
    dropped = (ours.readers | theirs.readers) - merged.readers
    if dropped or (theirs_only and ours_only):
        return merged.rotated(merged.readers)
    return merged


@dataclass
class _KeyStores:
    """Our and the server's key-store entries during one sync, opened on demand."""

    root: Path
    identities: Sequence[age.Identity]
    local: dict[str, bytes]
    remote: dict[str, bytes]
    base: dict[str, str]
    _opened: dict[str, KeyEntry | None] = field(default_factory=dict)

    def entry(self, pupil_id: str, key_part: str) -> KeyEntry | None:
        """Every key generation of a part either side has that this user can open."""
        name = f"{pupil_id}/{key_part}"
        if name not in self._opened:
            mine = _open_entry(self.local.get(name), self.identities)
            other = _open_entry(self.remote.get(name), self.identities)
            if mine is not None and other is not None:
                have = {k.to_string() for k in mine.keys}
                extra = [k for k in other.keys if k.to_string() not in have]
                mine = KeyEntry(mine.readers, (*mine.keys, *extra))
            self._opened[name] = mine or other
        return self._opened[name]


# --------------------------------------------------------------------------- sync


@dataclass
class _Context:
    vault: Vault
    key: Ed25519PrivateKey
    store: GitStore
    url: str
    today: datetime.date
    progress: Progress
    scratch: Path  # throw-away bare repository for the key-store ref
    last_merge: str = "gelijk"  # what the last round did to main, even if its push failed
    notices: list[str] = field(default_factory=list)  # for SyncResult.notices, all rounds
    backups_destroyed: int = 0
    new_backup: Path | None = None

    def notice(self, text: str) -> None:
        """Tell the user something they must read: in the result and as a progress line."""
        if text not in self.notices:
            self.notices.append(text)
            self.progress(text)

    @property
    def path(self) -> Path:
        # Absolute: git runs with `-C <vault>`, so a relative path handed to it (an index
        # file, a key file) would be taken relative to the vault folder a second time.
        return Path(self.vault.path).resolve()

    @property
    def identities(self) -> list[age.Identity]:
        return [age.SshEd25519Identity(self.key)]


def clone(url: str, path: Path) -> Path:
    """Make a new device's copy of a vault from its server (history only; `sync` then
    brings the key store).

    Args:
        url: the server's git URL (or a path).
        path: a folder that does not exist yet.

    Raises:
        SyncError: the clone failed.
    """
    target = Path(path)
    done = subprocess.run(
        ["git", "clone", "-q", "--no-tags", "-b", "main", url, str(target)],
        capture_output=True,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    _ok(done, "Kopiëren van de server")
    for key, value in (
        ("gpg.format", "ssh"),
        ("gpg.ssh.allowedSignersFile", SIGNERS_FILE),
        ("commit.gpgsign", "false"),
        ("core.logAllRefUpdates", "true"),
    ):
        _ok(_git(target, "config", key, value), "De git-instelling")
    return target


def resolve_remote(path: Path, remote: str) -> str:
    """The URL of `remote`: a remote configured in the vault clone, else `remote` itself
    (a URL, or a local path made absolute).

    Raises:
        SyncError: `remote` is neither a configured remote, a URL nor an existing path.
    """
    done = _git(path, "remote", "get-url", remote)
    url = done.stdout.decode().strip() if done.returncode == 0 else remote
    if "://" not in url and ":" not in url.split("/")[0]:
        local = Path(url) if Path(url).is_absolute() else (path / url).resolve()
        if not local.exists():
            raise SyncError(
                f"Onbekende server '{remote}'.",
                "Geef de URL van de server op (zorgkluis sync URL) of stel hem in met "
                "'git remote add origin URL' in de kluis.",
            )
        url = str(local)
    return url


def sync(
    vault: Vault,
    key: Ed25519PrivateKey,
    remote: str = "origin",
    *,
    choices: Choices | None = None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> SyncResult:
    """Fetch, merge and push the vault and its key store (see the module doc).

    Args:
        vault: the opened vault.
        key: the private key it was opened with (signs merge commits and the key store).
        remote: a remote name configured in the vault clone, a git URL or a path.
        choices: decisions for conflicts reported by an earlier `SyncConflictError`.
        today: the date for recomputed pupil summaries (default: today).
        progress: called with a Dutch description of each step.

    Raises:
        SyncConflictError: the same field changed on both sides (nothing written).
        SyncError: the server cannot be reached, refuses, or holds unsigned data.
        LockedError: another process is saving.
    """
    path = Path(vault.path)
    url = resolve_remote(path, remote)
    (path / STATE_DIR).mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="sync-", dir=path / STATE_DIR))
    ctx = _Context(
        vault=vault,
        key=key,
        store=GitStore(path),
        url=url,
        today=today or datetime.date.today(),
        progress=progress or (lambda _: None),
        scratch=scratch,
    )
    try:
        _ok(_git(scratch, "init", "-q", "--bare"), "Een werkmap maken")
        merged = "gelijk"
        for _ in range(MAX_ROUNDS):
            with vault_lock(path):
                result = _round(ctx, choices or {})
            if result is not None:
                vault.keystore.forget()
                # The audit logs of all devices: fetch and check theirs, publish ours.
                audit_sync.exchange(vault, key, url, ctx.progress, ctx.notice)
                result = dataclasses.replace(result, notices=list(ctx.notices))
                if result.merged == "gelijk" and merged != "gelijk":
                    result = dataclasses.replace(result, merged=merged)  # an earlier round's
                return result
            merged = ctx.last_merge
        raise SyncError(
            "De server veranderde steeds tijdens het synchroniseren.", "Probeer het zo nog eens."
        )
    except GitLockedError as exc:
        raise LockedError("De kluis is bezet door een ander proces.") from exc
    finally:
        ctx.store.close()
        shutil.rmtree(scratch, ignore_errors=True)


def _ls_remote(ctx: _Context) -> dict[str, str]:
    ctx.progress("Server bekijken")
    out = _ok(_git(ctx.path, "ls-remote", ctx.url, MAIN, KEYSTORE_REF), "De server bereiken")
    refs = {}
    for line in out.decode().splitlines():
        sha, _, name = line.partition("\t")
        refs[name] = sha
    return refs


def _round(ctx: _Context, choices: Choices) -> SyncResult | None:
    """One fetch-merge-push attempt; None when the server moved meanwhile."""
    refs = _ls_remote(ctx)
    theirs = refs.get(MAIN)
    if theirs is not None:
        ctx.progress("Wijzigingen ophalen")
        _ok(_git(ctx.path, "fetch", "-q", "--no-tags", ctx.url, f"+{MAIN}:{REMOTE_REF}"), "Ophalen")
        theirs = _rev(ctx.path, REMOTE_REF)
    remote_keys_commit = refs.get(KEYSTORE_REF)
    remote_keys: dict[str, bytes] = {}
    if remote_keys_commit is not None:
        ctx.progress("Sleutels ophalen")
        fetch = ("fetch", "-q", "--no-tags", ctx.url, f"+{KEYSTORE_REF}:{KEYSTORE_REF}")
        _ok(_git(ctx.scratch, *fetch), "Sleutels ophalen")
        remote_keys_commit = _rev(ctx.scratch, KEYSTORE_REF)  # it may have moved meanwhile
        if remote_keys_commit is not None:
            remote_keys = _remote_entries(ctx, remote_keys_commit, theirs)
    ours = ctx.store.head()
    state_file = (
        ctx.path / STATE_DIR / "sync" / f"{hashlib.sha256(ctx.url.encode()).hexdigest()[:16]}.json"
    )
    base_hashes: dict[str, str] = {}
    if state_file.exists():
        base_hashes = json.loads(state_file.read_text())["sleutels"]
    root = ctx.vault.keystore.root
    keys = _KeyStores(root, ctx.identities, _local_entries(root), remote_keys, base_hashes)

    merged = "gelijk"
    if theirs is not None and theirs != ours:
        base = _merge_base(ctx, ours, theirs)
        if base is None and ours is not None:
            raise SyncError(
                "Deze kluis en de kluis op de server hebben geen gemeenschappelijke geschiedenis.",
                "Maak een nieuwe kopie van de server met 'zorgkluis clone URL MAP'.",
            )
        if base == theirs:
            merged = "verstuurd"
        else:
            _check_incoming(ctx, base, theirs)
            if base == ours:
                ctx.progress("Bijwerken")
                _move_main(ctx, ours, theirs)
                merged = "vooruit"
            else:
                ctx.progress("Samenvoegen")
                _merge_commit(ctx, keys, base, ours, theirs, choices)
                merged = "samengevoegd"
    elif theirs is None and ours is not None:
        merged = "verstuurd"
    head = ctx.store.head()
    if merged != "gelijk":
        ctx.last_merge = merged
    if find_by_key(_users_at(ctx, head), sshkeys.public_line(ctx.key)) is None:
        raise SyncError(
            "Je bent geen medewerker meer van deze kluis; er is niets verstuurd.",
            "Vraag de intern begeleider of directie om je opnieuw toe te voegen.",
        )

    ctx.progress("Sleutels bijwerken")
    received, shredded = _merge_keystore(ctx, keys, head)
    if head is not None and head != theirs:
        ctx.progress("Versturen")
        if _git(ctx.path, "push", "-q", ctx.url, f"{head}:{MAIN}").returncode != 0:
            return None  # the server moved: fetch and merge again
    ctx.progress("Sleutels versturen")
    published = _publish_keys(ctx, remote_keys_commit, remote_keys, head)
    if published is None:
        return None
    atomic_write(state_file, json.dumps({"sleutels": published}, sort_keys=True).encode())
    return SyncResult(
        head,
        merged,
        received,
        shredded,
        backups_destroyed=ctx.backups_destroyed,
        new_backup=ctx.new_backup,
        notices=list(ctx.notices),
    )


def _merge_base(ctx: _Context, ours: str | None, theirs: str) -> str | None:
    if ours is None:
        return None
    done = _git(ctx.path, "merge-base", ours, theirs)
    return done.stdout.decode().strip() or None if done.returncode == 0 else None


def _users_at(ctx: _Context, rev: str | None) -> list[User]:
    raw = ctx.store.read(USERS_FILE, rev) if rev else None
    return parse_users(raw) if raw else []


def _check_incoming(ctx: _Context, base: str | None, theirs: str) -> None:
    """Refuse commits from the server that are not signed by a vault user of their time."""
    cache: dict[str, list[User]] = {}
    for info in ctx.store.log(rev=theirs, since=base, changed_paths=False):
        basis = info.parents[0] if info.parents else info.sha
        if basis not in cache:
            cache[basis] = _users_at(ctx, basis)
        ok = False
        if info.signature is not None:
            with contextlib.suppress(sshsig.SignatureError):
                public = sshsig.verify(info.signed_payload, info.signature, "git")
                ok = find_by_key(cache[basis], sshkeys.public_line(public)) is not None
        if not ok:
            raise SyncError(
                f"De server bevat een wijziging ({info.sha[:12]}) die niet door een medewerker "
                "van de kluis is ondertekend. Er is niets overgenomen.",
                "Meld dit bij de beheerder van de server.",
            )
    ctx.vault.check_incoming(theirs, base)  # and each was allowed (docs/access.md §5)


def _move_main(ctx: _Context, old: str | None, new: str) -> None:
    """Point `main` at `new` (compare-and-swap against `old`) and mirror it in the work tree."""
    with ctx.store.lock():
        _ok(_git(ctx.path, "update-ref", MAIN, new, old or _ZERO), "Bijwerken")
        _ok(_git(ctx.path, "read-tree", "--reset", "-u", new), "De werkmap bijwerken")


def _remote_entries(ctx: _Context, commit: str, theirs: str | None) -> dict[str, bytes]:
    users = _users_at(ctx, ctx.store.head()) + (_users_at(ctx, theirs) if theirs else [])
    if _signer_of(ctx.scratch, commit, users) is None:
        raise SyncError(
            "De sleutels op de server zijn niet door een medewerker van de kluis ondertekend.",
            "Er is niets overgenomen. Meld dit bij de beheerder van de server.",
        )
    files = _tree(ctx.scratch, commit)
    names = [p[: -len(".age")] for p in files if p.endswith(".age")]
    blobs = _blobs(ctx.scratch, [files[n + ".age"] for n in names])
    return dict(zip(names, blobs, strict=True))


def _destroyed(ctx: _Context, rev: str | None) -> set[str]:
    """The parts ("<pupil>/<part>") the signed retention log at `rev` records as destroyed."""
    raw = ctx.store.read(LOG_FILE, rev) if rev else None
    out = set()
    for line in (raw or b"").splitlines():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            row = json.loads(line)
            out.add(f"{row['leerling']}/{row['onderdeel']}")
    return out


def _merge_keystore(ctx: _Context, keys: _KeyStores, head: str | None) -> tuple[int, list[str]]:
    """Bring the local key store in line with the server's; returns (received, shredded).

    Parts the retention log records as destroyed are shredded here, and first every
    key-store backup on this device that holds one of them loses its backup key (as the
    local sweep does), so no backup made on this device brings a shredded key back.
    """
    destroyed = _destroyed(ctx, head)
    doomed = {name for name in destroyed if (keys.root / f"{name}.age").exists()}
    invalidated = destroy_backups_holding(
        ctx.path, ctx.identities, destroyed, unreadable=bool(doomed)
    )
    users = {u.id: u for u in _users_at(ctx, head)}
    received, shredded = 0, []
    for name in sorted(set(keys.local) | set(keys.remote)):
        target = keys.root / f"{name}.age"
        if name in destroyed:
            if shred_file(target):
                shredded.append(name)
            keys.local.pop(name, None)
            continue
        mine, other = keys.local.get(name), keys.remote.get(name)
        hm, ho, hb = _sha256(mine), _sha256(other), keys.base.get(name)
        if hm == ho or other is None or ho == hb:
            continue  # equal, or only we changed it (a deletion is a retention log's job)
        ours_entry = _open_entry(mine, ctx.identities)
        theirs_entry = _open_entry(other, ctx.identities)
        if ours_entry is None or theirs_entry is None:
            # Only they changed it, or we cannot read theirs: we were revoked there, and a
            # revocation wins.
            data = other
        elif hm == hb and _generations(ours_entry) <= _generations(theirs_entry):
            data = other  # only they changed it, and every key we hold is still in theirs
        else:
            # Both changed it, or theirs lacks a key generation we have (a stale key store
            # must never make data unreadable): merge.
            wanted = _policy_readers(ctx, keys, head, name, list(users.values()))
            entry = merge_entries(ours_entry, theirs_entry, wanted)
            recipients: list[age.Recipient] = [
                age.SshEd25519Recipient.from_openssh(users[uid].public_key)
                for uid in sorted(entry.readers)
                if uid in users
            ]
            data = age.encrypt(entry.to_bytes(), [*recipients, ctx.vault.keystore.recovery])
        atomic_write(target, data)
        keys.local[name] = data
        received += 1
    if received or shredded:
        # Key rings cache administratie keys: none may outlive a key shredded, or a reader
        # revoked, on another device. They are caches, rebuilt on each user's next list.
        shred_rings(ctx.vault.path)
    ctx.vault.keystore.forget()
    if invalidated:
        ctx.backups_destroyed += invalidated
        _fresh_backup(ctx, list(users.values()))
    return received, shredded


def _fresh_backup(ctx: _Context, users: Sequence[User]) -> None:
    """After backups were invalidated: a new backup of the remaining keys (as the sweep does),
    when this user may make one; either way a notice says what happened."""
    what = (
        f"{ctx.backups_destroyed} sleutelback-up(s) op dit apparaat onbruikbaar gemaakt: ze "
        "bevatten sleutels die volgens het bewaarlog zijn vernietigd."
    )
    me = find_by_key(users, sshkeys.public_line(ctx.key))
    if me is None or not access.may_manage(me):
        ctx.notice(f"{what} Laat de intern begeleider of directie een nieuwe back-up maken.")
        return
    keeper = Keeper(ctx.path, ctx.store, ctx.vault.keystore, me, ctx.key, users)
    ctx.new_backup = backup(keeper, ctx.today)
    ctx.notice(f"{what} Nieuwe back-up: {ctx.new_backup}.")


def _generations(entry: KeyEntry) -> set[str]:
    return {k.to_string() for k in entry.keys}


def _policy_readers(
    ctx: _Context, keys: _KeyStores, head: str | None, name: str, users: Sequence[User]
) -> frozenset[str] | None:
    """Who may read key entry `name` ("<pupil>/<part>") by the access policy, applied to the
    merged dossier at `head` (explicit removals win); None when this user cannot tell."""
    pupil_id, _, part = name.partition("/")
    entry = keys.entry(pupil_id, "administratie")
    if head is None or entry is None:
        return None
    prefix = f"{DOSSIERS}{pupil_id}/"
    admin, grants = ctx.store.read_many(
        [(head, f"{prefix}administratie.age"), (head, f"{prefix}{GRANTS_PART}.age")]
    )
    if admin is None:
        return None
    try:
        data = codec.load_fast((_decrypt(admin, entry) or b"").decode(), source=pupil_id)
        explicit = Grants.from_bytes(_decrypt(grants, entry) or b"") if grants else Grants()
    except (DossierError, VaultError):
        return None
    level = access.pupil_readers(users, access.betrokkenen_ids(data), explicit)
    return access.part_readers(part, users, level)


def _publish_keys(
    ctx: _Context, remote_commit: str | None, remote: Mapping[str, bytes], head: str | None
) -> dict[str, str] | None:
    """Replace the server's key-store ref with ours; returns the published hashes, or None
    when the server's ref moved meanwhile."""
    local = _local_entries(ctx.vault.keystore.root)
    hashes = {name: _sha256(data) or "" for name, data in local.items()}
    if hashes == {name: _sha256(data) for name, data in remote.items()}:
        return hashes
    root = ctx.vault.keystore.root.resolve()  # git runs in the scratch repository
    names = sorted(local)
    paths = "".join(f"{root / name}.age\n" for name in names).encode()
    shas = _ok(_git(ctx.scratch, "hash-object", "-w", "--stdin-paths", data=paths), "Sleutels")
    index = {"GIT_INDEX_FILE": str(ctx.scratch.resolve() / "sleutels.index")}
    info = "".join(
        f"100644 {sha}\t{name}.age\n"
        for name, sha in zip(names, shas.decode().split(), strict=True)
    )
    _ok(_git(ctx.scratch, "read-tree", "--empty", env=index), "Sleutels")
    _ok(
        _git(ctx.scratch, "update-index", "--index-info", data=info.encode(), env=index), "Sleutels"
    )
    tree = _ok(_git(ctx.scratch, "write-tree", env=index), "Sleutels").decode().strip()
    user = ctx.vault.user
    commit = _signed_commit(ctx.scratch, tree, [], "Sleutelkluis", user, ctx.key)
    lease = f"--force-with-lease={KEYSTORE_REF}:{remote_commit or ''}"
    done = _git(ctx.scratch, "push", "-q", lease, ctx.url, f"{commit}:{KEYSTORE_REF}")
    return hashes if done.returncode == 0 else None


# --------------------------------------------------------------------------- merge commit


def _merge_commit(
    ctx: _Context,
    keys: _KeyStores,
    base: str | None,
    ours: str | None,
    theirs: str,
    choices: Choices,
) -> None:
    """Merge `theirs` into our `main` as one signed two-parent commit, or raise on conflicts."""
    assert ours is not None
    trees = [_tree(ctx.path, rev) for rev in (base, ours, theirs)]
    tb, to, tt = trees
    changes: dict[str, bytes | None] = {}
    both: list[str] = []
    taken: dict[str, str] = {}  # path -> their blob, where only they changed it
    for path in sorted(set(tb) | set(to) | set(tt)):
        b, o, t = tb.get(path), to.get(path), tt.get(path)
        if o == t or b == t:
            continue
        if b != o:
            both.append(path)
        elif t is None:
            changes[path] = None
        else:
            taken[path] = t
    changes.update(zip(taken, _blobs(ctx.path, list(taken.values())), strict=True))
    destroyed = _destroyed(ctx, ours) | _destroyed(ctx, theirs)
    conflicts: list[PartConflict] = []
    plain: dict[tuple[str, str], bytes] = {}
    summaries: set[str] = set()
    for path in both:
        read = [ctx.store.read(path, rev) if rev else None for rev in (base, ours, theirs)]
        where = split_part_path(path)
        if where is None:
            changes[path] = _merge_vault_file(ctx, path, read)
            continue
        pupil_id, file_part = where
        if f"{pupil_id}/{_key_part(file_part)}" in destroyed:
            changes[path] = None  # destroyed: no edit of either side brings it back
            if file_part != SUMMARY_PART:
                _report_dropped(ctx, pupil_id, file_part, mine=read[1] is not None)
                summaries.add(pupil_id)  # derived data of the dropped edit must go too
            continue
        if file_part == SUMMARY_PART:
            summaries.add(pupil_id)
            continue
        entry = keys.entry(pupil_id, _key_part(file_part))
        if entry is None or read[1] is None or read[2] is None:
            raise SyncError(
                f"Het deel '{file_part}' van leerling {pupil_id} is op beide apparaten gewijzigd "
                "(of op één apparaat verwijderd) en kan hier niet worden samengevoegd.",
                "Laat iemand met toegang tot deze leerling synchroniseren.",
            )
        texts = [_decrypt(blob, entry) for blob in read]
        try:
            text, left = merge_part_text(
                file_part,
                texts[0],
                texts[1] or b"",
                texts[2] or b"",
                choices.get((pupil_id, file_part), {}),
            )
        except DossierError as exc:
            raise CorruptError(f"Leerling {pupil_id}: {exc.message}") from exc
        conflicts += [PartConflict(pupil_id, file_part, c) for c in left]
        plain[(pupil_id, file_part)] = text
        changes[path] = age.encrypt(text, [entry.current.recipient()])
        summaries.add(pupil_id)
    if conflicts:
        ref = f"{CONFLICT_PREFIX}{theirs[:12]}"
        _ok(_git(ctx.path, "update-ref", ref, theirs), "De andere versie bewaren")
        raise SyncConflictError(conflicts, ref)
    for pupil_id in sorted(summaries):
        _recompute_summary(ctx, keys, pupil_id, ours, changes, plain)
    if SIGNERS_FILE in both or USERS_FILE in both:
        users_now = changes.get(USERS_FILE) or ctx.store.read(USERS_FILE, ours) or b""
        our_signers, their_signers = (ctx.store.read(SIGNERS_FILE, r) for r in (ours, theirs))
        changes[SIGNERS_FILE] = merge_signers(
            our_signers or b"", their_signers or b"", parse_users(users_now)
        )
    _commit_merge(ctx, ours, theirs, changes)


def _report_dropped(ctx: _Context, pupil_id: str, file_part: str, *, mine: bool) -> None:
    """Say that edits to a part the retention log records as destroyed were not merged."""
    whose = "Je wijzigingen" if mine else "Wijzigingen van een ander apparaat"
    ctx.notice(
        f"Let op: {whose} in het deel '{file_part}' van leerling {pupil_id} zijn niet "
        "overgenomen: dat deel is intussen vernietigd omdat de bewaartermijn verstreken is "
        "(zie het bewaarlog). Er is niets van teruggezet."
    )


def _merge_vault_file(ctx: _Context, path: str, read: Sequence[bytes | None]) -> bytes | None:
    """Merge a vault file outside `dossiers/` that both sides changed."""
    base, ours, theirs = read
    if path == LOG_FILE and ours is not None and theirs is not None:
        return merge_lines(ours, theirs)
    if path == USERS_FILE and ours is not None and theirs is not None:
        return merge_users(base, ours, theirs)
    if path == SIGNERS_FILE:
        return ours  # derived from users.yaml: recomputed after the merge
    if ours is not None and theirs is not None:
        with tempfile.TemporaryDirectory(dir=ctx.path / STATE_DIR) as tmp:
            files = [Path(tmp) / n for n in ("ons", "basis", "hun")]
            for file, data in zip(files, (ours, base or b"", theirs), strict=True):
                file.write_bytes(data)
            done = subprocess.run(
                ["git", "merge-file", "-p", *map(str, files)], capture_output=True
            )
        if done.returncode == 0:
            return done.stdout
    raise SyncError(
        f"Het kluisbestand '{path}' is op beide apparaten anders gewijzigd.",
        "Voer de wijziging op één apparaat opnieuw uit na het synchroniseren.",
    )


def _recompute_summary(
    ctx: _Context,
    keys: _KeyStores,
    pupil_id: str,
    ours: str,
    changes: dict[str, bytes | None],
    plain: Mapping[tuple[str, str], bytes],
) -> None:
    """Write a pupil's list summary for the merged dossier (it is derived, never merged)."""
    entry = keys.entry(pupil_id, "administratie")
    if entry is None:
        return
    texts: dict[str, str] = {}
    for part in access.PUPIL_PARTS:
        path = f"{DOSSIERS}{pupil_id}/{part}.age"
        if (pupil_id, part) in plain:
            texts[part] = plain[(pupil_id, part)].decode()
            continue
        blob = changes[path] if path in changes else ctx.store.read(path, ours)
        part_entry = keys.entry(pupil_id, part)
        if blob is not None and part_entry is not None:
            texts[part] = (_decrypt(blob, part_entry) or b"").decode()
    if "administratie" not in texts:
        return
    data = codec.load_fast(parts.join(texts), source=pupil_id)
    findings = checks.check(data, ctx.vault.route, ctx.today)
    text = summary.to_bytes(model.summarize(data, findings, ctx.today))
    changes[f"{DOSSIERS}{pupil_id}/{SUMMARY_PART}.age"] = age.encrypt(
        text, [entry.current.recipient()]
    )


def _commit_merge(
    ctx: _Context, ours: str, theirs: str, changes: Mapping[str, bytes | None]
) -> None:
    index = {"GIT_INDEX_FILE": str(ctx.path / STATE_DIR / "sync.index")}
    _ok(_git(ctx.path, "read-tree", ours, env=index), "Samenvoegen")
    rows = []
    for path, data in sorted(changes.items()):
        if data is None:
            rows.append(f"0 {_ZERO}\t{path}\n")
        else:
            rows.append(f"100644 {_write_blob(ctx.path, data)}\t{path}\n")
    info = "".join(rows).encode()
    _ok(_git(ctx.path, "update-index", "--index-info", data=info, env=index), "Samenvoegen")
    tree = _ok(_git(ctx.path, "write-tree", env=index), "Samenvoegen").decode().strip()
    (ctx.path / STATE_DIR / "sync.index").unlink(missing_ok=True)
    message = f"Samengevoegd met {theirs[:12]} van de server"
    commit = _signed_commit(ctx.path, tree, [ours, theirs], message, ctx.vault.user, ctx.key)
    _move_main(ctx, ours, commit)
