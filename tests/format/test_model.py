"""Pupil ids and the per-pupil summary."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest

from dossier_format.codec import load_fast
from dossier_format.model import (
    SIGNALEN,
    PupilSummary,
    new_pupil_id,
    retention_ends,
    summarize,
)

D = datetime.date


@dataclass(frozen=True)
class _Finding:
    rule: str
    severity: str


def test_new_pupil_ids_are_opaque_random_base32() -> None:
    ids = {new_pupil_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"ll-[a-z2-7]{10}", i) for i in ids)


def test_summary_of_the_full_dossier(full_text: str) -> None:
    findings = [_Finding("a", "error"), _Finding("b", "warning"), _Finding("c", "warning")]
    findings.append(_Finding("d", "info"))
    summary = summarize(load_fast(full_text), findings, today=D(2024, 11, 1))
    assert summary == PupilSummary(
        id="ll-q7m2xk4v9a",
        voornaam="Noor",
        tussenvoegsel="van der",
        achternaam="Verzonnen",
        groep=6,
        niveau=3,
        errors=1,
        warnings=2,
        volgende_evaluatie=D(2024, 11, 29),
        signalen=[],
        uitgeschreven=None,
    )
    assert summary.naam == "Noor van der Verzonnen"


def test_an_overdue_evaluation_is_signalled_only_when_today_is_known(full_text: str) -> None:
    data = load_fast(full_text)
    assert "evaluatie_verlopen" in summarize(data, [], today=D(2024, 12, 2)).signalen
    assert summarize(data, []).signalen == []


def test_the_current_level_is_the_latest_that_has_started() -> None:
    data = {
        "niveaus": [
            {"niveau": 1, "vanaf": D(2020, 1, 1)},
            {"niveau": 3, "vanaf": D(2024, 3, 1)},
            {"niveau": 2, "vanaf": D(2022, 1, 1)},
            {"niveau": 4, "vanaf": D(2025, 1, 1)},
        ]
    }
    assert summarize(data, [], today=D(2024, 6, 1)).niveau == 3
    assert summarize(data, []).niveau == 4
    assert summarize({}, []).niveau is None


def test_a_care_team_meeting_without_valid_consent_is_signalled() -> None:
    meeting = {"soort": "zorgteam", "datum": D(2024, 5, 1)}
    consent = {"voor": "zorgteam", "datum": D(2024, 4, 1), "schriftelijk": True}
    assert "toestemming_ontbreekt" in summarize({"besprekingen": [meeting]}, []).signalen
    data: dict[str, Any] = {"besprekingen": [meeting], "toestemmingen": [consent]}
    assert summarize(data, []).signalen == []
    data["toestemmingen"] = [{**consent, "ingetrokken": D(2024, 4, 20)}]
    assert "toestemming_ontbreekt" in summarize(data, []).signalen
    data["toestemmingen"] = [{**consent, "voor": "bot"}]
    assert "toestemming_ontbreekt" in summarize(data, []).signalen
    data = {"besprekingen": [{"soort": "leerlingbespreking", "datum": D(2024, 5, 1)}]}
    assert summarize(data, []).signalen == []


def test_leaving_pupils_get_okr_and_retention_signals() -> None:
    data: dict[str, Any] = {
        "inschrijving": {
            "uitgeschreven": D(2020, 7, 10),
            "toegelaten_vervolgschool": D(2020, 9, 1),
        },
        "okr": {"opgesteld": D(2020, 6, 1), "verzonden": None},
    }
    summary = summarize(data, [], today=D(2022, 9, 1))
    assert summary.signalen == ["bewaartermijn", "okr_open"]
    assert summary.uitgeschreven == D(2020, 7, 10)
    assert retention_ends(data) == {"administratie": D(2025, 7, 10), "okr": D(2022, 9, 1)}
    data["okr"]["verzonden"] = D(2020, 7, 1)
    assert summarize(data, [], today=D(2022, 8, 31)).signalen == []


def test_retention_of_a_leap_day() -> None:
    assert retention_ends({"inschrijving": {"uitgeschreven": D(2024, 2, 29)}}) == {
        "administratie": D(2029, 2, 28)
    }


def test_open_corrections_and_opp_are_signalled() -> None:
    data = {"correcties": [{"besluit": "open"}], "opp": {"opgesteld": D(2024, 1, 1)}}
    assert summarize(data, []).signalen == ["correctie_open", "opp"]
    assert set(SIGNALEN) >= {"correctie_open", "opp", "bewaartermijn", "evaluatie_verlopen"}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"leerling": "Noor", "niveaus": "drie", "plannen": [1, None, "x"]},
        {
            "leerling": {"groep": True, "id": 5},
            "besprekingen": [{"soort": "bot", "datum": "gisteren"}],
        },
        {"inschrijving": {"uitgeschreven": datetime.datetime(2020, 1, 1)}, "okr": []},
    ],
)
def test_summarize_never_raises_on_odd_shapes(data: dict[str, Any]) -> None:
    summary = summarize(data, [], today=D(2030, 1, 1))
    assert summary.groep is None
    assert isinstance(summary.id, str)
