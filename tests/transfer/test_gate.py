"""The gate before an OKR leaves the school (003 §4.1, §4.2): pure checks on the dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

from transfer_kit import TODAY, dossier

from dossier_format import codec, okr


def _data(**changes: Any) -> dict[str, Any]:
    data = codec.load_fast(dossier())
    for path, value in changes.items():
        section, key = path.split("__")
        if value is None:
            data[section].pop(key, None)
        else:
            data[section][key] = value
    return data


def _rules(data: dict[str, Any], today: dt.date = TODAY) -> dict[str, str]:
    return {f.rule: f.severity for f in okr.gate(data, today)}


def test_ready_dossier_passes_the_gate() -> None:
    assert okr.errors(okr.gate(_data(), TODAY)) == []


def test_each_missing_condition_is_an_error_with_its_source() -> None:
    cases = {
        "inschrijving__uitgeschreven": "overdracht.uitschrijving",
        "inschrijving__vervolgschool": "overdracht.vervolgschool",
        "okr__inzage_ouders": "overdracht.inzage_ouders",
        "okr__ouders_geinformeerd_verzending": "overdracht.informatieplicht",
        "okr__opgesteld": "overdracht.okr_compleet",
    }
    for path, rule in cases.items():
        findings = okr.gate(_data(**{path: None}), TODAY)
        hits = [f for f in findings if f.rule == rule]
        assert hits and hits[0].severity == "error", path
        expected = "003 §4.2" if rule == "overdracht.informatieplicht" else "003 §4.1"
        assert hits[0].source == expected


def test_future_dates_do_not_count_as_done() -> None:
    later = TODAY + dt.timedelta(days=1)
    rules = _rules(_data(okr__inzage_ouders=later, inschrijving__uitgeschreven=later))
    assert rules["overdracht.inzage_ouders"] == "error"
    assert rules["overdracht.uitschrijving"] == "error"


def test_disagreeing_parents_need_their_zienswijze() -> None:
    data = _data(okr__ouders_akkoord=False)
    assert _rules(data)["overdracht.akkoord_ouders"] == "error"
    data["okr"]["opmerkingen_ouders"] = "Wij zien het lezen positiever."
    assert "overdracht.akkoord_ouders" not in _rules(data)
    data = _data(okr__ouders_akkoord=False)
    data["zienswijzen"] = [
        {"id": "zw-1", "datum": TODAY, "onderdeel": "okr", "tekst": "Onze kijk."}
    ]
    assert "overdracht.akkoord_ouders" not in _rules(data)
    data["zienswijzen"][0]["onderdeel"] = "pl-1"
    assert _rules(data)["overdracht.akkoord_ouders"] == "error"


def test_missing_okr_and_odd_shapes_never_raise() -> None:
    data = _data()
    del data["okr"]
    assert _rules(data)["overdracht.okr_ontbreekt"] == "error"
    assert okr.errors(okr.gate({"okr": "tekst", "inschrijving": [1]}, TODAY))
    assert okr.errors(okr.gate({}, TODAY))


def test_copy_for_parents_is_a_warning_and_earlier_sending_is_info() -> None:
    data = _data(okr__afschrift_ouders=None)
    data["okr"]["verzonden"] = dt.date(2025, 6, 15)
    rules = _rules(data)
    assert rules["overdracht.afschrift"] == "warning"
    assert rules["overdracht.al_verzonden"] == "info"
    assert okr.errors(okr.gate(data, TODAY)) == []


def test_okr_html_escapes_and_leaves_out_werkaantekeningen() -> None:
    data = codec.load_fast(dossier())
    page = okr.render_html(data, school="School <A>", made_on=TODAY)
    assert "Technisch lezen &lt;b&gt;tempo&lt;/b&gt; &amp; rust." in page
    assert "<b>tempo" not in page
    assert "School &lt;A&gt;" in page
    assert "GEHEIME-WERKAANTEKENING" not in page
    assert "Onderwijskundig rapport — Noor Verzonnen" in page


def test_okr_pdf_is_a_reproducible_pdf() -> None:
    data = codec.load_fast(dossier())
    first = okr.render_pdf(data, school="School A", made_on=TODAY)
    assert first.startswith(b"%PDF-")
    assert first == okr.render_pdf(data, school="School A", made_on=TODAY)
