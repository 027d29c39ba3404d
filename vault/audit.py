"""The audit log: who decrypted, exported or exported a key of which pupil part, when and why.

One JSON object per line in `.git/zorgkluis/audit.jsonl` (inside the vault folder, never
committed: a read must not need a commit). Each line is::

    {"v": 1, "seq": 7, "prev": "<hash of line 6>", "door": "<user id>",
     "sleutel": "ssh-ed25519 AAAA...", "data": "<base64 age file>",
     "hash": "<sha256>", "sig": "<base64 Ed25519 signature of hash>"}

* `data` is the entry itself (who, when, action, pupil, part, reason), age-encrypted to the
  directie and intern begeleiders of the vault plus the school's recovery key. Nobody else can
  read which pupil was looked at; `door` (a staff id, no pupil data) is in clear so anyone can
  verify the chain.
* `hash` = SHA-256 over a fixed prefix, `seq`, `prev`, `door`, `sleutel` and the ciphertext, so
  the chain links every line to the one before; `sig` is the actor's Ed25519 signature of the
  hash. Changing a line breaks its hash; removing or inserting one breaks `seq` and `prev`;
  recomputing the chain after a removal needs every later actor's private key.
* Removing the newest lines (truncation) leaves a valid shorter chain; it is caught by
  *anchors*: `(seq, hash)` pairs recorded elsewhere (the `Audit-Head:` trailer of signed commits,
  see `anchor_trailer`). `verify` reports every anchor the log no longer contains.
* Every append also records the new head `(seq, hash)` of the log in a second file,
  `.git/zorgkluis/auditkoppen.json` (`recorded_heads`), so deleting or cutting the log file
  leaves a record of what it held. An append to a log that lost lines that record knows of
  does not continue the cut chain: the remainder is moved to `.git/zorgkluis/audit-oud/` and
  the entry starts a new log (a new log id), so later entries can still be published.

Each device keeps its own log; `vault.audit_sync` publishes it on every sync and checks and
shows the logs of the other devices (docs/sync.md section 9).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vault.crypto import age, sshkeys
from vault.users import User

LOG_NAME = Path(".git") / "zorgkluis" / "audit.jsonl"
"""Where the audit log lives, relative to the vault folder."""

HEADS_NAME = "auditkoppen.json"
"""Next to the log: the last head `(seq, hash)` of every log this device kept (by log id)."""

RETIRED_DIR = "audit-oud"
"""Next to the log: logs that lost lines and were set aside (see `AuditLog.retire`)."""

READER_ROLES = frozenset({"directie", "intern_begeleider"})
"""Roles whose keys every entry is encrypted to (issue 5: directie and IB-er)."""

ACTIONS = {
    "ontsleuteld": "dossier(deel) ontsleuteld",
    "export": "dossier geëxporteerd",
    "sleutel-export": "sleutel geëxporteerd",
    "inzage": "inzage voor ouders gemaakt",
    "kopie": "kopie aan ouders gegeven",
    "import": "dossier geïmporteerd (overdracht)",
}
"""Actions an entry can record, with a Dutch description."""

GENESIS = "0" * 64
_PREFIX = b"zorgkluis-audit/1\x00"
_ANCHOR_RE = re.compile(r"^Audit-Head: (\d+) ([0-9a-f]{64})(?: ([0-9a-f]{16}))?$", re.M)
_LOG_ID_CHARS = 16
_HEADS_FORMAT = "zorgkluis-auditkoppen/1"


class AuditError(Exception):
    """The audit log cannot be written (bad action, unreadable log tail).

    Attributes:
        message: Dutch explanation.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AuditRecord:
    """One entry to append (see `AuditLog.append_many`).

    Attributes:
        action: one of `ACTIONS`.
        pupil_id: opaque pupil id, or None.
        part: part name(s), or None.
        reason: the reason given, or None.
    """

    action: str
    pupil_id: str | None = None
    part: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One decrypted audit entry.

    Attributes:
        seq: position in the log (1-based).
        wie: user id of the actor.
        wanneer: time of the action (UTC, timezone-aware).
        actie: one of `ACTIONS`.
        leerling: opaque pupil id, or None.
        onderdeel: part name, or None.
        reden: the reason given, or None.
    """

    seq: int
    wie: str
    wanneer: dt.datetime
    actie: str
    leerling: str | None
    onderdeel: str | None
    reden: str | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict with Dutch keys."""
        return {
            "volgnummer": self.seq,
            "wie": self.wie,
            "wanneer": self.wanneer.isoformat(timespec="seconds"),
            "actie": self.actie,
            "leerling": self.leerling,
            "onderdeel": self.onderdeel,
            "reden": self.reden,
        }


