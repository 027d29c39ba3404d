"""The facade's reads and exports reach the audit log: one entry per read, none per list."""

from __future__ import annotations

import pytest
from vault_testkit import TODAY, School, dossier

from dossier_format import codec
from vault import repository
from vault.audit import AuditEntry, AuditLog, anchors_from_messages
from vault.errors import CorruptError, VaultError
from vault.git_store import GitStore
from vault.repository import Vault


def _entries(school: School, reader: Vault) -> list[AuditEntry]:
    entries, problems = AuditLog.of_vault(school.path).read(reader.identities)
    assert problems == []
    return entries


def _saved(school: School) -> tuple[Vault, str]:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(), today=TODAY).pupil_id
    return ib, pid


def test_show_is_one_entry_and_list_is_none(school: School) -> None:
    ib, pid = _saved(school)
    assert _entries(school, ib) == []  # saving is in the signed history, not the audit log
    ib.list_pupils()
    assert _entries(school, ib) == []  # a list is not a dossier read
    ib.show(pid, reason="zorgoverleg")
    (entry,) = _entries(school, ib)
    assert (entry.wie, entry.actie, entry.leerling, entry.reden) == (
        "ib-anna",
        "ontsleuteld",
        pid,
        "zorgoverleg",
    )
    assert entry.onderdeel is not None and "zorg" in entry.onderdeel.split(",")
    assert "samenvatting" not in entry.onderdeel  # file parts under administratie not listed


def test_teacher_reads_are_logged_but_only_managers_read_the_log(school: School) -> None:
    ib, pid = _saved(school)
    ib.grant(pid, "lk-bob")
    bob = school.as_("lk-bob")
    bob.show(pid)
    assert [(e.wie, e.leerling) for e in _entries(school, ib)] == [("lk-bob", pid)]
    assert _entries(school, bob) == []  # the entry is encrypted to directie/IB-ers only


def test_history_reads_diff_and_check_are_one_entry_each(school: School) -> None:
    ib, pid = _saved(school)
    doc = codec.load(ib.show(pid))
    doc["leerling"]["groep"] = 6
    ib.put(pid, codec.dump(doc), today=TODAY)
    first = ib.log(pid)[-1].commit
    ib.show_at(pid, first)
    ib.diff(pid)
    ib.check(pid, today=TODAY)
    entries = _entries(school, ib)[1:]  # after the show that made the edit
    assert [(e.actie, e.leerling) for e in entries] == [("ontsleuteld", pid)] * 3
    assert entries[0].reden == f"versie {first[:10]}"
    assert entries[1].reden is not None and entries[1].reden.startswith("verschil ")
    assert entries[2].reden == "controle"


def test_audited_block_records_the_action_once_or_the_reads_when_broken(school: School) -> None:
    ib, pid = _saved(school)
    with ib.audited("kopie", pupil_id=pid, reason="verzoek ouders") as scope:
        ib.show(pid)
        ib.show(pid)
        scope.part = "administratie"
    with pytest.raises(RuntimeError), ib.audited("export", pupil_id=pid):
        ib.show(pid)
        raise RuntimeError("printer kapot")
    entries = _entries(school, ib)
    assert [(e.actie, e.onderdeel, e.reden) for e in entries] == [
        ("kopie", "administratie", "verzoek ouders"),
        ("ontsleuteld", entries[1].onderdeel, "dossier geëxporteerd: afgebroken"),
    ]
    with pytest.raises(VaultError), ib.audited("lezen"):
        pass


def test_textconv_read_is_logged(school: School) -> None:
    ib, pid = _saved(school)
    blob = (school.path / "dossiers" / pid / "zorg.age").read_bytes()
    assert "niveaus" in ib.decrypt_blob(blob, f"dossiers/{pid}/zorg.age")
    ((action, who, part, why),) = [
        (e.actie, e.leerling, e.onderdeel, e.reden) for e in _entries(school, ib)
    ]
    assert (action, who, part, why) == ("ontsleuteld", pid, "zorg", "git textconv")


def test_commits_anchor_the_log_head_of_this_clone(school: School) -> None:
    ib, pid = _saved(school)
    ib.show(pid)
    log = AuditLog.of_vault(school.path)
    head = log.head()
    assert head is not None
    doc = codec.load(ib.show(pid))
    doc["leerling"]["groep"] = 7
    ib.put(pid, codec.dump(doc), today=TODAY)
    message = GitStore(school.path).log(max_count=1)[0].message
    assert f"Audit-Head: {head[0] + 1} " in message
    anchors = anchors_from_messages([message], log.log_id())
    assert anchors and log.verify(anchors=anchors) == []
    assert anchors_from_messages([message], "0" * 16) == []  # another clone's log
    # Cutting the tail is caught through the anchor.
    lines = log.path.read_bytes().splitlines(keepends=True)
    log.path.write_bytes(b"".join(lines[:-1]))
    assert [p.kind for p in log.verify(anchors=anchors)] == ["anker"]


