"""Correction requests (one-month answer deadline) and zienswijzen as round-trip YAML edits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dossier_format import codec, schema
from vault.errors import InvalidInputError
from vault.rights import (
    add_correction_request,
    add_zienswijze,
    answer_due,
    corrections,
    decide_correction,
    output_format,
    parents_view,
)

D = dt.date

DOSSIER = """formaat: zorgkluis-dossier/1
leerling:
  id: ll-k3v9q2m7xa
  voornaam: Noor  # roepnaam
  achternaam: Verzonnen
  geboortedatum: 2016-05-04
  groep: 5
inschrijving:
  ingeschreven: 2020-08-24
route: '003'
okr:
  opgesteld: 2026-06-01
  schooladvies: vmbo-t
werkaantekeningen:
  - id: wa-1
    auteur: lk-els
    datum: 2025-01-10
    tekst: Geheime notitie.
"""


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        (D(2026, 1, 31), D(2026, 2, 28)),
        (D(2028, 1, 31), D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2026, 12, 15), D(2027, 1, 15)),
        (D(2026, 2, 28), D(2026, 3, 28)),
    ],
)
def test_answer_due_is_one_calendar_month(requested: dt.date, due: dt.date) -> None:
    assert answer_due(requested) == due


def test_request_is_flagged_only_after_the_month_and_only_while_open() -> None:
    text, cid = add_correction_request(DOSSIER, "groep: het is groep 6", D(2026, 1, 31))
    assert cid == "cr-1"
    on_time = corrections(codec.load_fast(text), D(2026, 2, 28))
    assert [(c.id, c.besluit, c.uiterlijk, c.te_laat) for c in on_time] == [
        ("cr-1", "open", D(2026, 2, 28), False)
    ]
    assert corrections(codec.load_fast(text), D(2026, 3, 1))[0].te_laat
    refused = decide_correction(text, "cr-1", "afgewezen", D(2026, 3, 5), "Klopt volgens LVS.")
    late_but_answered = corrections(codec.load_fast(refused), D(2026, 4, 1))[0]
    assert late_but_answered.besluit == "afgewezen" and not late_but_answered.te_laat
    assert late_but_answered.reden == "Klopt volgens LVS."


def test_edits_keep_comments_order_and_validate() -> None:
    text, _ = add_correction_request(DOSSIER, "geboortedatum", D(2026, 2, 1))
    text, zid = add_zienswijze(text, "okr", "Wij zien meer in havo.", D(2026, 2, 3), "beide ouders")
    assert zid == "zw-1"
    assert "voornaam: Noor  # roepnaam" in text
    keys = list(codec.load(text))
    assert keys[-3:] == ["zienswijzen", "correcties", "werkaantekeningen"]
    assert schema.validate(codec.load_fast(text), text=text) == []
    again, second = add_correction_request(text, "okr.schooladvies", D(2026, 2, 4))
    assert second == "cr-2"
    assert [c.id for c in corrections(codec.load_fast(again), D(2026, 2, 4))] == ["cr-1", "cr-2"]


def test_refusal_needs_a_reason_and_decisions_are_final() -> None:
    text, cid = add_correction_request(DOSSIER, "groep", D(2026, 2, 1))
    with pytest.raises(InvalidInputError, match="reden"):
        decide_correction(text, cid, "afgewezen", D(2026, 2, 2), "  ")
    with pytest.raises(InvalidInputError, match="Onbekend besluit"):
        decide_correction(text, cid, "misschien", D(2026, 2, 2))
    with pytest.raises(InvalidInputError, match="cr-9"):
        decide_correction(text, "cr-9", "toegekend", D(2026, 2, 2))
    granted = decide_correction(text, cid, "toegekend", D(2026, 2, 2))
    row = codec.load_fast(granted)["correcties"][0]
    assert row["besluit"] == "toegekend" and row["besluit_datum"] == D(2026, 2, 2)
    with pytest.raises(InvalidInputError, match="al besloten"):
        decide_correction(granted, cid, "afgewezen", D(2026, 2, 3), "toch niet")


def test_zienswijze_must_name_something_in_the_dossier() -> None:
    with pytest.raises(InvalidInputError, match="geen onderdeel"):
        add_zienswijze(DOSSIER, "opp", "tekst", D(2026, 2, 1))
    text, _ = add_zienswijze(DOSSIER, "wa-1", "over een id", D(2026, 2, 1))
    assert codec.load_fast(text)["zienswijzen"][0]["onderdeel"] == "wa-1"
    with pytest.raises(InvalidInputError, match="leeg"):
        add_zienswijze(DOSSIER, "okr", " ", D(2026, 2, 1))


def test_odd_correction_rows_never_raise() -> None:
    data = {"correcties": [1, {"id": "cr-1"}, {"id": "cr-2", "verzoek_datum": "gisteren"}]}
    assert corrections(data, D(2026, 1, 1)) == []
    assert corrections({"correcties": "x"}, D(2026, 1, 1)) == []


def test_parents_view_has_no_werkaantekeningen() -> None:
    view = parents_view(DOSSIER)
    assert "werkaantekeningen" not in view and view["okr"]["schooladvies"] == "vmbo-t"


def test_output_format_from_extension() -> None:
    assert output_format(Path("kopie.HTML")) == "html"
    assert output_format(Path("kopie.pdf")) == "pdf"
    with pytest.raises(InvalidInputError, match=r"\.docx"):
        output_format(Path("kopie.docx"))