@dataclass(frozen=True)
class AuditProblem:
    """Something wrong with the log.

    Attributes:
        seq: the line number (1-based) or sequence number concerned.
        kind: "onleesbaar" (not a log line), "volgorde" (seq gap: removed or inserted line),
            "keten" (prev does not match the line before), "gewijzigd" (hash mismatch),
            "handtekening" (bad signature), "onbekende_ondertekenaar", "anker" (an anchored
            line is missing: truncated or rewritten), "ontsleuteling" (payload does not
            decrypt or does not belong to its line).
        detail: Dutch detail (no pupil data).
    """

    seq: int
    kind: str
    detail: str


def reader_recipients(users: Iterable[User], recovery: age.Recipient) -> list[age.Recipient]:
    """The recipients of every entry: directie and intern begeleiders, plus the recovery key."""
    out: list[age.Recipient] = [
        age.SshEd25519Recipient.from_openssh(u.public_key)
        for u in sorted(users, key=lambda u: u.id)
        if u.rol in READER_ROLES
    ]
    return [*out, recovery]


def _line_hash(seq: int, prev: str, door: str, sleutel: str, data: bytes) -> str:
    digest = hashlib.sha256(_PREFIX)
    digest.update(f"{seq}\x00{prev}\x00{door}\x00{sleutel}\x00".encode())
    digest.update(data)
    return digest.hexdigest()


def anchor_trailer(head: tuple[int, str] | None, log_id: str | None = None) -> str:
    """The commit-message trailer that anchors the log head ("" for an empty log).

    Args:
        head: `AuditLog.head()`.
        log_id: `AuditLog.log_id()`: which log (each clone of a vault keeps its own) the
            anchor belongs to.
    """
    if not head:
        return ""
    return f"Audit-Head: {head[0]} {head[1]}" + (f" {log_id}" if log_id else "")


def anchors_from_messages(
    messages: Iterable[str], log_id: str | None = None
) -> list[tuple[int, str]]:
    """The `Audit-Head:` anchors in commit messages that belong to one log.

    Args:
        messages: commit messages.
        log_id: the log's id (`AuditLog.log_id()`); anchors naming another log (made in
            another clone of the vault, which keeps its own log) are left out. Anchors without
            a log id always count.
    """
    return [
        (int(m.group(1)), m.group(2))
        for msg in messages
        for m in _ANCHOR_RE.finditer(msg)
        if m.group(3) is None or m.group(3) == log_id
    ]


def anchors_with_ids(messages: Iterable[str]) -> list[tuple[int, str, str | None]]:
    """Every `Audit-Head:` anchor in commit messages: `(seq, hash, log id or None)`."""
    return [
        (int(m.group(1)), m.group(2), m.group(3))
        for msg in messages
        for m in _ANCHOR_RE.finditer(msg)
    ]


@dataclass(frozen=True)
class DeviceLog:
    """A log file on this device: the current log, or one set aside by `AuditLog.retire`.

    Attributes:
        log_id: the log's id (see `AuditLog.log_id`), or None when its first line is damaged.
        data: the file's bytes.
        path: the file.
    """

    log_id: str | None
    data: bytes
    path: Path


def _parse(data: bytes) -> list[tuple[int, bytes, dict[str, object] | None]]:
    """(line number, line, parsed object or None) for every line of a log."""
    rows: list[tuple[int, bytes, dict[str, object] | None]] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            row = json.loads(raw)
        except ValueError:
            row = None
        rows.append((number, raw, row if isinstance(row, dict) else None))
    return rows


def log_id_of(data: bytes) -> str | None:
    """The id of the log whose content is `data`: the start of its first line's hash."""
    first = data.split(b"\n", 1)[0]
    try:
        value = json.loads(first)["hash"]
    except (ValueError, KeyError, TypeError):
        return None
    text = str(value)
    return text[:_LOG_ID_CHARS] if re.fullmatch(r"[0-9a-f]{64}", text) else None


