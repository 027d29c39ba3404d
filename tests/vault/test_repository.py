"""The Vault facade end to end: real keys, a real git repository, the age CLI as oracle."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from vault_testkit import TODAY, School, dossier

from dossier_format import parts
from vault.audit import AuditLog
from vault.crypto import age, sshsig
from vault.errors import (
    InvalidDossierError,
    InvalidInputError,
    NoAccessError,
    NotPermittedError,
    UnknownPupilError,
)
from vault.git_store import GitStore


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True)


def _age_decrypt(identity_text: str, file: Path, tmp: Path) -> bytes:
    ident = tmp / "ident.txt"
    ident.write_text(identity_text)
    return subprocess.run(
        ["age", "-d", "-i", str(ident), str(file)], capture_output=True, check=True
    ).stdout


def test_init_writes_recovery_key_and_signed_history(school: School) -> None:
    recovery = school.recovery_file.read_text()
    assert stat.S_IMODE(school.recovery_file.stat().st_mode) == 0o600
    assert [ln for ln in recovery.splitlines() if ln.startswith("AGE-SECRET-KEY-1")]
    tracked = _git(school.path, "ls-files").stdout.split()
    assert ".zorgkluis/allowed_signers" in tracked and ".zorgkluis/users.yaml" in tracked
    assert not [t for t in tracked if "keystore" in t]
    for sha in _git(school.path, "rev-list", "HEAD").stdout.split():
        assert _git(school.path, "verify-commit", sha).returncode == 0
    assert [u.id for u in school.as_("lk-els").users()] == sorted(
        ["ib-anna", "dir-piet", "lk-els", "lk-bob", "sp-ria"]
    )


def test_show_matches_age_cli_with_exported_key(school: School, tmp_path: Path) -> None:
    ib = school.as_("ib-anna")
    result = ib.new(dossier(zorg_reden="Canary-achtige reden."), today=TODAY)
    pid = result.pupil_id
    shown = ib.show(pid)
    assert f"id: {pid}" in shown and "Canary-achtige reden." in shown
    zorg_file = school.path / "dossiers" / pid / "zorg.age"
    plain = _age_decrypt(ib.export_part_key(pid, "zorg"), zorg_file, tmp_path)
    assert plain.decode() == parts.split(shown)["zorg"]
    # The show and the key export were recorded in the audit log, one entry each.
    entries, problems = AuditLog.of_vault(school.path).read(ib.identities)
    assert problems == []
    assert [(e.actie, e.leerling, e.onderdeel) for e in entries] == [
        ("ontsleuteld", pid, "administratie,zorg"),
        ("sleutel-export", pid, "zorg"),
    ]


def test_file_written_by_age_cli_reads_back(school: School, tmp_path: Path) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(), today=TODAY).pupil_id
    keyfile = tmp_path / "zorg.key"
    keyfile.write_text(ib.export_part_key(pid, "zorg"))
    recipient = subprocess.run(
        ["age-keygen", "-y", str(keyfile)], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    new_zorg = parts.split(dossier(zorg_reden="Door age geschreven."))["zorg"]
    blob = subprocess.run(
        ["age", "-r", recipient], input=new_zorg.encode(), capture_output=True, check=True
    ).stdout
    key = school.keys.private["ib-anna"]

    class Signer:
        name = "Anna IB"
        email = "ib-anna"

        def sign(self, payload: bytes) -> bytes:
            return sshsig.sign(payload, key, "git")

    GitStore(school.path).commit({f"dossiers/{pid}/zorg.age": blob}, "handmatig", Signer())
    assert "Door age geschreven." in school.as_("ib-anna").show(pid)


def test_put_reencrypts_only_changed_parts(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(), today=TODAY).pupil_id
    text = ib.show(pid)
    unchanged = ib.put(pid, text, today=TODAY)
    assert unchanged.commit is None
    changed = ib.put(pid, text.replace("algemene zorg", "extra zorg"), today=TODAY)
    assert changed.commit is not None
    files = GitStore(school.path).log(max_count=1)[0].paths
    assert files == (f"dossiers/{pid}/zorg.age",)
    assert "extra zorg" in ib.show(pid)


def test_leerkracht_not_betrokken_cannot_decrypt_anything(school: School, tmp_path: Path) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=["lk-els"]), today=TODAY).pupil_id
    bob = school.as_("lk-bob")
    with pytest.raises(NoAccessError):
        bob.show(pid)
    assert [s.id for s in bob.list_pupils()] == []
    assert [s.id for s in school.as_("lk-els").list_pupils()] == [pid]
    assert [s.id for s in school.as_("dir-piet").list_pupils()] == [pid]
    # Oracle: the age CLI with Bob's own key opens no key-store entry of this pupil.
    entries = list((school.path / ".git" / "zorgkluis" / "keystore" / pid).rglob("*.age"))
    assert entries
    for entry in entries:
        done = subprocess.run(
            ["age", "-d", "-i", str(school.keys.path("lk-bob")), str(entry)],
            capture_output=True,
        )
        assert done.returncode != 0
    els_entry = subprocess.run(
        ["age", "-d", "-i", str(school.keys.path("lk-els")), str(entries[0])],
        capture_output=True,
        check=True,
    )
    assert b"AGE-SECRET-KEY-1" in els_entry.stdout


def test_werkaantekeningen_are_for_their_author_only(school: School) -> None:
    els = school.as_("lk-els")
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=["lk-els", "lk-bob"]), today=TODAY).pupil_id
    els.put(
        pid,
        dossier(pid, betrokkenen=["lk-els", "lk-bob"], werk=[("lk-els", "Notitie Els")]),
        today=TODAY,
    )
    bob = school.as_("lk-bob")
    bob.put(
        pid,
        dossier(pid, betrokkenen=["lk-els", "lk-bob"], werk=[("lk-bob", "Notitie Bob")]),
        today=TODAY,
    )
    assert "Notitie Els" in els.show(pid) and "Notitie Bob" not in els.show(pid)
    assert "Notitie Bob" in bob.show(pid) and "Notitie Els" not in bob.show(pid)
    assert "Notitie" not in ib.show(pid)
    # A save by someone else leaves both authors' notes in place.
    ib.put(pid, ib.show(pid).replace("algemene zorg", "andere zorg"), today=TODAY)
    assert "Notitie Els" in els.show(pid) and "Notitie Bob" in bob.show(pid)
    with pytest.raises(NoAccessError):
        ib.export_part_key(pid, "werkaantekeningen/lk-els")
    forged = dossier(pid, betrokkenen=["lk-els", "lk-bob"], werk=[("lk-els", "Vervalst")])
    with pytest.raises(InvalidInputError):
        bob.put(pid, forged, today=TODAY)
    # Els deletes her own notes; Bob's stay.
    els.put(pid, els.show(pid).split("werkaantekeningen:")[0], today=TODAY)
    assert not (school.path / "dossiers" / pid / "werkaantekeningen" / "lk-els.age").exists()
    assert "Notitie Bob" in bob.show(pid) and "Notitie Els" not in els.show(pid)


def test_revoke_rotates_part_keys(school: School, tmp_path: Path) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=["lk-els"]), today=TODAY).pupil_id
    old_key = school.as_("lk-els").export_part_key(pid, "zorg")
    before = ib.log(pid)[0].commit
    ib.revoke(pid, "lk-els")
    with pytest.raises(NoAccessError):
        school.as_("lk-els").show(pid)
    zorg = school.path / "dossiers" / pid / "zorg.age"
    with pytest.raises(subprocess.CalledProcessError):
        _age_decrypt(old_key, zorg, tmp_path)
    new_keys = ib.export_part_key(pid, "zorg")
    assert old_key.strip() in new_keys and new_keys.count("AGE-SECRET-KEY-1") == 2
    assert ib.show_at(pid, before) == ib.show(pid)
    ib.grant(pid, "lk-els")
    assert "Instroom" in school.as_("lk-els").show(pid)
    with pytest.raises(NotPermittedError):
        ib.revoke(pid, "dir-piet")
    with pytest.raises(NotPermittedError):
        school.as_("lk-els").grant(pid, "lk-bob")


def test_new_betrokkene_on_save_gets_access(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=["lk-els"]), today=TODAY).pupil_id
    with pytest.raises(NoAccessError):
        school.as_("sp-ria").show(pid)
    ib.put(pid, dossier(pid, betrokkenen=["lk-els", "sp-ria"]), today=TODAY)
    assert "Instroom" in school.as_("sp-ria").show(pid)
    ib.put(pid, dossier(pid, betrokkenen=["lk-els"]), today=TODAY)
    with pytest.raises(NoAccessError):
        school.as_("sp-ria").show(pid)
    assert ib.export_part_key(pid, "zorg").count("AGE-SECRET-KEY-1") == 2  # rotated


def test_users_added_later_get_their_pupils(school: School) -> None:
    ib = school.as_("ib-anna")
    named = ib.new(dossier(betrokkenen=["lk-later"]), today=TODAY).pupil_id
    other = ib.new(dossier(betrokkenen=["lk-els"]), today=TODAY).pupil_id
    for user_id, role in (("lk-later", "leerkracht"), ("ib-later", "intern_begeleider")):
        school.keys.make(user_id)
        ib.add_user(user_id, user_id, role, school.keys.public(user_id))
    assert {s.id for s in school.as_("lk-later").list_pupils()} == {named}
    assert {s.id for s in school.as_("ib-later").list_pupils()} == {named, other}


def test_creator_keeps_access_to_a_pupil_they_are_not_betrokken_with(school: School) -> None:
    bob = school.as_("lk-bob")
    pid = bob.new(dossier(betrokkenen=["lk-els"]), today=TODAY).pupil_id
    assert "Instroom" in bob.show(pid)
    assert {u.id for u in bob.readers(pid)} == {"ib-anna", "dir-piet", "lk-els", "lk-bob"}


def test_remove_user_rotates_their_pupils(school: School, tmp_path: Path) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=["lk-els"]), today=TODAY).pupil_id
    old_key = school.as_("lk-els").export_part_key(pid, "administratie")
    ib.remove_user("lk-els")
    with pytest.raises(subprocess.CalledProcessError):
        _age_decrypt(old_key, school.path / "dossiers" / pid / "administratie.age", tmp_path)
    assert "lk-els" not in {u.id for u in ib.users()}
    assert school.as_("dir-piet").show(pid) == ib.show(pid)
    assert ib.verify() == []


def test_log_and_diff(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(), today=TODAY).pupil_id
    ib.put(pid, ib.show(pid).replace("algemene zorg", "extra zorg"), today=TODAY)
    versions = ib.log(pid)
    assert len(versions) == 2
    assert {v.signature for v in versions} == {"goed"}
    assert versions[0].author_id == "ib-anna" and pid in versions[0].message
    diff = ib.diff(pid)
    assert "-    reden: Instroom, algemene zorg in de groep." in diff
    assert "+    reden: Instroom, extra zorg in de groep." in diff
    full = ib.diff(pid, versions[1].commit[:8], versions[0].commit)
    assert full == diff
    first = ib.diff(pid, to_commit=versions[1].commit)
    assert "+  voornaam: Noor" in first
    with pytest.raises(InvalidInputError):
        ib.diff(pid, "deadbeef")


def test_bad_input_is_refused_without_saving(school: School) -> None:
    ib = school.as_("ib-anna")
    head = GitStore(school.path).head()
    with pytest.raises(InvalidDossierError) as broken:
        ib.new("leerling: [\n", today=TODAY)
    assert broken.value.problems[0].line is not None
    with pytest.raises(InvalidDossierError):
        ib.new(dossier().replace("groep: 5", "groep: elf"), today=TODAY)
    with pytest.raises(UnknownPupilError):
        ib.show("ll-bestaatniet")
    with pytest.raises(InvalidInputError):
        ib.show("../etc")
    assert GitStore(school.path).head() == head
    pid = ib.new(dossier(), today=TODAY).pupil_id
    head = GitStore(school.path).head()
    with pytest.raises(InvalidInputError):
        ib.put(pid, dossier("ll-anderid"), today=TODAY)
    assert GitStore(school.path).head() == head


def test_recovery_key_opens_every_entry(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(werk=[("ib-anna", "Notitie")]), today=TODAY).pupil_id
    recovery = [
        age.X25519Identity.parse(line)
        for line in school.recovery_file.read_text().splitlines()
        if line.startswith("AGE-SECRET-KEY-1")
    ]
    store = ib.keystore
    for part in store.parts(pid):
        data = store.path(pid, part).read_bytes()
        assert b"AGE-SECRET-KEY-1" in age.decrypt(data, recovery)
