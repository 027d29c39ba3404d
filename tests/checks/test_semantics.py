"""The finer points of the route rules: terms, windows, withdrawn consent, conditions, order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rule_cases import D, base, bespreking, niv, plan, ts

from dossier_format.checks import check
from dossier_format.findings import Finding
from dossier_format.routes import load_route

TODAY = D(2024, 6, 1)


def rules(data: dict[str, Any], route: str = "003", today: dt.date = TODAY) -> set[str]:
    return {f.rule for f in check(data, load_route(route), today)}


def at(data: dict[str, Any], route: str, today: dt.date, path: str) -> set[str]:
    return {f.rule for f in check(data, load_route(route), today) if f.path == path}


SOT = niv((2, D(2023, 9, 1)), (3, D(2024, 1, 8)))


def test_a_requirement_is_not_due_before_its_term() -> None:
    """002 niveau 3 wants a SOT within 8 weeks: not yet due 7 weeks in."""
    assert "route.bespreking" not in at(
        base("002", niveaus=SOT), "002", D(2024, 2, 26), "niveaus[1]"
    )
    assert "route.bespreking" in at(base("002", niveaus=SOT), "002", D(2024, 3, 5), "niveaus[1]")


def test_a_requirement_lapses_when_the_pupil_left_the_niveau_before_its_term() -> None:
    left = niv((2, D(2023, 9, 1)), (3, D(2024, 1, 8)), (2, D(2024, 2, 1)))
    findings = check(base("002", niveaus=left), load_route("002"), D(2024, 6, 1))
    assert not [f for f in findings if f.rule == "route.bespreking" and f.path == "niveaus[1]"]


def test_a_meeting_shortly_before_the_step_counts() -> None:
    data = base("002", niveaus=SOT, besprekingen=[bespreking("bs-1", "sot", D(2023, 12, 18))])
    assert not [
        f
        for f in check(data, load_route("002"), D(2024, 6, 1))
        if f.rule == "route.bespreking" and f.path == "niveaus[1]"
    ]


def test_withdrawn_consent_does_not_count() -> None:
    steps = niv((3, D(2023, 9, 1)), (4, D(2024, 1, 8)))
    given = ts("ts-1", "zorgteam", D(2024, 1, 5))
    assert "route.toestemming" not in rules(base(niveaus=steps, toestemmingen=[given]))
    withdrawn = {**given, "ingetrokken": D(2024, 1, 7)}
    assert "route.toestemming" in rules(base(niveaus=steps, toestemmingen=[withdrawn]))


def test_a_diagnosis_after_the_step_does_not_open_the_fast_lane(tmp_path: Path) -> None:
    own = tmp_path / "eigen.yaml"  # 003 no longer asks for a diagnosis; a school's route may
    own.write_text(
        "id: eigen\nnaam: Eigen\nniveaus:\n  - niveau: 1\n    naam: Groep\n"
        "  - niveau: 4\n    naam: Zorgteam\novergangen:\n  - van: 1\n    naar: [4]\n"
        "    voorwaarde: met_diagnose\n",
        encoding="utf-8",
    )
    steps = niv((1, D(2023, 9, 1)), (4, D(2024, 1, 8)))
    late = [{"id": "oz-1", "soort": "psychologisch", "datum": D(2024, 2, 1), "uitslag": "ADHD"}]
    early = [{**late[0], "datum": D(2023, 12, 1)}]
    assert "route.overgang" in rules(base("eigen", niveaus=steps, onderzoeken=late), str(own))
    assert "route.overgang" not in rules(base("eigen", niveaus=steps, onderzoeken=early), str(own))


def test_consultation_with_the_ib_counts_only_up_to_the_step() -> None:
    steps = niv((1, D(2023, 9, 1)), (4, D(2024, 1, 8)))
    for day, expected in [
        (D(2024, 1, 15), True),  # after the step: too late
        (D(2023, 10, 1), True),  # more than 8 weeks before
        (D(2023, 11, 13), False),  # 8 weeks before
        (D(2024, 1, 8), False),  # on the day
    ]:
        data = base(niveaus=steps, besprekingen=[bespreking("bs-1", "leerlingbespreking", day)])
        assert ("route.overgang_overleg" in rules(data)) is expected, day
        assert "route.overgang" not in rules(data)


def test_the_first_entry_counts_as_a_move_from_the_lowest_niveau() -> None:
    assert "route.overgang" in rules(base("002", niveaus=niv((3, D(2023, 9, 1)))), "002")
    assert "route.overgang" not in rules(base("003", niveaus=niv((3, D(2023, 9, 1)))))


def test_periods_are_counted_per_stay() -> None:
    """Two periods, back to niveau 1, then two more on a new stay: within the limit."""
    steps = niv((2, D(2022, 9, 1)), (1, D(2023, 3, 1)), (2, D(2023, 9, 1)))
    plannen = [
        plan("pl-1", 2, D(2022, 9, 5), evaluatie=None),
        plan("pl-2", 2, D(2022, 11, 7)),
        plan("pl-3", 2, D(2023, 9, 4)),
        plan("pl-4", 2, D(2023, 11, 6)),
    ]
    assert "route.max_perioden" not in rules(base(niveaus=steps, plannen=plannen))


def test_findings_are_sorted_errors_first_and_unique() -> None:
    data = base(niveaus=niv((3, D(2023, 9, 1)), (4, D(2024, 1, 8))), plannen="kapot")
    findings = check(data, load_route("003"), D(2024, 6, 1))
    assert findings == sorted(set(findings), key=Finding.sort_key)
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key=["error", "warning", "info"].index
    )


def test_protocol_rules_only_run_when_the_route_enables_them() -> None:
    data = base(
        verklaringen=[{"id": "vk-1", "soort": "dyslexie", "datum": D(2024, 1, 1), "voor": []}]
    )
    assert "dyslexie.verklaring_voor" in rules(data, "003")
    assert "dyslexie.verklaring_voor" not in rules(data, "002")


def test_check_accepts_any_mapping() -> None:
    for data in ({}, {"niveaus": None}, {"leerling": "x"}, {"protocollen": {"opp": 3}}):
        assert isinstance(check(data, load_route("004"), D(2024, 6, 1)), list)
    assert check([], load_route("004"), D(2024, 6, 1))[0].rule == "formaat.ongeldig"  # type: ignore[arg-type]
