"""Fixtures of the OSO tests; the data itself lives in oso_data.py."""

from __future__ import annotations

from typing import Any

import oso_data
import pytest


@pytest.fixture
def popo() -> dict[str, Any]:
    """A fresh fictional PO-PO dossier."""
    return oso_data.popo_dossier()


@pytest.fixture
def povo() -> dict[str, Any]:
    """A fresh fictional PO-VO dossier."""
    return oso_data.povo_dossier()
