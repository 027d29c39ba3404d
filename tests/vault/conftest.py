"""Fixtures for the vault facade: real keys, real git repositories, real age files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The test modules import their helpers from `vault_testkit` next to this file.
sys.path.insert(0, str(Path(__file__).parent))

from vault_testkit import STAFF, Keys, School

from vault.repository import Vault


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    for name in ("ZORGKLUIS_VAULT", "ZORGKLUIS_IDENTITY", "ZORGKLUIS_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    folder = tmp_path / "keys"
    folder.mkdir()
    k = Keys(folder)
    for user_id, _, _ in STAFF:
        k.make(user_id)
    return k


@pytest.fixture
def school(tmp_path: Path, keys: Keys) -> Iterator[School]:
    path = tmp_path / "kluis"
    recovery = tmp_path / "herstel.txt"
    first, name, role = STAFF[0]
    vault = Vault.init(
        path,
        school="De Verzonnen School",
        route_id="003",
        user_id=first,
        name=name,
        ssh_public_key=keys.public(first),
        recovery_key_out=recovery,
        role=role,
        identity=keys.private[first],
        durable=False,
    )
    for user_id, naam, rol in STAFF[1:]:
        vault.add_user(user_id, naam, rol, keys.public(user_id))
    yield School(path, keys, recovery)
