"""Messages the app's workers post back to the screens (past tense: what happened)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class VaultUnlocked(Message):
    """The identity opened the vault; `key` is the user's private key (kept in memory only)."""

    vault: Any
    key: Any


@dataclass
class UnlockFailed(Message):
    """Opening the vault failed; `message` says why, in the UI's language."""

    message: str


@dataclass
class PupilsLoaded(Message):
    """The pupil list (summaries) was read."""

    pupils: list[Any]


@dataclass
class ReviewCounted(Message):
    """The number of pupils with changes waiting for this reviewer was counted."""

    count: int


@dataclass
class DossierLoaded(Message):
    """A dossier was decrypted and checked."""

    pupil_id: str
    text: str
    data: dict[str, Any]
    findings: list[Any]
    commit: str = ""  # the version read: the base of a later save


@dataclass
class DossierSaved(Message):
    """A save became a signed commit."""

    pupil_id: str
    commit: str
    findings: list[Any]
    merged: bool = False  # merged with changes saved since the edit began


@dataclass
class SaveRefused(Message):
    """The checks found errors this save adds and no override reason was given."""

    findings: list[Any]
    new_errors: list[Any] | None = None


@dataclass
class SaveConflicted(Message):
    """Someone saved the same fields since the edit began; the user chooses per field."""

    conflicts: list[Any]


@dataclass
class ActRefused(Message):
    """A form's entry would add check errors; nothing was saved. `text` is the dossier with
    the entry applied, so the user can give a reason, edit it as YAML, or go back."""

    act: Any
    values: dict[str, Any]
    text: str
    saved_text: str
    base: str
    findings: list[Any]
    new_errors: list[Any]


@dataclass
class ChecksRan(Message):
    """The editor's text was checked without saving."""

    findings: list[Any]


@dataclass
class WorkFailed(Message):
    """A worker failed with an error the user can act on."""

    message: str


@dataclass
class HistoryLoaded(Message):
    """A dossier's versions were read."""

    versions: list[Any]


@dataclass
class DiffLoaded(Message):
    """The diff between two versions was computed."""

    title: str
    text: str


@dataclass
class ReviewLoaded(Message):
    """The review queue was computed."""

    changes: list[Any]


@dataclass
class ReviewMarked(Message):
    """The reviewer's mark became a signed record."""

    commit: str
