"""Sync between two or three devices through a real `git daemon` on loopback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sync_testkit import CANARY, TODAY, School, Server, dossier, make_school, with_talk

from dossier_format import codec
from vault.sync import KEYSTORE_REF, REMOTE_REF, SyncConflictError, SyncError


@pytest.fixture
def school(tmp_path: Path, server: Server) -> School:
    made = make_school(tmp_path, server)
    assert made.first.sync(server.url).merged == "verstuurd"
    return made


def _new_pupil(school: School) -> str:
    vault = school.first.open()
    pupil = vault.new(dossier(), override="test", today=TODAY).pupil_id
    school.first.sync(school.server.url)
    return pupil


def _edit(device_vault: object, pupil: str, old: str, new: str) -> None:
    from vault.repository import Vault

    assert isinstance(device_vault, Vault)
    text = device_vault.show(pupil)
    assert old in text
    device_vault.put(pupil, text.replace(old, new), override="test", today=TODAY)


def test_second_device_gets_history_and_keys(school: School) -> None:
    pupil = _new_pupil(school)
    b = school.device("apparaat-b", "dir-piet")
    result = b.sync(school.server.url)
    assert result.merged == "gelijk"
    assert result.keys_received > 0
    assert CANARY in b.open().show(pupil)


def test_edits_to_different_parts_merge_without_asking(school: School) -> None:
    pupil = _new_pupil(school)
    b = school.device("apparaat-b", "dir-piet")
    b.sync(school.server.url)
    _edit(school.first.open(), pupil, "reden: Instroom.", "reden: Lezen blijft achter.")
    _edit(b.open(), pupil, "groep: 5", "groep: 6")
    assert school.first.sync(school.server.url).merged == "verstuurd"
    assert b.sync(school.server.url).merged == "samengevoegd"
    assert school.first.sync(school.server.url).merged == "vooruit"
    for device in (school.first, b):
        data = codec.load_fast(device.open().show(pupil))
        assert data["leerling"]["groep"] == 6
        assert data["niveaus"][0]["reden"] == "Lezen blijft achter."
    merge = b.git("cat-file", "-p", "HEAD").stdout
    assert merge.count("\nparent ") == 2
    assert b.git("verify-commit", "HEAD").returncode == 0
    assert b.open().verify() == []
    summary = {s.id: s for s in b.open().list_pupils()}[pupil]
    assert summary.groep == 6


def test_new_entries_in_one_part_merge_by_id(school: School) -> None:
    pupil = _new_pupil(school)
    b = school.device("apparaat-b", "dir-piet")
    b.sync(school.server.url)
    for device, talk, subject in ((school.first, "gs-1", "Lezen"), (b, "gs-2", "Rekenen")):
        vault = device.open()
        vault.put(pupil, with_talk(vault.show(pupil), talk, subject), override="t", today=TODAY)
    school.first.sync(school.server.url)
    assert b.sync(school.server.url).merged == "samengevoegd"
    talks = codec.load_fast(b.open().show(pupil))["gesprekken"]
    assert [(t["id"], t["onderwerp"]) for t in talks] == [("gs-2", "Rekenen"), ("gs-1", "Lezen")]


def test_same_field_conflict_stops_and_keeps_both_versions(school: School) -> None:
    pupil = _new_pupil(school)
    b = school.device("apparaat-b", "dir-piet")
    b.sync(school.server.url)
    _edit(school.first.open(), pupil, "groep: 5", "groep: 6")
    _edit(b.open(), pupil, "groep: 5", "groep: 7")
    school.first.sync(school.server.url)
    head_before = b.git("rev-parse", "HEAD").stdout
    with pytest.raises(SyncConflictError) as caught:
        b.sync(school.server.url)
    (conflict,) = caught.value.conflicts
    assert (conflict.pupil_id, conflict.part, conflict.conflict.path) == (
        pupil,
        "administratie",
        "leerling.groep",
    )
    assert (conflict.conflict.ours, conflict.conflict.theirs) == (7, 6)
    assert "leerling.groep" in caught.value.message
    # Nothing was written: our version on main, theirs kept in a ref.
    assert b.git("rev-parse", "HEAD").stdout == head_before
    assert "groep: 7" in b.open().show(pupil)
    assert "groep: 6" in b.open().show_at(pupil, caught.value.theirs_ref)
    diff = b.open().diff(pupil, "HEAD", caught.value.theirs_ref)
    assert "-  groep: 7" in diff and "+  groep: 6" in diff
    # The user chooses; the merge goes through.
    choices = {(pupil, "administratie"): {"leerling.groep": "theirs"}}
    assert b.sync(school.server.url, choices=choices).merged == "samengevoegd"
    assert "groep: 6" in b.open().show(pupil)
    school.first.sync(school.server.url)
    assert "groep: 6" in school.first.open().show(pupil)


def test_server_and_devices_hold_no_plaintext(school: School) -> None:
    pupil = _new_pupil(school)
    b = school.device("apparaat-b", "dir-piet")
    b.sync(school.server.url)
    _edit(b.open(), pupil, "reden: Instroom.", f"reden: {CANARY} leest slecht.")
    _edit(school.first.open(), pupil, "groep: 5", "groep: 6")
    school.first.sync(school.server.url)
    assert b.sync(school.server.url).merged == "samengevoegd"
    objects = school.server.all_objects()
    assert objects  # the scan saw the repository
    for secret in (CANARY, "Zeldzaamheid", "leest slecht"):
        assert secret.encode() not in objects
    assert pupil.encode() in objects  # only opaque ids
    assert b.git("rev-parse", REMOTE_REF).returncode == 0
    # Nor did the merge leave plaintext on the device: in its objects or its state files.
    device_objects = subprocess.run(
        ["git", "-C", str(b.path), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    assert CANARY.encode() not in device_objects
    for path in (b.path / ".git").rglob("*"):
        if path.is_file() and "objects" not in path.parts:
            assert CANARY.encode() not in path.read_bytes(), path


def _intruder_env() -> dict[str, str]:
    env = dict(os.environ)
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = "Indringer"
        env[f"GIT_{role}_EMAIL"] = "x@example.invalid"
    return env


def test_unsigned_commits_on_the_server_are_refused(school: School, tmp_path: Path) -> None:
    b = school.device("apparaat-b", "dir-piet")
    b.sync(school.server.url)
    intruder = tmp_path / "indringer"
    subprocess.run(["git", "clone", "-q", school.server.url, str(intruder)], check=True)
    (intruder / "dossiers").mkdir()
    (intruder / "dossiers" / "nep.age").write_text("niet versleuteld\n")
    env = _intruder_env()
    for args in (["add", "-A"], ["commit", "-qm", "nep"], ["push", "-q", "origin", "main"]):
        subprocess.run(["git", "-C", str(intruder), *args], check=True, env=env)
    head = b.git("rev-parse", "HEAD").stdout
    with pytest.raises(SyncError, match="niet door een medewerker"):
        b.sync(school.server.url)
    assert b.git("rev-parse", "HEAD").stdout == head
    assert not (b.path / "dossiers" / "nep.age").exists()


def test_a_key_store_not_signed_by_staff_is_refused(school: School, tmp_path: Path) -> None:
    pupil = _new_pupil(school)
    b = school.device("apparaat-b", "dir-piet")
    scratch = tmp_path / "nep.git"
    subprocess.run(["git", "init", "-q", "--bare", str(scratch)], check=True)
    env = _intruder_env()

    def git(*args: str, data: bytes | None = None) -> str:
        done = subprocess.run(
            ["git", "-C", str(scratch), *args], input=data, capture_output=True, env=env, check=True
        )
        return done.stdout.decode().strip()

    blob = git("hash-object", "-w", "--stdin", data=b"nep")
    tree = git("mktree", data=f"100644 blob {blob}\tadministratie.age\n".encode())
    top = git("mktree", data=f"040000 tree {tree}\t{pupil}\n".encode())
    commit = git("commit-tree", top, "-m", "nep")
    git("push", "-q", "--force", school.server.url, f"{commit}:{KEYSTORE_REF}")
    with pytest.raises(SyncError, match="niet door een medewerker"):
        b.sync(school.server.url)
    assert not (b.path / ".git/zorgkluis/keystore" / pupil).exists()
