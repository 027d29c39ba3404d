"""The per-user key ring that makes lists fast: used only while the key store is unchanged,
readable only by its owner, and gone when access goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from vault_testkit import TODAY, School, dossier

from dossier_format import codec
from vault.crypto import age
from vault.errors import CorruptError
from vault.repository import RINGS_DIR


def _ring(school: School, user_id: str) -> Path:
    return school.path / RINGS_DIR / f"{user_id}.age"


def test_warm_list_opens_no_key_store_entry_until_one_changes(school: School) -> None:
    ib = school.as_("ib-anna")
    first = ib.new(dossier(voornaam="Noor"), today=TODAY).pupil_id
    ib.new(dossier(voornaam="Sem", achternaam="Anders"), today=TODAY)
    expected = [(p.id, p.voornaam) for p in ib.list_pupils()]
    assert _ring(school, "ib-anna").is_file()
    # Garble the administratie entry in place, keeping inode, size and time: a list from the
    # ring never opens it, so the list still works.
    entry = school.path / ".git" / "zorgkluis" / "keystore" / first / "administratie.age"
    before = entry.stat()
    entry.write_bytes(b"x" * before.st_size)
    os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert [(p.id, p.voornaam) for p in school.as_("ib-anna").list_pupils()] == expected
    # Once the entry file changes, the ring item is not trusted and the entry is opened.
    os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    with pytest.raises(CorruptError):
        school.as_("ib-anna").list_pupils()


def test_changed_summary_is_decrypted_again(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(), today=TODAY).pupil_id
    assert [p.voornaam for p in ib.list_pupils()] == ["Noor"]
    doc = codec.load(ib.show(pid))
    doc["leerling"]["voornaam"] = "Noortje"
    ib.put(pid, codec.dump(doc), today=TODAY)
    assert [p.voornaam for p in school.as_("ib-anna").list_pupils()] == ["Noortje"]


def test_ring_is_for_its_owner_only(school: School) -> None:
    ib = school.as_("ib-anna")
    ib.new(dossier(), today=TODAY)
    ib.list_pupils()
    data = _ring(school, "ib-anna").read_bytes()
    assert b"Noor" not in data and b"AGE-SECRET-KEY" not in data
    recovery = age.X25519Identity.parse(
        next(ln for ln in school.recovery_file.read_text().splitlines() if ln.startswith("AGE-"))
    )
    others = [age.SshEd25519Identity(school.keys.private["dir-piet"]), recovery]
    with pytest.raises(age.NoIdentityMatchError):
        age.decrypt(data, others)
    assert b"Noor" in age.decrypt(data, ib.identities)


def test_ring_follows_grants_and_revocations(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=()), today=TODAY).pupil_id
    assert school.as_("lk-bob").list_pupils() == []  # no access, remembered in the ring
    ib.grant(pid, "lk-bob")
    assert [p.id for p in school.as_("lk-bob").list_pupils()] == [pid]
    assert _ring(school, "lk-bob").is_file()
    ib.revoke(pid, "lk-bob")
    assert not _ring(school, "lk-bob").exists()  # it held a key bob may no longer have
    assert school.as_("lk-bob").list_pupils() == []
