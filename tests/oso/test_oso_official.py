"""The official OSO 2019.1 files: our validation harness against the official examples, and
import + re-export of every official example without losing data."""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any

import pytest
from lxml import etree
from oso_data import EXAMPLES, example_bytes, needs_standards

from dossier_format import schema
from dossier_format.oso import (
    Adres,
    SchoolInfo,
    from_oso,
    receive,
    to_oso,
    validate,
    validate_xsd,
    validate_xslt,
)

pytestmark = needs_standards

MODELLED = ("leerling", "inschrijving", "toetsen", "verklaringen", "opp")


def test_all_eight_official_examples_are_present() -> None:
    assert len(EXAMPLES) == 8


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_example_passes_xsd_and_xslt(name: str) -> None:
    xml = example_bytes(name)
    assert validate_xsd(xml) == []
    assert validate_xslt(xml) == []


def _replace(xml: bytes, old: bytes, new: bytes) -> bytes:
    assert old in xml
    return xml.replace(old, new, 1)


def test_harness_reports_xslt_fout_with_location() -> None:
    xml = _replace(
        example_bytes("Voorbeelddossier_OV_POPO_full.xml"),
        b"<validatieversie>2019.1.1</validatieversie>",
        b"<validatieversie>2018.1.1</validatieversie>",
    )
    meldingen = validate_xslt(xml)
    assert [(m.niveau, m.locatie) for m in meldingen] == [("Fout", "/dossier[1]/metadata[1]")]
    assert "validatieversie" in meldingen[0].tekst
    assert meldingen[0].is_fout


def test_harness_reports_povo_rules() -> None:
    xml = _replace(
        example_bytes("Voorbeelddossier_OV_POVO_full.xml"),
        b"<leerlingid>LN094837</leerlingid>",
        b"",
    )
    teksten = [m.tekst for m in validate_xslt(xml)]
    assert teksten == [
        "De code van de leerling in de schooladministratie is verplicht in een "
        "POVO-overstapdossier."
    ]


def test_official_xslt_never_reaches_rules_below_leerling() -> None:
    """Known limitation of the official 2019.1 XSLT: its <leerling> template does not apply
    templates to its children, so the rules on overstapadvies (OVa.OA02-05), verzorger,
    eindtoets, toets and score never fire. Documented here so a fix upstream shows up."""
    xml = _replace(example_bytes("Voorbeelddossier_OV_POVO_full.xml"), b"<advies>40</advies>", b"")
    assert validate_xslt(xml) == []


def test_harness_reports_xsd_errors_with_line() -> None:
    xml = _replace(
        example_bytes("Voorbeelddossier_OV_POPO_opt_out.xml"),
        b"<geboortedatum>2003-03-17</geboortedatum>",
        b"<geboortedatum>17-03-2003</geboortedatum>",
    )
    errors = validate_xsd(xml)
    assert len(errors) == 1
    assert errors[0].startswith("regel ")
    assert "geboortedatum" in errors[0]


def test_validate_combines_xsd_then_xslt_for_the_user() -> None:
    good = example_bytes("Voorbeelddossier_OV_POPO_opt_out.xml")
    assert validate(good) == []
    bad_xsd = _replace(good, b"<geslacht>2</geslacht>", b"<geslacht>twee</geslacht>")
    problems = validate(bad_xsd)
    assert len(problems) == 1
    assert problems[0].startswith("XSD regel ")
    assert "{http" not in problems[0]  # namespace noise removed
    bad_rule = _replace(
        good,
        b"<adresgeheim>false</adresgeheim>",
        b"",
    )
    assert validate(bad_rule) == [
        "Fout in /dossier[1]/huidigeschool[1]/leerling[1]: In een overstapdossier is de "
        "indicatie 'adres geheim' verplicht bij een leerling."
    ]


def test_xslt_dynamic_error_becomes_a_fout() -> None:
    xml = _replace(
        example_bytes("Voorbeelddossier_OV_POPO_opt_out.xml"),
        b"<inzage>true</inzage>",
        b"<inzage>misschien</inzage>",
    )
    meldingen = validate_xslt(xml)
    assert meldingen and all(m.is_fout for m in meldingen)


