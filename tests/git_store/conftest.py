"""Fixtures for the git layer: real repositories and real Ed25519 keys."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# Test modules import their helpers by name (pytest runs with --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).parent))

from gitstore_helpers import KeygenSigner, allowed_line, make_key

from vault.git_store import ALLOWED_SIGNERS, GitStore


@pytest.fixture
def keys(tmp_path: Path) -> Callable[[str], KeygenSigner]:
    """Factory of test signers with fresh keys."""
    folder = tmp_path / "keys"
    folder.mkdir()

    def factory(name: str) -> KeygenSigner:
        return KeygenSigner(name.capitalize(), f"{name}@school.test", make_key(folder, name))

    return factory


@pytest.fixture
def alice(keys: Callable[[str], KeygenSigner]) -> KeygenSigner:
    return keys("alice")


@pytest.fixture
def store(tmp_path: Path, alice: KeygenSigner) -> GitStore:
    """A vault repo whose first commit lists alice in allowed_signers."""
    s = GitStore.init(tmp_path / "vault")
    s.commit({ALLOWED_SIGNERS: allowed_line(alice)}, "Kluis aangemaakt", alice)
    return s
