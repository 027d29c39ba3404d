"""Measure the git store on a vault-sized history (not a test: prints numbers).

Builds a repository of 1,000 pupils and 30,000 commits with `git fast-import` (those commits
are unsigned: fast-import in git 2.39 cannot sign), then times our operations on it and the
same work done with standard tools. Run: `.venv/bin/python tests/git_store/measure_git.py`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gitstore_helpers import KeygenSigner, SshsigSigner, allowed_line, make_key, sshsig_verify

from vault.git_store import ALLOWED_SIGNERS, CommitInfo, GitStore

PUPILS = 1000


FANOUT = 0  # > 0: dossiers/<i % FANOUT>/ll-<i> instead of dossiers/ll-<i> (--fanout)


def pupil(i: int) -> str:
    if FANOUT:
        return f"dossiers/{i % FANOUT:02d}/ll-{i:04d}"
    return f"dossiers/ll-{i:04d}"


def build_history(path: Path, commits: int, signer: KeygenSigner, seed: int = 1) -> None:
    """Fill an initialised vault with `commits` commits through `git fast-import`."""
    rng = random.Random(seed)
    out = bytearray()
    stamp = 1_700_000_000

    def blob(path: str, data: bytes) -> None:
        out.extend(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    def header(message: str) -> None:
        nonlocal stamp
        stamp += 60
        msg = message.encode()
        out.extend(
            b"commit refs/heads/main\n"
            + f"author A <a@x> {stamp} +0100\ncommitter A <a@x> {stamp} +0100\n".encode()
            + f"data {len(msg)}\n".encode()
            + msg
            + b"\n"
        )

    header("Kluis aangemaakt")
    blob(ALLOWED_SIGNERS, allowed_line(signer))
    for i in range(PUPILS):
        for part, size in (("administratie", 1500), ("zorg", 5000), ("samenvatting", 300)):
            blob(f"{pupil(i)}/{part}.age", rng.randbytes(size))
    for _ in range(commits - 1):
        header("Dossier opgeslagen")
        i = rng.randrange(PUPILS)
        blob(f"{pupil(i)}/zorg.age", rng.randbytes(rng.randrange(3000, 7000)))
        blob(f"{pupil(i)}/samenvatting.age", rng.randbytes(300))
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=bytes(out), check=True)
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard"], check=True)


def cpu() -> float:
    """CPU seconds of this process and its finished children (the machine may be shared)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Return (median wall, max wall, mean CPU) milliseconds of `repeat` calls."""
    times = []
    cpu_start = cpu()
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), (cpu() - cpu_start) * 1000 / repeat


def report(label: str, ms: tuple[float, float, float] | float) -> None:
    if isinstance(ms, tuple):
        print(f"{label:<58} median {ms[0]:8.1f} ms  max {ms[1]:8.1f} ms  cpu {ms[2]:8.1f} ms")
    else:
        print(f"{label:<58} {ms:8.1f} ms")


class FixedSigner:
    """Returns a constant (invalid) signature: isolates the store's own cost."""

    def __init__(self, inner: KeygenSigner) -> None:
        self.name, self.email = inner.name, inner.email
        self._sig = inner.sign(b"x")

    def sign(self, payload: bytes) -> bytes:
        return self._sig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=30_000)
    parser.add_argument("--reuse", type=Path, help="folder left by an earlier run")
    parser.add_argument("--fanout", type=int, default=0, help="pupil folders in N subfolders")
    args = parser.parse_args()
    global FANOUT
    FANOUT = args.fanout
    if args.reuse:
        root = args.reuse
        alice = KeygenSigner("Alice", "alice@school.test", root / "alice")
        (root / "vault/.git/objects/info/commit-graph").unlink(missing_ok=True)
        store = GitStore(root / "vault")
        args.commits = int(
            subprocess.check_output(["git", "-C", str(store.path), "rev-list", "--count", "HEAD"])
        )
    else:
        root = Path(tempfile.mkdtemp(prefix="zk-measure-"))
        alice = KeygenSigner("Alice", "alice@school.test", make_key(root, "alice"))
        start = time.perf_counter()
        store = GitStore.init(root / "vault")
        build_history(store.path, args.commits, alice)
        report(
            f"build {args.commits} commits with fast-import", (time.perf_counter() - start) * 1e3
        )
    rng = random.Random(2)

    def change() -> dict[str, bytes | None]:
        i = rng.randrange(PUPILS)
        return {
            f"{pupil(i)}/zorg.age": os.urandom(5000),
            f"{pupil(i)}/samenvatting.age": os.urandom(300),
        }

    report("sign one payload: ssh-keygen -Y sign", timed(lambda: alice.sign(b"x" * 400), 20))
    fixed = FixedSigner(alice)
    report(
        "commit, store only (constant signature)",
        timed(lambda: store.commit(change(), "Dossier opgeslagen", fixed), 50),
    )
    report(
        "commit, fsync on, store only",
        timed(lambda: GitStore(store.path, fsync=True).commit(change(), "x", fixed), 30),
    )
    report(
        "commit signed by ssh-keygen subprocess",
        timed(lambda: store.commit(change(), "Dossier opgeslagen", alice), 50),
    )
    own = SshsigSigner(alice.name, alice.email, alice.key)
    report(
        "commit signed in-process (vault.crypto.sshsig)",
        timed(lambda: store.commit(change(), "Dossier opgeslagen", own), 50),
    )

    git = [
        "git",
        "-C",
        str(store.path),
        "-c",
        f"user.signingkey={alice.key}",
        "-c",
        "user.name=Alice",
        "-c",
        "user.email=alice@school.test",
    ]

    def plain_commit() -> None:
        for path, data in change().items():
            (store.path / path).write_bytes(data or b"")
        subprocess.run([*git, "add", "dossiers"], check=True)
        subprocess.run([*git, "commit", "-q", "-S", "-m", "Dossier opgeslagen"], check=True)

    report("baseline: write + git add + git commit -S", timed(plain_commit, 30))

    target = f"{pupil(17)}/zorg.age"
    report("read HEAD:path (warm cat-file)", timed(lambda: store.read(target), 200))
    report(
        "baseline: git show HEAD:path",
        timed(lambda: subprocess.run([*git, "show", f"HEAD:{target}"], capture_output=True), 20),
    )
    report("open GitStore + first read", timed(lambda: GitStore(store.path).read(target), 20))
    report("list_dir('dossiers') (1,000 entries)", timed(lambda: store.list_dir("dossiers"), 20))

    report(f"log() all {args.commits} commits with paths", timed(store.log, 1))
    report(
        f"log(changed_paths=False) all {args.commits} commits",
        timed(lambda: store.log(changed_paths=False), 3),
    )
    report("log(max_count=50)", timed(lambda: store.log(max_count=50), 10))

    def pupil_log(label: str) -> list[CommitInfo]:
        history = store.log([pupil(17)])
        report(
            f"log([one pupil]) -> {len(history)} commits, {label}",
            timed(lambda: store.log([pupil(17)]), 5),
        )
        baseline = [*git, "log", "--format=%H", "--", pupil(17)]
        report(
            f"baseline: git log --format=%H -- <pupil>, {label}",
            timed(lambda: subprocess.run(baseline, capture_output=True), 5),
        )
        return history

    pupil_log("no commit-graph")
    start = time.perf_counter()
    store.gc()
    report(
        "gc(): git gc --auto + commit-graph --changed-paths", (time.perf_counter() - start) * 1e3
    )
    history = pupil_log("with commit-graph")
    revs = [(c.sha, target) for c in history]
    report(f"read_many: that file at {len(revs)} commits", timed(lambda: store.read_many(revs), 20))

    start = time.perf_counter()
    problems = store.verify_commits(lambda payload, sig, ns: alice.public_line)
    report(
        f"verify_commits walk ({len(problems)} unsigned), no crypto",
        (time.perf_counter() - start) * 1e3,
    )
    info = store.log(max_count=1)[0]
    assert info.signature is not None
    report(
        "sshsig_verify of one commit signature",
        timed(lambda: sshsig_verify(info.signed_payload, info.signature or b"", "git"), 200),
    )
    objects = subprocess.run([*git, "count-objects", "-v"], capture_output=True, text=True)
    print(objects.stdout.replace("\n", "  "))
    print(f"(repository left in {root})")


if __name__ == "__main__":
    os.environ.pop("GIT_DIR", None)
    main()
