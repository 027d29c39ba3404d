"""Fixtures of the OSO tests; the data itself lives in oso_data.py."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `import oso_data` (importlib mode)

import oso_data


@pytest.fixture
def popo() -> dict[str, Any]:
    """A fresh fictional PO-PO dossier."""
    return oso_data.popo_dossier()


@pytest.fixture
def povo() -> dict[str, Any]:
    """A fresh fictional PO-VO dossier."""
    return oso_data.povo_dossier()
