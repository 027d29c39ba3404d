"""Users, roles and personal keys: who may manage, and clear errors for bad keys."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from vault_testkit import School

from vault.crypto import sshkeys
from vault.errors import (
    IdentityError,
    InvalidInputError,
    NotPermittedError,
    UnknownUserError,
    UserExistsError,
    WrongPassphraseError,
)
from vault.repository import Vault, unlock_identity
from vault.users import allowed_signers, dump_users, make_user, parse_users


def test_unlock_identity_errors(tmp_path: Path) -> None:
    sshkeys.testonly_set_kdf_rounds(1)
    try:
        pem, _ = sshkeys.generate("t", b"juist")
    finally:
        sshkeys.testonly_set_kdf_rounds(None)
    key = tmp_path / "key"
    key.write_bytes(pem)
    assert unlock_identity(key, b"juist") is not None
    with pytest.raises(WrongPassphraseError) as wrong:
        unlock_identity(key, b"fout")
    assert "wachtwoord" in wrong.value.message
    with pytest.raises(WrongPassphraseError):
        unlock_identity(key, None)
    with pytest.raises(IdentityError):
        unlock_identity(tmp_path / "bestaat-niet", None)
    (tmp_path / "tekst").write_text("geen sleutel\n")
    with pytest.raises(IdentityError):
        unlock_identity(tmp_path / "tekst", None)


def test_foreign_key_is_refused(school: School) -> None:
    pem, _ = sshkeys.generate("vreemd", None)
    with pytest.raises(UnknownUserError) as refused:
        Vault.open(school.path, sshkeys.load_private(pem, None))
    assert "hoort niet bij" in refused.value.message and refused.value.hint


def test_only_leading_roles_manage_users(school: School) -> None:
    els = school.as_("lk-els")
    _, public = sshkeys.generate("nieuw", None)
    with pytest.raises(NotPermittedError):
        els.add_user("lk-nieuw", "Nieuw", "leerkracht", public)
    piet = school.as_("dir-piet")
    with pytest.raises(UserExistsError):
        piet.add_user("lk-els", "Dubbel", "leerkracht", public)
    with pytest.raises(UserExistsError):
        piet.add_user("lk-ander", "Zelfde sleutel", "leerkracht", school.keys.public("lk-els"))
    with pytest.raises(InvalidInputError):
        piet.add_user("Met Spatie", "X", "leerkracht", public)
    with pytest.raises(InvalidInputError):
        piet.add_user("lk-x", "X", "conciërge", public)
    with pytest.raises(UnknownUserError):
        piet.remove_user("niemand")
    piet.add_user("lk-nieuw", "Nieuw", "leerkracht", public)
    assert school.as_("ib-anna").verify() == []
    piet.remove_user("ib-anna")
    with pytest.raises(NotPermittedError):
        piet.remove_user("dir-piet")  # the last leading user stays
    with pytest.raises(UnknownUserError):
        school.as_("ib-anna")


def test_users_file_and_allowed_signers_round_trip(school: School) -> None:
    users = school.as_("lk-els").users()
    assert parse_users(dump_users(users)) == users
    lines = allowed_signers(users).decode().splitlines()
    assert lines[0].startswith('dir-piet namespaces="git" ssh-ed25519 ')
    committed = (school.path / ".zorgkluis" / "allowed_signers").read_bytes()
    assert committed == allowed_signers(users)
    with pytest.raises(InvalidInputError):
        make_user("x", "X", "leerkracht", "ssh-rsa AAAA")


def test_commit_files_is_signed_and_keeps_dossiers_out(school: School) -> None:
    ib = school.as_("ib-anna")
    sha = ib.commit_files({"beoordelingen/ib-anna.json": b"{}"}, "Beoordeling")
    assert ib.verify() == [] and sha
    with pytest.raises(InvalidInputError):
        ib.commit_files({"dossiers/ll-x/zorg.age": b"x"}, "sluiproute")


def test_former_users_stay_in_allowed_signers_with_an_end_date() -> None:
    _, key_a = sshkeys.generate("a", None)
    _, key_b = sshkeys.generate("b", None)
    a = make_user("lk-a", "A", "leerkracht", key_a)
    b = make_user("lk-b", "B", "leerkracht", key_b)
    both = allowed_signers([a, b])
    when = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)
    after = allowed_signers([a], both, now=when).decode().splitlines()
    assert after == sorted(
        [
            f'lk-a namespaces="git" {a.public_key}',
            f'lk-b namespaces="git",valid-before="20250301120000Z" {b.public_key}',
        ]
    )
    # Removing again keeps the first end date; re-adding the key drops the limited line.
    later = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert allowed_signers([a], "\n".join(after).encode(), now=later).decode().splitlines() == after
    assert allowed_signers([a, b], "\n".join(after).encode()) == both