def test_damaged_log_refuses_the_read(school: School) -> None:
    ib, pid = _saved(school)
    log = AuditLog.of_vault(school.path)
    log.path.parent.mkdir(parents=True, exist_ok=True)
    log.path.write_bytes(b"kapot\n")
    with pytest.raises(VaultError, match="auditlog"):
        ib.show(pid)


def test_check_all_matches_check_and_logs_one_entry_per_pupil(school: School) -> None:
    ib = school.as_("ib-anna")
    first = ib.new(dossier(), today=TODAY).pupil_id
    second = ib.new(
        dossier(voornaam="Sem", werk=[("ib-anna", "eigen notitie")]), today=TODAY
    ).pupil_id
    found = ib.check_all(TODAY)
    assert found == {pid: ib.check(pid, TODAY) for pid in (first, second)}
    entries = _entries(school, ib)
    assert [(e.leerling, e.reden) for e in entries[:2]] == [
        (pid, "controle") for pid in sorted((first, second))
    ]
    assert len(entries) == 4  # the two check_all entries, then the two single checks


def test_history_diffs_equal_diff_per_version_with_one_entry(school: School) -> None:
    ib, pid = _saved(school)
    for groep in (6, 7):
        doc = codec.load(ib.show(pid))
        doc["leerling"]["groep"] = groep
        ib.put(pid, codec.dump(doc), today=TODAY)
    before = len(_entries(school, ib))
    history = ib.history_diffs(pid, max_versions=2)
    assert [v.commit for v, _ in history] == [v.commit for v in ib.log(pid)[:2]]
    assert len(_entries(school, ib)) == before + 1  # one entry for the whole view
    for version, text in history:
        assert text == ib.diff(pid, to_commit=version.commit)
    assert "+  groep: 7" in history[0][1]


def test_batched_states_are_the_one_by_one_states(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "_STATE_BATCH", 2)
    ib = school.as_("ib-anna")
    ids = [
        ib.new(dossier(achternaam="Aap"), today=TODAY).pupil_id,
        ib.new(dossier(achternaam="Beer", werk=[("ib-anna", "notitie")]), today=TODAY).pupil_id,
        ib.new(dossier(achternaam="Cor", okr=True), today=TODAY).pupil_id,
    ]
    batched = list(ib._states_in_batches(ids))
    single = [ib._state(pid) for pid in ids]
    assert [(s.pupil_id, s.files, s.plain) for s in batched] == [
        (s.pupil_id, s.files, s.plain) for s in single
    ]
    assert any(part.startswith("werkaantekeningen/") for part in batched[1].plain)


def test_check_all_in_small_batches_matches_one_by_one_and_stops_where_it_would(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "_STATE_BATCH", 2)  # five pupils: batches of 2, 2, 1
    ib = school.as_("ib-anna")
    names = ["Aap", "Beer", "Cor", "Dirk", "Eva"]  # list order is by achternaam
    ids = [ib.new(dossier(achternaam=n, okr=n == "Cor"), today=TODAY).pupil_id for n in names]
    found = school.as_("ib-anna").check_all(TODAY)
    assert list(found) == ids
    assert found == {pid: ib.check(pid, TODAY) for pid in ids}
    before = len(_entries(school, ib))
    ib.keystore.path(ids[3], "zorg").write_bytes(b"kapot")  # second pupil of the 2nd batch
    fresh = school.as_("ib-anna")
    with pytest.raises(CorruptError):
        fresh.check_all(TODAY)
    broken = _entries(school, ib)[before:]
    assert [e.leerling for e in broken] == sorted(ids[:3])  # the pupils checked before it
    assert all(e.reden is not None and "afgebroken" in e.reden for e in broken)


def test_a_batch_read_is_one_encrypted_line_read_back_per_pupil(school: School) -> None:
    ib = school.as_("ib-anna")
    ids = [ib.new(dossier(voornaam=n), today=TODAY).pupil_id for n in ("Aap", "Beer", "Cor")]
    log = AuditLog.of_vault(school.path)
    lines_before = log.path.read_bytes().count(b"\n") if log.path.exists() else 0
    before = len(_entries(school, ib))
    ib.check_all(TODAY)
    # One line (one age encryption) for the whole check, an entry per pupil when read.
    assert log.path.read_bytes().count(b"\n") == lines_before + 1
    batch = _entries(school, ib)[before:]
    assert sorted(e.leerling for e in batch if e.leerling) == sorted(ids)
    assert len({e.seq for e in batch}) == 1 and all(e.reden == "controle" for e in batch)
    # Filtering by pupil finds that pupil's entry inside the batch line.
    mine, problems = log.read(ib.identities, pupil_id=ids[1])
    assert problems == [] and [e.reden for e in mine][-1] == "controle"
    # A teacher cannot open the line; the chain and signatures still verify.
    assert log.read(school.as_("lk-els").identities)[0] == []
    assert log.verify() == []
