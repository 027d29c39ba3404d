"""The audit log: append-only, hash-chained, signed, encrypted to directie/IB-er + recovery."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vault.audit import (
    AuditError,
    AuditLog,
    anchor_trailer,
    anchors_from_messages,
    reader_recipients,
)
from vault.crypto import age, sshkeys
from vault.users import User

T0 = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)


class Person:
    """A test-only staff member with a fresh, unprotected key."""

    def __init__(self, user_id: str, rol: str) -> None:
        self.pem, public = sshkeys.generate(user_id, None)
        self.key: Ed25519PrivateKey = sshkeys.load_private(self.pem, None)
        self.user = User(user_id, user_id.upper(), rol, " ".join(public.split()[:2]))

    @property
    def identity(self) -> age.SshEd25519Identity:
        return age.SshEd25519Identity(self.key)


@pytest.fixture(scope="module")
def staff() -> dict[str, Person]:
    return {
        "ib": Person("ib-1", "intern_begeleider"),
        "dir": Person("dir-1", "directie"),
        "lk": Person("lk-1", "leerkracht"),
    }


@pytest.fixture(scope="module")
def recovery() -> age.X25519Identity:
    return age.X25519Identity.generate()


def fill(log: AuditLog, staff: dict[str, Person], recovery: age.X25519Identity, n: int = 4) -> None:
    recipients = reader_recipients([p.user for p in staff.values()], recovery.recipient())
    actors = ["lk", "ib", "lk", "dir", "ib", "lk"]
    for i in range(n):
        person = staff[actors[i % len(actors)]]
        log.append(
            actor=person.user,
            key=person.key,
            recipients=recipients,
            action="ontsleuteld" if i % 2 == 0 else "sleutel-export",
            pupil_id=f"ll-{i % 2}",
            part="zorg",
            reason=f"reden {i}" if i % 2 else None,
            when=T0 + dt.timedelta(minutes=i),
        )


def known(staff: dict[str, Person]) -> list[tuple[str, str]]:
    return [(p.user.id, p.user.public_key) for p in staff.values()]


@pytest.fixture
def log(tmp_path: Path, staff: dict[str, Person], recovery: age.X25519Identity) -> AuditLog:
    audit = AuditLog(tmp_path / "audit.jsonl")
    fill(audit, staff, recovery)
    return audit


def lines(log: AuditLog) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


def test_intact_log_verifies_and_reads(
    log: AuditLog, staff: dict[str, Person], recovery: age.X25519Identity
) -> None:
    head = log.head()
    assert head is not None and head[0] == 4
    assert log.verify(known(staff), anchors=[head]) == []
    entries, problems = log.read([staff["dir"].identity])
    assert problems == []
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[1].wie == "ib-1" and entries[1].actie == "sleutel-export"
    assert entries[1].reden == "reden 1" and entries[0].reden is None
    assert entries[2].wanneer == T0 + dt.timedelta(minutes=2)
    only, _ = log.read([recovery], pupil_id="ll-1")
    assert [e.seq for e in only] == [2, 4]


def test_no_pupil_data_in_clear(log: AuditLog) -> None:
    raw = log.path.read_bytes()
    assert b"ll-0" not in raw and b"ll-1" not in raw and b"zorg" not in raw


def test_teacher_cannot_read_entries(log: AuditLog, staff: dict[str, Person]) -> None:
    entries, problems = log.read([staff["lk"].identity])
    assert entries == [] and problems == []


def test_age_cli_decrypts_an_entry_with_the_ib_ssh_key(
    log: AuditLog, staff: dict[str, Person], tmp_path: Path
) -> None:
    exe = shutil.which("age")
    assert exe, "the age CLI is a test oracle"
    key_file = tmp_path / "ib_key"
    key_file.write_bytes(staff["ib"].pem)
    key_file.chmod(0o600)
    row = json.loads(lines(log)[0])
    out = subprocess.run(
        [exe, "-d", "-i", str(key_file)],
        input=base64.b64decode(row["data"]),
        capture_output=True,
        check=True,
    )
    inner = json.loads(out.stdout)
    assert inner["seq"] == 1 and inner["leerling"] == "ll-0" and inner["wie"] == "lk-1"


def test_altered_entry_is_detected(log: AuditLog, staff: dict[str, Person]) -> None:
    rows = lines(log)
    row = json.loads(rows[1])
    data = bytearray(base64.b64decode(row["data"]))
    data[-5] ^= 1
    row["data"] = base64.b64encode(bytes(data)).decode()
    rows[1] = (json.dumps(row) + "\n").encode()
    log.path.write_bytes(b"".join(rows))
    kinds = {(p.seq, p.kind) for p in log.verify(known(staff))}
    assert (2, "gewijzigd") in kinds
    _, problems = log.read([staff["ib"].identity])
    assert [p.kind for p in problems] == ["ontsleuteling"]


def test_recomputed_hash_without_the_key_fails_the_signature(
    log: AuditLog, staff: dict[str, Person]
) -> None:
    from vault.audit import _line_hash

    rows = lines(log)
    row = json.loads(rows[2])
    row["door"] = "dir-1"  # blame someone else and fix the hash; the signature cannot follow
    row["hash"] = _line_hash(
        row["seq"], row["prev"], row["door"], row["sleutel"], base64.b64decode(row["data"])
    )
    rows[2] = (json.dumps(row) + "\n").encode()
    log.path.write_bytes(b"".join(rows))
    kinds = [p.kind for p in log.verify(known(staff))]
    assert "handtekening" in kinds or "onbekende_ondertekenaar" in kinds
    assert "keten" in kinds  # the next line no longer links to the changed hash


def test_removed_entry_is_detected(log: AuditLog, staff: dict[str, Person]) -> None:
    rows = lines(log)
    log.path.write_bytes(rows[0] + rows[2] + rows[3])
    kinds = {p.kind for p in log.verify(known(staff))}
    assert {"volgorde", "keten"} <= kinds


def test_swapped_entries_are_detected(log: AuditLog, staff: dict[str, Person]) -> None:
    rows = lines(log)
    log.path.write_bytes(rows[0] + rows[2] + rows[1] + rows[3])
    assert {p.kind for p in log.verify(known(staff))} >= {"volgorde", "keten"}


def test_truncation_is_caught_by_an_anchor(log: AuditLog, staff: dict[str, Person]) -> None:
    head = log.head()
    trailer = anchor_trailer(head)
    message = f"Bewaartermijnen: 2 delen vernietigd\n\n{trailer}\n"
    anchors = anchors_from_messages(["Dossier bijgewerkt", message])
    assert anchors == [head]
    log.path.write_bytes(b"".join(lines(log)[:-1]))
    assert log.verify(known(staff)) == []  # a shorter chain is valid on its own
    assert [p.kind for p in log.verify(known(staff), anchors)] == ["anker"]


def test_unknown_signer_and_garbage_line(
    log: AuditLog, staff: dict[str, Person], recovery: age.X25519Identity
) -> None:
    stranger = Person("x-1", "leerkracht")
    log.append(
        actor=stranger.user,
        key=stranger.key,
        recipients=[recovery.recipient()],
        action="export",
    )
    with log.path.open("ab") as fh:
        fh.write(b"niet eens json\n")
    kinds = [p.kind for p in log.verify(known(staff))]
    assert kinds == ["onbekende_ondertekenaar", "onleesbaar"]


def test_append_refuses_unknown_action_and_damaged_tail(
    tmp_path: Path, staff: dict[str, Person], recovery: age.X25519Identity
) -> None:
    audit = AuditLog(tmp_path / "a" / "audit.jsonl")
    assert audit.head() is None
    person = staff["ib"]
    with pytest.raises(AuditError):
        audit.append(actor=person.user, key=person.key, recipients=[], action="lezen")
    assert not audit.path.exists()  # nothing written for a refused action
    audit.path.parent.mkdir()
    audit.path.write_bytes(b"kapot\n")
    with pytest.raises(AuditError, match="beschadigd"):
        audit.append(
            actor=person.user, key=person.key, recipients=[recovery.recipient()], action="export"
        )
    assert audit.path.read_bytes() == b"kapot\n"


def test_first_line_links_to_genesis(log: AuditLog) -> None:
    first = json.loads(lines(log)[0])
    assert first["prev"] == "0" * 64 and first["seq"] == 1
    assert len(hashlib.sha256().hexdigest()) == len(first["hash"])
