"""Object plumbing: signature headers exactly as git writes and strips them."""

from __future__ import annotations

from pathlib import Path

from gitstore_helpers import KeygenSigner, git, keygen_verify

from vault import _gitobjects as go
from vault.git_store import GitStore

SIG = b"-----BEGIN SSH SIGNATURE-----\nAAAA\nBBBB\n-----END SSH SIGNATURE-----\n"
PAYLOAD = (
    b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
    b"author A <a@x> 1700000000 +0100\n"
    b"committer A <a@x> 1700000000 +0100\n"
    b"\n"
    b"bericht\n\ngpgsig in the message is just text\n"
)


def test_add_then_split_round_trips() -> None:
    signed = go.add_signature(PAYLOAD, SIG)
    assert b"\ngpgsig -----BEGIN SSH SIGNATURE-----\n AAAA\n BBBB\n -----END" in signed
    assert go.split_signature(signed) == (PAYLOAD, SIG)
    assert go.split_signature(PAYLOAD) == (PAYLOAD, None)


def test_sha256_signature_header_is_stripped_too() -> None:
    signed = go.add_signature(PAYLOAD, SIG)
    both = signed.replace(b"\n\nbericht", b"\ngpgsig-sha256 XYZ\n continued\n\nbericht")
    assert go.split_signature(both) == (PAYLOAD, SIG)


def test_split_matches_git_signed_commit(tmp_path: Path, alice: KeygenSigner) -> None:
    """A commit made by `git commit -S` splits into what ssh-keygen verifies."""
    store = GitStore.init(tmp_path / "v")
    (store.path / "f").write_bytes(b"x")
    git(store, "add", "f")
    git(
        store,
        "-c",
        f"user.signingkey={alice.key}",
        "-c",
        "user.name=A",
        "-c",
        "user.email=a@x",
        "commit",
        "-q",
        "-S",
        "-m",
        "door git",
    )
    raw = git(store, "cat-file", "commit", "HEAD").stdout.encode()
    payload, signature = go.split_signature(raw)
    assert signature is not None
    assert keygen_verify(payload, signature, "git") == " ".join(alice.public_line.split()[:2])
    assert go.add_signature(payload, signature) == raw


def test_tree_round_trip_and_order() -> None:
    entries = [
        go.TreeEntry(go.FILE_MODE, b"a.b", "1" * 40),
        go.TreeEntry(go.TREE_MODE, b"a", "2" * 40),
        go.TreeEntry(go.FILE_MODE, b"a-", "3" * 40),
    ]
    data = go.serialize_tree(entries)
    # git compares a subtree name as if it ended in "/" (0x2f): "a-" < "a.b" < "a/"
    assert [e.name for e in go.parse_tree(data)] == [b"a-", b"a.b", b"a"]
    assert sorted(go.parse_tree(data), key=lambda e: e.name) == sorted(
        entries, key=lambda e: e.name
    )
