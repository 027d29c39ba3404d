"""Retention status and sweep on a real vault, and the proof that shredded parts are gone.

The shred proof (issue 5, point 3) collects every age identity and every age file anywhere in
the vault folder (work tree, key store, backups, backup keys, every git object) plus the
staff keys and the recovery key, opens whatever they open (recursively, so keys inside
decrypted key-store entries and backups join the pool), and then tries the whole pool on
every historical blob of every shredded part: none may decrypt, while the unexpired parts
still do.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from dossier_format.retention_rules import BEWAREN, ONBEPAALD, VERLOPEN, VERNIETIGD, Term
from vault import retention
from vault.crypto import age
from vault.errors import NotPermittedError, VaultError
from vault.repository import UserSigner

if TYPE_CHECKING:
    from conftest import MiniVault, ShredProof

TODAY = dt.date(2026, 11, 22)


def admin(name: str, left: str | None = None, admitted: str | None = None) -> str:
    lines = [
        "formaat: zorgkluis-dossier/1",
        "leerling:",
        f"  voornaam: {name}",
        "  achternaam: Verzonnen",
        "inschrijving:",
        "  ingeschreven: 2016-08-22",
    ]
    if left:
        lines.append(f"  uitgeschreven: {left}")
    if admitted:
        lines.append(f"  toegelaten_vervolgschool: {admitted}")
    return "\n".join(lines) + "\n"


def zorg(version: int, advice: bool = False) -> str:
    text = f"niveaus:\n  - niveau: 2\n    reden: versie {version}\n"
    if advice:
        text += "aanvragen:\n  - id: av-1\n    soort: tlv\n    datum: 2018-03-01\n"
        text += "    besluit: toegekend\n"
    return text


@pytest.fixture
def filled(mini: MiniVault) -> MiniVault:
    """Four fictional pupils with history; see the expectations in `test_status`."""
    # A: left 2022-07-15, admitted 2022-09-01: administratie kept, the rest expired.
    mini.save(
        "ll-aaaa",
        {
            "administratie": admin("Anouk"),
            "samenvatting": "Anouk",
            "zorg": zorg(1),
            "okr": "okr:\n  schooladvies: havo\n",
        },
    )
    mini.save("ll-aaaa", {"zorg": zorg(2)}, rotate=("zorg",))  # second key generation
    mini.save("ll-aaaa", {"werkaantekeningen/lk-1": "- tekst: notitie A\n"}, who="lk-1")
    mini.save(
        "ll-aaaa",
        {
            "administratie": admin("Anouk", "2022-07-15", "2022-09-01"),
            "zorg": zorg(3),
            "okr": "okr:\n  schooladvies: havo/vwo\n",
        },
    )
    # B: still enrolled: everything kept.
    mini.save("ll-bbbb", {"administratie": admin("Bram"), "zorg": zorg(1)})
    mini.save("ll-bbbb", {"werkaantekeningen/lk-1": "- tekst: notitie B\n"}, who="lk-1")
    # C: left 2019-07-01 with a TLV decision: everything expired, administratie overdue.
    mini.save(
        "ll-cccc",
        {
            "administratie": admin("Cas", "2019-07-01", "2019-08-20"),
            "samenvatting": "Cas",
            "toegang": "{}",
            "zorg": zorg(1, advice=True),
            "okr": "okr:\n  schooladvies: vmbo\n",
        },
    )
    # D: left 2025-07-01, admission date unknown: okr undetermined, werkaantekeningen expired.
    mini.save(
        "ll-dddd",
        {"administratie": admin("Dewi", "2025-07-01"), "zorg": zorg(1), "okr": "okr: {}\n"},
    )
    mini.save("ll-dddd", {"werkaantekeningen/lk-1": "- tekst: notitie D\n"}, who="lk-1")
    return mini


def states(items: list) -> dict[tuple[str, str], str]:
    return {(i.pupil_id, i.part): i.state for i in items}


def test_status(filled: MiniVault) -> None:
    items = retention.status(filled.keeper(), TODAY)
    assert states(items) == {
        ("ll-aaaa", "administratie"): BEWAREN,
        ("ll-aaaa", "okr"): VERLOPEN,
        ("ll-aaaa", "werkaantekeningen/lk-1"): VERLOPEN,
        ("ll-aaaa", "zorg"): VERLOPEN,
        ("ll-bbbb", "administratie"): BEWAREN,
        ("ll-bbbb", "werkaantekeningen/lk-1"): BEWAREN,
        ("ll-bbbb", "zorg"): BEWAREN,
        ("ll-cccc", "administratie"): VERLOPEN,
        ("ll-cccc", "okr"): VERLOPEN,
        ("ll-cccc", "zorg"): VERLOPEN,
        ("ll-dddd", "administratie"): BEWAREN,
        ("ll-dddd", "okr"): ONBEPAALD,
        ("ll-dddd", "werkaantekeningen/lk-1"): VERLOPEN,
        ("ll-dddd", "zorg"): BEWAREN,
    }
    by = {(i.pupil_id, i.part): i for i in items}
    assert by[("ll-cccc", "administratie")].te_laat
    assert by[("ll-cccc", "zorg")].rule_ids[0] == "adviezen"
    assert "toelating" in by[("ll-dddd", "okr")].reason


def test_teacher_may_not_sweep(filled: MiniVault) -> None:
    # A matter of role, not of access to a pupil: not "ask for access" but "not permitted".
    with pytest.raises(NotPermittedError) as refused:
        retention.sweep(filled.keeper("lk-1"), [], TODAY)
    assert "als leerkracht mag je dat niet" in refused.value.message
    assert "toegang" not in str(refused.value)


def test_sweep_shreds_and_nothing_anywhere_opens_the_shredded_parts(
    filled: MiniVault, proof: ShredProof
) -> None:
    keeper = filled.keeper()
    old_backup = retention.backup(keeper, TODAY)
    items = retention.status(keeper, TODAY)
    expired = {(i.pupil_id, i.part) for i in items if i.state == VERLOPEN}
    assert len(expired) == 7
    shredded_paths = set()
    for pid, part in expired:
        shredded_paths |= set(retention.pupil_parts(keeper, pid).files[part])
    assert "dossiers/ll-cccc/samenvatting.age" in shredded_paths  # under the administratie key

    seen: list[tuple[int, int]] = []
    result = retention.sweep(keeper, items, TODAY, progress=lambda d, t, _i: seen.append((d, t)))
    assert seen == [(n, 7) for n in range(1, 8)]
    assert result.commit and result.backups_destroyed == 1 and result.new_backup
    assert not old_backup.exists()

    # The sweep commit is signed and verifies with plain git and the committed signers file.
    subprocess.run(
        ["git", "verify-commit", result.commit], cwd=filled.path, check=True, capture_output=True
    )
    for path in shredded_paths:
        assert filled.store.read(path) is None
        assert not (filled.path / path).exists()
    for pid, part in expired:
        assert not filled.keystore.exists(pid, part)

    # Gather every key and age file: vault folder (incl. .git: key store, backups, backup
    # keys, audit log, raw objects), every git object, the staff keys and the recovery key.
    sources = proof.everything_in(filled.path) + proof.git_objects(filled.path)
    sources += [s.key_file.read_bytes() for s in filled.staff.values()]
    sources.append(filled.recovery_file.read_bytes())
    pool, opened = proof.collect_pool(sources)
    assert opened > 10  # key-store entries, the fresh backup and its key were opened
    assert len(pool) > 10  # staff, recovery, part keys of all generations, backup key

    blobs = proof.historical_blobs(filled.path, shredded_paths)
    assert len(blobs) >= 10  # every version: A's zorg has 3 versions under 2 key generations
    for blob in blobs:
        with pytest.raises(age.NoIdentityMatchError):
            age.decrypt(blob, pool)

    # What has not expired still reads with the same pool, at HEAD and in history.
    kept = {
        p
        for i in items
        if i.state != VERLOPEN
        for p in retention.pupil_parts(keeper, i.pupil_id).files.get(i.part, [])
    }
    assert "dossiers/ll-aaaa/administratie.age" in kept
    for blob in proof.historical_blobs(filled.path, kept):
        assert age.decrypt(blob, pool)


def test_retention_log_holds_no_pupil_data(filled: MiniVault) -> None:
    keeper = filled.keeper("dir-1")
    retention.sweep(keeper, retention.status(keeper, TODAY), TODAY)
    raw = filled.store.read(retention.LOG_FILE)
    assert raw is not None
    rows = [json.loads(line) for line in raw.splitlines()]
    assert {(r["leerling"], r["onderdeel"]) for r in rows} >= {("ll-cccc", "administratie")}
    assert set(rows[0]) == {
        "leerling",
        "onderdeel",
        "regel",
        "termijn_tot",
        "vernietigd_op",
        "door",
    }
    assert all(r["door"] == "dir-1" and r["vernietigd_op"] == "2026-11-22" for r in rows)
    for name in (b"Anouk", b"Cas", b"Dewi", b"Verzonnen", b"havo"):
        assert name not in raw
    # A second sweep has nothing to do; the destroyed parts show as such nowhere anymore.
    again = retention.status(keeper, TODAY)
    assert not any(retention.needs_action(i) for i in again)
    assert retention.sweep(keeper, again, TODAY).commit is None


def test_interrupted_sweep_is_finished_by_the_next(filled: MiniVault) -> None:
    keeper = filled.keeper()
    # A key lost without the files being removed (e.g. a crash): shown, then cleaned up.
    retention.shred_file(filled.keystore.path("ll-bbbb", "werkaantekeningen/lk-1"))
    filled.keystore.forget()
    items = retention.status(keeper, TODAY)
    left = [i for i in items if i.state == VERNIETIGD]
    assert [(i.pupil_id, i.part) for i in left] == [("ll-bbbb", "werkaantekeningen/lk-1")]
    retention.sweep(keeper, left, TODAY)
    assert filled.store.read("dossiers/ll-bbbb/werkaantekeningen/lk-1.age") is None


def test_backups_restore_but_never_bring_a_shredded_key_back(filled: MiniVault) -> None:
    keeper = filled.keeper()
    first = retention.backup(keeper, TODAY)
    copy = first.with_name("kopie-elders.age")
    copy.write_bytes(first.read_bytes())  # a copy made outside zorgkluis
    # A restore puts back a key lost by accident.
    retention.shred_file(filled.keystore.path("ll-bbbb", "zorg"))
    assert retention.restore(keeper, first) == ["ll-bbbb/zorg"]
    assert filled.keystore.exists("ll-bbbb", "zorg")
    result = retention.sweep(keeper, retention.status(keeper, TODAY), TODAY)
    assert result.backups_destroyed == 1
    with pytest.raises(VaultError, match="niet meer"):
        retention.restore(keeper, first)
    with pytest.raises(VaultError):
        retention.restore(keeper, copy)
    # The copy is an age file nobody can open any more.
    pool = [filled.recovery] + [s.identity for s in filled.staff.values()]
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt(copy.read_bytes(), pool)
    # The fresh backup holds only what is kept, and restoring never revives a logged part.
    assert result.new_backup is not None
    assert retention.restore(keeper, result.new_backup) == []


def test_confirm_terms_is_a_signed_commit(filled: MiniVault) -> None:
    keeper = filled.keeper()
    assert retention.load_config(filled.store) is None
    rules, confirmed = retention.rules_in_force(filled.store)
    assert not confirmed and rules == retention.DEFAULT_RULES
    sha = retention.confirm_terms(keeper, TODAY)
    subprocess.run(["git", "verify-commit", sha], cwd=filled.path, check=True, capture_output=True)
    config = retention.load_config(filled.store)
    assert config is not None and config.bevestigd_door == "ib-1"
    with pytest.raises(NotPermittedError):
        retention.confirm_terms(filled.keeper("lk-1"), TODAY)


def test_damaged_administratie_makes_the_pupil_undetermined(filled: MiniVault) -> None:
    keeper = filled.keeper()
    person = filled.staff["ib-1"]
    filled.store.commit(
        {"dossiers/ll-cccc/administratie.age": b"age-encryption.org/v1\nkapot\n"},
        "Beschadiging (test)",
        UserSigner(person.user, person.key),
    )
    items = [i for i in retention.status(keeper, TODAY) if i.pupil_id == "ll-cccc"]
    assert {i.state for i in items} == {ONBEPAALD}
    assert all("beschadigd" in i.reason for i in items)
    assert not [i for i in items if retention.needs_action(i)]  # nothing destroyed blindly


def test_okr_without_admission_date_goes_with_the_administratie(filled: MiniVault) -> None:
    """D left on 2025-07-01 and her admission date was never recorded: her OKR is
    undetermined with the fallback date as deadline, and one sweep after that date destroys
    it together with the administratie, logged under the fallback rule."""
    keeper = filled.keeper()
    now = {(i.pupil_id, i.part): i for i in retention.status(keeper, TODAY)}
    okr = now[("ll-dddd", "okr")]
    assert okr.state == ONBEPAALD and okr.deadline == dt.date(2030, 7, 1)
    later = dt.date(2030, 7, 2)
    items = [i for i in retention.status(keeper, later) if i.pupil_id == "ll-dddd"]
    assert {i.part: i.state for i in items} == {
        "administratie": VERLOPEN,
        "okr": VERLOPEN,
        "zorg": VERLOPEN,
        "werkaantekeningen/lk-1": VERLOPEN,
    }
    retention.sweep(keeper, items, later)
    raw = filled.store.read(retention.LOG_FILE)
    assert raw is not None
    rows = {r["onderdeel"]: r for r in map(json.loads, raw.splitlines())}
    assert rows["okr"]["regel"] == "vangnet" and rows["okr"]["termijn_tot"] == "2030-07-01"
    assert "bewaard" not in rows["administratie"]  # nothing of D outlives it
    assert not [i for i in retention.status(keeper, later) if i.pupil_id == "ll-dddd"]


def test_a_part_left_after_the_administratie_is_swept(filled: MiniVault) -> None:
    """An OKR left behind when the administratie went (here: a sweep of the administratie
    alone, as an older version left it) is no longer undetermined forever: with no
    recorded term it has outlived the pupil's longest term, and the next sweep takes it."""
    keeper = filled.keeper()
    later = dt.date(2030, 7, 2)
    admin = next(
        i
        for i in retention.status(keeper, later)
        if (i.pupil_id, i.part) == ("ll-dddd", "administratie")
    )
    retention.sweep(keeper, [admin], later)
    left = {i.part: i for i in retention.status(keeper, later) if i.pupil_id == "ll-dddd"}
    assert left["okr"].state == VERLOPEN and left["okr"].rule_ids == ("vangnet",)
    assert "administratie is vernietigd" in left["okr"].reason
    retention.sweep(keeper, list(left.values()), later)
    assert filled.store.read("dossiers/ll-dddd/okr.age") is None
    assert not filled.keystore.exists("ll-dddd", "okr")
    assert not [i for i in retention.status(keeper, later) if i.pupil_id == "ll-dddd"]


