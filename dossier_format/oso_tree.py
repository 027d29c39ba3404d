"""Helpers for the OSO conversion: safe XML parsing, a generic XML <-> plain-data tree, and
order-aware element placement.

The *generic tree* is how OSO content that Zorgkluis does not model travels inside a dossier
(under the ``oso`` key, see :mod:`dossier_format.oso`). It is plain YAML-friendly data:

- an element with neither children nor attributes is its text (a ``str``; values are kept
  exactly as written, so booleans stay ``"true"``/``"false"`` and numbers stay strings);
- otherwise it is a mapping: ``"@naam"`` keys hold attributes, ``"#tekst"`` the text of an
  element that has attributes but no children, and every other key a child element by its
  local name, whose value is one tree or, for a repeated child, a list of trees;
- when children of the same name are not adjacent (OSO's ``cijferlijstTypelijst`` repeats a
  whole group), the children are kept in document order as ``"#inhoud": [{naam: tree}, ...]``.

Trees are built from and turned back into elements in the OSO 2019 namespace; a child in
another namespace keeps its Clark name (``{uri}naam``) as key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from dossier_format.oso_errors import TreeError, XmlRefused

OSO_NS = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"

#: The largest OSO document accepted (official full examples are ~180 KB; attachments are
#: base64 zips, so a generous limit still stops memory exhaustion by a hostile file).
MAX_BYTES = 64 * 1024 * 1024

_DOCTYPE_REFUSED = "XML met een DOCTYPE/DTD (entiteiten) wordt geweigerd"
_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(c) for c in ("ascii", "utf-16-le", "utf-16-be"))

Tree = Any  # str | dict[str, Tree | list[Tree]] ; kept loose for YAML-loaded input


def safe_parse(xml: bytes) -> etree._Element:
    """Parse untrusted XML without DTDs, entity expansion or network access.

    Args:
        xml: the document bytes.
    Returns:
        The root element.
    Raises:
        XmlRefused: not bytes, too large, not well-formed, or carrying a DOCTYPE (OSO never
            uses one; refusing it stops entity-expansion and external-entity attacks).
    """
    if not isinstance(xml, bytes | bytearray):
        raise XmlRefused("verwacht XML als bytes")
    if len(xml) > MAX_BYTES:
        raise XmlRefused(f"bestand is groter dan {MAX_BYTES // (1024 * 1024)} MB")
    head = bytes(xml[:8192])
    if any(marker in head for marker in _DOCTYPE_MARKERS):
        raise XmlRefused(_DOCTYPE_REFUSED)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(bytes(xml), parser)
    except etree.XMLSyntaxError as exc:
        raise XmlRefused(f"geen geldige XML: {exc.msg}", line=exc.lineno or None) from None
    except ValueError as exc:  # e.g. an encoding declaration lxml cannot honour
        raise XmlRefused(f"geen geldige XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XmlRefused(_DOCTYPE_REFUSED)
    return root


def local(el: etree._Element) -> str:
    """The local name of an element in the OSO namespace, else its Clark name."""
    q = etree.QName(el)
    return q.localname if q.namespace == OSO_NS else q.text


def _tag(name: str) -> str:
    return name if name.startswith("{") else f"{{{OSO_NS}}}{name}"


def children(el: etree._Element, name: str | None = None) -> list[etree._Element]:
    """Element children of ``el`` (comments etc. skipped), optionally only those named ``name``."""
    return [c for c in el if isinstance(c.tag, str) and (name is None or local(c) == name)]


def child(el: etree._Element, name: str) -> etree._Element | None:
    """The first child named ``name``, or None."""
    found = children(el, name)
    return found[0] if found else None


def text(el: etree._Element | None) -> str | None:
    """The text of an element, or None when the element is absent."""
    if el is None:
        return None
    return el.text or ""


def to_tree(el: etree._Element) -> Tree:
    """Convert an element into the generic tree described in the module docstring."""
    attrs = {f"@{k}": v for k, v in el.attrib.items()}
    kids = children(el)
    if not kids:
        if not attrs:
            return el.text or ""
        return {**attrs, "#tekst": el.text or ""}
    names = [local(k) for k in kids]
    adjacent = all(
        names[i] == names[i - 1] or names[i] not in names[:i] for i in range(1, len(names))
    )
    out: dict[str, Any] = dict(attrs)
    if not adjacent:
        out["#inhoud"] = [{n: to_tree(k)} for n, k in zip(names, kids, strict=True)]
        return out
    for n, k in zip(names, kids, strict=True):
        value = to_tree(k)
        if n in out:
            if names.count(n) > 1 and not isinstance(out[n], list):
                out[n] = [out[n]]
            out[n].append(value)
        else:
            out[n] = [value] if names.count(n) > 1 else value
    return out


#: Characters XML 1.0 cannot carry.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        out = str(value)
        if NOT_XML.search(out):
            raise TreeError(f"{where}: bevat een teken dat niet in XML kan")
        return out
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    raise TreeError(f"{where}: verwacht tekst, kreeg {type(value).__name__}")


def from_tree(name: str, tree: Tree) -> etree._Element:
    """Build the element ``name`` from a generic tree (inverse of :func:`to_tree`).

    Raises:
        TreeError: the tree holds something that is not text, a mapping or a list.
    """
    el = etree.Element(_tag(name), nsmap={None: OSO_NS})
    if not isinstance(tree, Mapping):
        el.text = _scalar(tree, name)
        return el
    for key, value in tree.items():
        key = str(key)
        if key.startswith("@"):
            el.set(key[1:], _scalar(value, f"{name}/{key}"))
        elif key == "#tekst":
            el.text = _scalar(value, f"{name}/{key}")
        elif key == "#inhoud":
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise TreeError(f"{name}/#inhoud: verwacht een lijst")
            for item in value:
                if not isinstance(item, Mapping) or len(item) != 1:
                    raise TreeError(f"{name}/#inhoud: elk item is één {{naam: waarde}}")
                ((k, v),) = item.items()
                el.append(from_tree(str(k), v))
        elif isinstance(value, list | tuple):
            for item in value:
                el.append(from_tree(key, item))
        else:
            el.append(from_tree(key, value))
    return el


def remove(el: etree._Element, *names: str) -> None:
    """Remove every child of ``el`` with one of the given names."""
    for c in children(el):
        if local(c) in names:
            el.remove(c)


def put(
    parent: etree._Element,
    name: str,
    order: Sequence[str],
    values: Sequence[etree._Element | str],
) -> list[etree._Element]:
    """Replace the children called ``name`` by ``values``, at their schema position.

    Args:
        parent: the element to change.
        name: the child's local name; must be in ``order``.
        order: the child names of ``parent``'s XSD sequence, in order.
        values: new children: ready elements (renamed to ``name``) or texts.
    Returns:
        The inserted elements.
    """
    rank = {n: i for i, n in enumerate(order)}
    mine = rank[name]
    remove(parent, name)
    position = len(parent)
    for i, c in enumerate(parent):
        if isinstance(c.tag, str) and rank.get(local(c), len(order)) > mine:
            position = i
            break
    inserted: list[etree._Element] = []
    for value in values:
        if isinstance(value, str):
            new = etree.Element(_tag(name))
            new.text = value
        else:
            new = value
            new.tag = _tag(name)
        parent.insert(position, new)
        position += 1
        inserted.append(new)
    return inserted


def put_text(parent: etree._Element, name: str, order: Sequence[str], value: str | None) -> None:
    """Set (or, for None, remove) the single text child ``name`` at its schema position."""
    put(parent, name, order, [] if value is None else [value])


def sub(parent: etree._Element, name: str, value: str | None = None) -> etree._Element:
    """Append a child ``name`` (with optional text) at the end of ``parent``."""
    el = etree.SubElement(parent, _tag(name))
    if value is not None:
        el.text = value
    return el


def reorder(parent: etree._Element, order: Sequence[str]) -> None:
    """Sort the children of ``parent`` into schema order (stable; unknown names last)."""
    rank = {n: i for i, n in enumerate(order)}
    kids = children(parent)
    for c in kids:
        parent.remove(c)
    for c in sorted(kids, key=lambda c: rank.get(local(c), len(order))):
        parent.append(c)


def ensure(parent: etree._Element, name: str, order: Sequence[str]) -> etree._Element:
    """The child ``name`` of ``parent``, created at its schema position when missing."""
    found = child(parent, name)
    if found is not None:
        return found
    return put(parent, name, order, [etree.Element(_tag(name))])[0]
