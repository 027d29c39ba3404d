"""Three-way merge of dossier YAML (pure: text in, text out).

Two devices that changed the same part of a dossier produce two texts with a common ancestor.
`merge3(base, ours, theirs)` merges them the way a person would read them:

- mappings key by key (a key added, changed or removed on one side is taken from that side);
- lists whose entries all are mappings with an `id` (docs/format.md 3.0) entry by entry, by id
  (`betrokkenen`, which has no ids, by `medewerker`): the result keeps the order of `ours`,
  followed by the entries only `theirs` added, in their order; an entry removed on one side
  and unchanged on the other is removed;
- every other value (scalars, lists without ids such as `niveaus`, `doelen`) as a whole: equal
  sides, or one side unchanged, decide; otherwise it is a conflict.

A conflict keeps the `ours` value in the merged text and is reported with its path, e.g.
`plannen[pl-1].evaluatie.datum` (the entry's id in brackets; a list without ids is one value),
and the three values. `resolve(result, {path: "theirs"})` redoes the merge with the given
choices, so a UI can show both sides and let the user pick. Comments and layout of `ours` are
kept.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dossier_format import codec

Choice = Literal["ours", "theirs"]

IDENTITY_KEYS = ("id", "medewerker")
"""Keys that identify list entries, in order of preference: entry ids (docs/format.md 3.0),
else the staff id of a `betrokkenen` entry."""


class Absent(enum.Enum):
    """Marks a key or entry that does not exist on one side of a merge."""

    ABSENT = "afwezig"


ABSENT = Absent.ABSENT


@dataclass(frozen=True)
class Conflict:
    """A value both sides changed differently.

    Attributes:
        path: where in the dossier, e.g. `plannen[pl-1].evaluatie.datum` or `leerling.groep`.
        base: the common ancestor's value (plain data), or `ABSENT`.
        ours: our value (plain data), or `ABSENT` (we removed it).
        theirs: their value (plain data), or `ABSENT` (they removed it).
    """

    path: str
    base: Any
    ours: Any
    theirs: Any


@dataclass(frozen=True)
class MergeResult:
    """The outcome of `merge3`.

    Attributes:
        text: the merged YAML; at each unresolved conflict it holds the `ours` value.
        conflicts: the conflicts left unresolved by `choices` (empty: a clean merge).
    """

    text: str
    conflicts: list[Conflict]
    inputs: tuple[str, str, str] = field(repr=False, default=("", "", ""))
    choices: Mapping[str, Choice] = field(repr=False, default_factory=dict)

    @property
    def clean(self) -> bool:
        """True when nothing is left to choose."""
        return not self.conflicts


def plain(value: Any) -> Any:
    """Round-trip YAML data as plain dicts, lists and scalars (for comparing and showing)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def as_yaml(value: Any) -> str:
    """A conflict value as YAML text for showing it to a user ("" for `ABSENT`)."""
    if value is ABSENT:
        return ""
    text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return text.removesuffix("...\n").rstrip("\n")


def merge3(
    base: str,
    ours: str,
    theirs: str,
    choices: Mapping[str, Choice] | None = None,
    source: str = "<dossier>",
) -> MergeResult:
    """Merge two versions of one dossier (or dossier part) against their common ancestor.

    Args:
        base: the common ancestor's YAML ("" when both sides created the text independently).
        ours: our YAML (its comments and layout are kept).
        theirs: their YAML.
        choices: for conflict paths, which side wins ("ours" or "theirs").
        source: file name used in error messages.

    Returns:
        The merged text and the conflicts not decided by `choices`.

    Raises:
        DossierError: one of the texts is not a YAML mapping.
    """
    chosen = dict(choices or {})
    inputs = (base, ours, theirs)
    b = codec.load(base, source) if base.strip() else CommentedMap()
    o = codec.load(ours, source)
    t = codec.load(theirs, source)
    pb, po, pt = plain(b), plain(o), plain(t)
    if po == pt or pb == pt:
        return MergeResult(ours, [], inputs, chosen)
    if pb == po:
        return MergeResult(theirs, [], inputs, chosen)
    conflicts: list[Conflict] = []
    merged = _merge(b, o, t, "", chosen, conflicts)
    return MergeResult(codec.dump(merged), conflicts, inputs, chosen)