def test_a_longer_term_than_the_administratie_is_recorded_and_kept(filled: MiniVault) -> None:
    """A school that keeps zorg 7 years: when the administratie goes after 5, the sweep
    records the zorg's deadline in the log (no date can be read afterwards) and status keeps
    the zorg until then, not a day longer."""
    keeper = filled.keeper()
    rules = tuple(
        replace(r, termijn=Term(7, "jaar")) if r.id == "zorg" else r
        for r in retention.DEFAULT_RULES
    )
    retention.confirm_terms(keeper, TODAY, rules)
    later = dt.date(2030, 7, 2)
    items = [i for i in retention.status(keeper, later) if i.pupil_id == "ll-dddd"]
    assert {i.part: i.state for i in items}["zorg"] == BEWAREN
    retention.sweep(keeper, items, later)
    raw = filled.store.read(retention.LOG_FILE)
    assert raw is not None
    rows = {r["onderdeel"]: r for r in map(json.loads, raw.splitlines())}
    # The OKR (no admission date) falls back to the longest term, now the zorg's 7 years.
    assert rows["administratie"]["bewaard"] == [
        {"onderdeel": "okr", "termijn_tot": "2032-07-01", "regel": "vangnet"},
        {"onderdeel": "zorg", "termijn_tot": "2032-07-01", "regel": "zorg"},
    ]
    for day, state in ((dt.date(2032, 7, 1), BEWAREN), (dt.date(2032, 7, 2), VERLOPEN)):
        left = [i for i in retention.status(keeper, day) if i.pupil_id == "ll-dddd"]
        assert [(i.part, i.state, i.deadline) for i in left] == [
            ("okr", state, dt.date(2032, 7, 1)),
            ("zorg", state, dt.date(2032, 7, 1)),
        ]
