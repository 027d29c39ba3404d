"""Format version, JSON Schema validation with Dutch messages, and migration.

The published schema is ``dossier_format/schema/dossier.schema.json`` (JSON Schema 2020-12). It sees
dates as strings with ``format: date``; here, validating loaded YAML, a date must be a real
``datetime.date`` (an unquoted ``2024-09-01``) and a quoted date is refused, so the checks and the
lists can rely on date values. Beyond the schema, ids must be unique within their list.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any

import jsonschema
import yaml
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.protocols import Validator
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dossier_format.codec import load_fast_with_nodes
from dossier_format.errors import DEFAULT_SOURCE, DossierError

__all__ = ["FORMAT_ID", "load_schema", "migrate", "validate"]

FORMAT_ID = "zorgkluis-dossier/1"
_FORMAT_PATTERN = re.compile(r"^zorgkluis-dossier/(\d+)$")
_CURRENT_VERSION = 1

# Lists whose entries carry an id that must be unique within the list.
ID_LISTS: tuple[str, ...] = (
    "plannen",
    "besprekingen",
    "gesprekken",
    "toestemmingen",
    "toetsen",
    "onderzoeken",
    "verklaringen",
    "aanvragen",
    "zienswijzen",
    "correcties",
    "werkaantekeningen",
)

_TYPE_NAMES = {
    "string": "tekst",
    "integer": "een geheel getal",
    "number": "een getal",
    "boolean": "true of false",
    "array": "een lijst",
    "object": "een mapping (sleutel: waarde)",
    "null": "leeg (null)",
}

Path = tuple[str | int, ...]
_Problem = tuple[Path, str, bool]  # (path, Dutch message, located at the key rather than value)


class _IsoDate(str):
    """A real YAML date, passed to jsonschema as its ISO text (a quoted date stays a plain str)."""

    __slots__ = ()


@functools.cache
def load_schema() -> dict[str, Any]:
    """Return the published JSON Schema of the current format version (parsed, cached).

    Returns:
        The schema as a dict; do not modify it.
    """
    text = (
        resources.files("dossier_format").joinpath("schema/dossier.schema.json").read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


_STANDARD_TYPE = Draft202012Validator.VALIDATORS["type"]


def _type_check(validator: Validator, types: Any, instance: Any, schema: Mapping[str, Any]) -> Any:
    if isinstance(instance, _IsoDate) and schema.get("format") != "date":
        yield ValidationError("a date where text is expected")
        return
    yield from _STANDARD_TYPE(validator, types, instance, schema)


def _is_real_date(instance: object) -> bool:
    return not isinstance(instance, str) or isinstance(instance, _IsoDate)


@functools.cache
def _validator() -> Validator:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date")(_is_real_date)
    cls = jsonschema.validators.extend(Draft202012Validator, validators={"type": _type_check})
    return cls(load_schema(), format_checker=checker)


def migrate(data: Mapping[str, Any], source: str = DEFAULT_SOURCE) -> Mapping[str, Any]:
    """Bring a loaded dossier to the current format version.

    Version 1 is the current and only version, so a v1 dossier is returned unchanged. Future
    versions add one step per version here (docs/format.md §6); migration is never silent: the
    caller shows and saves the result as a new version.

    Args:
        data: a loaded dossier.
        source: file name for error messages.

    Returns:
        The dossier in the current version (the same object for v1).

    Raises:
        DossierError: ``formaat`` is missing, unknown, or newer than this program.
    """
    formaat = data.get("formaat") if isinstance(data, Mapping) else None
    if formaat == FORMAT_ID:
        return data
    line, column = (None, None)
    if isinstance(data, CommentedMap):
        line, column = _position(data, ("formaat",), False)
    message = _format_message(formaat)
    raise DossierError(message, source=source, line=line, column=column, path="formaat")


def _format_message(formaat: object) -> str:
    if formaat is None:
        return f"De sleutel 'formaat' ontbreekt; een dossier begint met 'formaat: {FORMAT_ID}'."
    match = _FORMAT_PATTERN.match(formaat) if isinstance(formaat, str) else None
    if match and int(match.group(1)) > _CURRENT_VERSION:
        return (
            f"Dit dossier heeft formaat '{formaat}', nieuwer dan deze versie van Zorgkluis "
            f"kent ({FORMAT_ID}). Werk Zorgkluis bij om het te openen."
        )
    return f"Onbekend formaat '{formaat}'. Deze versie van Zorgkluis leest alleen '{FORMAT_ID}'."


def validate(
    data: Mapping[str, Any], source: str = DEFAULT_SOURCE, text: str | None = None
) -> list[DossierError]:
    """Check a loaded dossier against the format; return every problem found.

    Args:
        data: the dossier from :func:`~dossier_format.codec.load` or
            :func:`~dossier_format.codec.load_fast`.
        source: file name for the messages.
        text: the YAML text, if ``data`` is not the round-trip document; used only to find line
            and column for the problems.

    Returns:
        Problems as ``DossierError`` (Dutch message, path, 1-based line/column when known), in
        document order. An empty list means the dossier is valid. Never raises for bad data.
    """
    if not isinstance(data, Mapping):
        return [DossierError("Het dossier moet een mapping zijn.", source=source, line=1, column=1)]
    problems: list[_Problem] = []
    if data.get("formaat") != FORMAT_ID:
        problems.append((("formaat",), _format_message(data.get("formaat")), False))
    else:
        instance = _to_instance(data, (), problems)
        for error in _validator().iter_errors(instance):
            problems.extend(_problems(error))
        problems += _duplicate_ids(data)
    if not problems:
        return []
    locate = _locator(data, text)
    errors = []
    for path, message, at_key in problems:
        line, column = locate(path, at_key) if locate is not None else (None, None)
        errors.append(
            DossierError(message, source=source, line=line, column=column, path=format_path(path))
        )
    errors.sort(key=lambda e: (e.line or 0, e.column or 0, e.path))
    return errors


def format_path(path: Sequence[str | int]) -> str:
    """Render a path in the findings' style: ``plannen[2].evaluatie`` (0-based list indexes).

    Args:
        path: keys and list indexes from the top of the dossier.

    Returns:
        The dotted path, ``""`` for the document itself.
    """
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ---------------------------------------------------------------------------------------------
# Preparing the instance


def _to_instance(value: Any, path: Path, problems: list[_Problem]) -> Any:
    """Copy to JSON-like values: dates become _IsoDate, keys must be text."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                message = f"De sleutel {key!r} in {_where(path)} moet tekst zijn."
                problems.append((path, message, False))
                continue
            out[key] = _to_instance(item, (*path, key), problems)
        return out
    if isinstance(value, list | tuple):
        return [_to_instance(item, (*path, i), problems) for i, item in enumerate(value)]
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return _IsoDate(value.isoformat())
    if isinstance(value, bool) or value is None:
        return value
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value  # anything else fails its type check with a clear message