def test_validators_accept_an_explicit_standards_dir(tmp_path: Any) -> None:
    from dossier_format.oso import StandardsNotFoundError
    from dossier_format.oso_validate import default_standards_dir

    xml = example_bytes("Voorbeelddossier_OV_BB_opt_out.xml")
    assert validate_xsd(xml, default_standards_dir()) == []
    with pytest.raises(StandardsNotFoundError):
        validate_xsd(xml, tmp_path)
    with pytest.raises(StandardsNotFoundError):
        validate_xslt(xml, tmp_path)


@pytest.mark.parametrize("name", EXAMPLES)
def test_official_example_imports(name: str) -> None:
    data = from_oso(example_bytes(name))
    assert data["formaat"] == "zorgkluis-dossier/1"
    assert data["leerling"]["tussenvoegsel"] == "van de"
    assert data["leerling"]["achternaam"] == "Berg"
    assert data["leerling"]["geboortedatum"] == dt.date(2003, 3, 17)
    assert data["leerling"]["id"].startswith("ll-")  # opaque, never the sender's key
    assert data["inschrijving"] == {
        "ingeschreven": dt.date(2005, 1, 4),
        "uitgeschreven": dt.date(2016, 7, 31),
    }
    herkomst = data["x_oso"]["herkomst"]
    assert herkomst["school"]["brincode"] == "00YY"
    assert herkomst["leerlingid"] == "LN094837"


def test_popo_full_example_maps_the_modelled_fields() -> None:
    data = from_oso(example_bytes("Voorbeelddossier_OV_POPO_full.xml"), pupil_id="ll-test00001")
    assert data["leerling"] == {
        "id": "ll-test00001",
        "voornaam": "Daan",
        "tussenvoegsel": "van de",
        "achternaam": "Berg",
        "geboortedatum": dt.date(2003, 3, 17),
        "groep": 8,
        "stamgroep": "groep 8",
    }
    assert data["opp"] == {"opgesteld": dt.date(2015, 5, 4)}
    assert "plannen" not in data  # the sender's periods stay in x_oso (module docstring)
    assert "verklaringen" not in data  # its diagnoses are not dyslexie/dyscalculie
    assert [t["id"] for t in data["toetsen"]] == ["tt-1", "tt-2", "tt-3", "tt-4", "tt-5"]
    assert data["toetsen"][2] == {
        "id": "tt-3",
        "toets": "Rekenen-Wiskunde 2006 ( jaar van uitgave groep 3/4)",
        "datum": dt.date(2015, 10, 23),
        "score": 90,
        "niveau": "B",
        "dle": 40,
    }
    oso = data["x_oso"]
    assert oso["leerling"]["bsn"] == "297816238"
    steun = oso["leerling"]["onderwijsondersteuning"]
    assert [d["code"] for d in steun["diagnose"]] == [["H91.9.s", "H54.2"], "F90.0+"]
    assert steun["handelingsplan"]["isgerichtop"] == "rekenvaardigheid"
    assert oso["opp"]["opp_einddatum"] == "2016-05-04"
    # the moment "B8-digi S(B)O" is no Zorgkluis moment: it stays an OSO toetsversie
    assert oso["toetsen"][2]["toetsidentificatie"]["toetsversie"] == "B8-digi S(B)O"
    assert "overstapadvies" not in oso["leerling"]  # the sender's advice: herkomst only
    assert oso["herkomst"]["overstapadvies"]["advies"] == "40"
    # the parents did not agree with the content; their reason becomes their zienswijze
    assert data["zienswijzen"] == [
        {
            "id": "zw-1",
            "datum": dt.date(2016, 3, 31),
            "namens": "ouders/verzorgers",
            "onderdeel": "overstapdossier",
            "tekst": "Teveel zorggegevens in het dossier",
        }
    ]


@pytest.mark.parametrize("name", [n for n in EXAMPLES if "VOVO" not in n])
def test_received_example_is_a_valid_zorgkluis_dossier(name: str) -> None:
    data = receive(from_oso(example_bytes(name)), route="003", ingeschreven=dt.date(2016, 8, 22))
    assert data["inschrijving"] == {
        "ingeschreven": dt.date(2016, 8, 22),
        "vorige_school": "Testschool",
    }
    assert data["x_oso"]["herkomst"]["inschrijving"]["uitgeschreven"] == dt.date(2016, 7, 31)
    assert list(data)[:4] == ["formaat", "leerling", "inschrijving", "route"]
    assert list(data)[-1] == "x_oso"
    # the binnen-BRIN opt-out example leaves out the schoolloopbaan, so the groep is unknown
    missing = ["<dossier>: Verplichte sleutel 'groep' ontbreekt in 'leerling'."]
    assert [str(e) for e in schema.validate(data)] == (missing if "BB_opt_out" in name else [])


