"""Fixtures for the transfer tests: two schools' vaults (A sends, B receives)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `import transfer_kit` (importlib mode)

from transfer_kit import School, make_school


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    for name in ("ZORGKLUIS_VAULT", "ZORGKLUIS_IDENTITY", "ZORGKLUIS_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def school_a(tmp_path: Path) -> Iterator[School]:
    yield make_school(tmp_path / "a", "Basisschool De Notenkraker")


@pytest.fixture
def school_b(tmp_path: Path) -> Iterator[School]:
    yield make_school(tmp_path / "b", "OBS De Regenboog")
