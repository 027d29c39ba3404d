"""Fixtures of the rights tests (the vault builder lives in rights_vault.py)."""

from __future__ import annotations

from rights_vault import mini

__all__ = ["mini"]
