"""Fixtures for the TUI tests: a real demo vault (real keys, git, age) on a frozen date.

The demo keys are test-only; they are passphrase-protected with the demo passphrase but use a
cheap bcrypt work factor (the `testonly_set_kdf_rounds` hook) so the suite stays fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import inspect
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tui.app import ZorgkluisApp, make_app
from vault import demo
from vault.crypto import sshkeys
from vault.repository import Vault, unlock_identity

TODAY = datetime.date(2026, 11, 20)
ROUTE = "003"
COUNT = 16
SIZE = (120, 36)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (Pilot) in a fresh event loop; no async plugin needed."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Iterator[demo.DemoInfo]:
    """One demo vault per test process; tests that write use `demo_vault` (a copy)."""
    sshkeys.testonly_set_kdf_rounds(1)
    try:
        yield demo.create_demo(tmp_path_factory.mktemp("demo"), ROUTE, today=TODAY, count=COUNT)
    finally:
        sshkeys.testonly_set_kdf_rounds(None)


@pytest.fixture
def demo_vault(demo_master: demo.DemoInfo, tmp_path: Path) -> demo.DemoInfo:
    """A private copy of the demo vault (git repo, key store and keys) for one test."""
    target = tmp_path / "demo"
    shutil.copytree(demo_master.data_dir, target / demo_master.data_dir.name, symlinks=True)
    return demo.demo_info(target, ROUTE)


class Kit:
    """Helpers the TUI tests share (a fixture, so no test imports another test module)."""

    today = TODAY
    size = SIZE
    count = COUNT

    @staticmethod
    def open_as(info: demo.DemoInfo, staff_id: str) -> Vault:
        """The vault opened directly (no UI) as a demo staff member, for assertions."""
        key = unlock_identity(info.key_file(staff_id), demo.DEMO_PASSPHRASE.encode())
        return Vault.open(info.vault, key)

    @staticmethod
    def app(info: demo.DemoInfo, staff_id: str = demo.IB.id, language: str = "nl") -> ZorgkluisApp:
        """The app on a demo vault, unlocked as `staff_id` with the demo passphrase."""
        return make_app(
            info.vault,
            identity_path=info.key_file(staff_id),
            passphrase=demo.DEMO_PASSPHRASE,
            today=TODAY,
            language=language,
        )

    @staticmethod
    async def settle(pilot: Pilot[object], timeout: float = 60.0) -> None:
        """Wait until workers are done and every message they caused is handled.

        Quiet means: no worker running and no message queued on the app, a screen or any
        widget, three checks in a row (a handled message may start a worker or push a screen).
        Waiting is bounded; a screen that never settles fails the test with what was pending.
        """
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 3:
            # A worker cancelled while finishing (its screen closed from the handler of its
            # own message) makes `wait_for_complete` raise; the loop then simply waits again.
            with contextlib.suppress(WorkerCancelled):
                await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            running = [w.name for w in pilot.app.workers if not w.is_finished]
            queued = Kit.queued_messages(pilot.app)
            quiet = quiet + 1 if not running and not queued else 0
            if time.monotonic() > deadline:
                raise AssertionError(f"not settled: workers {running}, {queued} messages queued")

    @staticmethod
    def queued_messages(app: App[object]) -> int:
        """Messages waiting on the app, its screens and their widgets."""
        pumps: list[MessagePump] = [app, *app.screen_stack]
        for screen in app.screen_stack:
            pumps += screen.walk_children(with_self=False)
        return sum(pump.message_queue_size for pump in pumps)


@pytest.fixture
def kit() -> type[Kit]:
    """The shared helpers."""
    return Kit
