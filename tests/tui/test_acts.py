"""The everyday acts change the dossier YAML by exactly one entry, keeping comments."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from dossier_format import codec, schema
from tui.acts import FormError, acts, apply_act, open_plans

TODAY = datetime.date(2026, 11, 20)
FIXTURE = Path(__file__).parent / "fixtures" / "dossier.yaml"


@pytest.fixture
def text() -> str:
    return FIXTURE.read_text()


def all_acts(text: str) -> dict:
    data = codec.load_fast(text)
    return acts(TODAY, "ib-jansen", [1, 2, 3, 4], open_plans(data))


def test_new_plan_is_appended_with_the_next_id_and_the_dossier_stays_valid(text: str) -> None:
    act = all_acts(text)["plan"]
    new = apply_act(
        text,
        act,
        {
            "soort": "handelingsplan",
            "niveau": "3",
            "hulpvraag": "Hoe leest Noor vlotter?",
            "doelen": "Tempo omhoog; Plezier in lezen",
            "start": "2026-11-23",
            "evaluatie_gepland": "2027-01-18",
        },
    )
    data = codec.load_fast(new)
    plan = data["plannen"][-1]
    assert plan["id"] == "pl-4"
    assert plan["niveau"] == 3
    assert plan["doelen"] == ["Tempo omhoog", "Plezier in lezen"]
    assert plan["start"] == datetime.date(2026, 11, 23)
    assert "# Zorgniveaus: het laatste item is het huidige niveau." in new
    assert schema.validate(data, text=new) == []
    # Only lines were added: the old text is a prefix of the new up to the plannen list end.
    assert len(new.splitlines()) > len(text.splitlines())


def test_evaluating_a_plan_fills_its_evaluatie(text: str) -> None:
    current = all_acts(text)
    assert current["evaluatie"].fields[0].choices == ("pl-3",)
    assert current["evaluatie"].fields[0].default == "pl-3"  # the only open plan
    new = apply_act(
        text,
        current["evaluatie"],
        {"plan": "pl-3", "datum": "2026-11-20", "uitkomst": "voldoende", "toelichting": "Op doel."},
    )
    plan = codec.load_fast(new)["plannen"][2]
    assert plan["evaluatie"] == {
        "datum": TODAY,
        "uitkomst": "voldoende",
        "toelichting": "Op doel.",
    }
    assert open_plans(codec.load_fast(new)) == {}


@pytest.mark.parametrize(
    ("act_id", "values", "key"),
    [
        ("bespreking", {"soort": "leerlingbespreking", "datum": "2026-11-20"}, "besprekingen"),
        (
            "gesprek",
            {"datum": "2026-11-20", "thema": "zorg", "onderwerp": "Voortgang"},
            "gesprekken",
        ),
        (
            "toestemming",
            {"voor": "bot", "datum": "2026-11-20", "schriftelijk": "ja"},
            "toestemmingen",
        ),
        ("niveau", {"niveau": "4", "vanaf": "2026-11-20", "reden": "Zorgteam"}, "niveaus"),
        ("toets", {"toets": "DMT", "datum": "2026-11-20", "niveau": "C"}, "toetsen"),
    ],
)
def test_each_act_adds_one_valid_entry(text: str, act_id: str, values: dict, key: str) -> None:
    before = codec.load_fast(text).get(key, [])
    new = apply_act(text, all_acts(text)[act_id], values)
    data = codec.load_fast(new)
    assert len(data[key]) == len(before) + 1
    assert schema.validate(data, text=new) == []


def test_a_missing_required_field_or_bad_date_is_refused(text: str) -> None:
    act = all_acts(text)["niveau"]
    with pytest.raises(FormError) as missing:
        apply_act(text, act, {"niveau": "2", "vanaf": "2026-11-20"})
    assert missing.value.field == "reden"
    with pytest.raises(FormError) as bad:
        apply_act(text, act, {"niveau": "2", "vanaf": "20-11-20266", "reden": "x"})
    assert (bad.value.field, bad.value.problem) == ("vanaf", "date")
    assert str(bad.value).startswith("'Geldt vanaf': '20-11-20266' is geen datum.")
    assert str(missing.value) == "Vul 'Reden' in."
    with pytest.raises(FormError):
        apply_act(text, act, {"niveau": "9", "vanaf": "2026-11-20", "reden": "x"})
