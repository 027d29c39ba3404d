"""The audit logs travel with sync: a real `git daemon` on loopback and two or three devices.

Device A is the IB-er's (`ib-anna`), device B a teacher's laptop (`lk-els`, betrokken with the
pupil, so she may read the dossier), device C the directie's (`dir-piet`).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sync_testkit import CANARY, TODAY, Device, School, Server, dossier, make_school

from tui.cli import cli
from vault import audit_sync
from vault.audit import AuditLog
from vault.audit_sync import REF_PREFIX

REASON = f"moeder van {CANARY} belde"


@pytest.fixture
def school(tmp_path: Path, server: Server) -> School:
    made = make_school(tmp_path, server)
    made.first.sync(server.url)
    return made


def _pupil(school: School) -> str:
    pupil = school.first.open().new(dossier(), override="t", today=TODAY).pupil_id
    school.first.sync(school.server.url)
    return pupil


def _teacher(school: School) -> Device:
    b = school.device("apparaat-b", "lk-els")
    b.sync(school.server.url)
    return b


def _sync(device: Device, url: str) -> list[str]:
    """Sync; the Dutch warnings it gave (in the result's notices and as progress lines)."""
    said: list[str] = []
    result = device.sync(url, progress=said.append)
    warnings = [line for line in result.notices if line.startswith("LET OP")]
    assert warnings == [line for line in said if line.startswith("LET OP")]
    return warnings


def _audit(device: Device, *args: str) -> Result:
    env = {
        "ZORGKLUIS_VAULT": str(device.path),
        "ZORGKLUIS_IDENTITY": str(device.keys.folder / device.user_id),
    }
    return CliRunner().invoke(cli, ["audit", *args], env=env, catch_exceptions=False)


def _log(device: Device) -> AuditLog:
    return AuditLog.of_vault(device.path)


def _server_ref(server: Server, log_id: str) -> str | None:
    done = subprocess.run(
        ["git", "-C", str(server.bare), "rev-parse", "-q", "--verify", f"{REF_PREFIX}{log_id}"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or None


def _server_git(server: Server, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(server.bare), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_teachers_read_on_b_is_in_the_ib_ers_audit_on_a(school: School) -> None:
    pupil = _pupil(school)
    b = _teacher(school)
    b.open().show(pupil, reason=REASON)
    b_log = _log(b).log_id()
    assert b_log is not None
    assert _sync(b, school.server.url) == []
    assert _server_ref(school.server, b_log) is not None
    school.first.open().show(pupil)  # a read of A's own, to merge with
    assert _sync(school.first, school.server.url) == []

    found = audit_sync.report(school.first.open(), pupil_id=pupil)
    assert found.problems == []
    rows = [(e.entry.wie, e.own, e.log_id, e.entry.reden) for e in found.entries]
    assert ("lk-els", False, b_log, REASON) in rows
    assert ("ib-anna", True, _log(school.first).log_id(), None) in rows
    assert [e.entry.wanneer for e in found.entries] == sorted(
        e.entry.wanneer for e in found.entries
    )

    out = _audit(school.first, "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    teacher_rows = [r for r in doc["regels"] if r["wie"] == "lk-els"]
    assert [(r["leerling"], r["apparaat"], r["log"]) for r in teacher_rows] == [
        (pupil, f"apparaat {b_log[:8]}", b_log)
    ]
    text = _audit(school.first)
    assert f"apparaat {b_log[:8]}" in text.output and "lk-els" in text.output

    # The teacher checks the logs too, but reads none of the entries.
    mine = _audit(b, "--json")
    assert mine.exit_code == 0, mine.output
    assert json.loads(mine.stdout)["regels"] == []


def test_the_server_holds_no_plaintext_from_the_logs(school: School) -> None:
    pupil = _pupil(school)
    b = _teacher(school)
    b.open().show(pupil, reason=REASON)
    _sync(b, school.server.url)
    _sync(school.first, school.server.url)
    refs = _server_git(school.server, "for-each-ref", "--format=%(refname)", REF_PREFIX)
    assert len(refs.splitlines()) == 1  # B's log (A made no read yet)
    objects = school.server.all_objects()
    for secret in (CANARY, "belde", "Zeldzaamheid", "ontsleuteld"):
        assert secret.encode() not in objects
    raw = _log(b).path.read_bytes()
    assert raw.splitlines()[0] in objects  # the log's lines, as they are on the device


def test_a_deleted_log_is_reported_on_the_device_and_by_the_others(school: School) -> None:
    pupil = _pupil(school)
    b = _teacher(school)
    vb = b.open()
    vb.show(pupil, reason=REASON)
    vb.show(pupil)
    b_log = _log(b).log_id()
    _sync(b, school.server.url)
    _log(b).path.unlink()

    out = _audit(b)
    assert out.exit_code == 1
    assert "verwijderd" in out.output and "regels 1 t/m 2 ontbreken" in out.output

    said = _sync(b, school.server.url)
    assert len(said) == 1 and "verwijderd" in said[0] and "gemeld" in said[0]
    assert _audit(b).exit_code == 1  # still reported on the device
    assert _sync(b, school.server.url) == []  # but published only once

    said = _sync(school.first, school.server.url)
    assert len(said) == 1 and "verwijderd" in said[0] and "lk-els" in said[0]
    out = _audit(school.first, "--json")
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    assert [(p["log"], p["soort"]) for p in doc["problemen"]] == [(b_log, "verwijderd")]
    assert "Ze staan nog op de server" in doc["problemen"][0]["uitleg"]
    # The reads are not lost: the server's copy still has them.
    assert [r["reden"] for r in doc["regels"] if r["wie"] == "lk-els"] == [REASON, None]


def test_a_truncated_log_is_reported_and_later_reads_still_arrive(school: School) -> None:
    pupil = _pupil(school)
    b = _teacher(school)
    vb = b.open()
    for _ in range(3):
        vb.show(pupil)
    _sync(b, school.server.url)  # lines 1-3 published
    vb.show(pupil)
    vb.show(pupil)  # lines 4-5 not yet
    log = _log(b)
    old_id = log.log_id()
    log.path.write_bytes(b"".join(log.path.read_bytes().splitlines(keepends=True)[:2]))
    out = _audit(b)
    assert out.exit_code == 1 and "ingekort" in out.output

    vb.show(pupil, reason="na het inkorten")  # starts a new log: it can be published
    new_id = log.log_id()
    assert new_id != old_id
    said = _sync(b, school.server.url)
    assert len(said) == 1 and "regels 3 t/m 5" in said[0] and "verloren" in said[0]
    assert _server_ref(school.server, new_id or "") is not None

    said = _sync(school.first, school.server.url)
    assert len(said) == 1 and "ingekort" in said[0]
    found = audit_sync.report(school.first.open())
    assert [(p.log_id, p.kind, p.seq) for p in found.problems] == [(old_id, "ingekort", 3)]
    assert "verloren" in found.problems[0].detail
    seen = sorted((e.log_id == new_id, e.entry.seq) for e in found.entries)
    assert seen == [(False, 1), (False, 2), (False, 3), (True, 1)]
    assert _audit(school.first).exit_code == 1


def test_a_log_that_shrank_or_vanished_on_the_server_is_reported_and_put_back(
    school: School,
) -> None:
    pupil = _pupil(school)
    b = _teacher(school)
    vb = b.open()
    vb.show(pupil)
    _sync(b, school.server.url)
    first_tip = _server_ref(school.server, _log(b).log_id() or "")
    vb.show(pupil)
    _sync(b, school.server.url)
    b_log = _log(b).log_id() or ""
    full_tip = _server_ref(school.server, b_log)
    c = school.device("apparaat-c", "dir-piet")
    assert _sync(c, school.server.url) == []  # C takes in B's log (two lines)

    # Someone on the server cuts the log back to its first line.
    _server_git(school.server, "update-ref", f"{REF_PREFIX}{b_log}", first_tip or "")
    said = _sync(c, school.server.url)
    assert len(said) == 1 and "ingekort" in said[0] and b_log[:8] in said[0]
    assert _server_ref(school.server, b_log) == full_tip  # C put its copy back
    out = _audit(c, "--json")
    assert out.exit_code == 1
    problems = json.loads(out.stdout)["problemen"]
    assert [(p["log"], p["soort"]) for p in problems] == [(b_log, "server")]

    # Someone deletes it from the server.
    _server_git(school.server, "update-ref", "-d", f"{REF_PREFIX}{b_log}")
    said = _sync(c, school.server.url)
    assert len(said) == 1 and "verdwenen" in said[0]
    assert _server_ref(school.server, b_log) == full_tip
    # A, who never saw the loss, gets the whole log and finds nothing wrong.
    assert _sync(school.first, school.server.url) == []
    assert audit_sync.report(school.first.open()).problems == []


def test_a_log_rewritten_on_the_server_is_refused(school: School, tmp_path: Path) -> None:
    pupil = _pupil(school)
    b = _teacher(school)
    b.open().show(pupil)
    _sync(b, school.server.url)
    b_log = _log(b).log_id() or ""
    _sync(school.first, school.server.url)
    ours = school.first.git("rev-parse", f"{REF_PREFIX}{b_log}").stdout.strip()

    # An intruder replaces the log with one of its own making (same id, unsigned commit).
    work = tmp_path / "indringer"
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    (work / "0000000001.jsonl").write_bytes(b'{"seq":1}\n')
    env = {"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@x", "GIT_COMMITTER_NAME": "x"}
    env |= {"GIT_COMMITTER_EMAIL": "x@x", "HOME": str(tmp_path)}
    for args in (["add", "."], ["commit", "-qm", "weg"]):
        subprocess.run(["git", "-C", str(work), *args], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(work), "push", "-qf", school.server.url, f"HEAD:{REF_PREFIX}{b_log}"],
        check=True,
    )
    said = _sync(school.first, school.server.url)
    assert len(said) == 1 and "herschreven" in said[0]
    assert school.first.git("rev-parse", f"{REF_PREFIX}{b_log}").stdout.strip() == ours
    found = audit_sync.report(school.first.open())
    assert [(p.log_id, p.kind) for p in found.problems] == [(b_log, "server")]
    assert any(e.entry.wie == "lk-els" for e in found.entries)  # the copy here still shows


def test_a_forged_line_in_a_staff_signed_log_is_not_taken_over(
    school: School, tmp_path: Path
) -> None:
    pupil = _pupil(school)
    b = _teacher(school)
    b.open().show(pupil)
    line = json.loads(_log(b).path.read_bytes().splitlines()[0])
    log_id = line["hash"][:16]
    line["door"] = "ib-anna"  # blame the IB-er; the hash and signature cannot follow
    # The teacher publishes it herself, in a commit properly signed with her staff key.
    work = tmp_path / "vervalst"
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    (work / "0000000001.jsonl").write_text(json.dumps(line) + "\n")
    key = str(b.keys.folder / "lk-els")
    git = ["git", "-C", str(work), "-c", "gpg.format=ssh", "-c", f"user.signingKey={key}"]
    git += ["-c", "user.name=Els Leerkracht", "-c", "user.email=lk-els"]
    subprocess.run([*git, "add", "."], check=True)
    message = f"Auditlog {log_id}: regels 1 t/m 1\n\nAudit-Log: {log_id}\n"
    subprocess.run([*git, "commit", "-q", "-S", "-m", message], check=True)
    target = f"HEAD:{REF_PREFIX}{log_id}"
    subprocess.run([*git, "push", "-q", school.server.url, target], check=True)

    said = _sync(school.first, school.server.url)
    assert len(said) == 1 and "ongeldig" in said[0] and "gewijzigd" in said[0]
    assert school.first.git("rev-parse", "-q", "--verify", f"{REF_PREFIX}{log_id}").stdout == ""
    out = _audit(school.first, "--json")
    assert out.exit_code == 1
    assert [p["soort"] for p in json.loads(out.stdout)["problemen"]] == ["server"]
