"""The review queue of an IB-er or directie: changes by others since their last review.

A reviewer's last review is a signed record in the vault: `.zorgkluis/reviews/<user-id>.yaml`
holds the commit up to which they reviewed everything (`tot_en_met`) and, for pupils they
reviewed one at a time since, the commit up to which they reviewed that pupil (`leerlingen`:
pupil id -> commit). Marking, all or one pupil, is one signed commit of that file; it holds no
pupil data (only opaque pupil ids, which the dossier folders show anyway, commit ids and a
date).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from dossier_format.model import PupilSummary
from vault.errors import NoAccessError, NotPermittedError, UnknownPupilError
from vault.git_store import CommitInfo
from vault.repository import DOSSIERS, Vault, unified_diff

REVIEWER_ROLES = ("intern_begeleider", "directie")
REVIEW_DIR = ".zorgkluis/reviews"
REVIEW_FORMAT = "zorgkluis-beoordeling/1"
OVERRIDE_TRAILER = "Override:"


@dataclass(frozen=True)
class Change:
    """One version of a dossier by someone else, with its diff from the version before."""

    commit: str
    when: datetime.datetime
    author_id: str
    author_name: str
    signature: str
    diff: str
    message: str = ""

    @property
    def override(self) -> str | None:
        """The reason the author gave to save despite check errors (the commit's `Override:`
        trailer), or None."""
        for line in self.message.splitlines():
            if line.startswith(OVERRIDE_TRAILER):
                return line[len(OVERRIDE_TRAILER) :].strip()
        return None


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


def _record(vault: Vault) -> dict[str, object]:
    """The vault user's review record, or {} (never reviewed, or unreadable)."""
    raw = vault.read_file(review_path(vault.user.id))
    if raw is None:
        return {}
    try:
        record = yaml.safe_load(raw)
    except yaml.YAMLError:
        return {}
    return record if isinstance(record, dict) else {}


def last_reviewed(vault: Vault) -> str | None:
    """The commit up to which the vault's user last reviewed everything, or None (never).

    An unreadable record counts as never reviewed (the queue then shows everything).
    """
    value = _record(vault).get("tot_en_met")
    return value if isinstance(value, str) else None


def pupil_marks(vault: Vault) -> dict[str, str]:
    """Pupil id -> the commit up to which the vault's user reviewed that pupil alone, since
    their last review of everything. Malformed entries are left out (those pupils show)."""
    marks = _record(vault).get("leerlingen")
    if not isinstance(marks, dict):
        return {}
    return {k: v for k, v in marks.items() if isinstance(k, str) and isinstance(v, str)}


class _Reviewed:
    """Which pupils' changes a history walk (newest first) has passed the review of.

    A pupil marked up to commit C is reviewed for C and everything the walk meets after it
    (older). A walk in date order may meet an older commit of a merged branch that C does not
    contain; it then counts as reviewed too (merges come from syncing one's own vault).
    """

    def __init__(self, vault: Vault) -> None:
        self.by_commit: dict[str, set[str]] = {}
        for pupil_id, commit in pupil_marks(vault).items():
            self.by_commit.setdefault(commit, set()).add(pupil_id)
        self.done: set[str] = set()

    def pending(self, sha: str, pupils: set[str]) -> set[str]:
        """Of the pupils `sha` touched, those not reviewed at or before `sha`."""
        self.done |= self.by_commit.get(sha, set())
        return pupils - self.done


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
    reviewed = _Reviewed(vault)
    touched: dict[str, list[CommitInfo]] = {}
    for info in vault.history(rev=start):
        if info.sha == last:
            break
        for pupil_id in reviewed.pending(info.sha, _pupils_in(info.paths)):
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
    reviewed = _Reviewed(vault)
    pupils: set[str] = set()
    for sha, author, paths in vault.authors_and_paths(start):
        if sha == last:
            break
        touched = reviewed.pending(sha, _pupils_in(paths))
        if author != vault.user.id:
            pupils.update(touched)
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
    names = {p.id: _name(p) for p in vault.list_pupils()}
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


def _name(pupil: PupilSummary) -> str:
    """'Voornaam tussenvoegsel Achternaam'."""
    return " ".join(p for p in (pupil.voornaam, pupil.tussenvoegsel, pupil.achternaam) if p)


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
                    message=version.message,
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

    Marks of single pupils are dropped: `up_to` (the queue's HEAD, taken after them) covers
    them. Should one have been newer, that pupil's later changes show again, never fewer.

    Returns:
        The sha of the signed commit.

    Raises:
        NotPermittedError: the user's role does not review.
    """
    _may_mark(vault)
    return _write(vault, up_to, {}, today, f"Beoordeling vastgelegd door {vault.user.id}")


def mark_pupil_reviewed(vault: Vault, pupil_id: str, up_to: str, today: datetime.date) -> str:
    """Record, as one signed commit, that this user reviewed one pupil's changes up to
    `up_to` (the queue's HEAD); the other pupils stay in the queue.

    Returns:
        The sha of the signed commit.

    Raises:
        NotPermittedError: the user's role does not review.
    """
    _may_mark(vault)
    marks = pupil_marks(vault)
    marks[pupil_id] = up_to
    return _write(
        vault,
        last_reviewed(vault),
        marks,
        today,
        f"Beoordeling van een leerling vastgelegd door {vault.user.id}",
    )


def _may_mark(vault: Vault) -> None:
    if not may_review(vault.user.rol):
        raise NotPermittedError("Alleen een intern begeleider of de directie beoordeelt.")


def _write(
    vault: Vault,
    up_to: str | None,
    marks: dict[str, str],
    today: datetime.date,
    message: str,
) -> str:
    record: dict[str, object] = {
        "formaat": REVIEW_FORMAT,
        "medewerker": vault.user.id,
        "tot_en_met": up_to,
        "datum": today.isoformat(),
    }
    if marks:
        record["leerlingen"] = dict(sorted(marks.items()))
    content = yaml.safe_dump(record, sort_keys=False).encode()
    return vault.commit_files({review_path(vault.user.id): content}, message)
