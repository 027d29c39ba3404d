"""Nothing lost, nothing interleaved: the save lock, concurrent writers and kill -9 mid-save."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from vault_testkit import TODAY, School, dossier

from vault.errors import LockedError
from vault.repository import Vault

HOLD_LOCK = (
    "import fcntl, sys, time\n"
    "f = open(sys.argv[1], 'a')\n"
    "fcntl.flock(f, fcntl.LOCK_EX)\n"
    "print('vast', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


def _hold_lock(school: School, seconds: float) -> subprocess.Popen[str]:
    lock = school.path / ".git" / "zorgkluis" / "vault.lock"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "vast"
    return proc


def test_second_save_waits_briefly_then_fails_clearly(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(), today=TODAY).pupil_id
    holder = _hold_lock(school, 60)
    try:
        ib.lock_wait = 0.3
        with pytest.raises(LockedError) as refused:
            ib.put(pid, dossier(pid, zorg_reden="Tweede."), today=TODAY)
        assert "bezet" in refused.value.message and refused.value.hint
    finally:
        holder.kill()
        holder.wait()
    short = _hold_lock(school, 0.5)
    ib.lock_wait = 10
    assert ib.put(pid, dossier(pid, zorg_reden="Na het wachten."), today=TODAY).commit
    short.wait()
    assert "Na het wachten." in ib.show(pid)


WORKER = """
import sys
from vault.repository import open_default
from vault_testkit import TODAY, dossier
vault_path, key, pid, tag = sys.argv[1:5]
v = open_default(vault_path, key)
v.lock_wait = 30
for i in range(5):
    v.put(pid, dossier(pid, betrokkenen=["lk-els", "lk-bob"], zorg_reden=f"{tag} {i}."),
          today=TODAY)
"""


def test_concurrent_writers_never_interleave(school: School) -> None:
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=["lk-els", "lk-bob"]), today=TODAY).pupil_id
    before = len(ib.log(pid))
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(school.path), str(school.keys.path(who)), pid, who],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
        )
        for who in ("lk-els", "lk-bob")
    ]
    assert [p.wait() for p in procs] == [0, 0]
    versions = ib.log(pid)
    assert len(versions) == before + 10
    assert ib.verify() == []
    assert {v.author_id for v in versions[:10]} == {"lk-els", "lk-bob"}


def _marker(text: str) -> int | None:
    found = re.search(r"reden: Versie (\d+)\.", text)
    return int(found.group(1)) if found else None


@pytest.mark.slow
def test_kill_9_at_random_moments_of_saves(school: School) -> None:
    """100 saves, each killed at a random moment; the vault verifies clean after every crash
    and only the killed (in-flight) saves can be missing."""
    ib = school.as_("ib-anna")
    pid = ib.new(dossier(betrokkenen=["lk-els"]), today=TODAY).pupil_id
    key = school.keys.private["ib-anna"]
    ib.put(pid, dossier(pid, betrokkenen=["lk-els"], zorg_reden="Versie 0."), today=TODAY)
    rng = random.Random(20250301)
    # The kill comes at a random moment within `scale` seconds of the fork; `scale` adapts
    # (on a busy machine too) so that about half of the saves finish and half are cut.
    scale = 0.3
    done: list[int] = [0]
    killed: list[int] = []
    present: int | None = 0
    for n in range(1, 101):
        # Every other save changes the betrokkenen: a rotation with key-store writes.
        who = ["lk-els", "sp-ria"] if n % 2 else ["lk-els"]
        text = dossier(pid, betrokkenen=who, zorg_reden=f"Versie {n}.")
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            os.close(read_end)
            try:
                Vault.open(school.path, key, durable=False).put(pid, text, today=TODAY)
                os.write(write_end, b"ok")
            finally:
                os._exit(0)
        os.close(write_end)
        time.sleep(rng.uniform(0, scale))
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        finished = os.read(read_end, 2) == b"ok"
        os.close(read_end)
        (done if finished else killed).append(n)
        scale *= 0.93 if finished else 1.08
        after = Vault.open(
            school.path, key, durable=False
        )  # opening repairs the work tree if needed
        current = _marker(after.show(pid))
        assert current == n if finished else current in (present, n)
        present = current
        if n % 25 == 0:
            assert after.verify() == []
    assert killed and len(done) > 1  # the random moments hit both sides
    final = Vault.open(school.path, key, durable=False)
    assert final.verify() == []
    status = subprocess.run(
        ["git", "-C", str(school.path), "status", "--porcelain"], capture_output=True, text=True
    )
    assert status.stdout == ""
    history = [_marker(final.show_at(pid, v.commit)) for v in reversed(final.log(pid))]
    saved = [m for m in history if m is not None]
    assert saved == sorted(set(saved))
    assert set(done) <= set(saved) <= set(done) | set(killed)
