"""The audit logs of all devices: published on every sync, checked on every fetch, shown together.

Each device (each clone of a vault) keeps its own audit log (`vault.audit`). This module makes
those logs travel with `zorgkluis sync` (docs/sync.md section 9) and gathers them for
`zorgkluis audit`:

* **Publish.** A log goes to the server as the ref `refs/zorgkluis/audit/<log-id>`, outside
  the dossier history: a chain of signed commits whose trees hold the log's lines, byte for
  byte, in chunk files `<first seq, 10 digits>.jsonl`. Every sync that has new lines adds one
  commit with one new chunk; nothing is ever force-pushed. The server sees what the log file
  already holds in clear (seq, hashes, the actor's staff id and public key, the signature) and
  ciphertext (each entry is age-encrypted to the directie, the IB-ers and the recovery key).
* **Fetch and check.** Every other log on the server is fetched and checked (hash chain, line
  signatures by staff of any version of the users file, commit signatures) and kept as a
  verified copy under the same ref name in the vault repository. A log that shrank, was
  rewritten or vanished on the server compared with what this device saw before (its copy,
  and the last seen head per log and server in `.git/zorgkluis/sync/audit.json`) is reported
  and not taken over; where the server lost lines this device still has, its copy is pushed
  back (fast-forward only).
* **Removal on the device.** `AuditLog` records the head of every log it writes in a file of
  its own; with the published copy that says what this device's log held. When the log lost
  lines (deleted, cut, rewritten), the next sync publishes a signed *melding* on the log's ref
  (a commit without new lines whose message has `Audit-Melding: <soort> <van> <tot>`), so every
  other device reports it too, and sets the cut log aside so that later entries start a new
  log that can be published.
* **Show.** `report` gives every entry the reader can decrypt from all logs (this device's
  files and the copies of all others), merged by time, with the log (device) it came from, and
  every problem found; `zorgkluis audit` exits 1 on any problem.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vault import _gitobjects as go
from vault.audit import (
    AuditEntry,
    AuditLog,
    AuditProblem,
    DeviceLog,
    anchors_with_ids,
    decrypt_lines,
    line_index,
    log_id_of,
    valid_prefix,
    verify_lines,
)
from vault.crypto import sshkeys, sshsig
from vault.errors import VaultError
from vault.git_store import CommitInfo, GitStore, GitStoreError
from vault.keystore import atomic_write
from vault.repository import USERS_FILE, Vault
from vault.users import User, parse_users

REF_PREFIX = "refs/zorgkluis/audit/"
"""Server and local ref of each log: `refs/zorgkluis/audit/<log-id>`."""

FETCH_PREFIX = "refs/zorgkluis/sync/audit/"
"""Where a sync fetches the server's logs to before checking them (removed afterwards)."""

STATE_FILE = Path(".git") / "zorgkluis" / "sync" / "audit.json"
"""The last seen head of every log per server, this device's log ids, server problems."""

LOCK_FILE = Path(".git") / "zorgkluis" / "sync" / "audit.lock"

LOSS = {
    "verwijderd": "verwijderd",
    "ingekort": "ingekort (de nieuwste regels zijn weggehaald)",
    "herschreven": "herschreven (regels zijn vervangen)",
}
"""How a device's log lost lines, as published in a melding."""

_ID_RE = re.compile(r"[0-9a-f]{16}")
_CHUNK_RE = re.compile(r"\d{10}\.jsonl")
_LOG_RE = re.compile(r"^Audit-Log: ([0-9a-f]{16})$", re.M)
_MELDING_RE = re.compile(r"^Audit-Melding: (verwijderd|ingekort|herschreven) (\d+) (\d+)$", re.M)
_STATE_FORMAT = "zorgkluis-auditsync/1"
_ZERO = "0" * 40

Progress = Callable[[str], None]


class AuditSyncError(VaultError):
    """Exchanging the audit logs with the server failed (the dossier sync itself is done)."""


@dataclass(frozen=True)
class LogProblem:
    """Something wrong with one of the audit logs.

    Attributes:
        log_id: the log concerned, or None.
        seq: the line concerned (0: the log as a whole).
        kind: an `AuditProblem` kind ("keten", "anker", ...); "verwijderd", "ingekort" or
            "herschreven" (a device's log lost lines: found here, or reported by that device);
            "server" (the server's copy of a log shrank, changed, vanished or is invalid);
            "versturen" (the logs could not be exchanged).
        detail: Dutch explanation (no pupil data).
    """

    log_id: str | None
    seq: int
    kind: str
    detail: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict with Dutch keys."""
        return {"log": self.log_id, "regel": self.seq, "soort": self.kind, "uitleg": self.detail}


@dataclass(frozen=True)
class LogEntry:
    """One decrypted entry and the log (device) it comes from.

    Attributes:
        log_id: the log's id (one per device).
        own: the log is (or was) this device's own.
        entry: the entry.
    """

    log_id: str
    own: bool
    entry: AuditEntry

    @property
    def device(self) -> str:
        """A Dutch label for the device the entry was made on."""
        return "dit apparaat" if self.own else f"apparaat {self.log_id[:8]}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict with Dutch keys: the entry plus `log` and `apparaat`."""
        return {**self.entry.to_dict(), "log": self.log_id, "apparaat": self.device}


