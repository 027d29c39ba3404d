"""End to end in a real terminal: `zorgkluis demo` under tmux (start, the pupil list appears,
open a pupil, record a change of niveau with the form, save, see it in the history, quit).

Polling `capture-pane` is bounded; nothing here asserts on time.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vault import demo
from vault.repository import Vault, unlock_identity

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ZORGKLUIS = Path(sys.executable).parent / "zorgkluis"
POLL_LIMIT = 180.0  # seconds; creating the demo vault is the slow part


def demo_command(data_dir: Path) -> str:
    """`zorgkluis demo` with a small, private demo vault."""
    return shlex.join([str(ZORGKLUIS), "demo", "--data-dir", str(data_dir), "--aantal", "12"])


class Terminal:
    """A detached tmux session of fixed size."""

    def __init__(self, name: str, socket: Path) -> None:
        self.name = name
        self.socket = socket

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, check=True
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, limit: float = POLL_LIMIT) -> str:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.25)
        raise AssertionError(f"{text!r} did not appear; the screen shows:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal("zk-e2e", tmp_path / "tmux.sock")
    yield term
    subprocess.run(["tmux", "-S", str(term.socket), "kill-server"], check=False)


def test_demo_in_a_real_terminal(terminal: Terminal, tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "TERM": "xterm-256color"}
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    # COLUMNS/LINES (set under pytest) would override the terminal's real size.
    command = (
        f"cd {shlex.quote(os.getcwd())} && env -u COLUMNS -u LINES {exports} "
        f"{demo_command(data_dir)}"
    )
    terminal.tmux(
        "new-session", "-d", "-s", terminal.name, "-x", "120", "-y", "36",
        f"{command}; echo EINDE-DEMO; sleep 600",
    )  # fmt: skip
    terminal.wait_for("12 van 12 leerlingen")
    listed = terminal.wait_for("Te beoordelen:")  # counted once the list is shown
    assert "Anouk Verbeek (intern begeleider)" in listed

    terminal.keys("Enter")
    dossier = terminal.wait_for("Route in de tijd")
    assert "Groep 1" in dossier

    terminal.keys("n")
    terminal.wait_for("Niveau wijzigen")
    # The form starts in its first empty required field (reden). Keys that arrive while the
    # new dialog takes focus can be dropped, so type until the text shows.
    for _ in range(20):
        terminal.type("Getest in tmux")
        try:
            terminal.wait_for("Getest in tmux", limit=1.0)
            break
        except AssertionError:
            continue
    terminal.keys("C-s")
    saved = terminal.wait_for("Opgeslagen")
    assert "Route in de tijd" in saved

    terminal.keys("h")
    history = terminal.wait_for("Verschil versie")  # the diff to the version just saved
    assert "Anouk Verbeek" in history and "✓" in history

    terminal.keys("C-q")
    terminal.wait_for("EINDE-DEMO")

    info = demo.demo_info(data_dir, demo.DEMO_ROUTE)
    vault = Vault.open(info.vault, unlock_identity(info.ib_key, demo.DEMO_PASSPHRASE.encode()))
    texts = [vault.show(p.id) for p in vault.list_pupils()]
    assert sum("reden: Getest in tmux" in text for text in texts) == 1
