"""Reading and writing dossier YAML.

Two loaders with the same typing rules (YAML 1.2 core schema plus ISO dates):

- :func:`load` / :func:`dump`: ruamel.yaml round trip. Comments, key order and quoting survive, so
  ``dump(load(text)) == text`` for a file in canonical style (docs/format.md §2) and changing one
  value changes only its lines.
- :func:`load_fast`: PyYAML's C ``CSafeLoader`` with YAML 1.1 resolution replaced by the 1.2 core
  schema (only ``true``/``false`` are booleans; ``ja``, ``yes``, ``on`` stay text). Gives plain
  ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``/``datetime.date``; for lists and
  checks.

Both raise :class:`~dossier_format.errors.DossierError` with a Dutch message and a 1-based line and
column for broken YAML, duplicate keys, custom tags, raw NEL/LS/PS characters (line breaks in
YAML 1.1 only), an empty document or a non-mapping document.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any, ClassVar

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.constructor import ConstructorError as RuamelConstructorError
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError as RuamelMarkedError
from ruamel.yaml.error import YAMLError as RuamelYAMLError
from ruamel.yaml.representer import RoundTripRepresenter

from dossier_format.errors import DEFAULT_SOURCE, DossierError

__all__ = ["dump", "load", "load_fast", "load_fast_with_nodes"]

# Line breaks in YAML 1.1 (libyaml) but not in YAML 1.2 (ruamel): the loaders would disagree.
_ODD_LINE_BREAKS = ("\x85", "\u2028", "\u2029")

_HINT = "Controleer de inspringing (spaties, geen tabs), de dubbele punten en de aanhalingstekens."

# Known parser/scanner problems (English, from ruamel.yaml and PyYAML) and their Dutch wording.
_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("found character '\\t'", "een tab is niet toegestaan; gebruik spaties"),
    ("mapping values are not allowed", "hier mag geen 'sleutel: waarde' staan"),
    ("could not find expected ':'", "er ontbreekt een dubbele punt na de sleutel"),
    ("found duplicate key", "deze sleutel komt twee keer voor"),
    ("duplicate key", "deze sleutel komt twee keer voor"),
    ("found undefined alias", "verwijzing (*...) naar een onbekend anker"),
    ("found a recursive alias", "dit anker (&...) verwijst naar zichzelf"),
    (
        "found unexpected end of stream",
        "het bestand houdt onverwacht op (aanhalingsteken open?)",
    ),
    (
        "found unknown escape character",
        "onbekend escape-teken tussen dubbele aanhalingstekens",
    ),
    ("expected <block end>", "de inspringing klopt niet met de regels erboven"),
    ("did not find expected key", "de inspringing klopt niet met de regels erboven"),
    ("did not find expected '-'", "verwachtte hier een lijst-item ('- ')"),
    ("expected a single document", "het bestand bevat meer dan één YAML-document ('---')"),
    ("found another document", "het bestand bevat meer dan één YAML-document ('---')"),
    ("expected ',' or ']'", "een lijst tussen [ ] is niet gesloten"),
    ("expected ',' or '}'", "een mapping tussen { } is niet gesloten"),
    ("found unhashable key", "een lijst of mapping kan geen sleutel zijn"),
    ("could not determine a constructor", "eigen YAML-tags (!...) worden niet ondersteund"),
    ("found character that cannot start any token", "dit teken kan hier niet staan"),
    ("found a tab character", "een tab is niet toegestaan; gebruik spaties"),
    ("special characters are not allowed", "het bestand bevat een niet-toegestaan (stuur)teken"),
    ("unacceptable character", "het bestand bevat een niet-toegestaan (stuur)teken"),
    ("while scanning an anchor", "ongeldig anker (&...)"),
    ("while scanning an alias", "ongeldige verwijzing (*...)"),
    ("while scanning a directive", "ongeldige directive (%...)"),
    ("while scanning a tag", "ongeldige tag (!...)"),
    ("block sequence entries are not allowed", "hier mag geen lijst-item ('- ') beginnen"),
)

# ---------------------------------------------------------------------------------------------
# Round trip (ruamel.yaml)


class _RoundTripConstructor(RoundTripConstructor):
    """Round-trip constructor that refuses custom tags and reports bad scalars with a position."""

    def construct_unknown(self, node: Any) -> Any:
        raise RuamelConstructorError(
            None,
            None,
            f"could not determine a constructor for {node.tag!s}",
            node.start_mark,
        )

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, TypeError, AttributeError) as exc:
            raise RuamelConstructorError(
                None, None, f"invalid value: {_scalar_text(node)}", node.start_mark
            ) from exc


class _RoundTripRepresenter(RoundTripRepresenter):
    """ruamel's round-trip writer with the canonical choices of docs/format.md §2.

    Null is ``null`` everywhere (ruamel leaves mapping values empty), a value placed twice is not
    aliased, and text with NEL is double-quoted.
    """

    def represent_none(self, data: Any) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:null", "null")

    def ignore_aliases(self, data: Any) -> bool:
        # A value placed twice by a program (a copied date or mapping) is written out twice, not
        # as an anchor and alias: dossiers are split into parts, where aliases cannot survive.
        # Only anchors that were in the loaded text are kept (and refused by parts.split).
        anchor = getattr(data, "anchor", None)
        return getattr(anchor, "value", None) is None

    def represent_str(self, data: Any) -> Any:
        # ruamel writes NEL, LS and PS raw, which the loaders refuse (_refuse_odd_line_breaks);
        # double quotes escape them (\N, \L, \P), so such text survives the round trip.
        if any(char in data for char in _ODD_LINE_BREAKS):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_RoundTripConstructor.add_constructor(None, _RoundTripConstructor.construct_unknown)
# ruamel resolves a plain "=" to the YAML 1.1 "value" type; in YAML 1.2 core it is just text.
_RoundTripConstructor.add_constructor(
    "tag:yaml.org,2002:value", _RoundTripConstructor.construct_yaml_str
)
_RoundTripRepresenter.add_representer(type(None), _RoundTripRepresenter.represent_none)
_RoundTripRepresenter.add_representer(str, _RoundTripRepresenter.represent_str)


def _round_trip_yaml() -> YAML:
    # A fresh instance per call: ruamel.yaml instances are not thread-safe.
    rt = YAML(typ="rt")
    rt.Constructor = _RoundTripConstructor
    rt.Representer = _RoundTripRepresenter
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 1_000_000  # never re-wrap long lines
    rt.preserve_quotes = True
    rt.allow_unicode = True
    return rt


def load(text: str, source: str = DEFAULT_SOURCE) -> CommentedMap:
    """Load a dossier for round-trip editing.

    Args:
        text: the YAML text of one dossier.
        source: file name used in error messages.

    Returns:
        The top-level ``CommentedMap``, with comments and positions (``.lc``).

    Raises:
        DossierError: broken YAML, duplicate keys, custom tags, or a top level that is not a
            mapping; with a Dutch message and 1-based line/column where known.
    """
    _refuse_odd_line_breaks(text, source)
    try:
        data = _round_trip_yaml().load(text)
    except RuamelMarkedError as exc:
        raise _marked_error(exc.problem, exc.problem_mark, exc.context_mark, text, source) from None
    except (RuamelYAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _unmarked_error(exc, source) from None
    return _require_mapping(data, source)


def dump(doc: Any) -> str:
    """Write a dossier (as returned by :func:`load`, possibly edited) in canonical style.

    Args:
        doc: a mapping; ``CommentedMap`` keeps its comments and key order.

    Returns:
        The YAML text, ending in a newline.
    """
    buf = io.StringIO()
    _round_trip_yaml().dump(doc, buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Fast read-only loading (PyYAML CSafeLoader, YAML 1.2 core schema)

_BASE_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = re.compile(r"^[-+]?(?:0b[0-1_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$")
_FLOAT = re.compile(
    r"""^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
