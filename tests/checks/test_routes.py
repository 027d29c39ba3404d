"""Route files: the five seed routes load, a school's own file loads, malformed files give a
clear RouteError with file, line and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from rule_cases import base, gesprek, niv

from dossier_format.checks import check
from dossier_format.errors import DossierError, RouteError
from dossier_format.routes import Route, available_routes, load_route, parse_route

MINIMAL = """\
id: eigen
naam: Eigen route
niveaus:
  - niveau: 1
    naam: Groep
  - niveau: 2
    naam: Extra
overgangen:
  - van: 1
    naar: [2]
"""


def test_seed_routes_load_with_their_tiers() -> None:
    routes = {r.id: r for r in available_routes()}
    assert {k: len(r.niveaus) for k, r in routes.items()} == {
        "000": 3,
        "001": 7,
        "002": 5,
        "003": 4,
        "004": 6,
    }
    assert routes["003"].niveau(2).max_perioden == 2  # type: ignore[union-attr]
    assert routes["003"].niveau(3).max_perioden_per_hulpvraag == 1  # type: ignore[union-attr]
    assert routes["004"].niveau(4).min_weken_ondersteuning == 12  # type: ignore[union-attr]


def test_003_allows_direct_entry_to_niveau_4_in_consultation_with_the_ib() -> None:
    route = load_route("003")  # 003 §3 Niveau 1: "altijd in overleg met de interne begeleider"
    direct = route.overgang(1, 4)
    assert direct is not None and direct.voorwaarde == "in_overleg_met_ib"
    assert direct.bron == "003 §3 Niveau 1"
    assert route.overgang(2, 4) is not None and route.overgang(2, 4).voorwaarde is None  # type: ignore[union-attr]
    assert route.overgang(4, 1) is not None  # down is always allowed in 003


def _steps(route: Route, data: dict[str, Any]) -> list[tuple[str, str]]:
    findings = check(data, route, dt.date(2024, 6, 1))
    return [(f.rule, f.severity) for f in findings if f.rule.startswith("route.overgang")]


def test_003_step_from_1_to_4_without_diagnosis_is_no_error() -> None:
    data = base(niveaus=niv((1, dt.date(2023, 9, 1)), (4, dt.date(2024, 1, 8))))
    route = load_route("003")
    assert _steps(route, data) == [("route.overgang_overleg", "warning")]
    data["gesprekken"] = [{**gesprek("gs-1", dt.date(2023, 12, 4)), "aanwezig": ["ib-jansen"]}]
    assert _steps(route, data) == []


def test_a_school_route_can_still_ask_for_a_diagnosis(tmp_path: Path) -> None:
    path = tmp_path / "eigen.yaml"
    path.write_text(
        MINIMAL.replace(
            "naar: [2]", "naar: [2]\n  - van: 1\n    naar: [3]\n    voorwaarde: met_diagnose"
        ).replace("    naam: Extra\n", "    naam: Extra\n  - niveau: 3\n    naam: Zorgteam\n"),
        encoding="utf-8",
    )
    route = load_route(str(path))
    data = base("eigen", niveaus=niv((1, dt.date(2023, 9, 1)), (3, dt.date(2024, 1, 8))))
    assert _steps(route, data) == [("route.overgang", "error")]
    data["onderzoeken"] = [
        {"id": "oz-1", "soort": "dyslexie", "datum": dt.date(2023, 6, 1), "uitslag": "dyslexie"}
    ]
    assert _steps(route, data) == []


def test_002_has_no_skips() -> None:
    route = load_route("002")
    assert route.overgang(2, 4) is None
    assert route.overgang(3, 4) is not None


def test_a_school_route_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "eigen.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    route = load_route(str(path))
    assert route.id == "eigen" and route.laagste == 1 and route.pad == str(path)


def _error(text: str, tmp_path: Path) -> RouteError:
    path = tmp_path / "kapot.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RouteError) as info:
        load_route(str(path))
    assert isinstance(info.value, DossierError)
    assert info.value.source == str(path)
    return info.value


def test_missing_key(tmp_path: Path) -> None:
    err = _error(MINIMAL.replace("naam: Eigen route\n", ""), tmp_path)
    assert "verplichte sleutel 'naam'" in err.message
    assert err.line == 1


def test_unknown_niveau_in_transition(tmp_path: Path) -> None:
    err = _error(MINIMAL.replace("naar: [2]", "naar: [5]"), tmp_path)
    assert "niveau 5" in err.message and "1, 2" in err.message
    assert err.line == 10
    assert str(err).startswith(f"{err.source}:10:")


def test_wrong_type(tmp_path: Path) -> None:
    err = _error(
        MINIMAL.replace("    naam: Extra\n", "    naam: Extra\n    max_perioden: twee\n"), tmp_path
    )
    assert "max_perioden moet een geheel getal zijn" in err.message
    assert err.line == 8 and err.column == 5


def test_unknown_key_is_named_with_the_allowed_ones(tmp_path: Path) -> None:
    err = _error(
        MINIMAL.replace("    naam: Extra\n", "    naam: Extra\n    max_periodes: 2\n"), tmp_path
    )
    assert "onbekende sleutel 'max_periodes'" in err.message and "max_perioden" in err.message


def test_unknown_protocol_and_consent(tmp_path: Path) -> None:
    err = _error(MINIMAL + "protocollen: [dyslexie, tovenarij]\n", tmp_path)
    assert "tovenarij" in err.message
    err = _error(
        MINIMAL.replace(
            "    naam: Extra\n",
            "    naam: Extra\n    eisen:\n      toestemming:\n        soort: [kermis]\n",
        ),
        tmp_path,
    )
    assert "kermis" in err.message and err.line == 10


def test_niveaus_must_ascend(tmp_path: Path) -> None:
    err = _error(MINIMAL.replace("niveau: 2", "niveau: 1"), tmp_path)
    assert "oplopend" in err.message


def test_broken_yaml_has_a_position(tmp_path: Path) -> None:
    err = _error("id: x\nniveaus: [\n", tmp_path)
    assert err.line is not None and "ongeldige YAML" in err.message


def test_not_a_mapping(tmp_path: Path) -> None:
    assert "mapping" in _error("- 1\n- 2\n", tmp_path).message


def test_unknown_route_id_lists_the_known_ones() -> None:
    with pytest.raises(RouteError) as info:
        load_route("999")
    assert "000, 001, 002, 003, 004" in info.value.message


def test_parse_route_without_a_file() -> None:
    assert parse_route(MINIMAL).naam == "Eigen route"