@dataclass(frozen=True)
class LogSummary:
    """One log known on this device.

    Attributes:
        log_id: its id.
        own: this device's own log.
        lines: the number of distinct lines held here (files and copy together).
        actors: the staff ids that signed its lines (in clear in the log).
    """

    log_id: str
    own: bool
    lines: int
    actors: tuple[str, ...]


@dataclass(frozen=True)
class AuditReport:
    """Everything `zorgkluis audit` shows.

    Attributes:
        entries: the entries the reader can decrypt, from every log, oldest first.
        problems: every problem found; empty when all logs are intact.
        logs: the logs checked.
    """

    entries: list[LogEntry]
    problems: list[LogProblem]
    logs: list[LogSummary]


@dataclass(frozen=True)
class ExchangeResult:
    """What `exchange` did.

    Attributes:
        received: ids of the logs taken over or extended from the server.
        published: lines of this device's logs sent to the server.
        problems: what to tell the user (each was also passed to `progress`).
    """

    received: list[str] = field(default_factory=list)
    published: int = 0
    problems: list[LogProblem] = field(default_factory=list)


@dataclass(frozen=True)
class Melding:
    """A device's signed report, on its log's ref, that its log lost lines.

    Attributes:
        log_id: the log.
        kind: "verwijderd", "ingekort" or "herschreven".
        first, last: the lines missing on that device.
        by: staff id of the user whose sync published it.
        when: when it was published.
    """

    log_id: str
    kind: str
    first: int
    last: int
    by: str
    when: dt.datetime


# --------------------------------------------------------------------------- helpers


def _git(repo: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**go.git_env(), "GIT_TERMINAL_PROMPT": "0"}
    return subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True, env=env)


def _ok(done: subprocess.CompletedProcess[bytes], what: str) -> bytes:
    if done.returncode != 0:
        raise AuditSyncError(
            f"{what} is mislukt.", f"Technische melding: {done.stderr.decode(errors='replace')}"
        )
    return done.stdout


def _short(log_id: str | None) -> str:
    return log_id[:8] if log_id else "?"


def _lines(data: bytes) -> list[bytes]:
    return [line + b"\n" for line in data.splitlines() if line.strip()]


def _head(index: dict[int, str]) -> tuple[int, str] | None:
    if not index:
        return None
    seq = max(index)
    return seq, index[seq]


def _holds(index: dict[int, str], head: tuple[int, str] | None) -> bool:
    return head is None or index.get(head[0]) == head[1]


def known_keys(vault: Vault) -> set[tuple[str, str]]:
    """`(staff id, public key)` of every user in any version of the users file: who may have
    signed a line of any log."""
    return {
        (u.id, u.public_key)
        for c in vault.history([USERS_FILE], changed_paths=False)
        for u in parse_users(vault.read_file(USERS_FILE, c.sha) or b"")
    }


def _local_refs(path: Path, prefix: str = REF_PREFIX) -> dict[str, str]:
    out = _ok(_git(path, "for-each-ref", "--format=%(objectname) %(refname)", prefix), "Refs lezen")
    refs = {}
    for line in out.decode().splitlines():
        sha, _, name = line.partition(" ")
        log_id = name[len(prefix) :]
        if _ID_RE.fullmatch(log_id):
            refs[log_id] = sha
    return refs


def _is_ancestor(path: Path, old: str, new: str) -> bool:
    return _git(path, "merge-base", "--is-ancestor", old, new).returncode == 0


@dataclass(frozen=True)
class _Copy:
    """A log as its ref holds it: the commit and all lines."""

    commit: str
    data: bytes
    index: dict[int, str]

    @property
    def head(self) -> tuple[int, str] | None:
        return _head(self.index)


def _read_copy(store: GitStore, commit: str) -> _Copy:
    names = store.list_dir_ids("", rev=commit)
    chunks = sorted(n for n in names if _CHUNK_RE.fullmatch(n))
    blobs = store.read_blobs([names[n] for n in chunks])
    data = b"".join(line for blob in blobs if blob for line in _lines(blob))
    return _Copy(commit, data, line_index(data))