# (tag, pattern, possible first characters; "" is the empty scalar)
_RESOLVERS: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    (
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        tuple("tTfF"),
    ),
    ("tag:yaml.org,2002:int", _INT, tuple("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, tuple("-+0123456789.")),
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ("~", "n", "N", "")),
    ("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ("<",)),
    (
        "tag:yaml.org,2002:timestamp",
        re.compile(
            r"""^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}
            |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
            (?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$""",
            re.X,
        ),
        tuple("0123456789"),
    ),
)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _FastLoader(_BASE_LOADER):
    """CSafeLoader with YAML 1.2 core resolution, strict duplicates and no custom tags."""

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}

    # The composer asks for every node's tag. Resolution is the class's implicit resolvers
    # above, looked up by first character; there are no path resolvers, so the per-node
    # bookkeeping for them is skipped (a third of the composing time in PyYAML's version).
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """The tag of a node without an explicit one (YAML 1.2 core schema)."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _BY_FIRST.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track."""

    def construct_yaml_int(self, node: Any) -> int:
        """YAML 1.2 integers: ``0o`` octal, ``0x`` hex, ``0b`` binary, else decimal."""
        return _yaml12_int(str(self.construct_scalar(node)))

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        """Construct a node; a scalar that does not convert becomes a positioned error."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, TypeError, AttributeError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid value: {_scalar_text(node)}", node.start_mark
            ) from exc

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key that occurs twice (PyYAML silently keeps the last)."""
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # unhashable: PyYAML reports it below
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"found duplicate key {key!r}", key_node.start_mark
                    )
        return dict(super().construct_mapping(node, deep=deep))


