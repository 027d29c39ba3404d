"""docs/rules.md and the code cannot drift: every checkable rule listed there is implemented
with the same severity and source, and has a firing and a quiet test case."""

from __future__ import annotations

import re
from pathlib import Path

import route_tables
from rule_cases import CASES

from dossier_format.rules.catalogue import CATALOGUE

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
ROW = re.compile(r"^\| `([a-z0-9_.]+)` \| (.+?) \|")


def _section(title: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [
        [cell.strip() for cell in line.strip("|").split(" | ")]
        for line in body.splitlines()
        if ROW.match(line)
    ]


def test_checkable_rules_in_the_doc_are_exactly_the_implemented_ones() -> None:
    rows = _section("Checkable rules")
    documented = {row[0].strip("`"): row for row in rows}
    assert len(documented) == len(rows), "a rule id is listed twice"
    assert sorted(documented) == sorted(CATALOGUE)
    for rule_id, (_, severity, protocol, what, source) in documented.items():
        info = CATALOGUE[rule_id]
        assert severity == info.severity, rule_id
        assert source == info.bron, rule_id
        assert what == info.wat, rule_id
        assert protocol == (", ".join(info.protocollen) or "—"), rule_id


def test_every_documented_rule_has_fire_and_quiet_cases() -> None:
    for row in _section("Checkable rules"):
        case = CASES[row[0].strip("`")]
        assert case.fire != case.quiet


def test_undecidable_rules_are_listed_with_a_reason() -> None:
    rows = _section("Not decidable from dossier data")
    assert len(rows) >= 20
    for rule_id, rule, source, why in rows:
        assert rule_id.startswith("`nb.") and rule_id.strip("`") not in CATALOGUE
        assert rule and re.match(r"^00[0-4] ", source) and why


def test_the_catalogue_is_well_over_forty_rules() -> None:
    assert len(CATALOGUE) > 60


def test_route_tables_in_the_doc_match_the_route_files() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Route rules per seed route\n", 1)[1].split("\n## ", 1)[0]
    assert route_tables.all_sections() in section + "\n"
