"""Merging the vault's own files that both devices changed (pure functions)."""

from __future__ import annotations

import pytest

from vault.access import Grants
from vault.crypto import sshkeys
from vault.sync import SyncError, merge_grants, merge_lines, merge_signers, merge_users
from vault.users import User, allowed_signers, dump_users, normalize_public_key, parse_users


def _user(user_id: str, rol: str = "leerkracht") -> User:
    _, public = sshkeys.generate(f"{user_id}@test", None)  # test-only key
    return User(user_id, user_id.title(), rol, normalize_public_key(public))


def test_grants_merge_as_sets_and_a_removal_wins() -> None:
    base = Grants().grant("lk-els").to_bytes()
    ours = Grants.from_bytes(base).grant("sp-ria").to_bytes()
    theirs = Grants.from_bytes(base).revoke("lk-els").grant("lk-bob").to_bytes()
    merged = Grants.from_bytes(merge_grants(base, ours, theirs))
    assert merged.toegevoegd == {"sp-ria", "lk-bob"}
    assert merged.verwijderd == {"lk-els"}
    both = merge_grants(None, Grants().grant("x").to_bytes(), Grants().revoke("x").to_bytes())
    assert Grants.from_bytes(both) == Grants(frozenset(), frozenset({"x"}))


def test_retention_logs_merge_as_a_union_of_lines() -> None:
    ours = b'{"leerling": "ll-a"}\n{"leerling": "ll-b"}\n'
    theirs = b'{"leerling": "ll-a"}\n{"leerling": "ll-c"}\n'
    assert merge_lines(ours, theirs) == ours + b'{"leerling": "ll-c"}\n'


def test_users_merge_user_by_user_and_refuse_a_double_change() -> None:
    anna, els, bob = _user("ib-anna", "intern_begeleider"), _user("lk-els"), _user("lk-bob")
    base = dump_users([anna, els])
    ours = dump_users([anna, els, bob])
    theirs = dump_users([anna])
    assert [u.id for u in parse_users(merge_users(base, ours, theirs))] == ["ib-anna", "lk-bob"]
    renamed = User(els.id, "Els A", els.rol, els.public_key)
    other = User(els.id, "Els B", els.rol, els.public_key)
    with pytest.raises(SyncError, match="lk-els"):
        merge_users(base, dump_users([anna, renamed]), dump_users([anna, other]))


def test_signers_keep_a_removed_users_limit_from_either_side() -> None:
    anna, els = _user("ib-anna", "intern_begeleider"), _user("lk-els")
    ours = allowed_signers([anna, els])
    theirs = allowed_signers([anna], previous=ours)
    limited = next(line for line in theirs.decode().splitlines() if "lk-els" in line)
    merged = merge_signers(ours, theirs, [anna]).decode().splitlines()
    assert limited in merged
    assert len(merged) == 2
