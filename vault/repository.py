"""The `Vault` facade: everything the CLI and the TUI do with a vault.

Layout of a vault folder (see docs/access.md):

    .zorgkluis/vault.yaml          school, route id, recovery recipient (committed)
    .zorgkluis/users.yaml          staff: id, naam, rol, public key (committed)
    .zorgkluis/allowed_signers     derived from users.yaml, for git verify-commit (committed)
    dossiers/<pupil-id>/<part>.age age files, each encrypted only to its part key (committed)
        administratie.age zorg.age okr.age werkaantekeningen/<user-id>.age
        samenvatting.age (the list summary) and toegang.age (explicit grants), both under the
        administratie key
    .git/zorgkluis/keystore/       part keys (see vault.keystore; never committed)
    .git/zorgkluis/ringen/         per-user key rings for fast lists (vault.keystore.KeyRing)
    .git/zorgkluis/vault.lock      serialises saves between processes
    .git/zorgkluis/audit.jsonl     audit log (vault.audit): dossier reads, exports, key exports

Plaintext only lives in memory: parts are decrypted from git objects and encrypted before
anything is written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import difflib
import fcntl
import hashlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_format import checks, codec, merge, model, parts, schema
from dossier_format.errors import DossierError
from dossier_format.findings import Finding
from dossier_format.model import PupilSummary
from dossier_format.routes import ROUTES_DIR, Route, load_route, parse_route
from vault import access, audit, summary
from vault.access import Grants
from vault.audit import AuditError, AuditLog, AuditRecord
from vault.crypto import age, sshkeys, sshsig
from vault.errors import (
    ChecksFailedError,
    ConcurrentEditError,
    CorruptError,
    IdentityError,
    InvalidDossierError,
    InvalidInputError,
    LockedError,
    NoAccessError,
    NotAVaultError,
    NotPermittedError,
    UnauthorisedChangeError,
    UnknownPupilError,
    UnknownUserError,
    UserExistsError,
    VaultError,
    VaultExistsError,
    WrongPassphraseError,
)
from vault.git_store import (
    CommitInfo,
    GitStore,
    GitStoreError,
    UnknownRevisionError,
    parse_allowed_signers,
)
from vault.git_store import LockedError as GitLockedError
from vault.keystore import KeyEntry, KeyRing, KeyStore, RingItem, atomic_write
from vault.users import (
    User,
    allowed_signers,
    dump_users,
    find_by_key,
    make_user,
    parse_users,
)

VAULT_FILE = ".zorgkluis/vault.yaml"
USERS_FILE = ".zorgkluis/users.yaml"
_STATE_BATCH = 100  # pupils whose files `check_all` reads in one git round trip
SIGNERS_FILE = ".zorgkluis/allowed_signers"
DOSSIERS = "dossiers"
CONFIG_DIR = ".zorgkluis"
ROUTE_FILE = ".zorgkluis/route.yaml"
"""A school's own route (`init --route eigen.yaml`), committed and signed with the vault."""
_RETENTION_LOG = ".zorgkluis/bewaarlog.jsonl"  # vault.retention.LOG_FILE (which imports us)
SUMMARY_PART = "samenvatting"
GRANTS_PART = "toegang"
VAULT_FORMAT = "zorgkluis-kluis/1"
STATE_DIR = Path(".git") / "zorgkluis"
RINGS_DIR = STATE_DIR / "ringen"
TRUST_FILE = STATE_DIR / "vertrouwen.json"
"""This device's pin of the vault: its first commit (the root of trust) and the newest commit
whose `.zorgkluis/` history was checked (`Vault.open` checks only what came after)."""
"""Per-user key rings (`vault.keystore.KeyRing`); the retention sweep destroys them all."""
LOCK_WAIT_SECONDS = 5.0
PASSPHRASE_ENV = "ZORGKLUIS_PASSPHRASE"
"""Environment variable with the key's passphrase, for scripts (and git's textconv)."""

_ADMIN = "administratie"
_FILE_PARTS_UNDER_ADMIN = (SUMMARY_PART, GRANTS_PART)
_PUPIL_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class SaveResult:
    """The outcome of `Vault.new` / `Vault.put`.

    Attributes:
        pupil_id: the (new) pupil's id.
        commit: the signed commit, or None when nothing changed.
        findings: all check findings of the saved text.
        merged: the edit was merged with changes saved since its `base` (by someone else,
            or by this user elsewhere); the saved text is the merge.
    """

    pupil_id: str
    commit: str | None
    findings: list[Finding]
    merged: bool = False


@dataclass(frozen=True)
class Versioned:
    """A dossier text and the commit it was read at (the `base` for `Vault.put`)."""

    text: str
    commit: str


@dataclass(frozen=True)
class Problem:
    """Something `Vault.verify` found.

    Attributes:
        sha: the commit concerned (for "corrupt": HEAD).
        kind: "unsigned", "bad_signature", "unknown_signer" (from the git layer),
            "unauthorised" (a validly signed commit its signer was not allowed to make, see
            docs/access.md §5), "corrupt" (a file at HEAD that does not decrypt with its part
            key) or "modified" (a work-tree file differs from HEAD).
        detail: technical detail (no pupil data: paths carry opaque ids only).
    """

    sha: str
    kind: str
    detail: str


@dataclass(frozen=True)
class Version:
    """One commit in a pupil's history.

    Attributes:
        commit: the commit sha.
        when: author date (timezone-aware).
        author_id: the signer's user id (or the commit's e-mail when the signer is unknown).
        author_name: the signer's name (or the commit's author name).
        signature: "goed" (valid, known signer), "ongeldig" (does not verify), "onbekend"
            (valid but not a known signer at that time) or "ontbreekt" (unsigned).
        message: the commit message.
    """

    commit: str
    when: datetime.datetime
    author_id: str
    author_name: str
    signature: str
    message: str


@dataclass
class _PupilState:
    """What this user can see of one pupil at one revision."""

    pupil_id: str
    files: dict[str, str] = field(default_factory=dict)  # file part -> path
    plain: dict[str, bytes] = field(default_factory=dict)  # readable file parts
    entries: dict[str, KeyEntry] = field(default_factory=dict)  # readable key parts

    @property
    def readable(self) -> bool:
        return _ADMIN in self.entries


@dataclass
class AuditScope:
    """One `Vault.audited` block: what it will record, and the reads made inside it.

    Attributes:
        part: the part(s) to record (comma-separated); the block may set it once known
            (for example the parts an export sends). None: the parts read.
        reason: the reason to record; the block may refine it.
        reads: pupil id -> parts decrypted inside the block.
    """

    part: str | None = None
    reason: str | None = None
    reads: dict[str, set[str]] = field(default_factory=dict)


def _grants(plain: Mapping[str, bytes]) -> Grants:
    """The explicit grants among a pupil's decrypted file parts (none yet: empty)."""
    data = plain.get(GRANTS_PART)
    return Grants.from_bytes(data) if data is not None else Grants()


class UserSigner:
    """Signs commits for the current user (git `Signer` protocol)."""

    def __init__(self, user: User, key: Ed25519PrivateKey) -> None:
        self.name = user.naam
        self.email = user.id
        self._key = key

    def sign(self, payload: bytes) -> bytes:
        return sshsig.sign(payload, self._key, "git")


def unlock_identity(path: Path, passphrase: bytes | None) -> Ed25519PrivateKey:
    """Load a personal OpenSSH Ed25519 private key.

    Args:
        path: the private key file.
        passphrase: its passphrase, or None for a key without one.

    Raises:
        IdentityError: the file is missing or not an OpenSSH Ed25519 private key.
        WrongPassphraseError: the passphrase is missing or wrong.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IdentityError(f"Kan de sleutel '{path}' niet lezen.") from exc
    try:
        if passphrase is None and sshkeys.needs_passphrase(data):
            raise WrongPassphraseError("Deze sleutel heeft een wachtwoord nodig.")
        return sshkeys.load_private(data, passphrase)
    except sshkeys.WrongPassphraseError as exc:
        raise WrongPassphraseError("Het wachtwoord van de sleutel klopt niet.") from exc
    except sshkeys.KeyFormatError as exc:
        raise IdentityError(f"'{path}' is geen OpenSSH Ed25519-sleutel.") from exc


def default_vault_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The vault folder: `explicit`, else env ZORGKLUIS_VAULT, else the current directory."""
    return Path(explicit or os.environ.get("ZORGKLUIS_VAULT") or Path.cwd())


def default_identity_path(
    explicit: str | os.PathLike[str] | None = None, fallback: Path | None = None
) -> Path:
    """The personal key file: `explicit`, else env ZORGKLUIS_IDENTITY, else `fallback`.

    Raises:
        IdentityError: none of them is given.
    """
    chosen = explicit or os.environ.get("ZORGKLUIS_IDENTITY") or fallback
    if not chosen:
        raise IdentityError("Er is geen persoonlijke sleutel opgegeven.")
    return Path(chosen)


def open_default(
    vault_path: str | os.PathLike[str] | None = None,
    identity_path: str | os.PathLike[str] | None = None,
    passphrase: bytes | None = None,
) -> Vault:
    """Open a vault for scripts: paths from arguments or env, passphrase from the argument or
    env ZORGKLUIS_PASSPHRASE (no prompting here; the UI prompts).

    Raises:
        IdentityError, WrongPassphraseError, NotAVaultError, UnknownUserError.
    """
    if passphrase is None and PASSPHRASE_ENV in os.environ:
        passphrase = os.environ[PASSPHRASE_ENV].encode()
    key = unlock_identity(default_identity_path(identity_path), passphrase)
    return Vault.open(default_vault_path(vault_path), key)


def check_pupil_id(pupil_id: str) -> str:
    """Return `pupil_id` when it is a well-formed opaque id (no paths, no names).

    Raises:
        InvalidInputError: the id has other characters than a-z, 0-9 and '-'.
    """
    if not (3 <= len(pupil_id) <= 64 and set(pupil_id) <= _PUPIL_ID_CHARS) or pupil_id[0] == "-":
        raise InvalidInputError(
            f"Ongeldig leerling-id '{pupil_id}'.", "Een leerling-id ziet eruit als ll-abc123…."
        )
    return pupil_id


