"""The generic passthrough tree and the schema-order tables."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from lxml import etree
from oso_data import needs_standards

from dossier_format import oso
from dossier_format.oso_tree import OSO_NS, from_tree, to_tree
from dossier_format.oso_validate import default_standards_dir


def _el(xml: str) -> etree._Element:
    return etree.fromstring(xml.replace("<r>", f'<r xmlns="{OSO_NS}">', 1))


def _canon(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n")


def test_leaf_attribute_and_repetition() -> None:
    el = _el('<r><a>1</a><b x="y">t</b><c>1</c><c>2</c><d><e/></d></r>')
    tree = to_tree(el)
    assert tree == {"a": "1", "b": {"@x": "y", "#tekst": "t"}, "c": ["1", "2"], "d": {"e": ""}}
    assert _canon(from_tree("r", tree)) == _canon(el)


def test_non_adjacent_repetition_keeps_document_order() -> None:
    # like cijferlijstTypelijst: (naam, onderdeel*, score+)+
    el = _el("<r><naam>A</naam><score>1</score><naam>B</naam><score>2</score></r>")
    tree = to_tree(el)
    assert tree == {"#inhoud": [{"naam": "A"}, {"score": "1"}, {"naam": "B"}, {"score": "2"}]}
    assert _canon(from_tree("r", tree)) == _canon(el)


def test_tree_survives_yaml_and_accepts_yaml_scalars() -> None:
    el = _el("<r><d>2020-01-02</d><b>true</b><n>7</n><t> spaced </t></r>")
    tree = yaml.safe_load(yaml.safe_dump(to_tree(el), sort_keys=False))
    assert _canon(from_tree("r", tree)) == _canon(el)
    import datetime as dt

    loose = {"d": dt.date(2020, 1, 2), "b": True, "n": 7, "t": " spaced "}
    assert _canon(from_tree("r", loose)) == _canon(el)


@pytest.mark.parametrize(
    "bad", [{"a": None}, {"#inhoud": "x"}, {"#inhoud": [{"a": "1", "b": "2"}]}]
)
def test_bad_tree_shapes_are_refused(bad: Any) -> None:
    with pytest.raises(oso.OsoError):
        from_tree("r", bad)


def _xsd_orders() -> dict[str, list[str]]:
    """For every element declaration in the XSD that has a sequence: child names in order."""
    xs = "{http://www.w3.org/2001/XMLSchema}"
    path = default_standards_dir() / "OV" / "OSO_gegevensset_2019.1.xsd"
    root = etree.parse(str(path)).getroot()
    types = {t.get("name"): t for t in root.iter(f"{xs}complexType") if t.get("name")}

    def names(node: etree._Element) -> list[str]:
        out: list[str] = []
        for el in node.iter(f"{xs}element"):
            # only direct members of this type, not of nested anonymous types
            parent = el.getparent()
            while parent is not None and parent.tag in (f"{xs}sequence", f"{xs}choice"):
                parent = parent.getparent()
            if parent is node:
                out.append(el.get("name") or el.get("ref") or "")
        return out

    def of_type(ct: etree._Element) -> list[str]:
        base = ct.find(f"{xs}complexContent/{xs}extension")
        inherited = []
        if base is not None and base.get("base") in types:
            inherited = of_type(types[base.get("base")])
        return inherited + (names(base) if base is not None else names(ct))

    def resolve(decl: etree._Element) -> list[str]:
        ct = decl.find(f"{xs}complexType")
        if ct is None and decl.get("type") in types:
            ct = types[decl.get("type")]
        return [] if ct is None else of_type(ct)

    orders: dict[str, list[str]] = {}
    for decl in root.iter(f"{xs}element"):
        name = decl.get("name")
        if name and name not in orders:
            found = resolve(decl)
            if found:
                orders[name] = found
    return orders


@needs_standards
@pytest.mark.parametrize(
    ("element", "order"),
    [
        ("leerling", oso.LEERLING_ORDER),
        ("onderwijsondersteuning", oso.ONDERSTEUNING_ORDER),
        ("schoolloopbaan", oso.SCHOOLLOOPBAAN_ORDER),
        ("opp", oso.OPP_ORDER),
        ("diagnose", oso.DIAGNOSE_ORDER),
        ("toets", oso.TOETS_ORDER),
        ("toetsidentificatie", oso.TOETSID_ORDER),
        ("afname", oso.AFNAME_ORDER),
        ("resultaat", oso.RESULTAAT_ORDER),
        ("toetsscore", oso.TOETSSCORE_ORDER),
        ("referentiescore", oso.REFERENTIESCORE_ORDER),
        ("overstapadvies", oso.OVERSTAPADVIES_ORDER),
    ],
)
def test_order_tables_match_the_official_xsd(element: str, order: tuple[str, ...]) -> None:
    assert tuple(_xsd_orders()[element]) == order