def _example_export(name: str, *, confirm: bool) -> tuple[dict[str, Any], bytes]:
    """Import an example and export it again as the same school, on the same date."""
    data = from_oso(example_bytes(name), pupil_id="LN094837")  # the same school's own key
    herkomst = data["x_oso"]["herkomst"]
    if confirm:  # the exporting school states inzage and advice for this transfer
        for key in ("inzage", "overstapadvies"):
            if key in herkomst:
                data["x_oso"][key] = herkomst[key]
    school = herkomst["school"]
    sender = SchoolInfo(
        naam=school["naam"],
        brin=school["brincode"],
        vestiging=school["vestigingscode"],
        adres=Adres(straat="Langestraat", nummer="66", postcode="1811JJ", plaats="Alkmaar"),
        telefoon="0701111111",
    )
    overstap = herkomst["metadata"]["overstap"]
    profile = "PO-VO" if overstap in ("POVO", "VOVO") else "PO-PO"
    created = dt.datetime.fromisoformat(herkomst["metadata"]["datum"])
    return data, to_oso(data, profile=profile, sender=sender, receiver=None, created=created)


@pytest.mark.parametrize("name", EXAMPLES)
def test_export_of_import_keeps_every_modelled_field(name: str) -> None:
    data, xml = _example_export(name, confirm=False)
    assert validate_xsd(xml) == []
    again = from_oso(xml, pupil_id="LN094837")
    for key in MODELLED:
        assert again.get(key) == data.get(key), key
    # without the exporting school's own inzage/advice the official rules say so, and only that
    teksten = {m.tekst for m in validate_xslt(xml)}
    assert "Een overstapdossier moet het gegevensblok 'Inzage' bevatten." in teksten


def _leaves(xml: bytes) -> collections.Counter[tuple[str, str, tuple[tuple[str, str], ...]]]:
    root = etree.fromstring(xml)
    leerling = root.find(".//{*}huidigeschool/{*}leerling")
    assert leerling is not None
    out: collections.Counter[tuple[str, str, tuple[tuple[str, str], ...]]] = collections.Counter()
    for el in leerling.iter("{*}*"):
        if len(el) == 0:
            path = "/".join(etree.QName(a).localname for a in reversed(list(el.iterancestors())))
            attrs = tuple(sorted((str(k), str(v)) for k, v in el.attrib.items()))
            out[(f"{path}/{etree.QName(el).localname}", (el.text or "").strip(), attrs)] += 1
    return out


@pytest.mark.parametrize(
    "name", [n for n in EXAMPLES if "BB_opt_out" not in n and "VOVO_full" not in n]
)
def test_export_of_import_keeps_every_pupil_element_and_passes_the_rules(name: str) -> None:
    _, xml = _example_export(name, confirm=True)
    assert validate_xsd(xml) == []
    assert validate_xslt(xml) == []
    assert _leaves(xml) == _leaves(example_bytes(name))


def test_vovo_example_as_povo_loses_only_the_forbidden_vo_mbo_category() -> None:
    _, xml = _example_export("Voorbeelddossier_OV_VOVO_full.xml", confirm=True)
    assert validate_xslt(xml) == []
    lost = _leaves(example_bytes("Voorbeelddossier_OV_VOVO_full.xml")) - _leaves(xml)
    vombo = {"bevorderd", "examenresultaat", "resultaatvakkenvo", "certificaat",
             "competenties", "stage", "overigvombo"}  # fmt: skip
    assert lost
    assert {path.split("/")[3] for path, _, _ in lost} <= vombo
    assert not _leaves(xml) - _leaves(example_bytes("Voorbeelddossier_OV_VOVO_full.xml"))


def test_binnen_brin_opt_out_example_lacks_what_an_overstapdossier_requires() -> None:
    """The BB profile may opt out of verzorgers and schoolloopbaan; PO-PO may not."""
    _, xml = _example_export("Voorbeelddossier_OV_BB_opt_out.xml", confirm=True)
    assert validate_xsd(xml) == []
    teksten = {m.tekst for m in validate_xslt(xml)}
    assert "Minimaal één schoolloopbaan is verplicht bij een leerling in een overstapdossier." in (
        teksten
    )
    assert _leaves(xml) == _leaves(example_bytes("Voorbeelddossier_OV_BB_opt_out.xml"))