def unified_diff(pupil_id: str, old_rev: str | None, old: str, new_rev: str, new: str) -> str:
    """A unified diff of two dossier texts, labelled with the (short) commits."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{pupil_id}@{old_rev[:10] if old_rev else 'leeg'}",
        tofile=f"{pupil_id}@{new_rev[:10]}",
    )
    return "".join(lines)


def _part_list(names: Iterable[str]) -> str | None:
    """Part names for an audit entry: sorted, comma-separated (None for none)."""
    return ",".join(sorted(names)) or None


def _key_part(file_part: str) -> str:
    """The key-store entry that encrypts a file part."""
    return _ADMIN if file_part in _FILE_PARTS_UNDER_ADMIN else file_part


def _decrypt(blob: bytes, entry: KeyEntry, what: str) -> bytes:
    try:
        return age.decrypt(blob, entry.keys)
    except age.AgeError as exc:
        raise CorruptError(f"{what} is beschadigd of hoort niet bij deze sleutel.") from exc


def _verify_signature(payload: bytes, signature: bytes, namespace: str) -> str:
    """`VerifyFn` for the git layer: the signer's public key line, or an exception."""
    return sshkeys.public_line(sshsig.verify(payload, signature, namespace))


def _read_trust(root: Path) -> dict[str, str]:
    """This device's pin of the vault (`TRUST_FILE`): {"begin": sha, "gecontroleerd": sha},
    or {} when there is none yet (or it is unreadable: then the history is checked again)."""
    try:
        data = json.loads((root / TRUST_FILE).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _write_trust(root: Path, first: str, checked: str) -> None:
    data = json.dumps({"begin": first, "gecontroleerd": checked}, sort_keys=True).encode()
    with contextlib.suppress(OSError):  # a read-only copy: checked again next time
        atomic_write(root / TRUST_FILE, data)


def _who(user: User) -> str:
    return f"{user.id} ({user.rol})"


class _Authorisation:
    """The history rules of docs/access.md §5 over a run of commits (oldest first).

    A commit is judged by the users of its parent as they count: the users of the last
    commit before it whose `.zorgkluis/` history is clean, so nobody gains rights from an
    unauthorised change (nor from a later commit that builds on one).

    Args:
        vault: the vault (its store, and its key store to read betrokkenen as of a parent).
        keys: the key that validly signed each commit (None or absent: unsigned or invalid).
        root: the pinned first commit; another parentless commit is unauthorised.
        dossiers: also check the dossier rules (`verify` and sync); off for `open`, which
            only acts on the settings.
        strict: an unsigned or unknown signer is a problem here too (`verify` reports those
            as signature problems already, so it passes False).
    """

    def __init__(
        self,
        vault: Vault,
        keys: Mapping[str, str | None],
        *,
        root: str | None,
        dossiers: bool,
        strict: bool,
    ) -> None:
        self.vault = vault
        self.store = vault._store
        self.keys = keys
        self.root = root
        self.dossiers = dossiers
        self.strict = strict
        self.users_cache: dict[str, list[User]] = {}
        self.effective: dict[str, list[User]] = {}
        self.tainted: set[str] = set()
        self.entries: dict[str, KeyEntry | None] = {}
        self.involved: dict[tuple[str, str], tuple[frozenset[str], Grants] | None] = {}
        self.unchecked = 0
        """Dossier changes that could not be judged: the checking user cannot read the pupil."""

    def users_at(self, sha: str) -> list[User]:
        return self.vault._users_at(sha, self.users_cache)

    def counted_users(self, sha: str) -> list[User]:
        """The users that count as of commit `sha` (see the class doc)."""
        found = self.effective.get(sha)
        return found if found is not None else self.users_at(sha)

    def run(self, commits: Iterable[tuple[str, tuple[str, ...], tuple[str, ...]]]) -> list[Problem]:
        problems: list[Problem] = []
        for sha, parents, paths in commits:
            details, config_ok = self.judge(sha, parents, paths)
            problems += [Problem(sha, "unauthorised", d) for d in details]
            tainted = not config_ok or any(p in self.tainted for p in parents)
            if tainted:
                self.tainted.add(sha)
                self.effective[sha] = (
                    self.counted_users(parents[0]) if parents else self.users_at(sha)
                )
            elif parents and len(parents) == 1 and USERS_FILE not in paths:
                self.effective[sha] = self.counted_users(parents[0])
            else:
                self.effective[sha] = self.users_at(sha)
        return problems

    def judge(
        self, sha: str, parents: tuple[str, ...], paths: tuple[str, ...]
    ) -> tuple[list[str], bool]:
        """The problems of one commit, and whether its `.zorgkluis/` change may count."""
        key = self.keys.get(sha)
        config = sorted(p for p in paths if p.startswith(CONFIG_DIR + "/"))
        if key is None:
            if self.strict and (config or self.dossiers or not parents):
                return ["deze wijziging is niet (geldig) ondertekend"], False
            return [], not config
        if not parents:
            if self.root is not None and sha != self.root:
                return [
                    "een tweede begin van de geschiedenis: deze kluisgeschiedenis begint niet "
                    f"bij de eerste versie die dit apparaat van de kluis kent ({self.root[:12]})"
                ], False
            signer = find_by_key(self.users_at(sha), key)
            if signer is None or not access.may_manage(signer):
                return ["de kluis is niet aangemaakt door directie of een intern begeleider"], False
            return [], True
        signers = [(p, find_by_key(self.counted_users(p), key)) for p in parents]
        known = [(p, u) for p, u in signers if u is not None]
        if not known:
            if any(find_by_key(self.users_at(p), key) for p in parents):
                return [
                    "ondertekend door een sleutel die alleen via een niet-toegestane wijziging "
                    "van de medewerkerslijst in de kluis kwam"
                ], not config
            if self.strict:
                return ["ondertekend door iemand die geen medewerker van de kluis was"], False
            return [], not config  # reported as an unknown signer already
        best: tuple[list[str], bool] | None = None
        for parent, signer in known:  # a merge counts when it is allowed as of either side
            details: list[str] = []
            config_ok = True
            if config and not access.may_manage(signer):
                left = [
                    p
                    for p in config
                    if len(parents) < 2 or not self.merge_adds_nothing(sha, parents, p)
                ]
                if left:
                    config_ok = False
                    details.append(
                        f"{_who(signer)} wijzigde {', '.join(left)}; alleen directie of een "
                        "intern begeleider mag de instellingen van de kluis (.zorgkluis/) "
                        "wijzigen (medewerkers, herstelsleutel, zorgroute)"
                    )
            if self.dossiers:
                details += self.dossier_details(sha, parent, signer, paths)
            if best is None or len(details) < len(best[0]):
                best = (details, config_ok)
            if not details:
                break
        assert best is not None
        return best

    def merge_adds_nothing(self, sha: str, parents: Sequence[str], path: str) -> bool:
        """A settings file a merge wrote itself holds nothing that was in neither side (how
        sync merges the user list, the allowed signers and the retention log)."""
        mine, *sides = self.store.read_many([(rev, path) for rev in (sha, *parents)])
        if mine is None or any(side is None for side in sides):
            return False
        if path == USERS_FILE:
            known = {u for side in sides for u in parse_users(side or b"")}
            return set(parse_users(mine)) <= known
        if path == SIGNERS_FILE:
            allowed = set().union(*(parse_allowed_signers(side or b"") for side in sides))
            return parse_allowed_signers(mine) <= allowed
        if path == _RETENTION_LOG:
            lines = {line for side in sides for line in (side or b"").splitlines()}
            return set(mine.splitlines()) <= lines
        return False

    def dossier_details(
        self, sha: str, parent: str, signer: User, paths: Sequence[str]
    ) -> list[str]:
        by_pupil: dict[str, list[str]] = {}
        for path in paths:
            bits = path.split("/")
            if bits[0] == DOSSIERS and len(bits) >= 3:
                by_pupil.setdefault(bits[1], []).append(path)
        details: list[str] = []
        manager = access.may_manage(signer)
        for pupil_id, files in sorted(by_pupil.items()):
            prefix = f"{DOSSIERS}/{pupil_id}/"
            others = []
            werk = [f for f in files if access.is_werkaantekeningen(f[len(prefix) :])]
            now = dict(zip(werk, self.store.read_many([(sha, f) for f in werk]), strict=True))
            for path in werk:
                author = access.werk_author(path[len(prefix) :].removesuffix(".age"))
                if author == signer.id or (manager and now[path] is None):
                    continue  # own notes; directie/IB may destroy them (retention)
                details.append(
                    f"{_who(signer)} wijzigde de werkaantekeningen van {author} bij leerling "
                    f"{pupil_id}; alleen de auteur zelf mag die wijzigen"
                )
            others = [f for f in files if f not in now]
            if not others or manager:
                continue
            admin_path, grants_path = prefix + f"{_ADMIN}.age", prefix + f"{GRANTS_PART}.age"
            admin_before, grants_before, admin_now = self.store.read_many(
                [(parent, admin_path), (parent, grants_path), (sha, admin_path)]
            )
            if admin_before is None:
                continue  # a new pupil: anyone may create one (`new`)
            if admin_now is None:
                details.append(
                    f"{_who(signer)} verwijderde het dossier van leerling {pupil_id}; alleen "
                    "directie of een intern begeleider mag dossiers verwijderen"
                )
                continue
            involved = self.involvement(pupil_id, admin_before, grants_before)
            if involved is None:
                self.unchecked += 1
                continue
            readers = access.pupil_readers(self.counted_users(parent), *involved)
            if signer.id not in readers:
                details.append(
                    f"{_who(signer)} wijzigde het dossier van leerling {pupil_id} zonder die "
                    "leerling te mogen lezen (niet betrokken en geen toegang gekregen)"
                )
        return details

    def involvement(
        self, pupil_id: str, admin: bytes, grants: bytes | None
    ) -> tuple[frozenset[str], Grants] | None:
        """Betrokkenen and explicit grants from a pupil's administratie and toegang files as
        they were; None when this user cannot read them."""
        cache_key = (hashlib.sha256(admin).hexdigest(), hashlib.sha256(grants or b"").hexdigest())
        if cache_key in self.involved:
            return self.involved[cache_key]
        if pupil_id not in self.entries:
            try:
                self.entries[pupil_id] = self.vault.keystore.read(
                    pupil_id, _ADMIN, self.vault._identities
                )
            except (NoAccessError, CorruptError):
                self.entries[pupil_id] = None
        entry = self.entries[pupil_id]
        result: tuple[frozenset[str], Grants] | None = None
        if entry is not None:
            try:
                admin_data = codec.load_fast(age.decrypt(admin, entry.keys).decode() or "{}")
                plain = {GRANTS_PART: age.decrypt(grants, entry.keys)} if grants else {}
                result = (access.betrokkenen_ids(admin_data), _grants(plain))
            except (age.AgeError, DossierError, UnicodeDecodeError, ValueError):
                result = None
        self.involved[cache_key] = result
        return result


@contextlib.contextmanager
def vault_lock(root: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the vault's save lock (`.git/zorgkluis/vault.lock`, an exclusive flock).

    Every change that writes the key store and commits (a save, access and user changes, and
    other vault modules' own changes) runs under it; the kernel releases it if the process dies.

    Args:
        root: the vault folder.
        wait: seconds to wait for another process before giving up.

    Raises:
        LockedError: another process held the lock for `wait` seconds.
    """
    path = root / STATE_DIR / "vault.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError("De kluis is bezet door een ander proces.") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


class Vault:
    """An opened vault for one staff member. Use `Vault.init` or `Vault.open`."""

    def __init__(
        self,
        path: Path,
        store: GitStore,
        key: Ed25519PrivateKey,
        *,
        durable: bool = True,
        allow_untrusted: bool = False,
    ) -> None:
        """Private: use `Vault.open` or `Vault.init`."""
        self.path = path
        self.durable = durable
        self._allow_untrusted = allow_untrusted
        self.untrusted: UnauthorisedChangeError | None = None
        """Set when the vault was opened with `allow_untrusted` and its settings came from an
        unauthorised commit: the vault is then read-only."""
        self.unchecked_changes = 0
        """After `verify`: dossier changes it could not judge (pupils this user cannot read)."""
        """Flush commits and audit entries to disk before returning (see `Vault.open`)."""
        self._store = store
        self._key = key
        self._identities: list[age.Identity] = [age.SshEd25519Identity(key)]
        self._head: str | None = None
        self._lock_depth = 0
        self._audit_local = threading.local()
        self.lock_wait = LOCK_WAIT_SECONDS
        """Seconds a save waits for another process's save before `LockedError`."""
        recovery = self._load_config()
        self.keystore = KeyStore(self.path / STATE_DIR / "keystore", recovery)
        self._ring = KeyRing(
            self._ring_path(self.user.id),
            self._identities,
            age.SshEd25519Recipient.from_openssh(self.user.public_key),
        )

    # ----------------------------------------------------------------- open / init

    @classmethod
    def open(
        cls,
        path: Path | str,
        identity_key: Ed25519PrivateKey,
        *,
        durable: bool = True,
        allow_untrusted: bool = False,
    ) -> Vault:
        """Open the vault at `path` as the user whose private key is `identity_key`.

        The vault's settings (users, recovery key, route) are used only when every commit
        that changed `.zorgkluis/` was allowed (docs/access.md §5): checked from the vault's
        first commit, pinned on this device at `init` or the first open of a clone, up to
        HEAD; later opens check only the commits since the last checked one.

        Args:
            path: the vault folder.
            identity_key: the user's private key.
            durable: flush every commit and audit entry to disk before a call returns
                (survives power loss).
                False is for tests and bulk imports that can be redone; a killed process
                still leaves a consistent vault either way.
            allow_untrusted: open a vault with an unauthorised settings change anyway, but
                read-only (`untrusted` says why; every save raises it): for `verify`.

        Raises:
            NotAVaultError: `path` is not an initialised vault.
            UnknownUserError: the key is not one of the vault's users.
            UnauthorisedChangeError: a commit changed `.zorgkluis/` without being allowed to,
                or the history does not start at the vault's pinned first commit.
        """
        root = Path(path)
        if not (root / ".git").is_dir():
            raise NotAVaultError(f"'{root}' is geen Zorgkluis-kluis.")
        return cls(
            root,
            GitStore(root, fsync=durable),
            identity_key,
            durable=durable,
            allow_untrusted=allow_untrusted,
        )

    @classmethod
    def init(
        cls,
        path: Path | str,
        *,
        school: str,
        route_id: str,
        user_id: str,
        name: str,
        ssh_public_key: str,
        recovery_key_out: Path,
        role: str = "intern_begeleider",
        identity: Ed25519PrivateKey,
        durable: bool = True,
    ) -> Vault:
        """Create a new vault with one first user and the school's recovery key.

        Args:
            path: a new or empty folder.
            school: the school's name.
            route_id: the zorgroute id (see `dossier_format.routes.available_routes`).
            user_id, name, role: the first user (must be directie or intern_begeleider, so
                someone can manage users and access).
            ssh_public_key: the first user's OpenSSH Ed25519 public key line.
            recovery_key_out: where the recovery key (`AGE-SECRET-KEY-1…`) is written once,
                mode 0600; the file must not exist.
            identity: the first user's private key (signs the first commit).
            durable: see `Vault.open`.

        Raises:
            VaultExistsError: `path` is not empty, or `recovery_key_out` exists.
            InvalidInputError: a bad route, user id, role or key.
            IdentityError: `identity` does not belong to `ssh_public_key`.
        """
        root = Path(path)
        if root.exists() and any(root.iterdir()):
            raise VaultExistsError(f"De map '{root}' is niet leeg.")
        out = Path(recovery_key_out)
        if out.exists():
            raise VaultExistsError(
                f"Het bestand '{out}' bestaat al.", "Kies een nieuw bestand voor de herstelsleutel."
            )
        if not school.strip():
            raise InvalidInputError("De naam van de school is leeg.")
        try:
            route = load_route(route_id)
        except DossierError as exc:
            raise InvalidInputError(f"Onbekende zorgroute '{route_id}': {exc.message}") from exc
        own_route: bytes | None = None
        if "/" in route_id or not (ROUTES_DIR / f"{route_id}.yaml").is_file():
            # A school's own route file: committed with the vault (signed, the same on every
            # device), never referred to by a path that only works in one folder.
            own_route = Path(route_id).read_bytes()
        user = make_user(user_id, name, role, ssh_public_key)
        if not access.may_manage(user):
            raise InvalidInputError(
                "De eerste medewerker moet directie of intern begeleider zijn.",
                "Gebruik --role directie of intern_begeleider.",
            )
        if find_by_key([user], sshkeys.public_line(identity)) is None:
            raise IdentityError("Je sleutel (--identity) past niet bij de openbare sleutel.")
        recovery = age.X25519Identity.generate()
        config = {
            "formaat": VAULT_FORMAT,
            "school": school.strip(),
            "route": route.id if own_route is not None else route_id,
            "herstelsleutel": recovery.recipient().to_string(),
        }
        if own_route is not None:
            config["routebestand"] = ROUTE_FILE
        atomic_write(
            out,
            (
                "# Zorgkluis herstelsleutel. Bewaar dit bestand offline en veilig;\n"
                "# het opent alle sleutels van de kluis.\n"
                f"{recovery.to_string()}\n"
            ).encode(),
        )
        store = GitStore.init(root, fsync=durable)
        files = {
            VAULT_FILE: yaml.safe_dump(config, allow_unicode=True, sort_keys=False).encode(),
            USERS_FILE: dump_users([user]),
            SIGNERS_FILE: allowed_signers([user]),
        }
        if own_route is not None:
            files[ROUTE_FILE] = own_route
        first = store.commit(files, "Kluis aangemaakt", UserSigner(user, identity))
        _write_trust(root, first, first)
        return cls(root, store, identity, durable=durable)

    def _load_config(self) -> age.X25519Recipient:
        """(Re)read vault.yaml and users.yaml from HEAD; find the current user.

        Returns the school's recovery recipient.
        """
        head = self._store.head()
        raw = self._store.read(VAULT_FILE, head) if head else None
        if raw is None:
            raise NotAVaultError(f"'{self.path}' is geen Zorgkluis-kluis.")
        assert head is not None
        self._check_trust(head)
        try:
            config = yaml.load(raw, Loader=yaml.CSafeLoader)
            self.school: str = str(config["school"])
            self.route_id: str = str(config["route"])
            self._route_file: str | None = config.get("routebestand")
            recovery = age.X25519Recipient.parse(config["herstelsleutel"])
        except (yaml.YAMLError, KeyError, TypeError, age.AgeError) as exc:
            raise CorruptError("Het kluisbestand (.zorgkluis/vault.yaml) is onleesbaar.") from exc
        self._users = parse_users(self._store.read(USERS_FILE, head) or b"")
        me = find_by_key(self._users, sshkeys.public_line(self._key))
        if me is None:
            raise UnknownUserError("Deze sleutel hoort niet bij een medewerker van deze kluis.")
        self.user: User = me
        self._head = head
        self._route: Route | None = None
        return recovery

    def _check_trust(self, head: str) -> None:
        """Use the settings at `head` only when every `.zorgkluis/` change up to it was
        allowed (docs/access.md §5), from this device's pinned first commit; only commits
        since the last checked one are looked at.

        Raises:
            UnauthorisedChangeError: not so (unless opened with `allow_untrusted`: then the
                vault is read-only, see `untrusted`).
        """
        pin = _read_trust(self.path)
        if pin.get("gecontroleerd") == head:
            return
        root = pin.get("begin")
        since = pin.get("gecontroleerd")
        if since is not None and not self._store.is_ancestor(since, head):
            since = None  # history rewritten (or pin damaged): check it all again
        if since is None:
            roots = self._store.root_commits(head)
            if root is None and len(roots) == 1:
                root = roots[0]  # a new clone: its first commit becomes the pin
            if root is None or roots != [root]:
                self._distrust(
                    [
                        Problem(
                            head,
                            "unauthorised",
                            "de geschiedenis begint niet bij de eerste "
                            "versie van deze kluis die dit apparaat kent",
                        )
                    ]
                )
                return
        commits = self._store.changes_in_order(head, since=since, paths=[CONFIG_DIR])
        keys = self._store.signer_keys([c[0] for c in commits], _verify_signature)
        judge = _Authorisation(self, keys, root=root, dossiers=False, strict=True)
        problems = judge.run(commits)
        if problems:
            self._distrust(problems)
            return
        assert root is not None
        self.untrusted = None
        _write_trust(self.path, root, head)

    def _distrust(self, problems: Sequence[Problem]) -> None:
        first = problems[0]
        error = UnauthorisedChangeError(
            "De instellingen van deze kluis (medewerkers, herstelsleutel of zorgroute) zijn "
            f"gewijzigd door een wijziging die niet was toegestaan (versie {first.sha[:12]}: "
            f"{first.detail}). Zorgkluis gebruikt ze niet.",
            problems=problems,
        )
        if not self._allow_untrusted:
            raise error
        self.untrusted = error

    def check_incoming(self, rev: str, since: str | None) -> None:
        """Refuse commits of `since..rev` (from another device) that break the history rules
        (docs/access.md §5), before anything of them is taken over.

        Dossier changes of pupils this user cannot read cannot be judged here; the user
        who can read them (directie, IB-er) sees them in `verify`.

        Raises:
            UnauthorisedChangeError: names the first such commit.
        """
        commits = self._store.changes_in_order(rev, since=since)
        keys = self._store.signer_keys([c[0] for c in commits], _verify_signature)
        root = _read_trust(self.path).get("begin")
        problems = _Authorisation(self, keys, root=root, dossiers=True, strict=True).run(commits)
        if problems:
            first = problems[0]
            raise UnauthorisedChangeError(
                f"De server bevat een wijziging die niet was toegestaan (versie "
                f"{first.sha[:12]}: {first.detail}). Er is niets overgenomen.",
                "Meld dit bij de intern begeleider of directie; de kluis op de server moet "
                "worden teruggezet naar de laatste goede versie.",
                problems=problems,
            )

    def _refresh(self) -> None:
        """Reload config and forget cached keys when another process committed."""
        if self._store.head() != self._head:
            self._load_config()
            self.keystore.forget()

    @property
    def route(self) -> Route:
        """The school's zorgroute (loaded on first use)."""
        if self._route is None:
            if self._route_file:
                text = self._store.read(ROUTE_FILE, self._head or "HEAD")
                if text is None:
                    raise CorruptError(f"De eigen zorgroute van de kluis ({ROUTE_FILE}) ontbreekt.")
                try:
                    self._route = parse_route(text.decode("utf-8"), source=ROUTE_FILE)
                except (DossierError, UnicodeDecodeError) as exc:
                    raise CorruptError(
                        f"De eigen zorgroute van de kluis ({ROUTE_FILE}) is onleesbaar: {exc}"
                    ) from exc
            else:
                self._route = load_route(self.route_id)
        return self._route

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the vault's save lock for a change of several steps (re-entrant).

        Everything that writes the key store or commits runs under it (`vault_lock`); vault
        modules that change the vault in several steps (a retention sweep) hold it around all
        of them. Inside, the vault is refreshed from HEAD first, and git failures become a
        `VaultError` (nothing was half saved).

        Raises:
            LockedError: another process kept the vault busy for `lock_wait` seconds.
            VaultError: the git store failed.
        """
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with vault_lock(self.path, self.lock_wait):
            self._lock_depth = 1
            try:
                self._refresh()
                if self.untrusted is not None:
                    raise self.untrusted
                yield
            except GitLockedError as exc:
                raise LockedError("De kluis is bezet door een ander proces.") from exc
            except GitStoreError as exc:
                raise VaultError(
                    "Opslaan in de git-opslag is mislukt; er is niets half opgeslagen.",
                    f"Technische melding: {exc}",
                ) from exc
            finally:
                self._lock_depth = 0

    def _signer(self) -> UserSigner:
        return UserSigner(self.user, self._key)

    # ----------------------------------------------------------------- users

    def users(self) -> list[User]:
        """All staff members of the vault, sorted by id."""
        return sorted(self._users, key=lambda u: u.id)

    def _require_manager(self) -> None:
        if not access.may_manage(self.user):
            raise NotPermittedError(
                "Alleen directie en intern begeleiders mogen medewerkers en toegang beheren."
            )

    def add_user(self, user_id: str, naam: str, rol: str, public_key: str) -> User:
        """Add a staff member (directie/IB-er only).

        A new directie/IB-er gets access to every pupil; anyone else to the pupils that already
        list them as betrokkene (so a dossier may name a colleague before they have a key).

        Raises:
            NotPermittedError: the current user may not manage users.
            UserExistsError: the id or key is already in use.
            InvalidInputError: a bad id, name, role or key.
        """
        self._require_manager()
        new = make_user(user_id, naam, rol, public_key)
        with self.lock():
            if any(u.id == new.id for u in self._users):
                raise UserExistsError(f"Er is al een medewerker met id '{new.id}'.")
            if find_by_key(self._users, new.public_key) is not None:
                raise UserExistsError("Deze sleutel is al van een andere medewerker.")
            message = f"Medewerker {new.id} toegevoegd ({new.rol})"
            self._change_users([*self._users, new], message)
        return new

    def remove_user(self, user_id: str) -> None:
        """Remove a staff member and rotate every part key they could read.

        Their old commits stay verifiable (signers are checked as of each commit's parent).

        Raises:
            NotPermittedError: the current user may not manage users, or this would leave no
                directie/IB-er.
            UnknownUserError: no such user.
        """
        self._require_manager()
        with self.lock():
            if not any(u.id == user_id for u in self._users):
                raise UnknownUserError(f"Er is geen medewerker met id '{user_id}'.")
            users = [u for u in self._users if u.id != user_id]
            if not any(access.may_manage(u) for u in users):
                raise NotPermittedError(
                    "De kluis moet minstens één directielid of intern begeleider houden."
                )
            message = f"Medewerker {user_id} verwijderd; sleutels vernieuwd"
            self._change_users(users, message)

    def _change_users(self, users: list[User], message: str) -> None:
        """Commit a new user list and bring every pupil's key entries in line with it in the
        same commit: a new directie/IB-er, or a new user already listed as betrokkene, is
        added; a removed user is rotated out."""
        previous = self._store.read(SIGNERS_FILE) or b""
        changes: dict[str, bytes | None] = {
            USERS_FILE: dump_users(users),
            SIGNERS_FILE: allowed_signers(users, previous),
        }
        old = self._users
        self._users = users
        try:
            for pupil_id in self._pupil_ids():
                self._write_pupil(self._state(pupil_id), {}, changes)
            self._commit(changes, message)
        except BaseException:
            self._users = old
            raise

    # ----------------------------------------------------------------- access

    def readers(self, pupil_id: str) -> list[User]:
        """The users who may read the pupil-level parts of `pupil_id`.

        Raises:
            UnknownPupilError, NoAccessError.
        """
        ids = self._pupil_readers(self._state(pupil_id).plain)
        return [u for u in self.users() if u.id in ids]

    def grant(self, pupil_id: str, user_id: str) -> None:
        """Give `user_id` access to `pupil_id` (directie/IB-er only).

        Raises:
            NotPermittedError, UnknownUserError, UnknownPupilError, NoAccessError.
        """
        self._change_grants(pupil_id, user_id, add=True)

    def revoke(self, pupil_id: str, user_id: str) -> None:
        """Take access to `pupil_id` away from `user_id` and rotate the pupil's part keys.

        Raises:
            NotPermittedError: not a manager, or the user is directie/IB-er (who see all).
            UnknownUserError, UnknownPupilError, NoAccessError.
        """
        self._change_grants(pupil_id, user_id, add=False)

    def _change_grants(self, pupil_id: str, user_id: str, *, add: bool) -> None:
        self._require_manager()
        target = next((u for u in self._users if u.id == user_id), None)
        if target is None:
            raise UnknownUserError(f"Er is geen medewerker met id '{user_id}'.")
        if not add and access.may_manage(target):
            raise NotPermittedError(
                "Directie en intern begeleiders zien alle leerlingen; hun toegang kan niet per "
                "leerling worden ingetrokken.",
                "Verwijder de medewerker met 'zorgkluis user remove' als dat nodig is.",
            )
        with self.lock():
            state = self._state(pupil_id)
            old = _grants(state.plain)
            new = old.grant(user_id) if add else old.revoke(user_id)
            changes: dict[str, bytes | None] = {}
            self._write_pupil(state, {GRANTS_PART: new.to_bytes()}, changes)
            verb = "toegang gegeven aan" if add else "toegang ingetrokken voor"
            self._commit(changes, f"Dossier {pupil_id}: {verb} {user_id}")

    def _pupil_readers(self, plain: Mapping[str, bytes]) -> frozenset[str]:
        """Pupil-level readers given the decrypted administratie and toegang parts."""
        admin = codec.load_fast(plain.get(_ADMIN, b"").decode() or "{}")
        return access.pupil_readers(self._users, access.betrokkenen_ids(admin), _grants(plain))

    # ----------------------------------------------------------------- reading

    def _pupil_dir(self, pupil_id: str) -> str:
        return f"{DOSSIERS}/{check_pupil_id(pupil_id)}/"

    def _pupil_ids(self, rev: str = "HEAD") -> list[str]:
        return sorted(self._store.list_dir(DOSSIERS, rev))

    def _files(self, pupil_id: str, rev: str) -> dict[str, str]:
        """File part -> path of a pupil's files at `rev` (werkaantekeningen one level down)."""
        prefix = self._pupil_dir(pupil_id)
        files = {}
        names = self._store.list_dir(prefix, rev)
        sub = access.WERK_PREFIX
        if sub.rstrip("/") in names:
            names += [sub + n for n in self._store.list_dir(prefix + sub, rev)]
        for name in names:
            if name.endswith(".age"):
                files[name[: -len(".age")]] = prefix + name
        return files

    def _state(self, pupil_id: str, rev: str = "HEAD") -> _PupilState:
        """Decrypt everything this user may see of a pupil at `rev`.

        Raises:
            UnknownPupilError: no such pupil at `rev`.
            NoAccessError: the user cannot read the pupil-level parts.
            CorruptError: a readable file does not decrypt.
        """
        state, readable = self._open_state(pupil_id, rev)
        blobs = self._store.read_many([(rev, state.files[p]) for p in readable])
        return self._fill_state(state, readable, blobs)

    def _listing(
        self, folders: Mapping[str, str], pupil_ids: Sequence[str]
    ) -> dict[str, dict[str, tuple[str, str]]]:
        """File part -> (path, blob id) for each pupil, as `_files` at the commit `folders`
        was listed from (`list_dir_ids(DOSSIERS)`); trees read by id in two git exchanges."""
        present = [p for p in pupil_ids if p in folders]
        sub = access.WERK_PREFIX
        out: dict[str, dict[str, tuple[str, str]]] = {}
        below: list[tuple[str, str]] = []  # (pupil id, werkaantekeningen tree id)
        for pupil_id, tree in zip(
            present, self._store.read_trees([folders[p] for p in present]), strict=True
        ):
            prefix = self._pupil_dir(pupil_id)
            out[pupil_id] = {
                name[: -len(".age")]: (prefix + name, sha)
                for name, sha in (tree or {}).items()
                if name.endswith(".age")
            }
            if tree and sub.rstrip("/") in tree:
                below.append((pupil_id, tree[sub.rstrip("/")]))
        trees = self._store.read_trees([sha for _, sha in below])
        for (pupil_id, _), tree in zip(below, trees, strict=True):
            prefix = self._pupil_dir(pupil_id) + sub
            for name, sha in (tree or {}).items():
                if name.endswith(".age"):
                    out[pupil_id][sub + name[: -len(".age")]] = (prefix + name, sha)
        return out

    def _open_state(
        self, pupil_id: str, rev: str, files: dict[str, str] | None = None
    ) -> tuple[_PupilState, list[str]]:
        """First half of `_state`: the files and the key entries (no file read yet).

        `files` is the pupil's `_files` at `rev` when the caller listed them already.
        Returns the state and the file parts this user can read. Raises as `_state`.
        """
        state = _PupilState(pupil_id, self._files(pupil_id, rev) if files is None else files)
        if not state.files:
            raise UnknownPupilError(f"Er is geen leerling met id '{pupil_id}'.")
        readable = []
        for file_part in state.files:
            key_part = _key_part(file_part)
            try:
                entry = self.keystore.read(pupil_id, key_part, self._identities)
            except NoAccessError:
                continue
            if entry is not None:  # None: shredded or never synced, unreadable for everyone
                state.entries[key_part] = entry
                readable.append(file_part)
        if not state.readable:
            raise NoAccessError("Je hebt geen toegang tot het dossier van deze leerling.")
        return state, readable

    @staticmethod
    def _fill_state(
        state: _PupilState, readable: Sequence[str], blobs: Sequence[bytes | None]
    ) -> _PupilState:
        """Second half of `_state`: decrypt the blobs read for `readable`. Raises CorruptError."""
        for file_part, blob in zip(readable, blobs, strict=True):
            if blob is not None:
                entry = state.entries[_key_part(file_part)]
                state.plain[file_part] = _decrypt(blob, entry, f"'{state.files[file_part]}'")
        return state

    def _remember_ring_entries(self, pupil_ids: Iterable[str]) -> None:
        """Hand the key store the administratie entries the user's key ring already holds
        (when the entry file is unchanged since), so they are not unwrapped again."""
        ring = self._ring.load()
        for pupil_id in pupil_ids:
            item = ring.get(pupil_id)
            if item is None or item.entry_text is None:
                continue
            if item.token != self.keystore.token(pupil_id, _ADMIN):
                continue  # changed since (e.g. a revocation): open it from the store
            try:
                self.keystore.remember(pupil_id, _ADMIN, item.entry())
            except CorruptError:
                continue  # a damaged ring is only a cache

    def _states_in_batches(self, pupil_ids: Sequence[str]) -> Iterator[_PupilState]:
        """`_state` at HEAD for each pupil in turn, reading the folders and files of up to
        `_STATE_BATCH` pupils in three git round trips (instead of two per pupil), by object
        id: HEAD's `dossiers/` folder is listed once, so every state is of the same commit.

        The outcome is that of calling `_state` one pupil at a time: states come in order and
        an error is raised only after the states of the pupils before it were yielded.
        """
        folders = self._store.list_dir_ids(DOSSIERS)
        for start in range(0, len(pupil_ids), _STATE_BATCH):
            batch = pupil_ids[start : start + _STATE_BATCH]
            listed = self._listing(folders, batch)
            opened: list[tuple[_PupilState, list[str]]] = []
            failure: Exception | None = None
            for pupil_id in batch:
                files = {part: path for part, (path, _) in listed.get(pupil_id, {}).items()}
                try:
                    opened.append(self._open_state(pupil_id, "HEAD", files))
                except Exception as exc:  # raised after the pupils before it, as one by one
                    failure = exc
                    break
            wanted = [listed[state.pupil_id][p][1] for state, readable in opened for p in readable]
            blobs = iter(self._store.read_blobs(wanted))
            for state, readable in opened:
                own = [next(blobs) for _ in readable]
                yield self._fill_state(state, readable, own)
            if failure is not None:
                raise failure

    @staticmethod
    def _join(state: _PupilState) -> str:
        texts = {p: t.decode() for p, t in state.plain.items() if p not in _FILE_PARTS_UNDER_ADMIN}
        return parts.join(texts, trusted=True)

    def show(self, pupil_id: str, *, reason: str | None = None) -> str:
        """The whole dossier YAML this user may see (other authors' werkaantekeningen left out).

        The read is recorded in the audit log (one entry: pupil, parts, `reason`), or as part
        of the surrounding `audited` block.

        Raises:
            InvalidInputError: a malformed id.
            UnknownPupilError: no such pupil.
            NoAccessError: the user may not read this pupil.
            CorruptError: stored data is damaged.
            VaultError: the audit log cannot be written (nothing is returned).
        """
        self._refresh()
        state = self._state(pupil_id)
        text = self._join(state)
        self._record_read(pupil_id, state.plain, reason)
        return text

    def show_versioned(self, pupil_id: str, *, reason: str | None = None) -> Versioned:
        """Like `show`, with the commit the text was read at: an editor passes it to `put`
        as `base`, so a save never silently undoes what a colleague saved meanwhile.

        Raises:
            As `show`.
        """
        self._refresh()
        head = self._store.head()
        if head is None:
            raise UnknownPupilError(f"Er is geen leerling met id '{pupil_id}'.")
        state = self._state(pupil_id, head)
        text = self._join(state)
        self._record_read(pupil_id, state.plain, reason)
        return Versioned(text, head)

    def show_at(self, pupil_id: str, commit: str, *, reason: str | None = None) -> str:
        """Like `show`, at an earlier commit (older key generations are tried); audited with
        the version in the reason."""
        self._refresh()
        rev = self._resolve(commit)
        state = self._state(pupil_id, rev)
        text = self._join(state)
        version = f"versie {rev[:10]}"
        self._record_read(pupil_id, state.plain, f"{reason} ({version})" if reason else version)
        return text

    def list_pupils(self) -> list[PupilSummary]:
        """Summaries of the pupils this user may see, sorted by achternaam, voornaam.

        Only the small encrypted summaries are read, never whole dossiers, and through the
        user's key ring (`vault.keystore.KeyRing`): an unchanged key-store entry is not opened
        again and an unchanged summary not decrypted again, so a list costs one `ssh-ed25519`
        unwrap however many pupils there are. Not audited: a list is not a dossier read
        (docs/retention.md).

        Raises:
            CorruptError: a key-store entry or summary is damaged.
        """
        self._refresh()
        ring = self._ring.load()
        folders = self._store.list_dir_ids(DOSSIERS)
        items: dict[str, RingItem] = {}
        changed = len(folders) != len(ring)
        for pupil_id in sorted(folders):
            token = self.keystore.token(pupil_id, _ADMIN)
            if token is None:
                continue  # shredded, or not synced yet: unreadable for everyone
            item = ring.get(pupil_id)
            if item is None or item.token != token:
                try:
                    entry = self.keystore.read(pupil_id, _ADMIN, self._identities)
                except NoAccessError:
                    entry = None
                item = RingItem.of(token, entry)
                changed = True
            items[pupil_id] = item
        stale = [
            pid
            for pid, item in items.items()
            if item.entry_text is not None and (item.summary is None or item.folder != folders[pid])
        ]
        blobs = self._store.read_many(
            [("HEAD", f"{DOSSIERS}/{p}/{SUMMARY_PART}.age") for p in stale]
        )
        for pupil_id, blob in zip(stale, blobs, strict=True):
            item = items[pupil_id]
            changed = True
            item.folder = folders[pupil_id]
            if blob is None:
                item.summary = item.summary_hash = None
                continue
            digest = hashlib.sha256(blob).hexdigest()
            if item.summary is None or item.summary_hash != digest:
                entry = item.entry()
                self.keystore.remember(pupil_id, _ADMIN, entry)
                item.summary = _decrypt(blob, entry, f"Samenvatting {pupil_id}")
                item.summary_hash = digest
        if changed:
            self._ring.save(items)
        result = [
            summary.from_bytes(item.summary)
            for item in items.values()
            if item.entry_text is not None and item.summary is not None
        ]
        return sorted(result, key=lambda s: (s.achternaam, s.voornaam, s.id))

    def _ring_path(self, user_id: str) -> Path:
        return self.path / RINGS_DIR / f"{user_id}.age"

    def check(
        self, pupil_id: str, today: datetime.date | None = None, *, route: Route | None = None
    ) -> list[Finding]:
        """Run the route and protocol checks on the dossier as this user sees it (audited as
        one read with reason "controle").

        Args:
            pupil_id: the pupil.
            today: the date to check against (default today).
            route: the route to check with (default the vault's).

        Raises:
            UnknownPupilError, NoAccessError, CorruptError.
        """
        with self.audited("ontsleuteld", pupil_id=pupil_id, reason="controle"):
            data = codec.load_fast(self.show(pupil_id), source=pupil_id)
        return checks.check(data, route or self.route, today or datetime.date.today())

    def check_all(
        self, today: datetime.date | None = None, *, route: Route | None = None
    ) -> dict[str, list[Finding]]:
        """Run the checks on every dossier this user may read (pupil id -> findings).

        Cheaper than `check` per pupil: the parts are parsed one by one (no joined text to
        parse again) and the audit entries (one per pupil, reason "controle") are written
        together at the end.

        Raises:
            CorruptError: a dossier's stored data is damaged.
        """
        day = today or datetime.date.today()
        chosen = route or self.route
        out: dict[str, list[Finding]] = {}
        with self.audited("ontsleuteld", reason="controle"):
            pupils = [pupil.id for pupil in self.list_pupils()]
            self._remember_ring_entries(pupils)
            for state in self._states_in_batches(pupils):
                data: dict[str, object] = {}
                for file_part, text in state.plain.items():
                    if file_part in _FILE_PARTS_UNDER_ADMIN:
                        continue
                    try:
                        data.update(codec.load_fast(text.decode(), source=state.pupil_id))
                    except (DossierError, UnicodeDecodeError) as exc:
                        raise CorruptError(
                            f"Het dossier van {state.pupil_id} is onleesbaar."
                        ) from exc
                self._record_read(state.pupil_id, state.plain, "controle")
                out[state.pupil_id] = checks.check(data, chosen, day)
        return out

    # ----------------------------------------------------------------- saving

    def new(
        self, yaml_text: str, *, override: str | None = None, today: datetime.date | None = None
    ) -> SaveResult:
        """Store a new pupil's dossier; the creator is granted access if not betrokken.

        Raises:
            InvalidInputError: broken YAML or schema errors (nothing saved).
            ChecksFailedError: check errors and no `override` (nothing saved).
            LockedError: another process kept the vault busy.
        """
        pupil_id = model.new_pupil_id()
        try:
            doc = codec.load(yaml_text)
        except DossierError as exc:
            raise InvalidDossierError([exc]) from exc
        leerling = doc.get("leerling")
        if isinstance(leerling, dict):
            leerling["id"] = pupil_id
            yaml_text = codec.dump(doc)
        with self.lock():
            return self._save(_PupilState(pupil_id), yaml_text, override, today, created=True)

    def put(
        self,
        pupil_id: str,
        yaml_text: str,
        *,
        override: str | None = None,
        today: datetime.date | None = None,
        base: str | None = None,
        choices: Mapping[str, merge.Choice] | None = None,
    ) -> SaveResult:
        """Save a new version of a pupil's dossier as one signed commit.

        Only parts whose plaintext changed are re-encrypted. Other authors' werkaantekeningen
        are left untouched; the text may not contain werkaantekeningen of another author.

        With `base` (the commit the edit started from, see `show_versioned`), changes saved
        to this dossier since then are kept: the edit is merged three-way with them
        (`dossier_format.merge`: entries by id, fields by key) and the merge is what is
        checked and saved (`SaveResult.merged`). Where both changed the same field the save
        is refused with `ConcurrentEditError`, unless `choices` says which side wins there.
        Without `base` the text replaces the dossier as it is now (the CLI's `put FILE`).

        Raises:
            InvalidInputError: broken YAML, schema errors, or another author's werkaantekeningen.
            ChecksFailedError: check errors and no `override` (nothing saved).
            ConcurrentEditError: a colleague changed the same fields since `base` (nothing
                saved).
            UnknownPupilError, NoAccessError, LockedError.
        """
        with self.lock():
            state = self._state(pupil_id)
            merged = False
            if base is not None:
                yaml_text, merged = self._merge_since(state, base, yaml_text, choices or {})
            result = self._save(state, yaml_text, override, today, created=False)
            return dataclasses.replace(result, merged=merged)

    def _merge_since(
        self, now: _PupilState, base: str, text: str, choices: Mapping[str, merge.Choice]
    ) -> tuple[str, bool]:
        """`text` (edited from the dossier at `base`) merged with what was saved since."""
        pupil_id = now.pupil_id
        head = self._store.head()
        start = self._resolve(base)
        if head is None or start == head:
            return text, False
        before = self._store.list_dir_ids(DOSSIERS, start).get(pupil_id)
        if before == self._store.list_dir_ids(DOSSIERS, head).get(pupil_id):
            return text, False  # nothing of this pupil changed since
        then = self._join(self._state(pupil_id, start)) if before is not None else ""
        current = self._join(now)
        if then == current:
            return text, False  # only parts this user cannot see changed
        try:
            result = merge.merge3(then, text, current, choices, source=pupil_id)
        except DossierError as exc:
            raise InvalidDossierError([exc]) from exc
        if result.conflicts:
            raise ConcurrentEditError(result.conflicts, head)
        return result.text, True

    def _save(
        self,
        state: _PupilState,
        text: str,
        override: str | None,
        today: datetime.date | None,
        *,
        created: bool,
    ) -> SaveResult:
        source = state.pupil_id
        try:
            data = codec.load_fast(text, source=source)
            problems = schema.validate(data, source=source, text=text)
            if problems:
                raise InvalidDossierError(problems)
            split = parts.split(text)
        except DossierError as exc:
            raise InvalidDossierError([exc]) from exc
        if data["leerling"]["id"] != state.pupil_id:
            raise InvalidInputError(
                f"leerling.id in de tekst ({data['leerling']['id']}) is niet {state.pupil_id}.",
                "Sla een dossier op onder zijn eigen leerling-id.",
            )
        today = today or datetime.date.today()
        findings = checks.check(data, self.route, today)
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = sum(1 for f in findings if f.severity == "warning")
        if override is not None and not override.strip():
            raise InvalidInputError("Een override heeft een reden nodig.")
        if override is not None:  # the reason goes into the commit message in plain text
            from dossier_format import privacy

            if found := privacy.reason_problems(override, data):
                raise InvalidInputError(privacy.reason_message(found), privacy.REASON_HINT)
        if errors and override is None:
            new_errors = self._new_errors(state, findings, today)
            if new_errors:
                raise ChecksFailedError(findings, new_errors)
        own_werk = parts.notes_part(self.user.id)
        for name in split:
            if access.is_werkaantekeningen(name) and name != own_werk:
                raise InvalidInputError(
                    "Je kunt alleen je eigen werkaantekeningen opslaan "
                    f"(auteur '{access.werk_author(name)}').",
                    "Zet bij je eigen aantekeningen 'auteur' op je eigen medewerker-id.",
                )
        targets: dict[str, bytes | None] = {
            name: split[name].encode() if name in split else None
            for name in (*access.PUPIL_PARTS, own_werk)
        }
        targets[SUMMARY_PART] = summary.to_bytes(model.summarize(data, findings, today))
        if created:
            readers = self._pupil_readers({_ADMIN: split.get(_ADMIN, "").encode()})
            if self.user.id not in readers:
                targets[GRANTS_PART] = Grants().grant(self.user.id).to_bytes()
        changes: dict[str, bytes | None] = {}
        self._write_pupil(state, targets, changes)
        if not changes:
            return SaveResult(state.pupil_id, None, findings)
        verb = "aangemaakt" if created else "bijgewerkt"
        message = f"Dossier {state.pupil_id} {verb}: {errors} fout(en), {warnings} waarschuwing(en)"
        trailers = [f"Override: {' '.join(override.split())}"] if override is not None else []
        return SaveResult(state.pupil_id, self._commit(changes, message, trailers), findings)

    def _new_errors(
        self, state: _PupilState, findings: Sequence[Finding], today: datetime.date
    ) -> list[Finding]:
        """The errors in `findings` that the dossier as saved now does not have already.

        An error someone saved with an override reason (or that arrived by import) does not
        ask every later editor for a reason again: only what a save adds needs one. Errors
        are matched by rule and place (`Finding.rule`, `Finding.path`); a new pupil has none.
        """
        errors = [f for f in findings if f.severity == "error"]
        if not state.plain:
            return errors
        try:
            before = codec.load_fast(self._join(state), source=state.pupil_id)
        except DossierError:
            return errors
        known = {(f.rule, f.path) for f in checks.check(before, self.route, today)}
        return [f for f in errors if (f.rule, f.path) not in known]

    def _write_pupil(
        self,
        state: _PupilState,
        targets: Mapping[str, bytes | None],
        changes: dict[str, bytes | None],
    ) -> None:
        """Plan and apply the key-store changes for new part texts; collect file changes.

        Key entries are rewritten for the readers the policy now gives; when someone lost
        access the part key is rotated and the current files are re-encrypted to the new key.
        Key-store files are written before the commit: a crash in between leaves an unused
        key generation or an extra reader, never an unreadable file.

        Args:
            state: the pupil as this user sees it now (empty for a new pupil).
            targets: new plaintext per file part (None = delete); absent = keep.
            changes: receives the git changes (path -> ciphertext or None).
        """
        plain = {**state.plain, **{k: v for k, v in targets.items() if v is not None}}
        for name, value in targets.items():
            if value is None:
                plain.pop(name, None)
        pupil_level = self._pupil_readers(plain)
        by_id = {u.id: u for u in self._users}
        prefix = f"{DOSSIERS}/{state.pupil_id}/"
        own_werk = parts.notes_part(self.user.id)
        touched_keys = {_key_part(p) for p in plain} | {
            k for k in state.entries if k == own_werk or not access.is_werkaantekeningen(k)
        }
        for key_part in sorted(touched_keys):
            if access.is_werkaantekeningen(key_part) and key_part != own_werk:
                continue  # never touch another author's notes
            wanted = access.part_readers(key_part, self._users, pupil_level)
            old = state.entries.get(key_part)
            rotated = old is not None and bool(old.readers - wanted)
            if old is None:
                entry = KeyEntry.new(wanted)
            elif rotated:
                entry = old.rotated(wanted)
                for user_id in old.readers - wanted:  # their ring may hold this key
                    self._ring_path(user_id).unlink(missing_ok=True)
            elif old.readers != wanted:
                entry = old.with_readers(wanted)
            else:
                entry = old
            for file_part in sorted(plain):
                if _key_part(file_part) != key_part:
                    continue
                text = plain[file_part]
                if rotated or text != state.plain.get(file_part) or file_part not in state.files:
                    changes[prefix + file_part + ".age"] = age.encrypt(
                        text, [entry.current.recipient()]
                    )
            for file_part, path in state.files.items():
                if _key_part(file_part) == key_part and file_part not in plain:
                    changes[path] = None
            if entry is not old:
                recipients = [
                    age.SshEd25519Recipient.from_openssh(by_id[uid].public_key)
                    for uid in sorted(entry.readers)
                    if uid in by_id
                ]
                self.keystore.write(state.pupil_id, key_part, entry, recipients)
            state.entries[key_part] = entry

    def _commit(
        self, changes: Mapping[str, bytes | None], message: str, trailers: Sequence[str] = ()
    ) -> str:
        """Commit `changes` signed by this user; the message ends with `trailers` and the
        audit log's `Audit-Head:` anchor, so a cut-off audit log is noticed."""
        try:
            anchor = AuditLog.of_vault(self.path).anchor()
        except AuditError:
            anchor = ""  # a damaged log tail: `zorgkluis audit` reports it; saving goes on
        lines = [t for t in (*trailers, anchor) if t]
        if lines:
            message = message.rstrip("\n") + "\n\n" + "\n".join(lines)
        sha = self._store.commit(changes, message, self._signer())
        self._head = sha
        return sha

    def commit_files(self, changes: Mapping[str, bytes | None], message: str) -> str:
        """Commit vault files other than dossier parts as one signed commit, under the lock.

        For vault modules that keep their own records (reviews, retention logs, transfer
        keys). Dossier part files (`dossiers/...`) may only be deleted here, by directie or
        an intern begeleider (the retention sweep destroys expired parts); their content is
        written by `put` only. The caller guarantees that `changes` and `message` hold no
        plaintext pupil data. The message gets the audit-log anchor (see `vault.audit`).

        Raises:
            InvalidInputError: new content for a path under `dossiers/`.
            NotPermittedError: deleting dossier files without being directie/IB-er.
            LockedError: another process kept the vault busy.
        """
        for path, data in changes.items():
            if path.startswith(f"{DOSSIERS}/"):
                if data is not None:
                    raise InvalidInputError("Dossierbestanden worden alleen via opslaan gewijzigd.")
                self._require_manager()
        with self.lock():
            return self._commit(changes, message)

    def read_file(self, path: str, rev: str = "HEAD") -> bytes | None:
        """The committed bytes of `path` at `rev`, or None when it does not exist there.

        For the vault's own records (`.zorgkluis/...`); dossier part files come back as the
        age ciphertext they are stored as.

        Raises:
            VaultError: the git store cannot read it (unknown revision, damaged object).
        """
        try:
            return self._store.read(path, rev)
        except GitStoreError as exc:
            raise VaultError(f"Kan '{path}' niet lezen uit de geschiedenis.", str(exc)) from exc

    def head(self) -> str | None:
        """The current commit of the vault (None before the first commit)."""
        return self._store.head()

    def history(
        self,
        paths: Sequence[str] | None = None,
        *,
        rev: str = "HEAD",
        max_count: int | None = None,
        changed_paths: bool = True,
    ) -> list[CommitInfo]:
        """The commits of `rev`, newest first (only those touching `paths` when given).

        Commit messages and paths carry no pupil data, so no audit entry is made.

        Args:
            paths: only commits touching these paths.
            rev: where the history starts.
            max_count: at most this many commits.
            changed_paths: list each commit's changed paths (False is much cheaper for a
                long history).
        """
        return self._store.log(paths, max_count=max_count, rev=rev, changed_paths=changed_paths)

    def authors_and_paths(self, rev: str = "HEAD") -> list[tuple[str, str, tuple[str, ...]]]:
        """(commit, author id, changed paths) of every commit of `rev`, newest first: the
        cheap history walk for counts (see `GitStore.authors_and_paths`). No pupil data, so
        no audit entry."""
        return self._store.authors_and_paths(rev)

    @property
    def identities(self) -> tuple[age.Identity, ...]:
        """This user's age identities (their ssh key), to open files encrypted to them such
        as the transfer keys and backup keys. Reading dossier parts goes through `show`."""
        return tuple(self._identities)

    # ----------------------------------------------------------------- audit

    def audit(
        self,
        action: str,
        *,
        pupil_id: str | None = None,
        part: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Record one entry in the vault's audit log, signed by this user (see `vault.audit`).

        Args:
            action: one of `vault.audit.ACTIONS`.
            pupil_id: the pupil concerned, if one.
            part: the part(s) concerned, comma-separated, if any.
            reason: the reason the user gave, if asked.

        Raises:
            VaultError: the log cannot be written (unknown action, damaged last line).
        """
        self._audit_many([AuditRecord(action, pupil_id, part, reason)])

    def _audit_many(self, records: Sequence[AuditRecord]) -> None:
        """Append `records` under one lock and one flush (see `audit`)."""
        try:
            AuditLog.of_vault(self.path).append_many(
                actor=self.user,
                key=self._key,
                recipients=audit.reader_recipients(self._users, self.keystore.recovery),
                records=records,
                durable=self.durable,
            )
        except AuditError as exc:
            raise VaultError(
                f"Het auditlog kan niet worden bijgewerkt: {exc.message}",
                "Er is niets getoond of geëxporteerd. Draai 'zorgkluis audit' en laat de "
                "directie of intern begeleider het log herstellen.",
            ) from exc

    @contextlib.contextmanager
    def audited(
        self,
        action: str,
        *,
        pupil_id: str | None = None,
        part: str | None = None,
        reason: str | None = None,
    ) -> Iterator[AuditScope]:
        """Record a whole action (an export, a check, a review) as one audit entry per pupil,
        all written together (one flush).

        Reads inside the block (`show`, `show_at`, `diff`, ...) add no entries of their own;
        when the block ends, `action` is recorded for `pupil_id` and for every other pupil
        read inside it (part: `part`, else the parts read). When the block fails after
        reading, the reads are recorded as "ontsleuteld" with the reason that `action` was
        broken off. A nested block is part of the outer one (and yields the outer scope).

        Yields:
            The `AuditScope`, whose `part` and `reason` the block may still set.

        Raises:
            InvalidInputError: `action` is not one of `vault.audit.ACTIONS`.
            VaultError: the log cannot be written.
        """
        if action not in audit.ACTIONS:
            raise InvalidInputError(f"Onbekende auditactie '{action}'.")
        outer: AuditScope | None = getattr(self._audit_local, "scope", None)
        if outer is not None:
            yield outer
            return
        scope = AuditScope(part, reason)
        self._audit_local.scope = scope
        try:
            yield scope
        except BaseException:
            self._audit_local.scope = None
            broken = f"{audit.ACTIONS[action]}: afgebroken"
            self._audit_many(
                [
                    AuditRecord("ontsleuteld", pid, _part_list(names), broken)
                    for pid, names in sorted(scope.reads.items())
                ]
            )
            raise
        self._audit_local.scope = None
        if pupil_id is not None:
            scope.reads.setdefault(pupil_id, set())
        if not scope.reads:
            self.audit(action, part=scope.part, reason=scope.reason)
        self._audit_many(
            [
                AuditRecord(action, pid, scope.part or _part_list(names), scope.reason)
                for pid, names in sorted(scope.reads.items())
            ]
        )

    def _record_read(self, pupil_id: str, file_parts: Iterable[str], reason: str | None) -> None:
        """Audit a decryption handed to the user: inside `audited`, note it for that block;
        otherwise write one "ontsleuteld" entry now (before the plaintext is returned)."""
        names = {p for p in file_parts if p not in _FILE_PARTS_UNDER_ADMIN} or set(file_parts)
        scope: AuditScope | None = getattr(self._audit_local, "scope", None)
        if scope is not None:
            scope.reads.setdefault(pupil_id, set()).update(names)
            return
        self.audit("ontsleuteld", pupil_id=pupil_id, part=_part_list(names), reason=reason)

    # ----------------------------------------------------------------- history

    def log(self, pupil_id: str, *, max_count: int | None = None) -> list[Version]:
        """The versions (commits) of a pupil's dossier, newest first, with signature state.

        Args:
            pupil_id: the pupil.
            max_count: at most this many (newest) versions.

        Raises:
            UnknownPupilError, NoAccessError.
        """
        self._refresh()
        self._state(pupil_id)
        signers: dict[str, list[User]] = {}
        versions = []
        for info in self._store.log(
            [self._pupil_dir(pupil_id)], max_count=max_count, changed_paths=False
        ):
            state, signer = self._signature_state(
                info.signature, info.signed_payload, info.parents, info.sha, signers
            )
            versions.append(
                Version(
                    commit=info.sha,
                    when=info.when,
                    author_id=signer.id if signer else info.author_email,
                    author_name=signer.naam if signer else info.author_name,
                    signature=state,
                    message=info.message,
                )
            )
        return versions

    def _users_at(self, rev: str, cache: dict[str, list[User]]) -> list[User]:
        """The users at `rev`; `cache` keeps them by revision and by the file's content, so
        users.yaml is parsed once per distinct version of it, not once per commit."""
        if rev not in cache:
            raw = self._store.read(USERS_FILE, rev)
            by_content = "sha256:" + hashlib.sha256(raw or b"").hexdigest()
            if by_content not in cache:
                cache[by_content] = parse_users(raw) if raw else []
            cache[rev] = cache[by_content]
        return cache[rev]

    def _signature_state(
        self,
        signature: bytes | None,
        payload: bytes,
        parents: Sequence[str],
        sha: str,
        cache: dict[str, list[User]],
    ) -> tuple[str, User | None]:
        if signature is None:
            return "ontbreekt", None
        try:
            public = sshsig.verify(payload, signature, "git")
        except sshsig.SignatureError:
            return "ongeldig", None
        known = self._users_at(parents[0] if parents else sha, cache)
        signer = find_by_key(known, sshkeys.public_line(public))
        return ("goed", signer) if signer else ("onbekend", None)

    def diff(
        self,
        pupil_id: str,
        from_commit: str | None = None,
        to_commit: str | None = None,
        *,
        reason: str | None = None,
    ) -> str:
        """A unified diff of the decrypted dossier between two versions (one audit entry).

        Args:
            pupil_id: the pupil.
            from_commit: the old version; default the version before `to_commit` (or empty).
            to_commit: the new version; default the newest.
            reason: why, for the audit log.

        Raises:
            UnknownPupilError, NoAccessError, InvalidInputError (unknown commit).
        """
        new_rev = self._resolve(to_commit) if to_commit else None
        old_rev = self._resolve(from_commit) if from_commit else None
        if new_rev is None or not from_commit:
            # Only the newest two versions up to `to_commit` are needed, never the whole log.
            versions = [
                c.sha
                for c in self._store.log(
                    [self._pupil_dir(pupil_id)],
                    max_count=2,
                    rev=new_rev or "HEAD",
                    changed_paths=False,
                )
            ]
            if not versions:
                raise UnknownPupilError(f"Er is geen leerling met id '{pupil_id}'.")
            if new_rev is None:
                new_rev = versions[0]
            if not from_commit and versions[0] == new_rev and len(versions) > 1:
                old_rev = versions[1]
        versions_read = f"verschil {old_rev[:10] if old_rev else 'leeg'}..{new_rev[:10]}"
        with self.audited(
            "ontsleuteld",
            pupil_id=pupil_id,
            reason=f"{reason} ({versions_read})" if reason else versions_read,
        ):
            new_text = self.show_at(pupil_id, new_rev)
            old_text = self.show_at(pupil_id, old_rev) if old_rev else ""
        return unified_diff(pupil_id, old_rev, old_text, new_rev, new_text)

    def history_diffs(
        self, pupil_id: str, max_versions: int = 50, *, reason: str | None = None
    ) -> list[tuple[Version, str]]:
        """The newest versions of a pupil's dossier, each with its diff to the version before.

        What a history view needs, at a fraction of `log` plus one `diff` per version: one
        path-limited log, each version decrypted and joined once, and one audit entry for the
        whole view.

        Args:
            pupil_id: the pupil.
            max_versions: at most this many versions (newest first).
            reason: why, for the audit log.

        Raises:
            UnknownPupilError, NoAccessError, CorruptError.
        """
        versions = self.log(pupil_id, max_count=max_versions + 1)
        texts: dict[str, str] = {}
        with self.audited("ontsleuteld", pupil_id=pupil_id, reason=reason or "geschiedenis"):
            for version in versions:
                texts[version.commit] = self.show_at(pupil_id, version.commit)
        out = []
        for index, version in enumerate(versions[:max_versions]):
            older = versions[index + 1].commit if index + 1 < len(versions) else None
            old_text = texts[older] if older else ""
            new = version.commit
            out.append((version, unified_diff(pupil_id, older, old_text, new, texts[new])))
        return out

    def _resolve(self, rev: str) -> str:
        try:
            return self._store.resolve(rev)
        except UnknownRevisionError as exc:
            raise InvalidInputError(
                f"Onbekende versie '{rev}'.", "Zie 'zorgkluis log LEERLING'."
            ) from exc

    # ----------------------------------------------------------------- verify / keys

    def verify(self) -> list[Problem]:
        """Check every commit's signature and every file at HEAD.

        Returns problems, commits first: "unsigned", "bad_signature", "unknown_signer" (from
        the git layer: signed by a key allowed as of the parent commit); "unauthorised" (a
        commit its signer was not allowed to make, docs/access.md §5; dossier changes of
        pupils this user cannot read are not judged, their number is `unchecked_changes`
        afterwards); "corrupt" (a file this
        user can read does not decrypt with its part key, or a git object is damaged);
        "modified" (a work-tree file differs from HEAD: edited outside zorgkluis; the vault
        itself reads HEAD, so `git checkout -- FILE` repairs it). An empty list means the
        vault is sound as far as this user can see; files of parts the user cannot read are
        covered by git's object hashes and the signed commits only.
        """
        self._refresh()
        users_at: dict[str, list[User]] = {}

        def allowed_keys(sha: str) -> set[str]:
            # Signers come from users.yaml as of the basis commit: a removed user's key stays
            # in allowed_signers (time-limited, for plain git) but is not allowed here.
            return {f"ssh-ed25519 {u.key_blob}" for u in self._users_at(sha, users_at)}

        signers: dict[str, str] = {}
        checked = self._store.verify_commits(_verify_signature, allowed_keys, signers=signers)
        problems = [Problem(p.sha, p.kind, p.detail) for p in checked]
        judge = _Authorisation(
            self,
            signers,
            root=_read_trust(self.path).get("begin"),
            dossiers=True,
            strict=False,
        )
        problems += judge.run(self._store.changes_in_order())
        self.unchecked_changes = judge.unchecked
        head = self._store.head() or ""
        paths = [VAULT_FILE, USERS_FILE, SIGNERS_FILE]
        for pupil_id in self._pupil_ids():
            for file_part, path in self._files(pupil_id, "HEAD").items():
                paths.append(path)
                try:
                    entry = self.keystore.read(pupil_id, _key_part(file_part), self._identities)
                    blob = self._store.read(path)
                    if entry is not None and blob is not None:
                        _decrypt(blob, entry, path)
                except NoAccessError:
                    continue
                except CorruptError as exc:
                    problems.append(Problem(head, "corrupt", f"{path}: {exc.message}"))
                except GitStoreError as exc:
                    problems.append(
                        Problem(head, "corrupt", f"{path}: git-object onleesbaar: {exc}")
                    )
        for path, blob in zip(
            paths, self._store.read_many([("HEAD", p) for p in paths]), strict=True
        ):
            try:
                on_disk = (self.path / path).read_bytes()
            except OSError:
                on_disk = None
            if on_disk != blob:
                problems.append(Problem(head, "modified", f"{path}: wijkt af van de geschiedenis"))
        return problems

    def export_part_key(self, pupil_id: str, part: str) -> str:
        """The part's age identities (all generations, current last) for standard tools.

        The export is recorded in the vault's audit log (`vault.audit`).

        Raises:
            InvalidInputError: unknown part name.
            UnknownPupilError, NoAccessError.
        """
        self._refresh()
        if part not in access.PUPIL_PARTS and not access.is_werkaantekeningen(part):
            raise InvalidInputError(
                f"Onbekend deel '{part}'.",
                "Kies administratie, zorg, okr of werkaantekeningen/<medewerker-id>.",
            )
        if part not in self._files(pupil_id, "HEAD"):
            raise UnknownPupilError(f"Leerling '{pupil_id}' heeft geen deel '{part}'.")
        entry = self.keystore.read(pupil_id, part, self._identities)
        if entry is None:
            raise NoAccessError("De sleutel van dit deel bestaat niet (meer).")
        self.audit("sleutel-export", pupil_id=pupil_id, part=part)
        return "".join(k.to_string() + "\n" for k in entry.keys)

    def configure_textconv(self, command: str) -> None:
        """Set up git's `diff.zorgkluis.textconv` (cache off) for `*.age` in this clone.

        Args:
            command: the shell command git runs with a part file's path appended.
        """
        git = ["git", "-C", str(self.path), "config"]
        for key, value in (
            ("diff.zorgkluis.textconv", command),
            ("diff.zorgkluis.cachetextconv", "false"),
            ("diff.zorgkluis.binary", "true"),
        ):
            subprocess.run([*git, key, value], check=True, capture_output=True)
        attributes = self.path / ".git" / "info" / "attributes"
        line = "*.age diff=zorgkluis\n"
        existing = attributes.read_text() if attributes.exists() else ""
        if line not in existing:
            atomic_write(attributes, (existing + line).encode(), mode=0o644)

    def decrypt_blob(self, data: bytes, file_name: str) -> str:
        """Decrypt a part file given only its content and a file name (git textconv).

        The pupil is taken from `dossiers/<id>/...` in `file_name` when present; otherwise
        (git's temporary copies keep only the base name) the readable key entries of that part
        name are tried.

        Each decryption is recorded in the audit log (reason "git textconv").

        Raises:
            NoAccessError: no readable key opens it.
        """
        name = Path(file_name).as_posix()
        if f"{DOSSIERS}/" in name:
            pupil_id, rest = name.split(f"{DOSSIERS}/", 1)[1].split("/", 1)
            candidates = [pupil_id]
            file_part = rest.removesuffix(".age")
        else:  # git's temporary copy "<random>_<base name>": the pupil is unknown
            base = Path(name).name.split("_", 1)[-1].removesuffix(".age")
            known = (*access.PUPIL_PARTS, *_FILE_PARTS_UNDER_ADMIN)
            file_part = base if base in known else access.WERK_PREFIX + base
            candidates = self._pupil_ids()
        for pupil_id in candidates:
            try:
                entry = self.keystore.read(pupil_id, _key_part(file_part), self._identities)
            except (NoAccessError, CorruptError):
                continue
            if entry is None:
                continue
            try:
                plain = age.decrypt(data, entry.keys)
            except age.AgeError:
                continue
            self._record_read(pupil_id, [file_part], "git textconv")
            return plain.decode()
        raise NoAccessError("Je kunt dit bestand niet ontsleutelen.")
