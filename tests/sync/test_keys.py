"""The key store follows the vault between devices: revocation and shredding propagate."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
from sync_testkit import TODAY, School, Server, dossier, make_school

from dossier_format import codec
from dossier_format.retention_rules import VERLOPEN, RetentionItem
from vault.errors import NoAccessError
from vault.keystore import KeyEntry
from vault.repository import RINGS_DIR
from vault.retention import Keeper, sweep
from vault.sync import KEYSTORE_REF, SyncError, merge_entries


@pytest.fixture
def school(tmp_path: Path, server: Server) -> School:
    made = make_school(tmp_path, server)
    made.first.sync(server.url)
    return made


def _pupil(school: School) -> str:
    pupil = school.first.open().new(dossier(), override="test", today=TODAY).pupil_id
    school.first.sync(school.server.url)
    return pupil


def test_revocation_reaches_the_revoked_device(school: School) -> None:
    pupil = _pupil(school)
    els = school.device("apparaat-els", "lk-els")
    els.sync(school.server.url)
    assert "groep: 5" in els.open().show(pupil)
    assert [p.id for p in els.open().list_pupils()] == [pupil]
    rings = els.path / RINGS_DIR
    assert list(rings.glob("*.age")), "listing builds a key ring that caches the pupil's key"
    school.first.open().revoke(pupil, "lk-els")
    school.first.sync(school.server.url)
    els.sync(school.server.url)
    # The ring cached the administratie key: a revocation from elsewhere must not leave it.
    assert not list(rings.glob("*.age"))
    assert els.open().list_pupils() == []
    with pytest.raises(NoAccessError):
        els.open().show(pupil)
    entry = school.entry(els, pupil, "administratie")
    assert entry is not None and "lk-els" not in entry.readers


def test_offline_device_cannot_bring_revoked_access_back(school: School) -> None:
    pupil = _pupil(school)
    piet = school.device("apparaat-piet", "dir-piet")
    piet.sync(school.server.url)
    # Offline, Piet grants Ria access (his key entries change, still listing Els) ...
    offline = piet.open()
    offline.grant(pupil, "sp-ria")
    stale = school.entry(piet, pupil, "zorg")
    assert stale is not None and {"lk-els", "sp-ria"} <= stale.readers
    # ... while Anna revokes Els and syncs first.
    school.first.open().revoke(pupil, "lk-els")
    school.first.sync(school.server.url)
    assert piet.sync(school.server.url).merged == "samengevoegd"
    school.first.sync(school.server.url)
    for device in (piet, school.first):
        for part in ("administratie", "zorg"):
            entry = school.entry(device, pupil, part)
            assert entry is not None
            assert "lk-els" not in entry.readers
            assert "sp-ria" in entry.readers  # Piet's grant survived the merge
            assert entry.current.to_string() not in {k.to_string() for k in stale.keys}
    ria = school.device("apparaat-ria", "sp-ria")
    ria.sync(school.server.url)
    assert "groep: 5" in ria.open().show(pupil)
    els = school.device("apparaat-els", "lk-els")
    els.sync(school.server.url)
    with pytest.raises(NoAccessError):
        els.open().show(pupil)


def test_shredded_key_is_destroyed_everywhere_and_stays_destroyed(school: School) -> None:
    pupil = _pupil(school)
    piet = school.device("apparaat-piet", "dir-piet")
    piet.sync(school.server.url)
    doomed = (school.first.path / ".git/zorgkluis/keystore" / pupil / "zorg.age").read_bytes()
    # Offline, Piet edits the zorg part, which Anna's retention sweep destroys meanwhile.
    vault = piet.open()
    text = vault.show(pupil).replace("reden: Instroom.", "reden: Nog bewaard?")
    vault.put(pupil, text, override="test", today=TODAY)
    anna = school.first.open()
    item = RetentionItem(
        pupil, "zorg", VERLOPEN, datetime.date(2025, 1, 1), None, ("test",), "verlopen"
    )
    sweep(Keeper.of_vault(anna, school.keys.private["ib-anna"]), [item], TODAY)
    school.first.sync(school.server.url)
    steps: list[str] = []
    result = piet.sync(school.server.url, progress=steps.append)
    assert result.merged == "samengevoegd"
    assert f"{pupil}/zorg" in result.keys_shredded
    # Piet's offline edit is not silently dropped: the result (and the progress shown by the
    # CLI) says so, in Dutch, naming the pupil and the part.
    dropped = [n for n in result.notices if "niet overgenomen" in n]
    assert dropped == [
        f"Let op: Je wijzigingen in het deel 'zorg' van leerling {pupil} zijn niet "
        "overgenomen: dat deel is intussen vernietigd omdat de bewaartermijn verstreken is "
        "(zie het bewaarlog). Er is niets van teruggezet."
    ]
    assert dropped[0] in steps
    # Nothing of it comes back: not the file, not the key, not its level in the list summary.
    assert piet.open().list_pupils()[0].niveau is None
    school.first.sync(school.server.url)
    for device in (piet, school.first):
        assert school.entry(device, pupil, "zorg") is None
        assert "niveaus" not in codec.load_fast(device.open().show(pupil))
        assert device.git("ls-files", f"dossiers/{pupil}/zorg.age").stdout == ""
    # The server's key-store ref never brings it back, and after its gc no copy remains.
    fresh = school.device("apparaat-nieuw", "dir-piet")
    fresh.sync(school.server.url)
    assert school.entry(fresh, pupil, "zorg") is None
    assert school.entry(fresh, pupil, "administratie") is not None
    # Replacing the ref leaves the old objects on the server until its gc (docs/sync.md).
    assert doomed in school.server.all_objects()
    school.server.gc()
    assert doomed not in school.server.all_objects()


def test_merging_entries_keeps_every_generation_and_rotates_when_someone_drops_out() -> None:
    base = KeyEntry.new({"a", "b"})
    ours = base.rotated({"a"})
    theirs = base.with_readers({"a", "b", "c"})
    merged = merge_entries(ours, theirs)
    assert merged.readers == {"a"}
    assert {k.to_string() for k in ours.keys} <= {k.to_string() for k in merged.keys}
    assert merged.current.to_string() not in {k.to_string() for k in ours.keys}
    same = merge_entries(theirs, base.with_readers({"a", "b", "c"}))
    assert same.keys == theirs.keys


def test_users_added_on_two_devices_both_get_in(school: School) -> None:
    pupil = _pupil(school)
    piet = school.device("apparaat-piet", "dir-piet")
    piet.sync(school.server.url)
    for user_id in ("lk-kees", "ib-mia"):
        school.keys.make(user_id)
    school.first.open().add_user("lk-kees", "Kees", "leerkracht", school.keys.public("lk-kees"))
    piet.open().add_user("ib-mia", "Mia", "intern_begeleider", school.keys.public("ib-mia"))
    school.first.sync(school.server.url)
    assert piet.sync(school.server.url).merged == "samengevoegd"
    school.first.sync(school.server.url)
    for device in (piet, school.first):
        vault = device.open()
        assert {"lk-kees", "ib-mia"} <= {u.id for u in vault.users()}
        assert vault.verify() == []
        assert device.git("verify-commit", "HEAD").returncode == 0
        entry = school.entry(device, pupil, "zorg")
        assert entry is not None and "ib-mia" in entry.readers
    mia = school.device("apparaat-mia", "ib-mia")
    mia.sync(school.server.url)
    assert "groep: 5" in mia.open().show(pupil)


def test_a_rolled_back_key_store_neither_loses_keys_nor_restores_access(school: School) -> None:
    pupil = _pupil(school)
    piet = school.device("apparaat-piet", "dir-piet")
    piet.sync(school.server.url)
    bare = ["git", "-C", str(school.server.bare)]
    old = subprocess.run([*bare, "rev-parse", KEYSTORE_REF], capture_output=True, text=True)
    school.first.open().revoke(pupil, "lk-els")
    school.first.sync(school.server.url)
    piet.sync(school.server.url)
    current = school.entry(piet, pupil, "zorg")
    assert current is not None
    # The server serves the key store from before the revocation again.
    subprocess.run([*bare, "update-ref", KEYSTORE_REF, old.stdout.strip()], check=True)
    piet.sync(school.server.url)
    entry = school.entry(piet, pupil, "zorg")
    assert entry is not None
    assert "lk-els" not in entry.readers
    assert {k.to_string() for k in current.keys} <= {k.to_string() for k in entry.keys}
    assert "groep: 5" in piet.open().show(pupil)


def test_a_removed_user_can_fetch_but_publishes_nothing(school: School) -> None:
    _pupil(school)
    els = school.device("apparaat-els", "lk-els")
    els.sync(school.server.url)
    school.first.open().remove_user("lk-els")
    school.first.sync(school.server.url)
    bare = ["git", "-C", str(school.server.bare), "rev-parse"]
    before = subprocess.run([*bare, "main", KEYSTORE_REF], capture_output=True, text=True)
    with pytest.raises(SyncError, match="geen medewerker meer"):
        els.sync(school.server.url)
    after = subprocess.run([*bare, "main", KEYSTORE_REF], capture_output=True, text=True)
    assert after.stdout == before.stdout