for _tag, _regexp, _first in _RESOLVERS:
    _FastLoader.add_implicit_resolver(_tag, _regexp, list(_first))
# The same resolvers by first character, for `_FastLoader.resolve`.
_BY_FIRST: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple((tag, regexp) for tag, regexp, firsts in _RESOLVERS if first in firsts)
    for first in {f for _, _, firsts in _RESOLVERS for f in firsts}
}
_FastLoader.add_constructor("tag:yaml.org,2002:int", _FastLoader.construct_yaml_int)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT_BASES = {"0b": 2, "0o": 8, "0x": 16}
_BOOLS = {word: word[0] in "tT" for word in ("true", "True", "TRUE", "false", "False", "FALSE")}


def _yaml12_int(text: str) -> int:
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    digits = value.lstrip("+-")
    base = _INT_BASES.get(digits[:2], 10)
    return sign * int(digits[2:] if base != 10 else digits, base)


def _build(loader: _FastLoader, node: Any) -> Any:
    """Plain values from a composed node tree, as `loader.construct_document` would give.

    A direct walk over the nodes, about three times faster than PyYAML's generic constructor
    (which builds every collection through generators): strings, maps, lists, booleans, nulls
    and integers are built here; anything rarer (floats, timestamps, explicit tags, merge
    keys) goes to the loader's own constructors, so the rules stay those of `_FastLoader`.
    Duplicate keys and aliases that make a cycle are refused with the node's position.
    """
    building: set[int] = set()

    def value(node: Any) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _MAP:
            if id(node) in building:
                raise yaml.constructor.ConstructorError(
                    None, None, "found a recursive alias", node.start_mark
                )
            building.add(id(node))
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    building.discard(id(node))
                    return loader.construct_object(node, deep=True)
                key = value(key_node)
                try:
                    duplicate = key in out
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "found unhashable key",
                        key_node.start_mark,
                    ) from None
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"found duplicate key {key!r}", key_node.start_mark
                    )
                out[key] = value(value_node)
            building.discard(id(node))
            return out
        if tag == _SEQ:
            if id(node) in building:
                raise yaml.constructor.ConstructorError(
                    None, None, "found a recursive alias", node.start_mark
                )
            building.add(id(node))
            items = [value(item) for item in node.value]
            building.discard(id(node))
            return items
        if tag == _BOOL_TAG and node.value in _BOOLS:
            return _BOOLS[node.value]
        if tag == _NULL_TAG:
            return None
        if tag == _INT_TAG:
            try:
                return _yaml12_int(node.value)
            except ValueError as exc:
                raise yaml.constructor.ConstructorError(
                    None, None, f"invalid value: {_scalar_text(node)}", node.start_mark
                ) from exc
        if tag == _TIMESTAMP_TAG and len(node.value) == 10 and _DATE.fullmatch(node.value):
            try:
                return datetime.date.fromisoformat(node.value)
            except ValueError as exc:
                raise yaml.constructor.ConstructorError(
                    None, None, f"invalid value: {_scalar_text(node)}", node.start_mark
                ) from exc
        return loader.construct_object(node, deep=True)

    return value(node)


def load_fast(text: str, source: str = DEFAULT_SOURCE) -> dict[str, Any]:
    """Load a dossier read-only into plain Python values (fast; for lists and checks).

    Args:
        text: the YAML text of one dossier.
        source: file name used in error messages.

    Returns:
        A plain ``dict``; dates are ``datetime.date``.

    Raises:
        DossierError: as :func:`load`.
    """
    return load_fast_with_nodes(text, source)[0]


