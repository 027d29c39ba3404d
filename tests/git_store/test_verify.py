"""verify_commits: unsigned, foreign and corrupted commits are found; good ones pass."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gitstore_helpers import CorruptingSigner, KeygenSigner, allowed_line, git, keygen_verify

from vault import _gitobjects as go
from vault.git_store import ALLOWED_SIGNERS, GitStore, parse_allowed_signers


@dataclass
class WrongNamespaceSigner:
    """Signs with namespace "file" instead of "git"."""

    inner: KeygenSigner

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def email(self) -> str:
        return self.inner.email

    def sign(self, payload: bytes) -> bytes:
        return subprocess.run(
            ["ssh-keygen", "-q", "-Y", "sign", "-f", str(self.inner.key), "-n", "file"],
            input=payload,
            capture_output=True,
            check=True,
        ).stdout


def kinds(store: GitStore) -> list[tuple[str, str]]:
    return [(p.sha, p.kind) for p in store.verify_commits(keygen_verify)]


def test_good_history_has_no_problems(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"a": b"1"}, "een", alice)
    assert store.verify_commits(keygen_verify) == []


def test_empty_repo(tmp_path: Path) -> None:
    assert GitStore.init(tmp_path / "v").verify_commits(keygen_verify) == []


def test_unsigned_plain_git_commit(store: GitStore, alice: KeygenSigner) -> None:
    (store.path / "a").write_bytes(b"hand")
    git(store, "add", "a")
    git(store, "-c", "user.name=X", "-c", "user.email=x@x", "commit", "-q", "-m", "hand")
    unsigned = store.head()
    store.commit({"a": b"2"}, "daarna", alice)
    problems = store.verify_commits(keygen_verify)
    assert [(p.sha, p.kind) for p in problems] == [(unsigned, "unsigned")]
    assert git(store, "verify-commit", unsigned or "", check=False).returncode != 0


def test_corrupted_signature(store: GitStore, alice: KeygenSigner) -> None:
    bad = store.commit({"a": b"1"}, "kapot", CorruptingSigner(alice))
    store.commit({"a": b"2"}, "goed", alice)
    assert kinds(store) == [(bad, "bad_signature")]
    assert git(store, "verify-commit", bad, check=False).returncode != 0
    assert git(store, "verify-commit", "HEAD", check=False).returncode == 0


def test_wrong_namespace(store: GitStore, alice: KeygenSigner) -> None:
    bad = store.commit({"a": b"1"}, "namespace", WrongNamespaceSigner(alice))
    assert kinds(store) == [(bad, "bad_signature")]
    assert git(store, "verify-commit", bad, check=False).returncode != 0


def test_tampered_commit_content(store: GitStore, alice: KeygenSigner) -> None:
    """A commit whose text was changed after signing (same signature) fails."""
    store.commit({"a": b"1"}, "origineel", alice)
    raw = git(store, "cat-file", "commit", "HEAD").stdout.encode()
    forged = raw.replace(b"origineel", b"vervalst!")
    sha = go.write_loose_object(store.path / ".git/objects", "commit", forged, fsync=False)
    git(store, "update-ref", "refs/heads/main", sha)
    assert kinds(store) == [(sha, "bad_signature")]
    assert git(store, "verify-commit", sha, check=False).returncode != 0


def test_unknown_signer_and_allowed_as_of_parent(
    store: GitStore, alice: KeygenSigner, keys: Callable[[str], KeygenSigner]
) -> None:
    bob, carol = keys("bob"), keys("carol")
    stranger = store.commit({"a": b"1"}, "bob, onbekend", bob)
    # carol adds herself: the file at the parent does not list her yet
    self_added = store.commit(
        {ALLOWED_SIGNERS: allowed_line(alice) + allowed_line(carol)}, "carol erbij", carol
    )
    by_carol = store.commit({"a": b"2"}, "carol, nu bekend", carol)
    added = store.commit(
        {ALLOWED_SIGNERS: allowed_line(alice) + allowed_line(carol) + allowed_line(bob)},
        "bob erbij",
        alice,
    )
    by_bob = store.commit({"a": b"3"}, "bob, bekend", bob)
    removed = store.commit({ALLOWED_SIGNERS: allowed_line(bob)}, "alice en carol weg", alice)
    late = store.commit({"a": b"4"}, "alice, niet meer bekend", alice)
    problems = store.verify_commits(keygen_verify)
    assert [(p.sha, p.kind) for p in problems] == [
        (stranger, "unknown_signer"),
        (self_added, "unknown_signer"),
        (late, "unknown_signer"),
    ]
    assert "niet van een medewerker van de kluis" in problems[0].detail
    ok = {by_carol, added, by_bob, removed}
    assert ok.isdisjoint(p.sha for p in problems)
    # plain git checks against today's file only: bob's commits pass, alice's now fail
    assert git(store, "verify-commit", by_bob, check=False).returncode == 0
    assert git(store, "verify-commit", added, check=False).returncode != 0


def test_custom_resolver(store: GitStore, alice: KeygenSigner) -> None:
    store.commit({"a": b"1"}, "een", alice)
    assert len(store.verify_commits(keygen_verify, lambda sha: set())) == 2
    key = " ".join(alice.public_line.split()[:2])
    assert store.verify_commits(keygen_verify, lambda sha: {key}) == []


def test_parse_allowed_signers() -> None:
    k1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1"
    k2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA2"
    k3 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA3"
    k4 = "ecdsa-sha2-nistp256 AAAAE2VjZHNh"
    data = (
        f"# comment\n\na@x {k1} comment words\n"
        f'b@x,c@x namespaces="file,git" {k2}\n'
        f'd@x namespaces="file" {k3}\n'
        f'e@x valid-after="20200101" {k4}\n'
        f"f@x cert-authority {k3}\n"
        "broken-line\n"
    ).encode()
    assert parse_allowed_signers(data) == {k1, k2, k4}
