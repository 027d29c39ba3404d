"""The project's own SSHSIG (vault.crypto.sshsig) plugged into the git store."""

from __future__ import annotations

from collections.abc import Callable

from gitstore_helpers import (
    CorruptingSigner,
    KeygenSigner,
    SshsigSigner,
    git,
    keygen_verify,
    sshsig_verify,
)

from vault.git_store import GitStore


def test_in_process_signatures_satisfy_plain_git(store: GitStore, alice: KeygenSigner) -> None:
    own = SshsigSigner(alice.name, alice.email, alice.key)
    shas = [store.commit({"a": str(i).encode()}, f"eigen {i}", own) for i in range(3)]
    for sha in shas:
        assert git(store, "verify-commit", sha, check=False).returncode == 0
    shown = git(store, "log", "--show-signature", "-3").stdout
    assert shown.count('Good "git" signature for alice@school.test with ED25519 key') == 3
    assert store.verify_commits(sshsig_verify) == []
    assert store.verify_commits(keygen_verify) == []


def test_both_verifiers_find_the_same_problems(
    store: GitStore, alice: KeygenSigner, keys: Callable[[str], KeygenSigner]
) -> None:
    bob = keys("bob")
    store.commit({"a": b"1"}, "bob", SshsigSigner(bob.name, bob.email, bob.key))
    store.commit({"a": b"2"}, "kapot", CorruptingSigner(alice))
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
        "ongetekend",
    )
    store.commit({"a": b"3"}, "goed", SshsigSigner(alice.name, alice.email, alice.key))
    ours = [(p.sha, p.kind) for p in store.verify_commits(sshsig_verify)]
    assert [kind for _, kind in ours] == ["unknown_signer", "bad_signature", "unsigned"]
    assert ours == [(p.sha, p.kind) for p in store.verify_commits(keygen_verify)]