def _duplicate_ids(data: Mapping[str, Any]) -> list[_Problem]:
    problems: list[_Problem] = []
    for name in ID_LISTS:
        entries = data.get(name)
        if not isinstance(entries, list):
            continue
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            ident = entry.get("id") if isinstance(entry, Mapping) else None
            if not isinstance(ident, str):
                continue
            if ident in seen:
                message = f"Het id '{ident}' komt meer dan eens voor in '{name}'."
                problems.append(((name, index, "id"), message, False))
            seen.add(ident)
    return problems


# ---------------------------------------------------------------------------------------------
# Dutch messages


def _problems(error: ValidationError) -> list[_Problem]:
    path = _path_of(error)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        return [((*path, key), message, True) for key, message in _unknown_keys(error, path)]
    if "propertyNames" in error.schema_path and isinstance(error.instance, str):
        name = error.instance
        message = f"Ongeldige naam '{name}' in {_where(path)}: alleen a-z, 0-9 en _."
        return [((*path, name), message, True)]
    return [(path, _dutch(error), False)]


def _path_of(error: ValidationError) -> Path:
    return tuple(error.absolute_path)


def _where(path: Path) -> str:
    return f"'{format_path(path)}'" if path else "het dossier"


def _show(value: Any) -> str:
    if isinstance(value, _IsoDate):
        return f"de datum {value}"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, dict):
        return "een mapping"
    if isinstance(value, list):
        return "een lijst"
    if value is None:
        return "leeg"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return f"een waarde van type {type(value).__name__}"


