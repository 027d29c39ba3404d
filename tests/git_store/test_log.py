"""History: `log` with path filters, changed paths and signed payloads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from gitstore_helpers import KeygenSigner, git, keygen_verify

from vault.git_store import ALLOWED_SIGNERS, GitStore, UnknownRevisionError


@pytest.fixture
def history(store: GitStore, alice: KeygenSigner) -> list[str]:
    shas = [store.head() or ""]
    for i, changes in enumerate(
        [
            {"dossiers/ll-1/zorg.age": b"1", "dossiers/ll-1/adm.age": b"a"},
            {"dossiers/ll-2/zorg.age": b"x"},
            {"dossiers/ll-1/zorg.age": b"2"},
            {"dossiers/ll-1/zorg.age": None, "dossiers/ll-2/zorg.age": b"y"},
        ]
    ):
        when = datetime(2026, 2, 1 + i, 8, 0, tzinfo=UTC)
        shas.append(store.commit(changes, f"stap {i}\n\nregel twee", alice, when=when))
    return shas


def test_full_log(store: GitStore, history: list[str]) -> None:
    log = store.log()
    assert [c.sha for c in log] == history[::-1]
    assert [c.paths for c in log] == [
        ("dossiers/ll-1/zorg.age", "dossiers/ll-2/zorg.age"),
        ("dossiers/ll-1/zorg.age",),
        ("dossiers/ll-2/zorg.age",),
        ("dossiers/ll-1/adm.age", "dossiers/ll-1/zorg.age"),
        (ALLOWED_SIGNERS,),
    ]
    newest = log[0]
    assert newest.parents == (history[-2],)
    assert log[-1].parents == ()
    assert newest.message == "stap 3\n\nregel twee\n"
    assert (newest.author_name, newest.author_email) == ("Alice", "alice@school.test")
    assert newest.when == datetime(2026, 2, 4, 8, 0, tzinfo=UTC)


def test_authors_and_paths_match_the_full_log(store: GitStore, history: list[str]) -> None:
    # a commit by someone else, made with plain git, so the authors differ
    (store.path / "dossiers/ll-3").mkdir(parents=True)
    (store.path / "dossiers/ll-3/zorg.age").write_bytes(b"z")
    git(store.path, "add", "dossiers/ll-3/zorg.age")
    git(store.path, "-c", "user.name=Bob", "-c", "user.email=bob@school.test", "commit", "-qm", "b")
    expected = [(c.sha, c.author_email, c.paths) for c in store.log()]
    assert store.authors_and_paths() == expected
    assert {email for _, email, _ in expected} == {"alice@school.test", "bob@school.test"}
    assert store.authors_and_paths(history[2]) == expected[-3:]


def test_log_filters_paths_and_counts(store: GitStore, history: list[str]) -> None:
    only_1 = store.log(["dossiers/ll-1/zorg.age"])
    assert [c.sha for c in only_1] == [history[4], history[3], history[1]]
    # the paths listed are all the commit changed, not only the filtered ones
    assert only_1[0].paths == ("dossiers/ll-1/zorg.age", "dossiers/ll-2/zorg.age")
    assert [c.sha for c in store.log(["dossiers/ll-1/"])] == [history[4], history[3], history[1]]
    assert [c.sha for c in store.log(["dossiers/ll-2", ALLOWED_SIGNERS])] == [
        history[4],
        history[2],
        history[0],
    ]
    assert [c.sha for c in store.log(max_count=2)] == [history[4], history[3]]
    assert [c.sha for c in store.log(["dossiers/ll-1"], max_count=1, rev=history[2])] == [
        history[1]
    ]
    assert store.log(["nope"]) == []
    with pytest.raises(UnknownRevisionError):
        store.log(rev="nope")


def test_signed_payload_is_what_git_signed(store: GitStore, history: list[str]) -> None:
    for info in store.log():
        assert info.signature is not None
        assert info.signature.startswith(b"-----BEGIN SSH SIGNATURE-----\n")
        keygen_verify(info.signed_payload, info.signature, "git")
        raw = git(store, "cat-file", "commit", info.sha).stdout.encode()
        assert b"gpgsig" not in info.signed_payload
        assert len(raw) > len(info.signed_payload)


def test_plain_git_commits_show_unsigned(store: GitStore, history: list[str]) -> None:
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
    info = store.log(max_count=1)[0]
    assert info.signature is None
    assert info.signed_payload == git(store, "cat-file", "commit", "HEAD").stdout.encode()
    assert info.paths == ()


def test_log_with_commit_graph_and_without_paths(
    store: GitStore, history: list[str], alice: KeygenSigner
) -> None:
    store.gc()  # writes changed-path Bloom filters for the commits so far
    later = store.commit({"dossiers/ll-1/zorg.age": b"3"}, "na gc", alice)
    assert [c.sha for c in store.log(["dossiers/ll-1"])] == [
        later,
        history[4],
        history[3],
        history[1],
    ]
    bare = store.log(changed_paths=False)
    assert [c.sha for c in bare] == [later, *history[::-1]]
    assert all(c.paths == () for c in bare)
    assert bare[0].message == "na gc\n"


def test_log_since(store: GitStore, history: list[str]) -> None:
    assert [c.sha for c in store.log(since=history[2])] == [history[4], history[3]]
    assert [c.sha for c in store.log(["dossiers/ll-2"], since=history[1])] == [
        history[4],
        history[2],
    ]
    assert store.log(since=history[4]) == []
    with pytest.raises(UnknownRevisionError):
        store.log(since="nope")
