"""The shred proof on every device: after a sweep on one device and a sync on all, no
version of a shredded part decrypts with any key that exists anywhere in any device's vault
folder (work tree, git objects, key store, key rings, backups, backup keys, audit log), the
staff keys or the recovery key, nor on the server after its nightly gc; what is kept still
reads everywhere.

Three devices: the IB-er who sweeps, the directie (who made a key-store backup before the
sweep, on that device) and a teacher (working notes of her own). The tools are the ones of
the single-device proof (tests/rights/shred_proof.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shred_proof import collect_pool, everything_in, git_objects, historical_blobs
from sync_testkit import TODAY, Device, School, Server, dossier, make_school

from vault import retention
from vault.crypto import age
from vault.repository import RINGS_DIR, Vault
from vault.retention import BACKUP_KEYS_DIR, Keeper

# TODAY is 2025-03-01. P left 2022-07-01 and was admitted 2022-08-20: the administratie stays
# (until 2027), zorg (2024-07-01), okr (2024-08-20) and working notes have expired. R left
# 2019-07-01: everything of R has expired, the administratie included.
LEFT_P = "  uitgeschreven: 2022-07-01\n  toegelaten_vervolgschool: 2022-08-20\n"
LEFT_R = "  uitgeschreven: 2019-07-01\n  toegelaten_vervolgschool: 2019-08-20\n"
OKR = "okr:\n  opgesteld: 2022-06-01\n  schooladvies: havo\n"
NOTES = (
    "werkaantekeningen:\n  - id: wa-1\n    auteur: lk-els\n    datum: 2022-01-10\n"
    "    tekst: Notitie van Els.\n"
)


def _left(left: str) -> str:
    text = dossier().replace("  ingeschreven: 2020-08-24\n", "  ingeschreven: 2016-08-24\n" + left)
    return text + OKR


def _key_files(school: School) -> list[bytes]:
    return [*everything_in(school.keys.folder), (school.root / "herstel.txt").read_bytes()]


def _device_sources(device: Device) -> list[bytes]:
    return everything_in(device.path) + git_objects(device.path)


@pytest.fixture
def school(tmp_path: Path, server: Server) -> School:
    made = make_school(tmp_path, server)
    made.first.sync(server.url)
    return made


def test_a_sweep_and_a_sync_leave_no_key_to_a_shredded_part_on_any_device(
    school: School,
) -> None:
    url = school.server.url
    anna = school.first
    vault = anna.open()
    p = vault.new(_left(LEFT_P), override="test", today=TODAY).pupil_id
    r = vault.new(_left(LEFT_R), override="test", today=TODAY).pupil_id
    q = vault.new(dossier(), override="test", today=TODAY).pupil_id  # enrolled: kept
    # History: a rotation of P's keys (two generations) and a second version of P's zorg.
    vault.grant(p, "sp-ria")
    vault.revoke(p, "sp-ria")
    vault.put(p, vault.show(p).replace("reden: Instroom.", "reden: Tweede versie."), override="t")
    anna.sync(url)
    piet = school.device("apparaat-piet", "dir-piet")
    els = school.device("apparaat-els", "lk-els")
    piet.sync(url)
    els.sync(url)
    # Els writes working notes on P and R: her own part, a key only she (and recovery) opens.
    for pupil in (p, r):
        mine = els.open()
        mine.put(pupil, mine.show(pupil) + NOTES, override="test", today=TODAY)
    els.sync(url)
    anna.sync(url)
    piet.sync(url)
    # Before the sweep: a key-store backup on each manager's device, a key ring on every one.
    for device in (anna, piet):
        retention.backup(Keeper.of_vault(device.open(), school.keys.private[device.user_id]), TODAY)
    for device in (anna, piet, els):
        assert {s.id for s in device.open().list_pupils()} >= {p}
        assert list((device.path / RINGS_DIR).glob("*.age"))

    keeper = Keeper.of_vault(anna.open(), school.keys.private["ib-anna"])
    items = retention.status(keeper, TODAY)
    expired = {(i.pupil_id, i.part) for i in items if retention.needs_action(i)}
    assert expired == {
        (p, "zorg"),
        (p, "okr"),
        (p, "werkaantekeningen/lk-els"),
        (r, "administratie"),
        (r, "zorg"),
        (r, "okr"),
        (r, "werkaantekeningen/lk-els"),
    }
    gone: set[str] = set()
    for pupil, part in expired:
        gone |= set(retention.pupil_parts(keeper, pupil).files[part])
    assert f"dossiers/{r}/samenvatting.age" in gone and f"dossiers/{r}/toegang.age" not in gone
    kept = {
        path
        for pupil in (p, q)
        for part, paths in retention.pupil_parts(keeper, pupil).files.items()
        if (pupil, part) not in expired
        for path in paths
    }
    assert f"dossiers/{p}/administratie.age" in kept and f"dossiers/{q}/zorg.age" in kept

    result = retention.sweep(keeper, items, TODAY)
    assert result.backups_destroyed == 1 and result.new_backup is not None
    keeper.close()
    anna.sync(url)
    on_piet = piet.sync(url)
    # Piet's own backup held the shredded keys: its backup key is gone, a fresh one written.
    assert on_piet.backups_destroyed == 1 and on_piet.new_backup is not None
    assert any("onbruikbaar" in n for n in on_piet.notices)
    assert len(list((piet.path / BACKUP_KEYS_DIR).glob("*.age"))) == 1
    on_els = els.sync(url)
    assert set(on_els.keys_shredded) >= {f"{r}/administratie", f"{p}/werkaantekeningen/lk-els"}
    anna.sync(url)
    school.server.gc()

    keys = _key_files(school)
    everywhere: list[bytes] = []
    for device in (anna, piet, els):
        sources = _device_sources(device)
        everywhere += sources
        pool, opened = collect_pool(sources + keys)
        assert opened >= 5 and len(pool) > 5  # part keys found beyond staff and recovery
        blobs = historical_blobs(device.path, gone)
        assert len(blobs) >= 10  # P: zorg (3 versions, 2 generations), okr, notes; all of R
        for blob in blobs:
            with pytest.raises(age.NoIdentityMatchError):
                age.decrypt(blob, pool)
        kept_blobs = historical_blobs(device.path, kept)
        assert kept_blobs
        for blob in kept_blobs:
            assert age.decrypt(blob, pool)
        assert not list((device.path / RINGS_DIR).glob("*.age"))
        # The list summary of P no longer carries her zorg level (rewritten by the sweep).
        listed = {s.id: s for s in device.open().list_pupils()}
        assert p in listed and listed[p].niveau is None and r not in listed

    # And all of it together, with what the server holds after its nightly gc.
    pool, _ = collect_pool(everywhere + keys + git_objects(school.server.bare))
    for blob in historical_blobs(anna.path, gone):
        with pytest.raises(age.NoIdentityMatchError):
            age.decrypt(blob, pool)


def test_a_backup_made_with_a_relative_vault_path_is_found_and_destroyed(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backup key records where its backup went; made from a relative vault path, that
    place must still be right when another folder is current at the next sync."""
    url = school.server.url
    vault = school.first.open()
    p = vault.new(_left(LEFT_P), override="test", today=TODAY).pupil_id
    school.first.sync(url)
    piet = school.device("apparaat-piet", "dir-piet")
    piet.sync(url)
    monkeypatch.chdir(school.root)
    relative = Vault.open(Path("apparaat-piet"), school.keys.private["dir-piet"], durable=False)
    made = retention.backup(Keeper.of_vault(relative, school.keys.private["dir-piet"]), TODAY)
    assert made.is_absolute() and made.exists()
    monkeypatch.chdir(school.root / "keys")
    keeper = Keeper.of_vault(school.first.open(), school.keys.private["ib-anna"])
    items = [i for i in retention.status(keeper, TODAY) if i.pupil_id == p]
    retention.sweep(keeper, items, TODAY)
    keeper.close()
    school.first.sync(url)
    assert piet.sync(url).backups_destroyed == 1
    assert not made.exists()
