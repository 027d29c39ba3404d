"""The access policy (003 §4.5): who may read which part of a pupil's dossier.

"De leerlinggegevens ... zijn toegankelijk voor ... de schoolleiding en het onderwijspersoneel
dat bij de leerling betrokken is." In the vault that becomes:

- directie and intern_begeleider read every pupil (all parts except werkaantekeningen);
- any other role reads a pupil when betrokken (listed in the administratie part's
  `betrokkenen`) or explicitly granted with `access --add`, unless explicitly removed;
- werkaantekeningen (003 §4.4: outside the LVS) are read only by their author;
- the school's recovery key opens every key-store entry (not a user; handled by the key store).

Pure functions only: the key store and the repository apply the outcome.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dossier_format.parts import PART_NAMES, WERKAANTEKENINGEN_PREFIX
from vault.errors import CorruptError
from vault.users import User

PUPIL_PARTS: tuple[str, ...] = PART_NAMES
"""Parts every reader of the pupil may read (all with the same readers)."""

WERK_PREFIX = WERKAANTEKENINGEN_PREFIX
LEADING_ROLES = frozenset({"directie", "intern_begeleider"})
"""Roles that read every pupil and may manage users and access."""


@dataclass(frozen=True)
class Grants:
    """Explicit per-pupil access changes on top of the betrokkenen list.

    Attributes:
        toegevoegd: user ids granted access with `access --add`.
        verwijderd: user ids whose access was removed with `access --remove` (wins over
            betrokkenen, so a betrokkene can be shut out without editing the dossier).
    """

    toegevoegd: frozenset[str] = field(default_factory=frozenset)
    verwijderd: frozenset[str] = field(default_factory=frozenset)

    def to_bytes(self) -> bytes:
        """Serialize (JSON, sorted) for the encrypted `toegang.age` file."""
        doc = {"toegevoegd": sorted(self.toegevoegd), "verwijderd": sorted(self.verwijderd)}
        return json.dumps(doc, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Grants:
        """Parse `to_bytes` output.

        Raises:
            CorruptError: the data is not a grants document.
        """
        try:
            doc = json.loads(data)
            return cls(frozenset(doc["toegevoegd"]), frozenset(doc["verwijderd"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise CorruptError("Het toegangsbestand van de leerling is onleesbaar.") from exc

    def grant(self, user_id: str) -> Grants:
        """Return grants with `user_id` added (and no longer removed)."""
        return Grants(self.toegevoegd | {user_id}, self.verwijderd - {user_id})

    def revoke(self, user_id: str) -> Grants:
        """Return grants with `user_id` removed (and no longer explicitly added)."""
        return Grants(self.toegevoegd - {user_id}, self.verwijderd | {user_id})


def is_werkaantekeningen(part: str) -> bool:
    """True for a `werkaantekeningen/<user-id>` part name."""
    return part.startswith(WERK_PREFIX)


def werk_author(part: str) -> str:
    """The author id of a `werkaantekeningen/<user-id>` part."""
    return part[len(WERK_PREFIX) :]


def betrokkenen_ids(administratie: Mapping[str, object]) -> frozenset[str]:
    """The staff ids listed as betrokkenen in a (plain-dict) administratie part.

    Accepts entries that are a plain id or a mapping with `medewerker` (or `id`); other
    shapes are ignored (the schema check reports them).
    """
    ids: set[str] = set()
    rows = administratie.get("betrokkenen")
    if not isinstance(rows, list):
        return frozenset()
    for row in rows:
        if isinstance(row, str):
            ids.add(row)
        elif isinstance(row, Mapping):
            value = row.get("medewerker", row.get("id"))
            if isinstance(value, str):
                ids.add(value)
    return frozenset(ids)


def pupil_readers(
    users: Iterable[User], betrokkenen: Iterable[str], grants: Grants
) -> frozenset[str]:
    """Ids of the users entitled to the pupil-level parts (`PUPIL_PARTS`).

    Args:
        users: the current staff of the vault.
        betrokkenen: staff ids from the administratie part.
        grants: explicit additions and removals.
    """
    involved = (set(betrokkenen) | grants.toegevoegd) - grants.verwijderd
    return frozenset(u.id for u in users if u.rol in LEADING_ROLES or u.id in involved)


def part_readers(part: str, users: Iterable[User], pupil_level: frozenset[str]) -> frozenset[str]:
    """Ids of the users entitled to `part`, given the pupil-level readers.

    werkaantekeningen are for their author only (if still a user); every other part follows
    the pupil-level readers.
    """
    if is_werkaantekeningen(part):
        author = werk_author(part)
        return frozenset(u.id for u in users if u.id == author)
    return pupil_level


def may_manage(user: User) -> bool:
    """True when `user` may add/remove users and grant/revoke access (directie, IB-er)."""
    return user.rol in LEADING_ROLES
