"""Export of fictional Zorgkluis dossiers to OSO: valid against the official XSD and XSLT for
PO-PO and PO-VO, and faithful to the modelled fields."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from oso_data import (
    CREATED,
    RECEIVER_PO,
    RECEIVER_VO,
    SENDER,
    needs_standards,
    popo_dossier,
)

from dossier_format import oso
from dossier_format.oso import OsoError, SchoolInfo, from_oso, to_oso, validate_xsd, validate_xslt

NS = {"o": oso.OSO_NS}


def _popo_xml(data: dict[str, Any]) -> bytes:
    return to_oso(data, profile="PO-PO", sender=SENDER, receiver=RECEIVER_PO, created=CREATED)


def _povo_xml(data: dict[str, Any]) -> bytes:
    return to_oso(data, profile="PO-VO", sender=SENDER, receiver=RECEIVER_VO, created=CREATED)


@needs_standards
def test_popo_export_passes_official_xsd_and_rules(popo: dict[str, Any]) -> None:
    xml = _popo_xml(popo)
    assert validate_xsd(xml) == []
    assert validate_xslt(xml) == []


@needs_standards
def test_povo_export_passes_official_xsd_and_rules(povo: dict[str, Any]) -> None:
    xml = _povo_xml(povo)
    assert validate_xsd(xml) == []
    assert validate_xslt(xml) == []


def test_export_is_deterministic(popo: dict[str, Any]) -> None:
    assert _popo_xml(popo) == _popo_xml(popo)


def test_export_header_and_profile(popo: dict[str, Any], povo: dict[str, Any]) -> None:
    root = etree.fromstring(_popo_xml(popo))
    assert root.findtext("o:metadata/o:overstap", namespaces=NS) == "POPO"
    assert root.findtext("o:metadata/o:datum", namespaces=NS) == "2025-03-28"
    assert root.findtext("o:metadata/o:standaardversie", namespaces=NS) == "2019.1"
    assert root.findtext("o:overdrachtsoort", namespaces=NS) == "overstapdossier"
    assert root.findtext("o:huidigeschool/o:brincode", namespaces=NS) == "99ZZ"
    cats = root.find("o:metadata/o:categorie_uitlevering", namespaces=NS)
    assert cats is not None
    assert cats.findtext("o:cat_vve", namespaces=NS) == "OPTIONEEL"
    povo_root = etree.fromstring(_povo_xml(povo))
    assert povo_root.findtext("o:metadata/o:overstap", namespaces=NS) == "POVO"
    assert povo_root.findtext(".//o:cat_vve", namespaces=NS) == "VERBODEN"


def test_modelled_fields_survive_export_and_import(popo: dict[str, Any]) -> None:
    again = from_oso(_popo_xml(popo), pupil_id=popo["leerling"]["id"])
    assert again["leerling"] == popo["leerling"]
    assert again["inschrijving"] == {
        "ingeschreven": popo["inschrijving"]["ingeschreven"],
        "uitgeschreven": popo["inschrijving"]["uitgeschreven"],
    }
    # a toets' soort and voldoende have no place in OSO
    assert again["toetsen"] == [
        {k: v for k, v in t.items() if k not in ("soort", "voldoende")} for t in popo["toetsen"]
    ]
    assert again["verklaringen"] == popo["verklaringen"]
    assert again["x_oso"]["leerling"]["onderwijsnummer"] == "ONDERWIJSNUMMER-TEST-1"
    assert again["x_oso"]["herkomst"]["leerlingid"] == popo["leerling"]["id"]


def test_plans_become_handelingsplannen(popo: dict[str, Any]) -> None:
    root = etree.fromstring(_popo_xml(popo))
    plans = root.findall(".//o:onderwijsondersteuning/o:handelingsplan", namespaces=NS)
    # einddatum carries the actual evaluation date when there is one, else the planned one
    assert [
        (p.findtext("o:startdatum", namespaces=NS), p.findtext("o:einddatum", namespaces=NS),
         p.findtext("o:isgerichtop", namespaces=NS))
        for p in plans
    ] == [
        ("2024-09-23", "2024-11-20", "technisch lezen"),
        ("2024-11-25", "2025-02-03", "technisch lezen"),
    ]  # fmt: skip


def test_okr_gives_inzage_and_aandachtspunten(popo: dict[str, Any]) -> None:
    root = etree.fromstring(_popo_xml(popo))
    assert root.findtext("o:inzage/o:inzagedatum", namespaces=NS) == "2025-03-20"
    assert root.findtext("o:inzage/o:akkoord", namespaces=NS) == "Ja"
    assert root.findtext("o:inzage/o:toestemming", namespaces=NS) == "Ja"
    advies = root.find(".//o:leerling/o:overstapadvies", namespaces=NS)
    assert advies is not None
    assert advies.findtext("o:aandachtspunten", namespaces=NS) == (
        "Leest hardop liever niet voor de groep; Dyslexiepas: extra tijd"
    )
    assert advies.findtext("o:contactnodig", namespaces=NS) == "true"  # from x_oso


def test_parents_disagreeing_is_exported_with_their_reason(popo: dict[str, Any]) -> None:
    popo["okr"]["ouders_akkoord"] = False
    popo["okr"]["opmerkingen_ouders"] = "Wij herkennen ons kind niet in paragraaf 2."
    root = etree.fromstring(_popo_xml(popo))
    assert root.findtext("o:inzage/o:akkoord", namespaces=NS) == "Nee"
    assert root.findtext("o:inzage/o:redennietakkoord", namespaces=NS) == (
        "Wij herkennen ons kind niet in paragraaf 2."
    )


@needs_standards
def test_parents_zienswijze_on_the_okr_is_their_reason_not_to_agree(popo: dict[str, Any]) -> None:
    # the parents consented to the transfer but disagree with the content: their view is a
    # zienswijze about the OKR (003 §4.1), not okr.opmerkingen_ouders
    popo["zienswijzen"] = [
        {"id": "zw-1", "datum": dt.date(2025, 3, 20), "namens": "moeder", "onderdeel": "okr",
         "tekst": "Het rapport is te somber over het lezen."},
        {"id": "zw-2", "datum": dt.date(2025, 3, 21), "onderdeel": "pl-1",
         "tekst": "Over het plan, niet over het rapport."},
    ]  # fmt: skip
    xml = _popo_xml(popo)
    assert validate_xsd(xml) == []
    assert validate_xslt(xml) == []
    root = etree.fromstring(xml)
    assert root.findtext("o:inzage/o:akkoord", namespaces=NS) == "Nee"
    assert root.findtext("o:inzage/o:toestemming", namespaces=NS) == "Ja"
    reden = "Zienswijze van moeder (2025-03-20): Het rapport is te somber over het lezen."
    assert root.findtext("o:inzage/o:redennietakkoord", namespaces=NS) == reden
    back = from_oso(xml)
    assert back["zienswijzen"] == [
        {"id": "zw-1", "datum": dt.date(2025, 3, 20), "namens": "ouders/verzorgers",
         "onderdeel": "overstapdossier", "tekst": reden},
    ]  # fmt: skip
    # remarks in the OKR and a zienswijze both go, one paragraph each
    popo["okr"]["opmerkingen_ouders"] = "Zie onze brief."
    root = etree.fromstring(_popo_xml(popo))
    assert root.findtext("o:inzage/o:redennietakkoord", namespaces=NS) == (
        "Zie onze brief.\n\n" + reden
    )


def test_imported_view_is_not_this_transfers_disagreement(popo: dict[str, Any]) -> None:
    # a view read from an earlier school's file is about that file: exporting the pupil again
    # does not present it as the parents' view on this school's OKR
    popo["zienswijzen"] = [
        {"id": "zw-1", "datum": dt.date(2016, 3, 31), "namens": "ouders/verzorgers",
         "onderdeel": "overstapdossier", "tekst": "Teveel zorggegevens in het dossier"},
    ]  # fmt: skip
    root = etree.fromstring(_popo_xml(popo))
    assert root.findtext("o:inzage/o:akkoord", namespaces=NS) == "Ja"
    assert root.find("o:inzage/o:redennietakkoord", namespaces=NS) is None


def test_long_aandachtspunten_go_to_argumentatie(povo: dict[str, Any]) -> None:
    povo["okr"]["aandachtspunten"] = ["x" * 200, "y" * 100]
    root = etree.fromstring(_povo_xml(povo))
    advies = root.find(".//o:leerling/o:overstapadvies", namespaces=NS)
    assert advies is not None
    assert advies.find("o:aandachtspunten", namespaces=NS) is None
    assert advies.findtext("o:argumentatie", namespaces=NS) == (
        "Schooladvies: vmbo-kader/vmbo-gt\nAandachtspunten: " + "x" * 200 + "; " + "y" * 100
    )


def test_plan_travels_whole_as_yaml_attachment(popo: dict[str, Any]) -> None:
    root = etree.fromstring(_popo_xml(popo))
    plans = root.findall(".//o:onderwijsondersteuning/o:handelingsplan", namespaces=NS)
    assert len(plans) == 2
    inhoud = plans[0].findtext("o:document/o:bestandsinhoud", namespaces=NS)
    assert plans[0].findtext("o:document/o:bestandsnaam", namespaces=NS) == "plan-pl-1.txt"
    assert inhoud
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(inhoud))) as zf:
        assert zf.namelist() == ["plan-pl-1.txt"]
        text = zf.read("plan-pl-1.txt").decode("utf-8")
    assert yaml.safe_load(text) == popo["plannen"][0]


def test_povo_export_drops_toetsen_older_than_two_school_years(povo: dict[str, Any]) -> None:
    again = from_oso(_povo_xml(povo))
    assert [t["toets"] for t in again["toetsen"]] == [
        "DMT", "Cito Rekenen-Wiskunde", "AVI", "Cito Spelling"
    ]  # fmt: skip
    popo_again = from_oso(
        to_oso(povo, profile="PO-PO", sender=SENDER, receiver=RECEIVER_PO, created=CREATED)
    )
    assert "Cito Begrijpend lezen" in [t["toets"] for t in popo_again["toetsen"]]


def test_opp_is_exported(povo: dict[str, Any]) -> None:
    root = etree.fromstring(_povo_xml(povo))
    opp = root.find(".//o:onderwijsondersteuning/o:opp", namespaces=NS)
    assert opp is not None
    assert opp.findtext("o:opp_ingangdatum", namespaces=NS) == "2024-01-15"
    assert opp.findtext("o:document/o:bestandsnaam", namespaces=NS) == "opp.txt"
    assert from_oso(_povo_xml(povo))["opp"] == {"opgesteld": dt.date(2024, 1, 15)}


def test_never_exported(popo: dict[str, Any]) -> None:
    xml = _popo_xml(popo)
    for secret in (b"WERKAANTEKENING-GEHEIM", b"lk-jansen", b"groepsbespreking", b"E-scores"):
        assert secret not in xml


@needs_standards
def test_dossier_without_passthrough_is_xsd_valid_and_rules_say_what_is_missing(
    popo: dict[str, Any],
) -> None:
    """Exactly the LAS data Zorgkluis does not hold: address, BSN, verzorgers."""
    del popo["x_oso"]
    xml = _popo_xml(popo)
    assert validate_xsd(xml) == []
    assert [m.tekst for m in validate_xslt(xml)] == [
        'Een dossier moet gegevens uit de categorie "Ouders/Verzorgers" bevatten wanneer deze '
        "categorie verplicht is.",
        "In een overstapdossier is de indicatie 'adres geheim' verplicht bij een leerling.",
        "Minimaal één Nederlands of buitenlands adres is verplicht bij een leerling waarvan het "
        "adres niet geheim is.",
        "BSN of onderwijsnummer is verplicht bij een leerling in een overstapdossier.",
        "De aanduiding of verzorgers wel of niet aansprakelijk zijn is verplicht in een "
        "overstapdossier.",
        "Aansprakelijke instelling is verplicht in een POPO-overstapdossier als de verzorgers "
        "niet aansprakelijk zijn.",
    ]


@needs_standards
def test_without_okr_inzage_the_rules_ask_for_it(popo: dict[str, Any]) -> None:
    del popo["okr"]
    teksten = {m.tekst for m in validate_xslt(_popo_xml(popo))}
    assert "Een overstapdossier moet het gegevensblok 'Inzage' bevatten." in teksten


def test_parents_opt_out_leaves_the_category_out(popo: dict[str, Any]) -> None:
    popo["x_oso"]["categorie_uitlevering"] = {
        "cat_toetsresultaten": "OPT-UIT",
        "cat_handelingsplannen": "OPT-UIT",
    }
    xml = _popo_xml(popo)
    root = etree.fromstring(xml)
    assert root.find(".//o:toetslijst", namespaces=NS) is None
    assert root.find(".//o:handelingsplan", namespaces=NS) is None
    assert root.find(".//o:diagnose", namespaces=NS) is not None  # other category
    assert root.findtext(".//o:cat_toetsresultaten", namespaces=NS) == "OPT-UIT"


@needs_standards
def test_parents_opt_out_passes_the_official_rules(popo: dict[str, Any]) -> None:
    popo["x_oso"]["categorie_uitlevering"] = {"cat_toetsresultaten": "OPT-UIT"}
    xml = _popo_xml(popo)
    assert validate_xsd(xml) == []
    assert validate_xslt(xml) == []


def test_a_required_category_cannot_be_opted_out(popo: dict[str, Any]) -> None:
    popo["x_oso"]["categorie_uitlevering"] = {"cat_schoolloopbaan": "OPT-UIT"}
    with pytest.raises(OsoError, match="cat_schoolloopbaan"):
        _popo_xml(popo)


def test_current_school_year_entry_is_added_after_history(popo: dict[str, Any]) -> None:
    popo["x_oso"]["leerling"]["schoolloopbaanlijst"] = {
        "schoolloopbaan": {
            "schooljaar": "2023-2024",
            "groepscode": "5a",
            "jaargroep": "5",
            "brincode": "96WW",
            "vestigingscode": "00",
        }
    }
    root = etree.fromstring(_popo_xml(popo))
    entries = root.findall(".//o:schoolloopbaan", namespaces=NS)
    assert [(e.findtext("o:schooljaar", namespaces=NS), e.findtext("o:jaargroep", namespaces=NS))
            for e in entries] == [("2023-2024", "5"), ("2024-2025", "6")]  # fmt: skip
    assert entries[1].findtext("o:groepsnaam", namespaces=NS) == "Zeesterren"
    assert entries[1].findtext("o:brincode", namespaces=NS) == "99ZZ"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["leerling"].pop("achternaam"), "achternaam"),
        (lambda d: d["plannen"][0].pop("start"), r"plannen\[0\]\.start"),
        (lambda d: d["opp"].pop("opgesteld"), "opp.opgesteld"),
        (lambda d: d["toetsen"][1].update(niveau="F"), r"toetsen\[1\]\.niveau"),
        (lambda d: d["toetsen"][0].update(datum="gisteren"), r"toetsen\[0\]\.datum"),
        (lambda d: d["leerling"].update(groep=9), "leerling.groep"),
        (lambda d: d["verklaringen"][0].update(soort="adhd"), r"verklaringen\[0\]\.soort"),
        (lambda d: d["x_oso"]["leerling"].update(adreslijst=object()), "x_oso"),
        (lambda d: d.update(toetsen="DMT"), "toetsen"),
    ],
)
def test_bad_dossier_data_is_refused_with_its_path(
    povo: dict[str, Any], change: Any, message: str
) -> None:
    change(povo)
    with pytest.raises(OsoError, match=message) as exc:
        _povo_xml(povo)
    assert str(exc.value).startswith("<dossier>: ")


def test_bad_arguments_are_refused(popo: dict[str, Any]) -> None:
    with pytest.raises(OsoError, match="profiel"):
        to_oso(popo, profile="VO-VO", sender=SENDER, receiver=None, created=CREATED)  # type: ignore[arg-type]
    with pytest.raises(OsoError, match="dezelfde BRIN"):
        to_oso(popo, profile="PO-PO", sender=SENDER, receiver=SENDER, created=CREATED)
    bad = SchoolInfo(naam="X", brin="99zz", adres=SENDER.adres)
    with pytest.raises(OsoError, match="BRIN"):
        to_oso(popo, profile="PO-PO", sender=bad, receiver=None, created=CREATED)


_TEXT = st.text(min_size=1, max_size=30).filter(lambda t: t.strip() != "")


@needs_standards
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    voornaam=_TEXT,
    achternaam=_TEXT,
    stamgroep=_TEXT,
    hulpvraag=_TEXT,
    groep=st.integers(1, 8),
    score=st.one_of(
        st.integers(-(10**9), 10**9),
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    ),
    niveau=st.sampled_from(["A", "B-", "C+", "E", "I", "III+", "V-"]),
    dle=st.integers(0, 500),
    datum=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_well_typed_dossiers_export_xsd_valid_and_round_trip(
    voornaam: str,
    achternaam: str,
    stamgroep: str,
    hulpvraag: str,
    groep: int,
    score: float,
    niveau: str,
    dle: int,
    datum: dt.date,
) -> None:
    """Any text either becomes valid OSO or is refused with OsoError (characters XML
    cannot carry); the modelled values come back (trimmed)."""
    d = popo_dossier()
    d["leerling"].update(voornaam=voornaam, achternaam=achternaam, stamgroep=stamgroep,
                         groep=groep, geboortedatum=datum)  # fmt: skip
    d["plannen"][0]["hulpvraag"] = hulpvraag
    d["toetsen"][0].update(score=score, niveau=niveau, dle=dle, datum=datum)
    try:
        xml = _popo_xml(d)
    except OsoError as exc:
        assert "teken dat niet in XML kan" in exc.message
        return
    assert validate_xsd(xml) == []
    again = from_oso(xml, pupil_id=d["leerling"]["id"])
    assert again["leerling"]["voornaam"] == voornaam.strip()
    assert again["leerling"]["achternaam"] == achternaam.strip()
    assert again["leerling"]["stamgroep"] == stamgroep.strip()
    assert again["leerling"]["groep"] == groep
    assert again["leerling"]["geboortedatum"] == datum
    toets = again["toetsen"][0]
    assert (toets["score"], toets["niveau"], toets["dle"], toets["datum"]) == (
        score,
        niveau,
        dle,
        datum,
    )