def line_index(data: bytes) -> dict[int, str]:
    """seq -> hash of every line of `data` that parses (nothing is verified here)."""
    index: dict[int, str] = {}
    for _, _, row in _parse(data):
        if row is not None:
            with contextlib.suppress(KeyError, ValueError, TypeError):
                index.setdefault(int(str(row["seq"])), str(row["hash"]))
    return index


def _walk(
    data: bytes, known_keys: Iterable[tuple[str, str]] | None
) -> Iterator[tuple[bytes, list[AuditProblem], tuple[int, str] | None]]:
    """Check every line and its link to the one before: (line, problems, (seq, hash))."""
    known = None if known_keys is None else {(i, _normal(k)) for i, k in known_keys}
    expected_seq, prev = 1, GENESIS
    for number, raw, row in _parse(data):
        checked = _check_row(row, number, known)
        if isinstance(checked, AuditProblem):
            yield raw, [checked], None
            continue
        seq, line_prev, line_hash = checked
        problems = []
        if seq != expected_seq:
            problems.append(
                AuditProblem(seq, "volgorde", f"volgnummer {seq} waar {expected_seq} hoorde")
            )
        if line_prev != prev:
            problems.append(
                AuditProblem(seq, "keten", "de regel sluit niet aan op de regel ervoor")
            )
        yield raw, problems, (seq, line_hash)
        expected_seq, prev = seq + 1, line_hash


def verify_lines(
    data: bytes,
    known_keys: Iterable[tuple[str, str]] | None = None,
    anchors: Iterable[tuple[int, str]] = (),
) -> list[AuditProblem]:
    """Check a whole chain without decrypting anything (see `AuditLog.verify`)."""
    problems: list[AuditProblem] = []
    seen: dict[int, str] = {}
    for _, found, head in _walk(data, known_keys):
        problems += found
        if head is not None:
            seen[head[0]] = head[1]
    for seq, anchored in anchors:
        if seen.get(seq) != anchored:
            problems.append(
                AuditProblem(
                    seq, "anker", f"regel {seq} uit een ondertekende commit ontbreekt of is anders"
                )
            )
    return problems


def valid_prefix(data: bytes, known_keys: Iterable[tuple[str, str]] | None = None) -> bytes:
    """The lines of `data` before its first problem (each ending in a newline): the part of a
    log that can be published as it is."""
    good: list[bytes] = []
    for raw, found, _ in _walk(data, known_keys):
        if found:
            break
        good.append(raw + b"\n")
    return b"".join(good)


def decrypt_lines(
    data: bytes, identities: Sequence[age.Identity], *, pupil_id: str | None = None
) -> tuple[list[tuple[str, AuditEntry]], list[AuditProblem]]:
    """Decrypt the entries of a log's lines that these identities can open.

    Returns:
        `(line hash, entry)` pairs in line order, and the problems met while decrypting (see
        `AuditLog.read`).
    """
    entries: list[tuple[str, AuditEntry]] = []
    problems: list[AuditProblem] = []
    for number, _, row in _parse(data):
        if row is None:
            continue
        try:
            seq = int(str(row["seq"]))
            line_hash = str(row["hash"])
            payload = base64.b64decode(str(row["data"]), validate=True)
            inner = json.loads(age.decrypt(payload, identities))
            if inner["seq"] != seq:
                raise ValueError("seq")
            found = [
                AuditEntry(
                    seq=seq,
                    wie=str(inner["wie"]),
                    wanneer=dt.datetime.fromisoformat(inner["wanneer"]),
                    actie=str(item["actie"]),
                    leerling=item.get("leerling"),
                    onderdeel=item.get("onderdeel"),
                    reden=item.get("reden"),
                )
                for item in inner.get("regels", [inner])
            ]
        except age.NoIdentityMatchError:
            continue
        except (age.AgeError, ValueError, KeyError, TypeError, binascii.Error):
            problems.append(
                AuditProblem(number, "ontsleuteling", f"regel {number} ontsleutelt niet goed")
            )
            continue
        entries += [(line_hash, e) for e in found if pupil_id is None or e.leerling == pupil_id]
    return entries, problems


