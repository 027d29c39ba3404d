"""Splitting a dossier into separately stored parts, and joining the parts one may read.

Each part has its own retention and access (docs/format.md §5):

- ``administratie``: ``formaat``, ``leerling``, ``inschrijving``, ``route``, ``betrokkenen``;
- ``zorg``: the care keys and any key not listed elsewhere (``x_...``);
- ``okr``: ``okr``;
- ``werkaantekeningen/<medewerker>``: the working notes whose ``auteur`` is that staff id.

Parts are slices of the dossier text: each top-level key's block runs from its key line to the
next top-level key, comments included (a comment belongs to what it follows, as in ruamel), so
comments and order inside a part survive and ``join(split(text)) == text`` for a dossier in
canonical top-level order whose working notes have one author. The block boundaries come from
PyYAML's C composer (a few ms for a large dossier, against ~100 ms for a ruamel round trip); text
that is not in block style at the top is first brought into canonical style with ruamel.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedSeq

from dossier_format.codec import dump, load, load_fast_with_nodes
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
_LINE_BREAK = re.compile("(\r\n|[\r\n])")  # as libyaml counts lines (codec refuses NEL, LS, PS)
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
        Part name -> YAML text of that part, with the comments that belong to its keys. The text
        before the first key (comments) goes with the first part. Parts without content are left
        out (an empty ``werkaantekeningen`` list too).

    Raises:
        DossierError: broken YAML, anchors/aliases, or working notes that are not a list of
            entries with a valid ``auteur``.
    """
    layout = _layout(text, source)
    parts: dict[str, list[str]] = {}
    for block in layout.blocks:
        if block.key == _NOTES:
            for name, items in _notes_by_author(layout, source).items():
                parts.setdefault(name, []).extend([block.head, *items])
            continue
        parts.setdefault(part_of_key(block.key), []).append(block.text)
    if parts and layout.prefix:
        parts[min(parts, key=_part_rank)].insert(0, layout.prefix)
    return {name: "".join(pieces) for name, pieces in parts.items()}


def join(parts: Mapping[str, str], *, trusted: bool = False) -> str:
    """Put the readable parts of a dossier back together.

    Args:
        parts: part name -> YAML text, as produced by :func:`split`; parts the reader may not
            see are simply absent.
        trusted: the parts come from :func:`split` (for example decrypted from a vault, where
            only `split` writes them). A part that then looks canonical line by line (each
            top-level key at the start of a line, everything else indented, blank or a
            comment) is cut into its blocks by that line scan instead of a YAML parse: the
            same output, at a fraction of the cost, but its values are not validated again.
            Working-notes parts and anything that does not look canonical are always parsed.

    Returns:
        The dossier YAML with the top-level keys in canonical order (``""`` without parts); the
        text before the first key comes from the first part; working notes of several authors
        are merged and sorted by ``datum`` (stable).

    Raises:
        DossierError: an unknown part name, broken YAML in a part, a key in two parts, or a
            working note filed under another author.
    """
    names = sorted(parts, key=_part_rank)
    ranked: list[tuple[float, tuple[int, str], int, str]] = []
    notes: list[tuple[_Layout, str]] = []
    owner: dict[str, str] = {}
    prefix = ""
    for name in names:
        quick = _line_layout(parts[name]) if trusted and name in PART_NAMES else None
        layout = quick or _cached_layout(parts[name], f"<{name}>")
        if name == names[0]:
            prefix = layout.prefix
        if name.startswith(WERKAANTEKENINGEN_PREFIX):
            _check_notes_part(name, layout)
            notes.append((layout, name))
            continue
        rank = _START_RANK.get(name, -1.0)
        for position, block in enumerate(layout.blocks):
            if block.key in owner:
                raise DossierError(
                    f"De sleutel '{block.key}' staat in twee delen ({owner[block.key]} en {name}).",
                    source=f"<{name}>",
                    path=block.key,
                )
            owner[block.key] = name
            if block.key in TOP_LEVEL_ORDER:
                rank = float(TOP_LEVEL_ORDER.index(block.key))
            ranked.append((rank, _part_rank(name), position, block.text))
    ranked.sort(key=lambda item: item[:3])
    pieces = [prefix, *(text for *_, text in ranked)]
    if notes:
        pieces.append(_merged_notes(notes))
    return "".join(pieces)


# ---------------------------------------------------------------------------------------------
# Layout: where each top-level key (and each working note) starts in the text