def _dutch(error: ValidationError) -> str:
    path = _path_of(error)
    where = _where(path)
    keyword = error.validator
    value = error.validator_value
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if keyword == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        name = missing.group(1) if missing else "?"
        return f"Verplichte sleutel '{name}' ontbreekt in {where}."
    if keyword == "type":
        if isinstance(error.instance, _IsoDate):
            return (
                f"{where} moet tekst zijn, maar is een datum. "
                "Zet de waarde tussen aanhalingstekens als het tekst is."
            )
        wanted = " of ".join(_TYPE_NAMES.get(t, t) for t in _as_list(value))
        return f"{where} moet {wanted} zijn, niet {_show(error.instance)}."
    if keyword == "enum":
        options = ", ".join("null" if v is None else str(v) for v in value)
        return f"Ongeldige waarde {_show(error.instance)} voor {where}. Kies uit: {options}."
    if keyword == "const":
        return f"{where} moet '{value}' zijn, niet {_show(error.instance)}."
    if keyword == "format" and value == "date":
        return (
            f"{where} moet een datum zijn (JJJJ-MM-DD, zonder aanhalingstekens), "
            f"niet {_show(error.instance)}."
        )
    if keyword == "pattern":
        hint = schema.get("description", "")
        return f"{_show(error.instance)} is geen geldige waarde voor {where}. {hint}".rstrip()
    if keyword == "minimum":
        return f"{where} moet minstens {value} zijn, niet {_show(error.instance)}."
    if keyword == "maximum":
        return f"{where} mag hoogstens {value} zijn, niet {_show(error.instance)}."
    if keyword in ("anyOf", "oneOf"):
        return _any_of(error, where)
    return f"Ongeldige waarde {_show(error.instance)} voor {where} ({keyword})."


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _unknown_keys(error: ValidationError, path: Path) -> list[tuple[str, str]]:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    allowed = sorted(schema.get("properties", {}))
    out = []
    for key in error.instance:
        if key in allowed or (not path and key.startswith("x_")):
            continue
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.8)
        hint = f" Bedoelde u '{close[0]}'?" if close else ""
        out.append((key, f"Onbekende sleutel '{key}' in {_where(path)}.{hint}"))
    return out


def _any_of(error: ValidationError, where: str) -> str:
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    refs = {b.get("$ref") for b in branches if isinstance(b, Mapping)}
    types = {b.get("type") for b in branches if isinstance(b, Mapping)}
    if "#/$defs/datum" in refs and "null" in types:
        return (
            f"{where} moet een datum zijn (JJJJ-MM-DD, zonder aanhalingstekens) of leeg (null), "
            f"niet {_show(error.instance)}."
        )
    best = jsonschema.exceptions.best_match(error.context or [])
    return _dutch(best) if best is not None else f"Ongeldige waarde voor {where}."


# ---------------------------------------------------------------------------------------------
# Positions


_Locator = Callable[[Path, bool], tuple[int | None, int | None]]


def _locator(data: Mapping[str, Any], text: str | None) -> _Locator | None:
    """Find positions in the round-trip document, or else in the nodes composed from ``text``."""
    if isinstance(data, CommentedMap):
        return functools.partial(_position, data)
    if text is None:
        return None
    try:
        _, root = load_fast_with_nodes(text)
    except DossierError:
        return None
    return functools.partial(_node_position, root)


def _node_position(root: yaml.Node, path: Path, at_key: bool) -> tuple[int | None, int | None]:
    """As :func:`_position`, on PyYAML nodes (from the fast loader) instead of ruamel's."""
    node = root
    line, column = _mark(node)
    for depth, part in enumerate(path):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pair = next((kv for kv in node.value if getattr(kv[0], "value", None) == part), None)
            if pair is None:
                break
            if at_key and depth == len(path) - 1:
                return _mark(pair[0])
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
        else:
            break
        line, column = _mark(node)
    return line, column


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _position(doc: Any, path: Path, at_key: bool) -> tuple[int | None, int | None]:
    """1-based line/column of the deepest part of ``path`` present in the round-trip document.

    A value is located at its own start (a mapping or list at its first entry); with ``at_key``
    the last path element is located at its key instead (for unknown keys).
    """
    node: Any = doc
    line, column = _node_start(doc)
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, CommentedMap) and isinstance(part, str) and part in node:
            if at_key and last:
                return _lc(node.lc.key(part))
            line, column = _lc(node.lc.value(part))
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, column = _lc(node.lc.item(part))
        else:
            break
        node = node[part]
        inner = _node_start(node)
        if inner != (None, None):
            line, column = inner
    return line, column


def _node_start(node: Any) -> tuple[int | None, int | None]:
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        return node.lc.line + 1, node.lc.col + 1
    return None, None


def _lc(pair: Any) -> tuple[int | None, int | None]:
    try:
        line, column = pair
        return int(line) + 1, int(column) + 1
    except (TypeError, ValueError):
        return None, None
