"""The review queue of an IB-er or directie: changes by others since their last review.

A reviewer's last review is a signed record in the vault: `.zorgkluis/reviews/<user-id>.yaml`
holds the commit up to which they reviewed. Marking is one signed commit of that file; it holds
no pupil data (only commit ids and a date).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import yaml

from vault.errors import NoAccessError, NotPermittedError, UnknownPupilError
from vault.repository import DOSSIERS, Vault

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


def _pending(vault: Vault, up_to: str | None) -> dict[str, set[str]]:
    """Pupil id -> commits by others after the last review, up to `up_to` (default HEAD)."""
    start = up_to or head(vault)
    if start is None:
        return {}
    last = last_reviewed(vault)
    pending: dict[str, set[str]] = {}
    for info in vault.history(rev=start):
        if info.sha == last:
            break
        if info.author_email == vault.user.id:
            continue
        for path in info.paths:
            folder, _, rest = path.partition("/")
            if folder == DOSSIERS and rest:
                pending.setdefault(rest.split("/", 1)[0], set()).add(info.sha)
    return pending


def pending_count(vault: Vault) -> int:
    """How many pupils have changes by others since this user's last review."""
    return len(_pending(vault, None))


def changes_since_review(vault: Vault, up_to: str | None = None) -> list[PupilChanges]:
    """All changes by others since this user's last review, grouped per pupil.

    Args:
        vault: the reviewer's opened vault.
        up_to: the newest commit to include (default HEAD); pass the same commit to
            `mark_reviewed` so changes that arrive meanwhile stay in the queue.

    Pupils this user cannot read are left out. Sorted by name.
    """
    pending = _pending(vault, up_to)
    names = {p.id: f"{p.voornaam} {p.achternaam}" for p in vault.list_pupils()}
    result = []
    for pupil_id, commits in pending.items():
        try:
            versions = vault.log(pupil_id)
        except (NoAccessError, UnknownPupilError):
            continue
        changes = [
            Change(
                commit=v.commit,
                when=v.when,
                author_id=v.author_id,
                author_name=v.author_name,
                signature=v.signature,
                diff=vault.diff(pupil_id, None, v.commit),
            )
            for v in reversed(versions)
            if v.commit in commits
        ]
        if changes:
            result.append(PupilChanges(pupil_id, names.get(pupil_id, pupil_id), changes))
    return sorted(result, key=lambda p: (p.naam, p.pupil_id))


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
