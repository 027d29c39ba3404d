"""Each seed route has a fictional example dossier that is valid, canonical and checks clean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dossier_format import codec, schema
from dossier_format.checks import check
from dossier_format.routes import available_routes, load_route

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.date(2024, 6, 1)  # the date stated in each example's header comment


@pytest.mark.parametrize("route_id", ["000", "001", "002", "003", "004"])
def test_example_checks_clean(route_id: str) -> None:
    path = EXAMPLES / f"route-{route_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert f"--today {TODAY.isoformat()}" in text
    data = codec.load_fast(text, str(path))
    assert data["route"] == route_id
    assert schema.validate(data, source=str(path), text=text) == []
    assert codec.dump(codec.load(text)) == text
    assert check(data, load_route(route_id), TODAY) == []


def test_every_shipped_route_has_an_example() -> None:
    assert {f"route-{r.id}.yaml" for r in available_routes()} <= {
        p.name for p in EXAMPLES.glob("*.yaml")
    }


def test_an_example_gets_findings_later_when_evaluations_fall_due() -> None:
    """The date matters: half a year on, the open plan evaluation of route 003 is overdue."""
    data = codec.load_fast((EXAMPLES / "route-003.yaml").read_text(encoding="utf-8"))
    rules = {f.rule for f in check(data, load_route("003"), dt.date(2025, 1, 6))}
    assert "plan.evaluatie_achterstallig" in rules
