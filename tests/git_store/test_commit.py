"""Commits: objects, trees, signatures and the work tree, checked with plain git."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from gitstore_helpers import KeygenSigner, allowed_line, git

from vault import _gitobjects as go
from vault.git_store import (
    ALLOWED_SIGNERS,
    GitStore,
    GitStoreError,
    RefConflictError,
    UnknownRevisionError,
)

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))


def test_init_sets_signing_config(tmp_path: Path) -> None:
    store = GitStore.init(tmp_path / "v")
    config = {
        key: git(store, "config", "--get", key).stdout.strip()
        for key in ("gpg.format", "gpg.ssh.allowedSignersFile", "commit.gpgsign")
    }
    assert config == {
        "gpg.format": "ssh",
        "gpg.ssh.allowedSignersFile": ALLOWED_SIGNERS,
        "commit.gpgsign": "false",
    }
    assert "cachetextconv" not in git(store, "config", "--list").stdout
    assert git(store, "symbolic-ref", "HEAD").stdout.strip() == "refs/heads/main"
    assert store.head() is None
    assert store.log() == []
    assert store.read("a") is None
    with pytest.raises(GitStoreError):
        GitStore.init(tmp_path / "v")


def test_not_a_repo(tmp_path: Path) -> None:
    with pytest.raises(GitStoreError):
        GitStore(tmp_path)


def test_commit_writes_nested_paths_and_clean_tree(store: GitStore, alice: KeygenSigner) -> None:
    before = store.head()
    sha = store.commit(
        {"dossiers/ll-1/zorg.age": b"\x00zorg", "dossiers/ll-1/administratie.age": b"adm"},
        "Dossier opgeslagen",
        alice,
        when=WHEN,
    )
    assert store.head() == sha
    assert git(store, "rev-parse", "HEAD~1").stdout.strip() == before
    assert git(store, "status", "--porcelain", "--untracked-files=all").stdout == ""
    assert (
        git(store, "write-tree").stdout.strip()
        == git(store, "rev-parse", "HEAD^{tree}").stdout.strip()
    )
    assert git(store, "diff-files", "--quiet", check=False).returncode == 0
    assert git(store, "show", f"{sha}:dossiers/ll-1/zorg.age").stdout == "\x00zorg"
    assert (store.path / "dossiers/ll-1/administratie.age").read_bytes() == b"adm"
    assert sorted(git(store, "ls-files").stdout.split()) == [
        ALLOWED_SIGNERS,
        "dossiers/ll-1/administratie.age",
        "dossiers/ll-1/zorg.age",
    ]
    fsck = git(store, "fsck", "--strict", "--no-dangling")
    assert fsck.returncode == 0, fsck.stderr
    assert fsck.stderr == ""
    author = git(store, "log", "-1", "--format=%an|%ae|%ad|%cn|%ce|%cd|%B", "--date=iso").stdout
    assert author == (
        "Alice|alice@school.test|2026-03-02 09:30:00 +0100|"
        "Alice|alice@school.test|2026-03-02 09:30:00 +0100|Dossier opgeslagen\n\n"
    )


def test_plain_git_verifies_every_commit(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"dossiers/ll-1/zorg.age": b"1"}, "een", alice)
    store.commit({"dossiers/ll-1/zorg.age": b"2"}, "twee\n\nmet uitleg\n", alice)
    for sha in git(store, "rev-list", "HEAD").stdout.split():
        assert git(store, "verify-commit", sha, check=False).returncode == 0
    # From a subfolder too: git resolves allowedSignersFile against the work-tree top.
    out = git(store.path / "dossiers" / "ll-1", "log", "--show-signature").stdout
    assert out.count('Good "git" signature for alice@school.test') == 3


def test_delete_removes_file_and_empty_folders(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"dossiers/ll-1/a.age": b"a", "dossiers/ll-2/b.age": b"b"}, "twee", alice)
    store.commit({"dossiers/ll-1/a.age": None}, "weg", alice)
    assert not (store.path / "dossiers/ll-1").exists()
    assert (store.path / "dossiers/ll-2/b.age").exists()
    assert store.list_dir("dossiers") == ["ll-2"]
    assert store.read("dossiers/ll-1/a.age") is None
    assert store.read("dossiers/ll-1/a.age", "HEAD~1") == b"a"
    assert git(store, "status", "--porcelain", "--untracked-files=all").stdout == ""
    # Deleting a file that does not exist is a no-op on the tree.
    tree = git(store, "rev-parse", "HEAD^{tree}").stdout
    store.commit({"nope/x": None}, "niets", alice)
    assert git(store, "rev-parse", "HEAD^{tree}").stdout == tree


def test_tree_matches_git_own_tree(store: GitStore, alice: KeygenSigner) -> None:
    """Our tree objects are byte-identical to what `git add` + `git write-tree` make."""
    names = ["a", "a.b", "a-b", "a/x", "ab/y", "a0", "Z", "é.age", "b/c/d/e"]
    store.commit({n if "/" in n else f"t/{n}": n.encode() for n in names}, "sortering", alice)
    git(store, "read-tree", "--empty")
    git(store, "add", "-A")
    assert git(store, "write-tree").stdout == git(store, "rev-parse", "HEAD^{tree}").stdout
    assert git(store, "status", "--porcelain").stdout == ""


def test_file_folder_clash_is_refused_without_commit(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"dossiers/ll-1/a.age": b"a"}, "een", alice)
    head = store.head()
    for changes in (
        {"dossiers/ll-1": b"x"},
        {"dossiers/ll-1/a.age/b": b"x"},
        {"dossiers/ll-1": None},
        {"x/y": b"1", "x": b"2"},
        {"x": b"1", "x/y": b"2"},
    ):
        with pytest.raises(ValueError):
            store.commit(changes, "botsing", alice)
    assert store.head() == head


@pytest.mark.parametrize(
    "path", ["", "/abs", "a//b", "a/../b", "./a", ".git/config", "a/.GIT/x", "a\nb", "a\\b"]
)
def test_unsafe_paths_are_refused(store: GitStore, alice: KeygenSigner, path: str) -> None:
    with pytest.raises(ValueError):
        store.commit({path: b"x"}, "pad", alice)
    with pytest.raises(ValueError):
        store.read(path)


def test_bad_identity_and_message_are_refused(store: GitStore, alice: KeygenSigner) -> None:
    evil = KeygenSigner("Eve <x>", "e@x", alice.key)
    with pytest.raises(ValueError):
        store.commit({"a": b"1"}, "x", evil)
    with pytest.raises(ValueError):
        store.commit({"a": b"1"}, "x\0y", alice)


def test_trees_and_blobs_are_read_by_id(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"d/x": b"1", "d/sub/y": b"y", "e/z": b"z"}, "een", alice)
    folders = store.list_dir_ids("")
    d_tree, e_tree = store.read_trees([folders["d"], folders["e"]])
    assert d_tree is not None and sorted(d_tree) == ["sub", "x"]
    (sub,) = store.read_trees([d_tree["sub"]])
    assert sub is not None and list(sub) == ["y"]
    assert e_tree is not None
    assert store.read_blobs([d_tree["x"], sub["y"], e_tree["z"]]) == [b"1", b"y", b"z"]
    # a tree is not a blob, a blob not a tree, and an unknown id is neither
    unknown = "0" * 40
    assert store.read_blobs([folders["d"], unknown]) == [None, None]
    assert store.read_trees([d_tree["x"], unknown]) == [None, None]
    # only object ids: a revision or path would make git look something else up
    with pytest.raises(ValueError, match="object id"):
        store.read_blobs(["HEAD:d/x"])
    with pytest.raises(ValueError, match="object id"):
        store.read_trees(["HEAD"])


def test_naive_and_utc_times(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"a": b"1"}, "utc", alice, when=datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    info = store.log(max_count=1)[0]
    assert info.when == datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert info.when.utcoffset() == timedelta(0)


def test_reads(store: GitStore, alice: KeygenSigner) -> None:
    first = store.commit({"d/x": b"1", "d/y": b"y"}, "een", alice)
    second = store.commit({"d/x": b"2"}, "twee", alice)
    assert store.read("d/x") == b"2"
    assert store.read("d/x", first) == b"1"
    assert store.read("d/x", "HEAD~1") == b"1"
    assert store.read("d") is None  # a folder is not a file
    assert store.show_paths_at(first, ["d/x", "d/y", "d/z"]) == {
        "d/x": b"1",
        "d/y": b"y",
        "d/z": None,
    }
    assert store.read_many([(first, "d/x"), (second, "d/x"), ("HEAD", "d/y")]) == [
        b"1",
        b"2",
        b"y",
    ]
    # more than a pipe buffer of requests at once, and from several threads
    assert store.read_many([(first, "d/x"), (second, "d/x")] * 200) == [b"1", b"2"] * 200
    results: list[bool] = []

    def reader(rev: str, want: bytes) -> None:
        results.extend(store.read("d/x", rev) == want for _ in range(50))

    threads = [
        threading.Thread(target=reader, args=(rev, want))
        for rev, want in ((first, b"1"), (second, b"2"), ("HEAD", b"2"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 150
    assert store.list_dir("") == [".zorgkluis", "d"]
    assert store.list_dir("d/") == ["x", "y"]
    assert store.list_dir("d/x") == []
    assert store.list_dir("nope") == []
    assert store.resolve("main") == second
    with pytest.raises(UnknownRevisionError):
        store.read("d/x", "no-such-branch")
    with pytest.raises(UnknownRevisionError):
        store.resolve("HEAD~9")


def test_reopen_and_close(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"a": b"1"}, "een", alice)
    store.close()
    assert store.read("a") == b"1"  # the reader restarts on demand
    with GitStore(store.path / ".zorgkluis" / "..") as again:
        assert again.head() == store.head()
        again.commit({"a": b"2"}, "twee", alice)
    assert store.read("a") == b"2"


def test_commit_after_plain_git_commit_and_gc(
    store: GitStore, alice: KeygenSigner, keys: Callable[[str], KeygenSigner]
) -> None:
    """Packed objects and packed refs (after `git gc`) are read like loose ones."""
    store.commit({"a": b"1"}, "een", alice)
    git(
        store,
        "-c",
        "user.name=X",
        "-c",
        "user.email=x@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "handmatig",
    )
    git(store, "gc", "-q", "--prune=now")
    assert not (store.path / ".git/refs/heads/main").exists()
    sha = store.commit({"a": b"2", "b/c": b"3"}, "na gc", alice)
    assert git(store, "rev-list", "--count", "HEAD").stdout.strip() == "4"
    assert store.read("a", "HEAD~1") == b"1"
    assert git(store, "fsck", "--no-dangling").returncode == 0
    assert store.head() == sha
    store.gc()
    assert store.read("b/c") == b"3"
    assert git(store, "commit-graph", "verify").returncode == 0


def test_allowed_signers_line_format(store: GitStore, alice: KeygenSigner) -> None:
    assert store.read(ALLOWED_SIGNERS) == allowed_line(alice)


def test_held_ref_lock_fails_cleanly(store: GitStore, alice: KeygenSigner) -> None:
    lock = store.path / ".git/refs/heads/main.lock"
    lock.write_bytes(b"")
    head = store.head()
    with pytest.raises(GitStoreError, match=r"main\.lock exists"):
        store.commit({"a": b"1"}, "geblokkeerd", alice)
    assert store.head() == head
    assert not (store.path / "a").exists()
    assert not (store.path / ".git/zorgkluis-pending").exists()
    # A lock that is released soon is waited for.
    threading.Timer(0.2, lock.unlink).start()
    sha = store.commit({"a": b"1"}, "gewacht", alice)
    assert store.head() == sha


def test_loose_objects_get_packed(store: GitStore, alice: KeygenSigner) -> None:
    """Like `git commit`, a commit starts `git gc --auto` once loose objects pile up."""
    blobs: dict[str, bytes] = {}
    n = 0
    while len(blobs) < 30:  # 30 blobs in fan-out folder 17 cross git's gc.auto estimate
        data = f"vulling {n}".encode()
        if go.object_bytes("blob", data)[0].startswith("17"):
            blobs[f"vulling/{n}"] = data
        n += 1
    store.commit(blobs, "veel losse objecten", alice)
    deadline = time.monotonic() + 30
    while not list((store.path / ".git/objects/pack").glob("*.pack")):
        assert time.monotonic() < deadline, "git gc --auto did not pack"
        time.sleep(0.05)
    while not (store.path / ".git/objects/info/commit-graph").exists():
        assert time.monotonic() < deadline, "the commit-graph was not written"
        time.sleep(0.05)
    assert len(store.list_dir("vulling")) == 30
    assert git(store, "fsck", "--no-dangling").returncode == 0


def test_fsync_mode_commits_the_same(store: GitStore, alice: KeygenSigner) -> None:
    durable = GitStore(store.path, fsync=True)
    sha = durable.commit({"d/a": b"1"}, "duurzaam", alice)
    assert store.head() == sha
    assert store.read("d/a") == b"1"
    assert git(store, "verify-commit", sha, check=False).returncode == 0
    assert git(store, "fsck", "--strict", "--no-dangling").returncode == 0


def test_detached_head_is_refused(store: GitStore, alice: KeygenSigner) -> None:
    git(store, "checkout", "-q", "--detach")
    with pytest.raises(RefConflictError, match="detached"):
        store.commit({"a": b"1"}, "los", alice)
    git(store, "checkout", "-q", "main")
    assert store.commit({"a": b"1"}, "vast", alice) == store.head()


def test_reader_process_restarts_after_dying(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"a": b"1"}, "een", alice)
    assert store.read("a") == b"1"
    reader = store._cat._proc
    assert reader is not None
    reader.kill()
    reader.wait()
    assert store.read("a") == b"1"


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_index_versions(store: GitStore, alice: KeygenSigner, version: str) -> None:
    """v2/v3 indexes are updated in-process, v4 through git; all end clean."""
    git(store, "update-index", "--index-version", version)
    git(store, "status")  # let git add its optional extensions
    store.commit({"d/a": b"1", "d/b/c": b"2"}, "een", alice)
    store.commit({"d/a": None, "d/b/c": b"3", "e": b"4"}, "twee", alice)
    assert git(store, "status", "--porcelain", "--untracked-files=all").stdout == ""
    assert git(store, "write-tree").stdout == git(store, "rev-parse", "HEAD^{tree}").stdout
    assert git(store, "ls-files", "-s").stdout.count("\n") == 3
    assert git(store, "fsck", "--no-dangling").returncode == 0


def test_index_keeps_entries_with_long_names(store: GitStore, alice: KeygenSigner) -> None:
    """Names of 4095+ bytes (stored NUL-terminated) survive an in-process index update."""
    long = "d/" + "/".join(["x" * 200] * 25)
    empty = git(store, "hash-object", "-w", "--stdin").stdout.strip()
    git(store, "update-index", "--add", "--cacheinfo", f"100644,{empty},{long}")
    before = git(store, "ls-files", "-s", long).stdout
    store.commit({"d/y": b"2", "c": b"3"}, "naast lang", alice)
    assert git(store, "ls-files", "-s", long).stdout == before
    assert git(store, "ls-files").stdout.split() == [ALLOWED_SIGNERS, "c", long, "d/y"]


def test_index_changes_by_plain_git_are_kept(store: GitStore, alice: KeygenSigner) -> None:
    """The parsed-index cache must notice that git rewrote the index in between."""
    store.commit({"a": b"1"}, "een", alice)
    empty = git(store, "hash-object", "-w", "--stdin").stdout.strip()
    for i in range(3):
        git(store, "update-index", "--add", "--cacheinfo", f"100644,{empty},git-{i}")
        store.commit({f"ours-{i}": b"x"}, f"ronde {i}", alice)
    files = git(store, "ls-files").stdout.split()
    assert {f"git-{i}" for i in range(3)} | {f"ours-{i}" for i in range(3)} <= set(files)