def _meldingen(messages: Iterable[tuple[str, str, dt.datetime]]) -> list[Melding]:
    """The meldingen in (message, author id, time) of a log's commits."""
    found = []
    for message, by, when in messages:
        log = _LOG_RE.search(message)
        for m in _MELDING_RE.finditer(message):
            if log:
                found.append(Melding(log.group(1), m.group(1), int(m[2]), int(m[3]), by, when))
    return found


def _all_meldingen(path: Path) -> dict[str, list[Melding]]:
    """Every melding on the copies of all logs in this vault repository, by log id."""
    if not _local_refs(path):
        return {}
    out = _ok(
        _git(
            path,
            "log",
            "-z",
            "--format=%ae%x1f%at%x1f%B",
            "--grep=^Audit-Melding: ",
            f"--glob={REF_PREFIX}*",
        ),
        "Auditlogs lezen",
    )
    rows = []
    for record in out.decode(errors="replace").split("\0"):
        if record.strip():
            by, stamp, message = [*record.split("\x1f", 2), "", ""][:3]
            when = dt.datetime.fromtimestamp(int(stamp or 0), dt.UTC)
            rows.append((message, by.strip(), when))
    grouped: dict[str, list[Melding]] = {}
    for melding in _meldingen(rows):
        if melding not in grouped.setdefault(melding.log_id, []):
            grouped[melding.log_id].append(melding)
    return grouped


def _kept(first: int, last: int, copy: _Copy | None) -> str:
    """Which of the lost lines `first`..`last` the published copy still has."""
    lost = sum(1 for s in range(first, last + 1) if copy is None or s not in copy.index)
    if lost == 0:
        return "Ze staan nog op de server."
    if lost == last - first + 1:
        return "Ze waren nog niet verstuurd en zijn verloren."
    return (
        f"{last - first + 1 - lost} ervan staan nog op de server, {lost} waren nog niet "
        "verstuurd en zijn verloren."
    )


def _loss_text(log_id: str, kind: str, first: int, last: int, copy: _Copy | None) -> str:
    return (
        f"Het auditlog van dit apparaat ({_short(log_id)}) is {LOSS[kind]}: regels {first} "
        f"t/m {last} ontbreken hier. {_kept(first, last, copy)}"
    )


def _melding_text(m: Melding, copy: _Copy | None, own: bool) -> str:
    where = "dit apparaat" if own else f"het apparaat van auditlog {_short(m.log_id)}"
    return (
        f"Op {where} is het auditlog {LOSS[m.kind]}: regels {m.first} t/m {m.last} ontbraken "
        f"daar (gemeld door {m.by} op {m.when:%Y-%m-%d %H:%M} UTC). "
        f"{_kept(m.first, m.last, copy)}"
    )


# --------------------------------------------------------------------------- state


