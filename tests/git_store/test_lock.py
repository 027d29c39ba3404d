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


def test_lock_is_reentrant_for_read_modify_commit(store: GitStore, alice: KeygenSigner) -> None:
    other = GitStore(store.path, lock_timeout=0.1)
    with store.lock():
        current = store.read(".zorgkluis/allowed_signers") or b""
        store.commit({".zorgkluis/allowed_signers": current + b"# erbij\n"}, "aangevuld", alice)
        with pytest.raises(LockedError):
            other.commit({"a": b"1"}, "tussendoor", alice)
        with store.lock():
            store.commit({"b": b"2"}, "genest", alice)
    other.commit({"a": b"1"}, "daarna", alice)
    assert git(store, "rev-list", "--count", "HEAD").stdout.strip() == "4"


def test_open_while_a_writer_is_busy(store: GitStore, alice: KeygenSigner) -> None:
    """A pending marker of a live writer does not make opening fail."""
    holder = python(HOLDER, str(store.path), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline() == "locked\n"
        (store.path / ".git/zorgkluis-pending").write_bytes(b"a")
        reader = GitStore(store.path, lock_timeout=0.1)
        assert reader.head() == store.head()
        assert (store.path / ".git/zorgkluis-pending").exists()
    finally:
        holder.stdin.close()
        holder.wait()
    GitStore(store.path)
    assert not (store.path / ".git/zorgkluis-pending").exists()