@dataclass
class _Block:
    key: str
    text: str  # the whole block: key line, value, and the comments up to the next key
    head: str = ""  # for a list value: the text before its first item
    items: list[str] = field(default_factory=list)  # for a block list value: one text per item


@dataclass
class _Layout:
    data: dict[str, Any]
    prefix: str
    blocks: list[_Block]

    def block(self, key: str) -> _Block | None:
        return next((b for b in self.blocks if b.key == key), None)


def _layout(text: str, source: str, *, normalized: bool = False) -> _Layout:
    data, root = load_fast_with_nodes(text, source)
    _refuse_aliases(root, source)
    lines = _lines(text)
    layout = _block_layout(data, root, lines) if text.endswith("\n") else None
    if layout is not None:
        return layout
    if normalized:
        raise DossierError("Het dossier kon niet in delen worden gesplitst.", source=source)
    return _layout(_canonical(text, source), source, normalized=True)


_TOP_KEY_LINE = re.compile(r"([a-z_][a-z0-9_]*):(?: (.*))?\n\Z")
_OPENERS = frozenset("\"'[{")
_ODD_STARTS = frozenset("&*!%@`?")  # anchors, aliases, tags, reserved: leave them to the parser


def _line_layout(text: str) -> _Layout | None:
    """The block layout of a canonical part found by a line scan, or None (then parse it).

    Conservative: any line at the start that is not a plain ``key:`` (lower-case key, value on
    the line complete if it opens a quote or a flow collection), a comment or a blank line
    sends the part to the parser, as do odd line breaks, a missing final newline, no keys or a
    key twice. The result has no ``data``: only for parts without working notes.
    """
    if not text.endswith("\n") or any(c in text for c in "\r\x85\u2028\u2029"):
        return None
    lines = _lines(text)
    starts: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        first = line[0]
        if first in " \n#":
            continue
        match = _TOP_KEY_LINE.match(line)
        if match is None:
            return None
        value = (match.group(2) or "").rstrip(" ")
        if value[:1] in _OPENERS and not _closed_on_line(value):
            return None
        if (
            value[:1] in _ODD_STARTS
            or value == "-"
            or value.startswith(("- ", "? "))
            or ": " in value
        ):
            return None
        starts.append((index, match.group(1)))
    keys = [key for _, key in starts]
    if not starts or len(set(keys)) != len(keys) or _NOTES in keys:
        return None
    bounds = [index for index, _ in starts] + [len(lines)]
    blocks = [_Block(key, "".join(lines[bounds[i] : bounds[i + 1]])) for i, key in enumerate(keys)]
    return _Layout({}, "".join(lines[: bounds[0]]), blocks)


def _closed_on_line(value: str) -> bool:
    """Whether a quoted or flow value ends on its own line (else the scan gives up).

    Flow collections only when empty (canonical text has no others at the top); a quoted
    scalar when its closing quote is not escaped (``''`` in single quotes, ``\\"`` in double).
    """
    if value in ("[]", "{}"):
        return True
    quote = value[0]
    if quote not in "'\"" or len(value) < 2 or value[-1] != quote:
        return False
    if quote == "'":
        return value.count("'") % 2 == 0
    backslashes = len(value[1:-1]) - len(value[1:-1].rstrip("\\"))
    return backslashes % 2 == 0


@functools.lru_cache(maxsize=64)
def _cached_layout(text: str, source: str) -> _Layout:
    """`_layout`, remembered by text: a history joins the same unchanged parts many times.

    Callers must not change the result (it is shared); `join` only reads it. Errors are not
    cached (they are raised again on the next call).
    """
    return _layout(text, source)


def _block_layout(data: dict[str, Any], root: yaml.MappingNode, lines: list[str]) -> _Layout | None:
    """Blocks from node marks, or None when the text is not in block style at the top."""
    if not root.value:
        return _Layout(data, "", [])
    if root.flow_style or any(key.start_mark.column != 0 for key, _ in root.value):
        return None
    starts = [key.start_mark.line for key, _ in root.value] + [len(lines)]
    first = starts[0]
    if any(_is_document_end(line) for line in lines[first:]):
        return None
    blocks = []
    for index, (key_node, value_node) in enumerate(root.value):
        key = key_node.value
        if not isinstance(key, str) or key_node.tag != "tag:yaml.org,2002:str":
            return None
        block = _Block(key, "".join(lines[starts[index] : starts[index + 1]]))
        if key == _NOTES and isinstance(value_node, yaml.SequenceNode) and value_node.value:
            item_starts = _item_starts(value_node, lines)
            if item_starts is None:
                return None
            bounds = [*item_starts, starts[index + 1]]
            block.head = "".join(lines[starts[index] : bounds[0]])
            block.items = ["".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]
        blocks.append(block)
    return _Layout(data, "".join(lines[:first]), blocks)