@dataclass
class _State:
    """`.git/zorgkluis/sync/audit.json`."""

    servers: dict[str, dict[str, dict[str, object]]] = field(default_factory=dict)
    own: set[str] = field(default_factory=set)
    problems: list[dict[str, object]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> _State:
        try:
            doc = json.loads((path / STATE_FILE).read_bytes())
            return cls(
                {str(k): dict(v) for k, v in dict(doc.get("servers", {})).items()},
                {str(i) for i in doc.get("eigen", []) if _ID_RE.fullmatch(str(i))},
                [dict(p) for p in doc.get("problemen", [])],
            )
        except (OSError, ValueError, TypeError, AttributeError):
            return cls()

    def to_json(self) -> dict[str, object]:
        return {
            "formaat": _STATE_FORMAT,
            "servers": self.servers,
            "eigen": sorted(self.own),
            "problemen": self.problems,
        }

    def save(self, path: Path) -> None:
        data = json.dumps(self.to_json(), sort_keys=True, indent=1).encode()
        atomic_write(path / STATE_FILE, data)

    def remember(self, problem: LogProblem) -> None:
        row = problem.to_dict()
        if not any(
            (p.get("log"), p.get("soort"), p.get("uitleg"))
            == (row["log"], row["soort"], row["uitleg"])
            for p in self.problems
        ):
            self.problems.append(
                {**row, "wanneer": dt.datetime.now(dt.UTC).isoformat("T", "seconds")}
            )

    def remembered(self) -> list[LogProblem]:
        out = []
        for p in self.problems:
            with contextlib.suppress(KeyError, ValueError, TypeError):
                log = p.get("log")
                out.append(
                    LogProblem(
                        str(log) if log else None,
                        int(str(p["regel"])),
                        str(p["soort"]),
                        f"{p['uitleg']} (vastgesteld bij synchroniseren, {p.get('wanneer', '?')})",
                    )
                )
        return out


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path / LOCK_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- own logs


@dataclass(frozen=True)
class _OwnPlan:
    """What to publish for one of this device's logs.

    Attributes:
        new: lines the device has beyond the published copy (a valid continuation).
        loss: (kind, first, last) when the device lost lines it wrote or published.
    """

    new: bytes
    loss: tuple[str, int, int] | None


def _plan_own(
    sources: Sequence[bytes],
    recorded: tuple[int, str] | None,
    copy: _Copy | None,
    known: Callable[[], Iterable[tuple[str, str]]],
) -> _OwnPlan:
    """Compare the device's files of one log with its recorded head and published copy
    (`known` gives the keys that may sign; asked only when there are lines to publish)."""
    copy_index = copy.index if copy else {}
    copy_head = _head(copy_index)
    new, best = b"", copy_head[0] if copy_head else 0
    device: dict[int, str] = {}
    for data in sources:
        index = line_index(data)
        device.update({s: h for s, h in index.items() if s not in device})
        if not index or max(index) <= best:
            continue
        good = valid_prefix(data, known())
        index = line_index(good)
        if not _holds(index, copy_head) or not index or max(index) <= best:
            continue
        best = max(index)
        new = b"".join(line for line in _lines(good) if line_index(line).keys() - copy_index.keys())
    expected = [h for h in (recorded, copy_head) if h is not None]
    if all(_holds(device, h) for h in expected):
        return _OwnPlan(new, None)
    last = max(h[0] for h in expected)
    reference = dict(copy_index)
    if recorded is not None:
        reference.setdefault(recorded[0], recorded[1])
    changed = [s for s, h in device.items() if s in reference and reference[s] != h]
    if not device:
        return _OwnPlan(new, ("verwijderd", 1, last))
    if changed:
        return _OwnPlan(new, ("herschreven", min(changed), last))
    first = next((s for s in range(1, last + 1) if s not in device), last)
    return _OwnPlan(new, ("ingekort", first, last))


def _device_sources(devices: Sequence[DeviceLog], log_id: str) -> list[bytes]:
    return [d.data for d in devices if d.log_id == log_id]


# --------------------------------------------------------------------------- exchange


def exchange(
    vault: Vault,
    key: Ed25519PrivateKey,
    url: str,
    progress: Progress | None = None,
    notice: Progress | None = None,
) -> ExchangeResult:
    """Fetch and check every audit log on the server, then publish this device's (see the
    module doc). Called by `vault.sync.sync` after the dossiers were synchronised.

    A failure to reach the server is reported (in the result and as a notice), not raised:
    the dossier sync is done by then, and the next sync tries again.

    Args:
        vault: the opened vault.
        key: the user's private key (signs the published commits).
        url: the server's git URL (or path).
        progress: receives a Dutch line per step.
        notice: receives a Dutch line per problem ("LET OP: ..."); default `progress`.
    """
    say = progress or (lambda _: None)
    warn = notice or say
    path = Path(vault.path)
    try:
        with _locked(path), GitStore(path) as store:
            return _Exchange(vault, key, url, store, say, warn).run()
    except (AuditSyncError, GitStoreError, OSError) as exc:
        text = getattr(exc, "message", str(exc))
        problem = LogProblem(
            None,
            0,
            "versturen",
            f"De auditlogs zijn niet uitgewisseld: {text} Synchroniseer later opnieuw.",
        )
        warn(f"LET OP: {problem.detail}")
        return ExchangeResult(problems=[problem])


class _Exchange:
    """One exchange of audit logs with one server (see `exchange`)."""

    def __init__(
        self,
        vault: Vault,
        key: Ed25519PrivateKey,
        url: str,
        store: GitStore,
        say: Progress,
        warn: Progress,
    ) -> None:
        self.vault = vault
        self.key = key
        self.url = url
        self.store = store
        self.say = say
        self.warn = warn
        self.path = Path(vault.path)
        self.state = _State.load(self.path)
        self.server_key = hashlib.sha256(url.encode()).hexdigest()[:16]
        self.problems: list[LogProblem] = []
        self.received: list[str] = []
        self.local: dict[str, str] = {}  # our copies: log id -> commit
        self._known: set[tuple[str, str]] | None = None

    @property
    def known(self) -> set[tuple[str, str]]:
        """Who may sign lines and log commits (read once, only when needed)."""
        if self._known is None:
            self._known = known_keys(self.vault)
        return self._known

    @property
    def blobs(self) -> set[str]:
        return {k.split()[1] for _, k in self.known if len(k.split()) > 1}

    def problem(self, problem: LogProblem, *, remember: bool = False) -> None:
        if problem not in self.problems:
            self.problems.append(problem)
            self.warn(f"LET OP: {problem.detail}")
        if remember:
            self.state.remember(problem)

    def run(self) -> ExchangeResult:
        self.say("Auditlogs ophalen")
        before = json.dumps(self.state.to_json(), sort_keys=True)
        out = _ok(_git(self.path, "ls-remote", self.url, f"{REF_PREFIX}*"), "De server bereiken")
        server: dict[str, str] = {}
        for line in out.decode().splitlines():
            sha, _, name = line.partition("\t")
            if name.startswith(REF_PREFIX) and _ID_RE.fullmatch(name[len(REF_PREFIX) :]):
                server[name[len(REF_PREFIX) :]] = sha
        self.local = _local_refs(self.path)
        self._drop_fetched()  # left by an interrupted sync
        new = sorted(i for i, sha in server.items() if self.local.get(i) != sha)
        fetched = dict(server)
        try:
            if new:
                specs = [f"+{REF_PREFIX}{i}:{FETCH_PREFIX}{i}" for i in new]
                _ok(
                    _git(self.path, "fetch", "-q", "--no-tags", self.url, *specs),
                    "Auditlogs ophalen",
                )
                got = _local_refs(self.path, FETCH_PREFIX)  # the server may have moved meanwhile
                for log_id in new:
                    if log_id in got:
                        fetched[log_id] = got[log_id]
                    else:
                        fetched.pop(log_id, None)
            seen = self.state.servers.setdefault(self.server_key, {})
            for log_id in sorted(set(fetched) | set(self.local)):
                self._take(log_id, fetched.get(log_id), self.local.get(log_id), seen)
            published = self._publish_own()
            self._push(fetched, seen)
        finally:
            if new:
                self._drop_fetched()
        if json.dumps(self.state.to_json(), sort_keys=True) != before:
            self.state.save(self.path)
        return ExchangeResult(self.received, published, self.problems)

    def _drop_fetched(self) -> None:
        stale = _local_refs(self.path, FETCH_PREFIX)
        if stale:
            commands = "".join(f"delete {FETCH_PREFIX}{i}\n" for i in stale).encode()
            _ok(_git(self.path, "update-ref", "--stdin", data=commands), "Opruimen")

    # ------------------------------------------------------------------ take

    def _take(
        self,
        log_id: str,
        theirs: str | None,
        ours: str | None,
        seen: dict[str, dict[str, object]],
    ) -> None:
        """Check the server's version of one log against what we hold and saw before."""
        short = _short(log_id)
        before = seen.get(log_id)
        before_commit = str(before["commit"]) if before else None
        restore = " Dit apparaat zet zijn kopie terug." if ours is not None else ""
        if theirs is None:
            if ours is not None and before is not None:
                self.problem(
                    LogProblem(
                        log_id,
                        0,
                        "server",
                        f"Het auditlog {short} is van de server verdwenen (eerder gezien tot en "
                        f"met regel {before['seq']}).{restore}",
                    ),
                    remember=True,
                )
            return
        if theirs == ours:
            return
        if (
            before is not None
            and before_commit is not None
            and theirs != before_commit
            and _is_ancestor(self.path, theirs, before_commit)
        ):
            self.problem(
                LogProblem(
                    log_id,
                    0,
                    "server",
                    f"Het auditlog {short} is op de server ingekort: het staat op een eerdere "
                    f"stand dan dit apparaat er zag (tot en met regel {before['seq']}).{restore}",
                ),
                remember=True,
            )
            return
        if ours is not None and _is_ancestor(self.path, theirs, ours):
            return  # the server is behind our copy (we got it elsewhere, or it is ours)
        if ours is not None and not _is_ancestor(self.path, ours, theirs):
            self.problem(
                LogProblem(
                    log_id,
                    0,
                    "server",
                    f"Het auditlog {short} is op de server herschreven: het sluit niet aan op "
                    "wat dit apparaat eerder zag. Het is niet overgenomen; de kopie hier blijft.",
                ),
                remember=True,
            )
            return
        why = self._invalid(log_id, theirs, ours, before)
        if why:
            self.problem(
                LogProblem(
                    log_id,
                    0,
                    "server",
                    f"Het auditlog {short} op de server is ongeldig ({why}). Het is niet "
                    "overgenomen.",
                ),
                remember=True,
            )
            return
        _ok(
            _git(self.path, "update-ref", f"{REF_PREFIX}{log_id}", theirs, ours or _ZERO),
            "Een auditlog bewaren",
        )
        self.local[log_id] = theirs
        self.received.append(log_id)
        new = self.store.log(rev=theirs, since=ours, changed_paths=False)
        rows = [(c.message, c.author_email, c.when) for c in new]
        for melding in _meldingen(rows):
            own = log_id in self.state.own
            text = _melding_text(melding, _read_copy(self.store, theirs), own)
            self.problem(LogProblem(log_id, melding.first, melding.kind, text))

    def _invalid(
        self,
        log_id: str,
        theirs: str,
        ours: str | None,
        before: dict[str, object] | None,
    ) -> str:
        """Why the server's version of a log cannot be taken over ("" when it can)."""
        blobs = self.blobs
        for info in self.store.log(rev=theirs, since=ours, changed_paths=False):
            if not _signed_by(info, blobs):
                return f"commit {info.sha[:12]} is niet door een medewerker ondertekend"
            trailer = _LOG_RE.search(info.message)
            if trailer is None or trailer.group(1) != log_id:
                return f"commit {info.sha[:12]} hoort bij een ander auditlog"
        copy = _read_copy(self.store, theirs)
        if copy.data and log_id_of(copy.data) != log_id:
            return "de eerste regel hoort bij een ander auditlog"
        problems = verify_lines(copy.data, self.known)
        if problems:
            return f"regel {problems[0].seq}: {problems[0].detail}"
        heads = [_read_copy(self.store, ours).head] if ours else []
        if before is not None:
            heads.append((int(str(before["seq"])), str(before["hash"])))
        if not all(_holds(copy.index, h) for h in heads):
            return "regels die dit apparaat eerder zag ontbreken of zijn anders"
        return ""

    # ------------------------------------------------------------------ publish

    def _publish_own(self) -> int:
        """Add this device's new lines (and meldingen of lost lines) to its logs' refs."""
        log = AuditLog.of_vault(self.path)
        current = log.content()
        current_id = log_id_of(current)
        devices = [d for d in log.device_logs() if d.path != log.path]
        if current_id:
            devices.insert(0, DeviceLog(current_id, current, log.path))
        recorded = log.recorded_heads()
        own = set(recorded) | {d.log_id for d in devices if d.log_id} | self.state.own
        self.state.own |= own
        published = 0
        for log_id in sorted(own):
            copy = _read_copy(self.store, self.local[log_id]) if log_id in self.local else None
            sources = _device_sources(devices, log_id)
            plan = _plan_own(sources, recorded.get(log_id), copy, lambda: self.known)
            tip = copy.commit if copy else None
            if plan.new:
                index = line_index(plan.new)
                first, last = min(index), max(index)
                message = (
                    f"Auditlog {log_id}: regels {first} t/m {last}\n\n"
                    f"Audit-Log: {log_id}\nAudit-Head: {last} {index[last]} {log_id}\n"
                )
                tip = self._commit(log_id, tip, {f"{first:010d}.jsonl": plan.new}, message)
                published += len(index)
            if plan.loss is not None:
                kind, first, last = plan.loss
                if current_id == log_id:
                    log.retire(expected=current)  # later entries start a new log
                meldingen = _all_meldingen(self.path).get(log_id, [])
                reported = any(m.last >= last for m in meldingen)
                if not reported:
                    message = (
                        f"Auditlog {log_id}: {kind} op dit apparaat, regels {first} t/m {last} "
                        f"ontbreken\n\nAudit-Log: {log_id}\nAudit-Melding: {kind} {first} {last}\n"
                    )
                    tip = self._commit(log_id, tip, {}, message)
                    text = _loss_text(log_id, kind, first, last, copy)
                    self.problem(
                        LogProblem(
                            log_id, first, kind, f"{text} Dit is aan de andere apparaten gemeld."
                        )
                    )
            if tip is not None and (copy is None or tip != copy.commit):
                old = copy.commit if copy else _ZERO
                ref = f"{REF_PREFIX}{log_id}"
                _ok(_git(self.path, "update-ref", ref, tip, old), "Het auditlog bewaren")
                self.local[log_id] = tip
        return published

    def _commit(
        self, log_id: str, parent: str | None, files: dict[str, bytes], message: str
    ) -> str:
        entries = {}
        if parent is not None:
            entries = {
                name.encode(): sha for name, sha in self.store.list_dir_ids("", rev=parent).items()
            }
        objects = Path(self.path) / ".git" / "objects"
        for name, data in files.items():
            if name.encode() in entries:
                raise AuditSyncError(f"Het auditlog {_short(log_id)} heeft al een deel {name}.")
            entries[name.encode()] = go.write_loose_object(objects, "blob", data, fsync=False)
        tree = go.write_loose_object(
            objects,
            "tree",
            go.serialize_tree(go.TreeEntry(go.FILE_MODE, n, s) for n, s in entries.items()),
            fsync=False,
        )
        ident = _ident(self.vault.user)
        payload = go.build_commit(tree, [parent] if parent else [], ident, ident, message.encode())
        signed = go.add_signature(payload, sshsig.sign(payload, self.key, "git"))
        return go.write_loose_object(objects, "commit", signed, fsync=False)

    def _push(self, fetched: dict[str, str], seen: dict[str, dict[str, object]]) -> None:
        """Send every log we hold where the server lacks it or is behind (fast-forward only),
        then remember what the server holds now."""
        local = self.local
        wanted = [
            log_id
            for log_id, tip in local.items()
            if fetched.get(log_id) != tip
            and (log_id not in fetched or _is_ancestor(self.path, fetched[log_id], tip))
        ]
        rejected: set[str] = set()
        if wanted:
            self.say("Auditlogs versturen")
            specs = [f"{REF_PREFIX}{i}:{REF_PREFIX}{i}" for i in sorted(wanted)]
            done = _git(self.path, "push", "--porcelain", self.url, *specs)
            for line in done.stdout.decode(errors="replace").splitlines():
                flag, _, rest = line.partition("\t")
                if flag == "!":
                    name = rest.split(":", 1)[-1].split("\t", 1)[0]
                    rejected.add(name[len(REF_PREFIX) :])
            if done.returncode != 0 and not rejected:
                _ok(done, "Auditlogs versturen")
            for log_id in sorted(rejected):
                self.problem(
                    LogProblem(
                        log_id,
                        0,
                        "versturen",
                        f"De server weigerde het auditlog {_short(log_id)}; de volgende "
                        "synchronisatie probeert het opnieuw.",
                    )
                )
        for log_id, tip in local.items():
            on_server = tip if log_id in wanted and log_id not in rejected else fetched.get(log_id)
            if on_server == tip:
                head = _read_copy(self.store, tip).head
                seen[log_id] = {
                    "commit": tip,
                    "seq": head[0] if head else 0,
                    "hash": head[1] if head else "",
                }


def _signed_by(info: CommitInfo, blobs: set[str]) -> bool:
    if info.signature is None:
        return False
    try:
        public = sshsig.verify(info.signed_payload, info.signature, "git")
    except sshsig.SignatureError:
        return False
    return sshkeys.public_line(public).split()[1] in blobs


def _ident(user: User) -> bytes:
    when = dt.datetime.now().astimezone()
    minutes = int((when.utcoffset() or dt.timedelta(0)).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f"{user.naam} <{user.id}> {int(when.timestamp())} {zone}".encode()


# --------------------------------------------------------------------------- report


def report(vault: Vault, *, pupil_id: str | None = None) -> AuditReport:
    """Check every audit log this device holds and decrypt what the reader may read.

    The logs are this device's own (the current file, logs set aside, and their published
    copies) and the copies of the other devices' logs taken in by sync. Problems: a broken
    chain, bad or unknown signatures, a damaged payload; an anchored line (a signed commit's
    `Audit-Head:`) missing from this device's log or changed in another's; lines this device's
    log lost (its recorded heads or its published copy say it held them); a melding of lost
    lines from any device; and what earlier syncs found wrong on the server.

    Args:
        vault: the opened vault (the reader's identities decrypt the entries).
        pupil_id: only entries about this pupil.
    """
    path = Path(vault.path)
    known = known_keys(vault)
    log = AuditLog.of_vault(path)
    devices = log.device_logs()
    current = next((d for d in devices if d.path == log.path), None)
    recorded = log.recorded_heads()
    state = _State.load(path)
    refs = _local_refs(path)
    with GitStore(path) as store:
        copies = {log_id: _read_copy(store, sha) for log_id, sha in refs.items()}
    meldingen = _all_meldingen(path)
    own = set(recorded) | {d.log_id for d in devices if d.log_id} | state.own
    problems: list[LogProblem] = []
    for found in (
        _chain_problems(devices, current, copies, known),
        _anchor_problems(vault, devices, current, copies, own),
        _loss_problems(devices, recorded, copies, meldingen, own, known),
        [
            LogProblem(i, m.first, m.kind, _melding_text(m, copies.get(i), i in own))
            for i, ms in sorted(meldingen.items())
            for m in ms
        ],
        state.remembered(),
    ):
        problems += [p for p in found if p not in problems]
    entries, read_problems, logs = _entries(vault, devices, copies, own, pupil_id)
    problems += [p for p in read_problems if p not in problems]
    return AuditReport(entries, problems, logs)


def _about(log_id: str | None, problem: AuditProblem, where: str) -> LogProblem:
    return LogProblem(log_id, problem.seq, problem.kind, f"{where}: {problem.detail}")


def _chain_problems(
    devices: Sequence[DeviceLog],
    current: DeviceLog | None,
    copies: dict[str, _Copy],
    known: set[tuple[str, str]],
) -> list[LogProblem]:
    out = []
    for device in devices:
        where = "op dit apparaat" if device is current else f"apart gezet ({device.path.name})"
        label = f"auditlog {_short(device.log_id)} {where}"
        out += [_about(device.log_id, p, label) for p in verify_lines(device.data, known)]
    for log_id, copy in copies.items():
        label = f"kopie van auditlog {_short(log_id)}"
        out += [_about(log_id, p, label) for p in verify_lines(copy.data, known)]
        if copy.data and log_id_of(copy.data) != log_id:
            out.append(LogProblem(log_id, 1, "keten", f"{label}: hoort bij een ander auditlog"))
    return out


def _anchor_problems(
    vault: Vault,
    devices: Sequence[DeviceLog],
    current: DeviceLog | None,
    copies: dict[str, _Copy],
    own: set[str],
) -> list[LogProblem]:
    """Anchors of this device's logs must be in its files; anchors of other logs that a copy
    already holds must match it (lines not published yet are not judged)."""
    held: dict[str, dict[int, str]] = {}
    for device in devices:
        if device.log_id:
            index = held.setdefault(device.log_id, {})
            for seq, line_hash in line_index(device.data).items():
                index.setdefault(seq, line_hash)
    current_id = current.log_id if current else None
    out: list[LogProblem] = []
    history = vault.history(changed_paths=False)
    for seq, anchored, named in anchors_with_ids(c.message for c in history):
        target = named or current_id
        if named is None or named in own:
            if held.get(target or "", {}).get(seq) != anchored:
                detail = (
                    f"regel {seq} uit een ondertekende commit ontbreekt in het auditlog van dit "
                    f"apparaat ({_short(target)}) of is anders"
                )
                out.append(LogProblem(target, seq, "anker", detail))
        elif named in copies and copies[named].index.get(seq, anchored) != anchored:
            detail = f"regel {seq} uit een ondertekende commit is anders in auditlog {named[:8]}"
            out.append(LogProblem(named, seq, "anker", detail))
    return out


def _loss_problems(
    devices: Sequence[DeviceLog],
    recorded: dict[str, tuple[int, str]],
    copies: dict[str, _Copy],
    meldingen: dict[str, list[Melding]],
    own: set[str],
    known: set[tuple[str, str]],
) -> list[LogProblem]:
    """Lines this device's logs lost that no published melding reports yet."""
    out = []
    for log_id in sorted(own):
        copy = copies.get(log_id)
        plan = _plan_own(
            _device_sources(devices, log_id), recorded.get(log_id), copy, lambda: known
        )
        if plan.loss is None:
            continue
        kind, first, last = plan.loss
        if any(m.last >= last for m in meldingen.get(log_id, [])):
            continue  # published as a melding: reported as such
        text = _loss_text(log_id, kind, first, last, copy)
        out.append(
            LogProblem(
                log_id,
                first,
                kind,
                f"{text} Synchroniseer om het aan de andere apparaten te melden.",
            )
        )
    return out


def _entries(
    vault: Vault,
    devices: Sequence[DeviceLog],
    copies: dict[str, _Copy],
    own: set[str],
    pupil_id: str | None,
) -> tuple[list[LogEntry], list[LogProblem], list[LogSummary]]:
    """Every distinct line of every log (files and copies together), decrypted once."""
    buckets: dict[str, dict[str, bytes]] = {}
    sources = [(d.log_id, d.data) for d in devices] + [(i, c.data) for i, c in copies.items()]
    for source_id, data in sources:
        if source_id is None:
            continue
        bucket = buckets.setdefault(source_id, {})
        for line in _lines(data):
            for line_hash in line_index(line).values():
                bucket.setdefault(line_hash, line)
    entries: list[LogEntry] = []
    problems: list[LogProblem] = []
    logs: list[LogSummary] = []
    for log_id, bucket in sorted(buckets.items()):
        decrypted, failed = decrypt_lines(
            b"".join(bucket.values()), vault.identities, pupil_id=pupil_id
        )
        entries += [LogEntry(log_id, log_id in own, entry) for _, entry in decrypted]
        problems += [_about(log_id, p, f"auditlog {_short(log_id)}") for p in failed]
        actors = {str(json.loads(line).get("door", "?")) for line in bucket.values()}
        logs.append(LogSummary(log_id, log_id in own, len(bucket), tuple(sorted(actors))))
    entries.sort(key=lambda e: (e.entry.wanneer, e.log_id, e.entry.seq))
    return entries, problems, logs