def load_fast_with_nodes(
    text: str, source: str = DEFAULT_SOURCE
) -> tuple[dict[str, Any], yaml.MappingNode]:
    """Like :func:`load_fast`, and also return the composed node tree (with line marks).

    For tools that need to know where things are in the text without the cost of the round-trip
    loader (``dossier_format.parts``). One parse serves both results.

    Raises:
        DossierError: as :func:`load`.
    """
    _refuse_odd_line_breaks(text, source)
    loader = _FastLoader(text)
    try:
        if "&" in text or "*" in text:  # only then can there be an anchor or alias
            _refuse_anchors(text, source)
        node = loader.get_single_node()
        data = _build(loader, node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(exc.problem, exc.problem_mark, exc.context_mark, text, source) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _unmarked_error(exc, source) from None
    finally:
        loader.dispose()
    return _require_mapping(data, source), node


ANCHOR_MESSAGE = (
    "Ankers en verwijzingen (&naam, *naam) worden in een dossier niet ondersteund; "
    "schrijf de waarde voluit."
)


def _refuse_anchors(text: str, source: str) -> None:
    """Refuse the first anchor (``&naam``) or alias (``*naam``) in ``text`` (docs/format.md §1).

    The composed nodes keep no anchor names, so the events are scanned; this runs before the
    values are built, so an alias bomb is refused before it is expanded.

    Raises:
        DossierError: at the anchor or alias, with line and column.
        yaml.MarkedYAMLError: broken YAML before the first anchor (reported by the caller).
    """
    scanner = _FastLoader(text)
    try:
        while (event := scanner.get_event()) is not None:
            if getattr(event, "anchor", None) is not None:
                mark = event.start_mark
                raise DossierError(
                    ANCHOR_MESSAGE, source=source, line=mark.line + 1, column=mark.column + 1
                )
            if isinstance(event, yaml.StreamEndEvent):
                return
    finally:
        scanner.dispose()


# ---------------------------------------------------------------------------------------------
# Errors


def _refuse_odd_line_breaks(text: str, source: str) -> None:
    found = [i for i in (text.find(c) for c in _ODD_LINE_BREAKS) if i >= 0]
    if not found:
        return
    at = min(found)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    raise DossierError(
        f"Ongeldig teken in regel {line}, kolom {column}: een onzichtbaar regeleinde "
        f"(U+{ord(text[at]):04X}). Vervang het door een gewone nieuwe regel of een spatie.",
        source=source,
        line=line,
        column=column,
    )


def _scalar_text(node: Any) -> str:
    value = getattr(node, "value", "")
    return repr(value) if isinstance(value, str) else type(node).__name__


def _require_mapping(data: Any, source: str) -> Any:
    if data is None:
        raise DossierError("Het dossier is leeg.", source=source, line=1, column=1)
    if not isinstance(data, dict):
        raise DossierError(
            "Het dossier moet een mapping zijn ('sleutel: waarde' per regel), "
            "beginnend met 'formaat: zorgkluis-dossier/1'.",
            source=source,
            line=1,
            column=1,
        )
    return data


def _dutch_problem(problem: str | None) -> str:
    text = problem or ""
    for english, dutch in _PROBLEMS:
        if english in text:
            return dutch
    if text.startswith("invalid value: "):
        return (
            f"ongeldige waarde {text.removeprefix('invalid value: ')} (bijv. een onmogelijke datum)"
        )
    return f"de YAML is hier niet te lezen ({text})" if text else "de YAML is hier niet te lezen"


def _marked_error(
    problem: str | None, mark: Any, context_mark: Any, text: str, source: str
) -> DossierError:
    use = mark if mark is not None else context_mark
    line = use.line + 1 if use is not None else None
    column = use.column + 1 if use is not None else None
    where = f" in regel {line}, kolom {column}" if line is not None else ""
    detail = _dutch_problem(problem)
    if use is not None and _char_at(text, use.line, use.column) == "\t":
        detail = "een tab is niet toegestaan; gebruik spaties"
    message = f"Ongeldige YAML{where}: {detail}. {_HINT}"
    return DossierError(message, source=source, line=line, column=column)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _unmarked_error(exc: BaseException, source: str) -> DossierError:
    if isinstance(exc, RecursionError):
        detail = "het document is te diep genest"
    else:
        detail = _dutch_problem(str(exc))
    return DossierError(f"Ongeldige YAML: {detail}. {_HINT}", source=source)
