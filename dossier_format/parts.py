"""Splitting a dossier into separately stored parts, and joining the parts one may read.

Each part has its own retention and access (docs/format.md §5):

- ``administratie``: ``formaat``, ``leerling``, ``inschrijving``, ``route``, ``betrokkenen``;
- ``zorg``: the care keys and any key not listed elsewhere (``x_...``);
- ``okr``: ``okr``;
- ``werkaantekeningen/<medewerker>``: the working notes whose ``auteur`` is that staff id.

Parts are YAML texts in canonical style. Splitting and joining go through the ruamel round trip,
so comments and order inside a part survive, and ``join(split(text)) == text`` for a dossier in
canonical top-level order whose working notes have one author.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dossier_format.codec import dump, load
from dossier_format.errors import DEFAULT_SOURCE, DossierError

__all__ = [
    "ADMINISTRATIE",
    "OKR",
    "PART_NAMES",
    "TOP_LEVEL_ORDER",
    "WERKAANTEKENINGEN_PREFIX",
    "ZORG",
    "join",
    "notes_part",
    "part_of_key",
    "split",
]

ADMINISTRATIE = "administratie"
ZORG = "zorg"
OKR = "okr"
WERKAANTEKENINGEN_PREFIX = "werkaantekeningen/"
PART_NAMES: tuple[str, ...] = (ADMINISTRATIE, ZORG, OKR)
"""The fixed parts; there is also one ``werkaantekeningen/<medewerker>`` part per author."""

TOP_LEVEL_ORDER: tuple[str, ...] = (
    "formaat",
    "leerling",
    "inschrijving",
    "route",
    "betrokkenen",
    "niveaus",
    "plannen",
    "besprekingen",
    "gesprekken",
    "toestemmingen",
    "toetsen",
    "onderzoeken",
    "verklaringen",
    "protocollen",
    "opp",
    "groeidocument",
    "aanvragen",
    "okr",
    "zienswijzen",
    "correcties",
    "werkaantekeningen",
)
"""Canonical order of the top-level keys (docs/format.md §4)."""

_ADMINISTRATIE_KEYS = frozenset(TOP_LEVEL_ORDER[:5])
_NOTES = "werkaantekeningen"
_STAFF_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# Unknown keys sort after the known key they follow in their part; before any, at the part's start.
_START_RANK = {ZORG: TOP_LEVEL_ORDER.index("niveaus") - 0.5, OKR: TOP_LEVEL_ORDER.index(OKR) - 0.5}


def part_of_key(key: str) -> str:
    """Name the fixed part a top-level key belongs to (``werkaantekeningen`` has none: per author).

    Args:
        key: a top-level key of a dossier.

    Returns:
        ``"administratie"``, ``"okr"`` or ``"zorg"`` (also for unknown keys).
    """
    if key in _ADMINISTRATIE_KEYS:
        return ADMINISTRATIE
    if key == OKR:
        return OKR
    return ZORG


def notes_part(medewerker: object) -> str:
    """Name the working-notes part of one author.

    Args:
        medewerker: the author's staff id.

    Returns:
        ``"werkaantekeningen/<medewerker>"``.

    Raises:
        DossierError: the id is not a valid, path-safe staff id.
    """
    if not isinstance(medewerker, str) or not _STAFF_ID.match(medewerker):
        raise DossierError(
            f"Ongeldige auteur {medewerker!r} bij een werkaantekening: verwacht een "
            "medewerker-id (kleine letters, cijfers, '.', '_' of '-').",
            path=_NOTES,
        )
    return WERKAANTEKENINGEN_PREFIX + medewerker


def split(text: str, source: str = DEFAULT_SOURCE) -> dict[str, str]:
    """Split a dossier into its parts.

    Args:
        text: the whole dossier YAML.
        source: file name for error messages.

    Returns:
        Part name -> YAML text of that part, in canonical style with the comments that belong to
        its keys. Parts without content are left out (an empty ``werkaantekeningen`` list too).

    Raises:
        DossierError: broken YAML, or working notes that are not a list of entries with a valid
            ``auteur``.
    """
    doc = load(text, source)
    parts: dict[str, CommentedMap] = {}
    for key in doc:
        if key == _NOTES:
            for name, notes in _split_notes(doc[key], source).items():
                part = parts.setdefault(name, CommentedMap())
                part[key] = notes
                _copy_key_comment(doc, part, key)
            continue
        name = part_of_key(str(key))
        part = parts.setdefault(name, CommentedMap())
        part[key] = doc[key]
        _copy_key_comment(doc, part, key)
    first = next(iter(parts.values()), None)
    if first is not None and doc.ca.comment:
        first.ca.comment = doc.ca.comment
    return {name: dump(part) for name, part in parts.items()}


def join(parts: Mapping[str, str]) -> str:
    """Put the readable parts of a dossier back together.

    Args:
        parts: part name -> YAML text, as produced by :func:`split`; parts the reader may not
            see are simply absent.

    Returns:
        The dossier YAML with the top-level keys in canonical order; working notes of several
        authors are merged and sorted by ``datum`` (stable).

    Raises:
        DossierError: an unknown part name, broken YAML in a part, a key in two parts, or a
            working note filed under another author.
    """
    docs = [(name, load(parts[name], f"<{name}>")) for name in sorted(parts, key=_part_rank)]
    ranked: list[tuple[float, int, str, Any, CommentedMap]] = []
    note_parts: list[tuple[str, CommentedMap]] = []
    seen: dict[str, str] = {}
    for name, doc in docs:
        if name.startswith(WERKAANTEKENINGEN_PREFIX):
            _check_notes_part(name, doc)
            note_parts.append((name, doc))
            continue
        rank = _START_RANK.get(name, -1.0)
        for position, key in enumerate(doc):
            if key in seen:
                raise DossierError(
                    f"De sleutel '{key}' staat in twee delen ({seen[key]} en {name}).",
                    source=f"<{name}>",
                    path=str(key),
                )
            seen[key] = name
            if key in TOP_LEVEL_ORDER:
                rank = float(TOP_LEVEL_ORDER.index(key))
            ranked.append((rank, position, str(key), doc[key], doc))
    result = CommentedMap()
    ranked.sort(key=lambda item: (item[0], _part_rank(seen[item[2]]), item[1]))
    for _, _, key, value, origin in ranked:
        result[key] = value
        _copy_key_comment(origin, result, key)
    if note_parts:
        result[_NOTES] = _merge_notes([doc[_NOTES] for _, doc in note_parts])
        _copy_key_comment(note_parts[0][1], result, _NOTES)
    if docs and docs[0][1].ca.comment:
        result.ca.comment = docs[0][1].ca.comment
    return dump(result) if len(result) else ""


def _part_rank(name: str) -> tuple[int, str]:
    if name in PART_NAMES:
        return PART_NAMES.index(name), ""
    if name.startswith(WERKAANTEKENINGEN_PREFIX):
        notes_part(name.removeprefix(WERKAANTEKENINGEN_PREFIX))  # validates the author id
        return len(PART_NAMES), name
    raise DossierError(f"Onbekend dossierdeel '{name}'.", source=f"<{name}>")


def _copy_key_comment(origin: CommentedMap, target: CommentedMap, key: Any) -> None:
    comment = origin.ca.items.get(key)
    if comment is not None:
        target.ca.items[key] = comment


def _split_notes(notes: Any, source: str) -> dict[str, CommentedSeq]:
    if notes is None:
        return {}
    if not isinstance(notes, CommentedSeq):
        raise DossierError("'werkaantekeningen' moet een lijst zijn.", source=source, path=_NOTES)
    by_author: dict[str, CommentedSeq] = {}
    for index, entry in enumerate(notes):
        author = entry.get("auteur") if isinstance(entry, Mapping) else None
        try:
            name = notes_part(author)
        except DossierError as exc:
            line, column = notes.lc.item(index)
            raise DossierError(
                exc.message,
                source=source,
                line=line + 1,
                column=column + 1,
                path=f"{_NOTES}[{index}].auteur",
            ) from None
        _append_item(by_author.setdefault(name, CommentedSeq()), notes, index)
    return by_author


def _append_item(target: CommentedSeq, origin: CommentedSeq, index: int) -> None:
    target.append(origin[index])
    comment = origin.ca.items.get(index)
    if comment is not None:
        target.ca.items[len(target) - 1] = comment


def _check_notes_part(name: str, doc: CommentedMap) -> None:
    author = name.removeprefix(WERKAANTEKENINGEN_PREFIX)
    notes = doc.get(_NOTES)
    if set(doc) != {_NOTES} or not isinstance(notes, CommentedSeq):
        raise DossierError(
            f"Het deel '{name}' mag alleen een lijst 'werkaantekeningen' bevatten.",
            source=f"<{name}>",
        )
    for index, entry in enumerate(notes):
        if not isinstance(entry, Mapping) or entry.get("auteur") != author:
            raise DossierError(
                f"Werkaantekening {index + 1} in '{name}' is niet van {author}.",
                source=f"<{name}>",
                path=f"{_NOTES}[{index}].auteur",
            )


def _merge_notes(lists: list[CommentedSeq]) -> CommentedSeq:
    if len(lists) == 1:
        return lists[0]
    items = [(notes, index) for notes in lists for index in range(len(notes))]
    items.sort(key=lambda item: _date_key(item[0][item[1]].get("datum")))
    merged = CommentedSeq()
    for notes, index in items:
        _append_item(merged, notes, index)
    return merged


def _date_key(value: Any) -> tuple[int, str]:
    if isinstance(value, datetime.date):
        return 0, value.isoformat()
    return 1, str(value)
