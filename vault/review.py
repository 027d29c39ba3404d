"""The review queue of an IB-er or directie: changes by others since their last review.

A reviewer's last review is a signed record in the vault: `.zorgkluis/reviews/<user-id>.yaml`
holds the commit up to which they reviewed. Marking is one signed commit of that file; it holds
no pupil data (only commit ids and a date).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from vault.errors import NoAccessError, NotPermittedError, UnknownPupilError
from vault.git_store import CommitInfo
from vault.repository import DOSSIERS, Vault, unified_diff

REVIEWER_ROLES = ("intern_begeleider", "directie")
REVIEW_DIR = ".zorgkluis/reviews"
REVIEW_FORMAT = "zorgkluis-beoordeling/1"


@dataclass(frozen=True)
class Change:
    """One version of a dossier by someone else, with its diff from the version before."""

    commit: str
    when: datetime.datetime
    author_id: str
    author_name: str
    signature: str
    diff: str


@dataclass(frozen=True)
class PupilChanges:
    """The changes to one pupil's dossier since the last review, oldest first."""

    pupil_id: str
    naam: str
    changes: list[Change]


def may_review(rol: str) -> bool:
    """Whether a role reviews others' changes (intern begeleider, directie)."""
    return rol in REVIEWER_ROLES


def review_path(user_id: str) -> str:
    """The repository path of a reviewer's record."""
    return f"{REVIEW_DIR}/{user_id}.yaml"


def last_reviewed(vault: Vault) -> str | None:
    """The commit up to which the vault's user last reviewed, or None (never).

    An unreadable record counts as never reviewed (the queue then shows everything).
    """
    raw = vault.read_file(review_path(vault.user.id))
    if raw is None:
        return None
    try:
        record = yaml.safe_load(raw)
    except yaml.YAMLError:
        return None
    value = record.get("tot_en_met") if isinstance(record, dict) else None
    return value if isinstance(value, str) else None


def head(vault: Vault) -> str | None:
    """The vault's current commit (the point a review covers up to)."""
    return vault.head()


def _range(vault: Vault, up_to: str | None) -> tuple[str | None, dict[str, list[CommitInfo]]]:
    """Pupil id -> every commit that touched the pupil after the last review up to `up_to`
    (default HEAD), newest first, from one walk of the history; with the start commit."""
    start = up_to or head(vault)
    if start is None:
        return None, {}
    last = last_reviewed(vault)
    touched: dict[str, list[CommitInfo]] = {}
    for info in vault.history(rev=start):
        if info.sha == last:
            break
        for pupil_id in _pupils_in(info.paths):
            touched.setdefault(pupil_id, []).append(info)
    return start, touched


def _pupils_in(paths: Sequence[str]) -> set[str]:
    return {
        rest.split("/", 1)[0]
        for folder, _, rest in (path.partition("/") for path in paths)
        if folder == DOSSIERS and rest
    }


def _by_others(vault: Vault, commits: list[CommitInfo]) -> set[str]:
    return {c.sha for c in commits if c.author_email != vault.user.id}


def pending_count(vault: Vault) -> int:
    """How many pupils have changes by others since this user's last review.

    Walks only authors and paths (no commit objects), so it stays cheap on a long history and
    does not starve the UI thread that shows the list meanwhile.
    """
    start = head(vault)
    if start is None:
        return 0
    last = last_reviewed(vault)
    pupils: set[str] = set()
    for sha, author, paths in vault.authors_and_paths(start):
        if sha == last:
            break
        if author == vault.user.id:
            continue
        pupils.update(_pupils_in(paths))
    return len(pupils)


def changes_since_review(vault: Vault, up_to: str | None = None) -> list[PupilChanges]:
    """All changes by others since this user's last review, grouped per pupil.

    One walk of the history finds every version in the range; each version is decrypted
    once and diffed against the version before it (the dossier as of the first version's
    parent commit for the oldest), and the whole queue is one audited read.

    Args:
        vault: the reviewer's opened vault.
        up_to: the newest commit to include (default HEAD); pass the same commit to
            `mark_reviewed` so changes that arrive meanwhile stay in the queue.

    Pupils this user cannot read are left out. Sorted by name.

    Raises:
        VaultError: the history or a version cannot be read (for example a damaged file).
    """
    start, touched = _range(vault, up_to)
    pending = {pid: commits for pid, commits in touched.items() if _by_others(vault, commits)}
    if not pending:
        return []
    names = {p.id: f"{p.voornaam} {p.achternaam}" for p in vault.list_pupils()}
    at_head = start == vault.head()
    result = []
    with vault.audited("ontsleuteld", reason="beoordeling"):
        for pupil_id, commits in pending.items():
            try:
                changes = _pupil_changes(vault, pupil_id, commits, at_head)
            except (NoAccessError, UnknownPupilError):
                continue
            if changes:
                result.append(PupilChanges(pupil_id, names.get(pupil_id, pupil_id), changes))
    return sorted(result, key=lambda p: (p.naam, p.pupil_id))


def _pupil_changes(
    vault: Vault, pupil_id: str, commits: list[CommitInfo], at_head: bool
) -> list[Change]:
    """The changes by others among `commits` (one pupil's versions in the range, newest
    first), oldest first. The signature states come from the pupil's log, which stops after
    these versions when the range ends at HEAD."""
    others = _by_others(vault, commits)
    versions = {
        v.commit: v for v in vault.log(pupil_id, max_count=len(commits) if at_head else None)
    }
    if not others <= versions.keys():  # git's path-limited log simplified something away
        versions = {v.commit: v for v in vault.log(pupil_id)}
    oldest = commits[-1]
    older_sha, before = _text_at(vault, pupil_id, oldest.parents[0] if oldest.parents else None)
    changes = []
    for info in reversed(commits):
        text = vault.show_at(pupil_id, info.sha)
        version = versions.get(info.sha)
        if info.sha in others and version is not None:
            changes.append(
                Change(
                    commit=info.sha,
                    when=version.when,
                    author_id=version.author_id,
                    author_name=version.author_name,
                    signature=version.signature,
                    diff=unified_diff(pupil_id, older_sha, before, info.sha, text),
                )
            )
        before, older_sha = text, info.sha
    return changes


def _text_at(vault: Vault, pupil_id: str, commit: str | None) -> tuple[str | None, str]:
    """The dossier as of `commit` with that commit, or (None, "") when it did not exist yet."""
    if commit is None:
        return None, ""
    try:
        return commit, vault.show_at(pupil_id, commit)
    except UnknownPupilError:
        return None, ""


def mark_reviewed(vault: Vault, up_to: str, today: datetime.date) -> str:
    """Record, as one signed commit, that this user reviewed everything up to `up_to`.

    Returns:
        The sha of the signed commit.

    Raises:
        NotPermittedError: the user's role does not review.
    """
    if not may_review(vault.user.rol):
        raise NotPermittedError("Alleen een intern begeleider of de directie beoordeelt.")
    record = {
        "formaat": REVIEW_FORMAT,
        "medewerker": vault.user.id,
        "tot_en_met": up_to,
        "datum": today.isoformat(),
    }
    content = yaml.safe_dump(record, sort_keys=False).encode()
    return vault.commit_files(
        {review_path(vault.user.id): content}, f"Beoordeling vastgelegd door {vault.user.id}"
    )