def resolve(result: MergeResult, choices: Mapping[str, Choice]) -> MergeResult:
    """Redo the merge of `result` with more choices (earlier choices are kept).

    Args:
        result: a `merge3` result.
        choices: conflict path -> "ours" or "theirs".

    Returns:
        A new result; `conflicts` lists what is still undecided.
    """
    return merge3(*result.inputs, choices={**result.choices, **choices})


def _has_key(value: Any, key: str) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, Mapping) and isinstance(item.get(key), str) for item in value
    )


def _identity(*lists: Any) -> str | None:
    """The key that identifies entries in all of `lists`: `id`, else `medewerker`."""
    for key in IDENTITY_KEYS:
        if all(_has_key(value, key) for value in lists):
            return key
    return None


def _by_key(items: list[Any], key: str) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for item in items:
        if item[key] in out:
            return None  # duplicates: cannot merge entry by entry
        out[item[key]] = item
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _merge(
    b: Any, o: Any, t: Any, path: str, choices: dict[str, Choice], conflicts: list[Conflict]
) -> Any:
    """Merge one value; `ABSENT` in, `ABSENT` out means the key or entry is gone."""
    pb, po, pt = plain(b), plain(o), plain(t)
    if po == pt or pb == pt:
        return o
    if pb == po:
        return t
    base_map = b if isinstance(b, Mapping) else {} if b is ABSENT else None
    if isinstance(o, CommentedMap) and isinstance(t, Mapping) and base_map is not None:
        return _merge_map(base_map, o, t, path, choices, conflicts)
    base_list = b if isinstance(b, list) else [] if b is ABSENT else None
    key = _identity(base_list, o, t)
    if isinstance(o, CommentedSeq) and base_list is not None and key is not None:
        merged = _merge_list(base_list, o, t, key, path, choices, conflicts)
        if merged is not None:
            return merged
    choice = choices.get(path)
    if choice is not None:
        return o if choice == "ours" else t
    conflicts.append(Conflict(path, pb, po, pt))
    return o


def _merge_map(
    b: Mapping[Any, Any],
    o: CommentedMap,
    t: Mapping[Any, Any],
    path: str,
    choices: dict[str, Choice],
    conflicts: list[Conflict],
) -> CommentedMap:
    keys = list(o) + [k for k in t if k not in o]
    for key in keys:
        value = _merge(
            b.get(key, ABSENT),
            o.get(key, ABSENT),
            t.get(key, ABSENT),
            _join(path, str(key)),
            choices,
            conflicts,
        )
        if value is ABSENT:
            if key in o:
                del o[key]
        elif key in o:
            o[key] = value
        else:
            # A key only they added: place it after the key that precedes it on their side.
            previous = [k for k in t if k in o and list(t).index(k) < list(t).index(key)]
            position = list(o).index(previous[-1]) + 1 if previous else len(o)
            o.insert(position, key, value)
    return o


def _merge_list(
    b: list[Any],
    o: CommentedSeq,
    t: list[Any],
    key: str,
    path: str,
    choices: dict[str, Choice],
    conflicts: list[Conflict],
) -> CommentedSeq | None:
    base_ids, our_ids, their_ids = _by_key(b, key), _by_key(o, key), _by_key(t, key)
    if base_ids is None or our_ids is None or their_ids is None:
        return None
    order = list(our_ids) + [i for i in their_ids if i not in our_ids]
    merged: dict[str, Any] = {}
    for entry_id in order:
        value = _merge(
            base_ids.get(entry_id, ABSENT),
            our_ids.get(entry_id, ABSENT),
            their_ids.get(entry_id, ABSENT),
            f"{path}[{entry_id}]",
            choices,
            conflicts,
        )
        if value is not ABSENT:
            merged[entry_id] = value
    # Edit our list in place so comments attached to kept entries stay with them.
    for index in range(len(o) - 1, -1, -1):
        if o[index][key] not in merged:
            del o[index]
    for index, item in enumerate(list(o)):
        o[index] = merged.pop(item[key])
    for value in merged.values():
        o.append(value)
    return o
