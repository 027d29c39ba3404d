"""Shared fixtures for the dossier format tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def full_text() -> str:
    """A realistic, fictional, complete dossier in canonical style."""
    return (FIXTURES / "volledig.yaml").read_text(encoding="utf-8")
