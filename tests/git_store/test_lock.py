"""The writer lock, across real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitstore_helpers import KeygenSigner, git

from vault.git_store import GitStore, LockedError

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys
from vault.git_store import GitStore
with GitStore(sys.argv[1]).lock():
    print("locked", flush=True)
    sys.stdin.read()
"""

WRITER = """
import sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from gitstore_helpers import KeygenSigner
from vault.git_store import GitStore
store = GitStore(sys.argv[1], lock_timeout=30)
signer = KeygenSigner("W", "w@x", Path(sys.argv[3]))
for i in range(8):
    store.commit({f"{sys.argv[4]}/{i}": str(i).encode()}, f"{sys.argv[4]} {i}", signer)
"""


def python(code: str, *args: str, **kwargs: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def test_second_writer_waits_then_gives_up(store: GitStore, alice: KeygenSigner) -> None:
    holder = python(HOLDER, str(store.path), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline() == "locked\n"
        head = store.head()
        impatient = GitStore(store.path, lock_timeout=0.2)
        with pytest.raises(LockedError, match="locked by another writer"):
            impatient.commit({"a": b"1"}, "te vroeg", alice)
        assert store.head() == head
        assert not (store.path / "a").exists()
    finally:
        holder.stdin.close()
        holder.wait()
    sha = impatient.commit({"a": b"1"}, "nu wel", alice)
    assert store.head() == sha


def test_concurrent_writers_serialize(store: GitStore, alice: KeygenSigner) -> None:
    here = str(Path(__file__).parent)
    writers = [python(WRITER, str(store.path), here, str(alice.key), name) for name in "xy"]
    assert [w.wait() for w in writers] == [0, 0]
    assert git(store, "rev-list", "--count", "HEAD").stdout.strip() == "17"
    assert git(store, "rev-list", "--merges", "HEAD").stdout == ""
    assert sorted(store.list_dir("x")) == [str(i) for i in range(8)]
    assert sorted(store.list_dir("y")) == [str(i) for i in range(8)]
    assert git(store, "status", "--porcelain", "--untracked-files=all").stdout == ""
    assert git(store, "fsck", "--no-dangling").returncode == 0
