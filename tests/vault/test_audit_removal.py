"""Removing this device's audit log, or cutting its newest lines, is noticed on the device.

No server here: what the log held is recorded where deleting or cutting the log file does not
erase it (`auditkoppen.json`, next to the log, and the `Audit-Head:` anchors of signed commits),
and `zorgkluis audit` reports the loss with exit code 1. A teacher who only reads never makes a
commit, so the record is what catches her deleted log.
"""

from __future__ import annotations

import json

from click.testing import CliRunner, Result
from vault_testkit import TODAY, School, dossier

from dossier_format import codec
from tui.cli import cli
from vault import audit_sync
from vault.audit import AuditLog
from vault.repository import Vault


def _run(school: School, who: str, *args: str) -> Result:
    env = {"ZORGKLUIS_VAULT": str(school.path), "ZORGKLUIS_IDENTITY": str(school.keys.path(who))}
    return CliRunner().invoke(cli, ["audit", *args], env=env, catch_exceptions=False)


def _lines(log: AuditLog) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


def _pupil(school: School) -> tuple[Vault, str]:
    ib = school.as_("ib-anna")
    return ib, ib.new(dossier(), today=TODAY).pupil_id


def test_an_intact_log_has_no_problems_and_its_head_is_recorded(school: School) -> None:
    ib, pid = _pupil(school)
    for _ in range(3):
        ib.show(pid)
    log = AuditLog.of_vault(school.path)
    log_id, head = log.log_id(), log.head()
    assert log_id is not None and head is not None
    assert log.recorded_heads() == {log_id: head}
    assert log.heads_path.parent == log.path.parent and log.heads_path != log.path
    found = audit_sync.report(ib)
    assert found.problems == []
    assert [(e.entry.seq, e.own, e.device) for e in found.entries] == [
        (1, True, "dit apparaat"),
        (2, True, "dit apparaat"),
        (3, True, "dit apparaat"),
    ]
    out = _run(school, "ib-anna")
    assert out.exit_code == 0, out.output
    assert "dit apparaat" in out.output


def test_a_deleted_log_is_reported(school: School) -> None:
    ib, pid = _pupil(school)
    ib.show(pid, reason="zorgoverleg")
    ib.show(pid)
    log = AuditLog.of_vault(school.path)
    log.path.unlink()
    out = _run(school, "ib-anna")
    assert out.exit_code == 1
    assert "PROBLEEM" in out.output and "verwijderd" in out.output
    assert "regels 1 t/m 2 ontbreken" in out.output
    doc = json.loads(_run(school, "ib-anna", "--json").stdout)
    assert [p["soort"] for p in doc["problemen"]] == ["verwijderd"]


def test_a_teacher_who_only_reads_and_deletes_her_log_is_reported(school: School) -> None:
    ib, pid = _pupil(school)
    els = school.as_("lk-els")  # betrokken: reads, never commits
    els.show(pid)
    els.show(pid)
    log = AuditLog.of_vault(school.path)
    assert not any("Audit-Head" in c.message for c in ib.history(changed_paths=False))
    log.path.write_bytes(b"")
    for who in ("lk-els", "ib-anna"):  # the teacher sees no entries, but does see the loss
        out = _run(school, who)
        assert out.exit_code == 1, who
        assert "verwijderd" in out.output


def test_lines_cut_after_the_last_anchor_are_reported(school: School) -> None:
    ib, pid = _pupil(school)
    doc = codec.load(ib.show(pid))
    doc["leerling"]["groep"] = 6
    ib.put(pid, codec.dump(doc), today=TODAY)  # a signed commit anchors line 1
    for _ in range(3):
        ib.show(pid)
    log = AuditLog.of_vault(school.path)
    log.path.write_bytes(b"".join(_lines(log)[:2]))  # the anchored line stays
    found = audit_sync.report(ib)
    assert [(p.kind, p.seq) for p in found.problems] == [("ingekort", 3)]
    assert "regels 3 t/m 4 ontbreken" in found.problems[0].detail
    out = _run(school, "ib-anna")
    assert out.exit_code == 1 and "ingekort" in out.output


def test_anchors_of_a_deleted_log_are_still_checked(school: School) -> None:
    ib, pid = _pupil(school)
    ib.show(pid)
    doc = codec.load(ib.show(pid))
    doc["leerling"]["groep"] = 7
    ib.put(pid, codec.dump(doc), today=TODAY)  # anchors line 2 of this log, by its id
    AuditLog.of_vault(school.path).path.unlink()
    kinds = {p.kind for p in audit_sync.report(ib).problems}
    assert kinds == {"verwijderd", "anker"}


def test_an_entry_after_a_cut_starts_a_new_log_and_nothing_is_hidden(school: School) -> None:
    ib, pid = _pupil(school)
    for _ in range(4):
        ib.show(pid)
    log = AuditLog.of_vault(school.path)
    old_id = log.log_id()
    log.path.write_bytes(b"".join(_lines(log)[:2]))
    ib.show(pid, reason="na het inkorten")
    new_id = log.log_id()
    assert new_id is not None and new_id != old_id
    assert [json.loads(line)["seq"] for line in _lines(log)] == [1]  # a fresh chain
    (kept,) = list(log.retired_dir.iterdir())
    assert kept.read_bytes().count(b"\n") == 2  # the cut log is set aside, not lost
    assert log.verify() == []
    found = audit_sync.report(ib)
    assert [(p.kind, p.log_id) for p in found.problems] == [("ingekort", old_id)]
    assert sorted((e.log_id, e.entry.seq) for e in found.entries) == sorted(
        [(old_id, 1), (old_id, 2), (new_id, 1)]
    )
    assert all(e.own for e in found.entries)
    (last,) = [e for e in found.entries if e.log_id == new_id]
    assert last.entry.reden == "na het inkorten"
