"""Fixtures for the retention, export and sync screens: real vaults with real (test-only) keys,
real git repositories and a local bare repository as the school server, on a frozen date."""

from __future__ import annotations

import asyncio
import inspect
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "transfer"))  # transfer_kit's OSO data

from tui2_kit import Kit


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (Pilot) in a fresh event loop; no async plugin needed."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    for name in ("ZORGKLUIS_VAULT", "ZORGKLUIS_IDENTITY", "ZORGKLUIS_PASSPHRASE", "ZORGKLUIS_LANG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def kit() -> type[Kit]:
    """The shared helpers."""
    return Kit