def _lines(text: str) -> list[str]:
    """Split into lines as libyaml counts them (its marks), keeping the line ends."""
    pieces = _LINE_BREAK.split(text)
    lines = [pieces[i] + pieces[i + 1] for i in range(0, len(pieces) - 1, 2)]
    return [*lines, pieces[-1]] if pieces[-1] else lines


def _item_starts(sequence: yaml.SequenceNode, lines: list[str]) -> list[int] | None:
    """The line of each item's ``- `` indicator, if every item starts on a line of its own."""
    if sequence.flow_style:
        return None
    starts = []
    for item in sequence.value:
        line, column = item.start_mark.line, item.start_mark.column
        if line >= len(lines) or lines[line][:column].strip() != "-":
            return None
        starts.append(line)
    return starts


def _is_document_end(line: str) -> bool:
    return line.startswith(("---", "...")) and line[3:4] in ("", " ", "\t", "\n", "\r")


def _canonical(text: str, source: str) -> str:
    """Bring a dossier into canonical block style at the top level (slow path, rare)."""
    doc = load(text, source)
    doc.fa.set_block_style()
    notes = doc.get(_NOTES)
    if isinstance(notes, CommentedSeq):
        notes.fa.set_block_style()
    return dump(doc)


def _refuse_aliases(root: yaml.Node, source: str) -> None:
    seen: set[int] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise DossierError(
                "Ankers en verwijzingen (&naam, *naam) worden in een dossier niet ondersteund; "
                "schrijf de waarde voluit.",
                source=source,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


# ---------------------------------------------------------------------------------------------
# Working notes


def _notes_by_author(layout: _Layout, source: str) -> dict[str, list[str]]:
    notes = layout.data.get(_NOTES)
    if notes is None:
        return {}
    if not isinstance(notes, list):
        raise DossierError("'werkaantekeningen' moet een lijst zijn.", source=source, path=_NOTES)
    block = layout.block(_NOTES)
    items = block.items if block is not None else []
    by_author: dict[str, list[str]] = {}
    for index, entry in enumerate(notes):
        author = entry.get("auteur") if isinstance(entry, Mapping) else None
        try:
            name = notes_part(author)
        except DossierError as exc:
            raise DossierError(
                exc.message,
                source=source,
                line=_item_line(layout, index),
                path=f"{_NOTES}[{index}].auteur",
            ) from None
        by_author.setdefault(name, []).append(items[index])
    return by_author


def _item_line(layout: _Layout, index: int) -> int | None:
    line = 1 + layout.prefix.count("\n")
    for block in layout.blocks:
        if block.key == _NOTES:
            return line + block.head.count("\n") + sum(i.count("\n") for i in block.items[:index])
        line += block.text.count("\n")
    return None


def _check_notes_part(name: str, layout: _Layout) -> None:
    author = name.removeprefix(WERKAANTEKENINGEN_PREFIX)
    notes = layout.data.get(_NOTES)
    if set(layout.data) != {_NOTES} or not isinstance(notes, list):
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


def _merged_notes(notes: list[tuple[_Layout, str]]) -> str:
    blocks = [(layout, block) for layout, _ in notes if (block := layout.block(_NOTES))]
    with_items = [(layout, block) for layout, block in blocks if block.items]
    if len(notes) == 1 or not with_items:
        return blocks[0][1].text if blocks else ""
    items = sorted(_dated_items(with_items), key=lambda item: item[0])
    return with_items[0][1].head + "".join(text for _, text in items)


def _dated_items(blocks: list[tuple[_Layout, _Block]]) -> Iterator[tuple[tuple[int, str], str]]:
    for layout, block in blocks:
        for entry, text in zip(layout.data[_NOTES], block.items, strict=False):
            yield _date_key(entry.get("datum")), text


def _part_rank(name: str) -> tuple[int, str]:
    if name in PART_NAMES:
        return PART_NAMES.index(name), ""
    if name.startswith(WERKAANTEKENINGEN_PREFIX):
        notes_part(name.removeprefix(WERKAANTEKENINGEN_PREFIX))  # validates the author id
        return len(PART_NAMES), name
    raise DossierError(f"Onbekend dossierdeel '{name}'.", source=f"<{name}>")


def _date_key(value: Any) -> tuple[int, str]:
    if isinstance(value, datetime.date):
        return 0, value.isoformat()
    return 1, str(value)