class AuditLog:
    """The append-only audit log of one vault."""

    def __init__(self, path: Path) -> None:
        """Args:
        path: the log file (created on the first append). The record of its heads
            (`HEADS_NAME`) and the logs set aside (`RETIRED_DIR`) are in the same folder.
        """
        self.path = path
        self.heads_path = path.with_name(HEADS_NAME)
        self.retired_dir = path.with_name(RETIRED_DIR)

    @classmethod
    def of_vault(cls, vault_path: Path) -> AuditLog:
        """The log of the vault in folder `vault_path`."""
        return cls(Path(vault_path) / LOG_NAME)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[int]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)

    def log_id(self) -> str | None:
        """This log's id: the start of its first line's hash (None for an empty log).

        Every clone of a vault keeps its own log; anchors carry the id so that one clone's
        anchors are not held against another clone's log. Removing the first line changes the
        id, but also breaks the sequence (`verify` reports it).
        """
        try:
            with self.path.open("rb") as fh:
                first = fh.readline()
        except FileNotFoundError:
            return None
        try:
            return str(json.loads(first)["hash"])[:_LOG_ID_CHARS]
        except (ValueError, KeyError, TypeError):
            return None

    def anchor(self) -> str:
        """The `Audit-Head:` trailer for the current head of this log ("" when empty)."""
        return anchor_trailer(self.head(), self.log_id())

    def _last_line(self, fd: int) -> bytes | None:
        size = os.fstat(fd).st_size
        if size == 0:
            return None
        chunk = 4096
        while True:
            start = max(0, size - chunk)
            data = os.pread(fd, size - start, start)
            lines = data.rstrip(b"\n").split(b"\n")
            if len(lines) > 1 or start == 0:
                return lines[-1]
            chunk *= 4

    def head(self) -> tuple[int, str] | None:
        """`(seq, hash)` of the newest line, or None for an empty log.

        Raises:
            AuditError: the last line is not a log line.
        """
        if not self.path.exists():
            return None
        with self._locked() as fd:
            return self._head(fd)

    def _head(self, fd: int) -> tuple[int, str] | None:
        last = self._last_line(fd)
        if last is None:
            return None
        try:
            row = json.loads(last)
            return int(row["seq"]), str(row["hash"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditError("De laatste regel van het auditlog is beschadigd.") from exc

    def append(
        self,
        *,
        actor: User,
        key: Ed25519PrivateKey,
        recipients: Sequence[age.Recipient],
        action: str,
        pupil_id: str | None = None,
        part: str | None = None,
        reason: str | None = None,
        when: dt.datetime | None = None,
        durable: bool = True,
    ) -> tuple[int, str]:
        """Append one entry, encrypted to `recipients` and signed with `key`.

        Args:
            actor: the user doing it (`key` must be theirs).
            key: the actor's private key (signs the line hash).
            recipients: who can read the entry (see `reader_recipients`).
            action: one of `ACTIONS`.
            pupil_id: opaque pupil id, when the action concerns one pupil.
            part: the part name, when it concerns one part.
            reason: the reason given by the user ("why", where asked).
            when: the time; default now (UTC).
            durable: flush the line to disk before returning (False: tests and bulk work
                that can be redone; the line is still written whole, under the lock).

        Returns:
            The new head `(seq, hash)`.

        Raises:
            AuditError: unknown action, or the log's last line is damaged (nothing written).
        """
        head = self.append_many(
            actor=actor,
            key=key,
            recipients=recipients,
            records=[AuditRecord(action, pupil_id, part, reason)],
            when=when,
            durable=durable,
        )
        assert head is not None  # one record was written
        return head

    def append_many(
        self,
        *,
        actor: User,
        key: Ed25519PrivateKey,
        recipients: Sequence[age.Recipient],
        records: Sequence[AuditRecord],
        when: dt.datetime | None = None,
        durable: bool = True,
    ) -> tuple[int, str] | None:
        """Append several entries by one actor under one lock and one flush (see `append`).

        Returns:
            The new head `(seq, hash)`, or None when `records` is empty.

        Raises:
            AuditError: an unknown action, or the log's last line is damaged (nothing written).
        """
        for record in records:
            if record.action not in ACTIONS:
                raise AuditError(f"Onbekende auditactie '{record.action}'.")
        if not records:
            return None
        stamp = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        sleutel = _normal(sshkeys.public_line(key))
        with self._locked() as fd:
            head = self._head(fd)
            heads, _ = self._read_heads()
            log_id = self._first_id(fd) if head else None
            recorded = heads.get(log_id) if log_id else None
            if head and recorded and _lost(head, recorded):
                # The file lost lines this device wrote: do not continue the cut chain.
                self._retire(fd)
                head = log_id = None
            starts = head is None
            lines = []
            # One line per call: a batch read (check_all, a review, a history view) is one
            # encrypted line listing every entry ("regels"), read back as one entry per pupil
            # with the line's seq. Encrypting each entry on its own line cost an age file
            # (three X25519 stanzas, ~0.6 ms) per pupil: 0.6 s for a check of 1,000 pupils.
            for batch in [records] if len(records) > 1 else [[r] for r in records]:
                seq = head[0] + 1 if head else 1
                prev = head[1] if head else GENESIS
                payload: dict[str, object] = {
                    "seq": seq,
                    "wie": actor.id,
                    "wanneer": stamp.isoformat(timespec="seconds"),
                }
                entries = [
                    {
                        "actie": record.action,
                        "leerling": record.pupil_id,
                        "onderdeel": record.part,
                        "reden": record.reason,
                    }
                    for record in batch
                ]
                if len(entries) == 1:
                    payload.update(entries[0])
                else:
                    payload["regels"] = entries
                data = age.encrypt(json.dumps(payload, ensure_ascii=False).encode(), recipients)
                line_hash = _line_hash(seq, prev, actor.id, sleutel, data)
                row = {
                    "v": 1,
                    "seq": seq,
                    "prev": prev,
                    "door": actor.id,
                    "sleutel": sleutel,
                    "data": base64.b64encode(data).decode(),
                    "hash": line_hash,
                    "sig": base64.b64encode(key.sign(bytes.fromhex(line_hash))).decode(),
                }
                lines.append((json.dumps(row, separators=(",", ":")) + "\n").encode())
                head = (seq, line_hash)
            os.write(fd, b"".join(lines))
            if durable:
                os.fsync(fd)
            assert head is not None
            if starts:
                log_id = log_id_of(lines[0])
            if log_id:
                heads[log_id] = head
                self._write_heads(heads, log_id, durable=durable)
        return head

    def _data(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return b""

    def verify(
        self,
        known_keys: Iterable[tuple[str, str]] | None = None,
        anchors: Iterable[tuple[int, str]] = (),
    ) -> list[AuditProblem]:
        """Check the whole chain without decrypting anything.

        Args:
            known_keys: `(user id, "ssh-ed25519 <blob>")` pairs that may sign (for example
                every user in any version of the users file); None skips that check.
            anchors: `(seq, hash)` pairs recorded elsewhere that the log must still contain.

        Returns:
            The problems found; empty when the log is intact.
        """
        return verify_lines(self._data(), known_keys, anchors)

    def read(
        self, identities: Sequence[age.Identity], *, pupil_id: str | None = None
    ) -> tuple[list[AuditEntry], list[AuditProblem]]:
        """Decrypt the entries these identities can open.

        Args:
            identities: the reader's identities (directie/IB-er ssh key or recovery key).
            pupil_id: only entries about this pupil.

        Returns:
            The entries (oldest first) and the problems met while decrypting (a payload that
            does not decrypt or whose inner `seq` differs from its line). Lines this reader
            was never a recipient of are skipped silently (for example before they joined).
        """
        entries, problems = decrypt_lines(self._data(), identities, pupil_id=pupil_id)
        return [entry for _, entry in entries], problems

    # ----------------------------------------------------------- heads and retired logs

    def recorded_heads(self) -> dict[str, tuple[int, str]]:
        """The last head `(seq, hash)` this device wrote to each of its logs, by log id.

        Kept in a file of its own (`HEADS_NAME`), so deleting or cutting the log leaves it.
        """
        return self._read_heads()[0]

    def recorded_current(self) -> str | None:
        """The id of the log this device appended to last, by the record (None: no record)."""
        return self._read_heads()[1]

    def _read_heads(self) -> tuple[dict[str, tuple[int, str]], str | None]:
        try:
            doc = json.loads(self.heads_path.read_bytes())
            logs = {
                str(i): (int(v[0]), str(v[1]))
                for i, v in dict(doc["logs"]).items()
                if re.fullmatch(r"[0-9a-f]{16}", str(i))
            }
            current = doc.get("huidig")
            return logs, str(current) if current in logs else None
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return {}, None

    def _write_heads(
        self, heads: dict[str, tuple[int, str]], current: str, *, durable: bool
    ) -> None:
        doc = {
            "formaat": _HEADS_FORMAT,
            "huidig": current,
            "logs": {i: [seq, h] for i, (seq, h) in sorted(heads.items())},
        }
        tmp = self.heads_path.with_name(f".{HEADS_NAME}.{os.getpid()}")
        # The record is a second witness; failing to update it must not refuse the read.
        with contextlib.suppress(OSError):
            with tmp.open("wb") as fh:
                fh.write(json.dumps(doc, sort_keys=True).encode() + b"\n")
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, self.heads_path)

    def _first_id(self, fd: int) -> str | None:
        chunk, start = b"", 0
        while b"\n" not in chunk:
            more = os.pread(fd, 65536, start)
            if not more:
                break
            chunk += more
            start += len(more)
        return log_id_of(chunk)

    def device_logs(self) -> list[DeviceLog]:
        """The log files on this device: the current log (when it holds anything), then the
        logs set aside by `retire`, oldest first."""
        found: list[DeviceLog] = []
        paths = [self.path]
        if self.retired_dir.is_dir():
            paths += sorted(self.retired_dir.glob("*.jsonl"))
        for path in paths:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            if data.strip():
                found.append(DeviceLog(log_id_of(data), data, path))
        return found

    def content(self) -> bytes:
        """The current log's bytes, read under the log's lock (b"" when there is none)."""
        if not self.path.exists():
            return b""
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            return os.pread(fd, size, 0) if size else b""

    def retire(self, expected: bytes | None = None) -> Path | None:
        """Set the current log aside (into `RETIRED_DIR`) and empty it, so the next entry
        starts a new log with a new id. Used when the log lost lines: a cut chain must not be
        continued, or the entries after the cut could never be published.

        Args:
            expected: retire only if the log still starts with these bytes (nothing was
                rewritten meanwhile); None: always.

        Returns:
            The file the log was moved to, or None when nothing was retired.
        """
        if not self.path.exists():
            return None
        with self._locked() as fd:
            size = os.fstat(fd).st_size
            data = os.pread(fd, size, 0) if size else b""
            if not data or (expected is not None and not data.startswith(expected)):
                return None
            return self._retire(fd)

    def _retire(self, fd: int) -> Path | None:
        size = os.fstat(fd).st_size
        data = os.pread(fd, size, 0) if size else b""
        if not data:
            return None
        self.retired_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        target = self.retired_dir / f"{log_id_of(data) or 'onbekend'}-{stamp}.jsonl"
        with target.open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.ftruncate(fd, 0)
        os.fsync(fd)
        return target


def _lost(head: tuple[int, str], recorded: tuple[int, str]) -> bool:
    """Whether a log whose last line is `head` lost the line `recorded` (written earlier)."""
    return recorded[0] > head[0] or (recorded[0] == head[0] and recorded[1] != head[1])


def _normal(key_line: str) -> str:
    parts = key_line.split()
    return f"{parts[0]} {parts[1]}" if len(parts) >= 2 else key_line


def _check_row(
    row: dict[str, object] | None, number: int, known: set[tuple[str, str]] | None
) -> tuple[int, str, str] | AuditProblem:
    """Check one line on its own: shape, hash, signature, signer. Returns (seq, prev, hash)."""
    if row is None:
        return AuditProblem(number, "onleesbaar", f"regel {number} is geen auditregel")
    try:
        seq = int(str(row["seq"]))
        prev, door, sleutel = str(row["prev"]), str(row["door"]), str(row["sleutel"])
        data = base64.b64decode(str(row["data"]), validate=True)
        line_hash = str(row["hash"])
        sig = base64.b64decode(str(row["sig"]), validate=True)
        public = sshkeys.load_public(sleutel)
    except (KeyError, ValueError, TypeError, binascii.Error, sshkeys.SshKeyError):
        return AuditProblem(number, "onleesbaar", f"regel {number} is geen auditregel")
    if _line_hash(seq, prev, door, sleutel, data) != line_hash:
        return AuditProblem(seq, "gewijzigd", f"regel {seq} is na het schrijven gewijzigd")
    try:
        public.verify(sig, bytes.fromhex(line_hash))
    except (InvalidSignature, ValueError):
        return AuditProblem(seq, "handtekening", f"de handtekening van regel {seq} klopt niet")
    if known is not None and (door, _normal(sleutel)) not in known:
        return AuditProblem(
            seq, "onbekende_ondertekenaar", f"regel {seq} is ondertekend door een onbekende sleutel"
        )
    return seq, prev, line_hash
