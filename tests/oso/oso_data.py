"""Shared data for the OSO tests (conftest.py puts this folder on sys.path): the official
standards directory, its example dossiers, and realistic *fictional* Zorgkluis dossiers (no
real people; the onderwijsnummer is an obvious placeholder, never a real-looking BSN)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from dossier_format.oso import Adres, SchoolInfo
from dossier_format.oso_validate import default_standards_dir

STANDARDS = default_standards_dir()
EXAMPLES_DIR = STANDARDS / "OV" / "examples"
EXAMPLES = sorted(p.name for p in EXAMPLES_DIR.glob("*.xml")) if EXAMPLES_DIR.is_dir() else []

needs_standards = pytest.mark.skipif(
    not (STANDARDS / "OV" / "OSO_gegevensset_2019.1.xsd").is_file(),
    reason=f"official OSO standards not found at {STANDARDS} (../shared/standards/oso)",
)

SENDER = SchoolInfo(
    naam="Basisschool De Notenkraker",
    brin="99ZZ",
    vestiging="00",
    adres=Adres(straat="Schoolstraat", nummer="1", postcode="9999AA", plaats="Voorbeeldstad"),
    telefoon="0100000000",
    email="ib@notenkraker.example",
)
RECEIVER_PO = SchoolInfo(
    naam="OBS De Regenboog",
    brin="98YY",
    adres=Adres(straat="Regenboogpad", nummer="7", postcode="9999BB", plaats="Voorbeeldstad"),
    telefoon="0100000001",
)
RECEIVER_VO = SchoolInfo(
    naam="Voorbeeld College",
    brin="97XX",
    adres=Adres(straat="Collegeweg", nummer="100", postcode="9999CC", plaats="Voorbeeldstad"),
    telefoon="0100000002",
)
CREATED = dt.datetime(2025, 3, 28, 10, 30)

_POPO: dict[str, Any] = {
    "formaat": "zorgkluis-dossier/1",
    "leerling": {
        "id": "ll-7qk2m4zp9x",
        "voornaam": "Noor",
        "tussenvoegsel": "van der",
        "achternaam": "Heijden",
        "geboortedatum": dt.date(2015, 10, 14),
        "groep": 6,
        "stamgroep": "Zeesterren",
    },
    "inschrijving": {
        "ingeschreven": dt.date(2019, 10, 14),
        "uitgeschreven": dt.date(2025, 3, 28),
        "reden_uitschrijving": "verhuizing",
        "vervolgschool": "OBS De Regenboog",
    },
    "route": "003",
    "betrokkenen": [
        {"medewerker": "ib-devries", "rol": "intern_begeleider"},
        {"medewerker": "lk-jansen", "rol": "leerkracht"},
    ],
    "niveaus": [
        {"niveau": 1, "vanaf": dt.date(2019, 10, 14), "reden": "instroom"},
        {"niveau": 2, "vanaf": dt.date(2024, 9, 16), "reden": "twee E-scores op de DMT"},
    ],
    "plannen": [
        {
            "id": "pl-1",
            "soort": "handelingsplan",
            "niveau": 2,
            "vakgebied": "technisch lezen",
            "hulpvraag": "Hoe verhogen we Noors leestempo op de DMT?",
            "doelen": ["DMT-kaart 2: 10 woorden meer per minuut", "AVI M5 beheersing"],
            "frequentie": {"keer_per_week": 3, "minuten": 20},
            "start": dt.date(2024, 9, 23),
            "evaluatie_gepland": dt.date(2024, 11, 18),
            "evaluatie": {
                "datum": dt.date(2024, 11, 20),
                "uitkomst": "gedeeltelijk",
                "toelichting": "tempo +7; tweede periode met RALFI",
            },
        },
        {
            "id": "pl-2",
            "soort": "handelingsplan",
            "niveau": 2,
            "vakgebied": "technisch lezen",
            "hulpvraag": "Hoe verhogen we Noors leestempo op de DMT?",
            "doelen": ["DMT-kaart 2: +5 woorden per minuut"],
            "start": dt.date(2024, 11, 25),
            "evaluatie_gepland": dt.date(2025, 2, 3),
        },
    ],
    "besprekingen": [{"id": "bs-1", "datum": dt.date(2024, 9, 16), "soort": "groepsbespreking"}],
    "toetsen": [
        {
            "id": "tt-1",
            "toets": "DMT",
            "soort": "lvs",
            "moment": "M6",
            "datum": dt.date(2025, 1, 20),
            "score": 42,
            "niveau": "IV",
            "dle": 22,
        },
        {
            "id": "tt-2",
            "toets": "Cito Rekenen-Wiskunde",
            "moment": "M6",
            "datum": dt.date(2025, 1, 22),
            "score": 178,
            "niveau": "B+",
        },
        {
            "id": "tt-3",
            "toets": "AVI",
            "moment": "E5",
            "datum": dt.date(2024, 6, 10),
            "score": "M5",
        },
        {
            "id": "tt-4",
            "toets": "Cito Spelling",
            "moment": "E5",
            "datum": dt.date(2024, 6, 10),
            "niveau": "D",
        },
    ],
    "verklaringen": [
        {
            "id": "vk-1",
            "soort": "dyslexie",
            "datum": dt.date(2025, 2, 14),
            "afgegeven_door": {
                "naam": "drs. E. Bakker",
                "kwalificatie": "gz_psycholoog",
                "big_nummer": "BIG-TEST-001",
            },
            "voor": ["lezen", "spellen"],
        }
    ],
    "okr": {
        "opgesteld": dt.date(2025, 3, 10),
        "compleet": True,
        "aandachtspunten": ["Leest hardop liever niet voor de groep", "Dyslexiepas: extra tijd"],
        "inzage_ouders": dt.date(2025, 3, 20),
        "ouders_akkoord": True,
        "ondertekend_ouders": dt.date(2025, 3, 20),
        "ontvanger": "OBS De Regenboog",
    },
    "werkaantekeningen": [
        {
            "id": "wa-1",
            "auteur": "lk-jansen",
            "datum": dt.date(2024, 10, 1),
            "tekst": "WERKAANTEKENING-GEHEIM",
        },
    ],
    "x_oso": {
        "leerling": {
            "geslacht": "1",
            "adresgeheim": False,
            "adreslijst": {
                "adres": {
                    "soortadres": "gba",
                    "straat": "Kastanjelaan",
                    "nummer": "12",
                    "postcode": "9999DD",
                    "plaats": "Voorbeeldstad",
                }
            },
            "onderwijsnummer": "ONDERWIJSNUMMER-TEST-1",
            "verzorgersaansprakelijk": True,
            "verzorger": [
                {
                    "voornaam": "Sanne",
                    "voorvoegsel": "van der",
                    "achternaam": "Heijden",
                    "relatietotkind": "2",
                    "wettigevertegenwoordiger": True,
                }
            ],
        },
        "overstapadvies": {
            "contactnodig": True,
            "contactpersoon": "M. de Vries (intern begeleider)",
            "contacttelefoon": "0100000000",
        },
    },
}


def popo_dossier() -> dict[str, Any]:
    """A groep 6 pupil moving to another primary school (PO-PO)."""
    return copy.deepcopy(_POPO)


def povo_dossier() -> dict[str, Any]:
    """The same pupil in groep 8 moving to secondary school (PO-VO), with an OPP and an old
    toets that PO-VO may not carry (rule OVa.TR04)."""
    d = copy.deepcopy(_POPO)
    d["leerling"]["groep"] = 8
    d["leerling"]["stamgroep"] = "Bovenbouw 8b"
    d["inschrijving"]["uitgeschreven"] = dt.date(2025, 7, 11)
    d["toetsen"].append(
        {
            "id": "tt-5",
            "toets": "Cito Begrijpend lezen",
            "moment": "M4",
            "datum": dt.date(2021, 1, 18),
            "niveau": "C",
        }
    )
    d["opp"] = {
        "opgesteld": dt.date(2024, 1, 15),
        "criteria": ["achterstand_1_jaar"],
        "uitstroomperspectief": "vmbo-kader",
        "besproken_in_zorgteam": dt.date(2024, 1, 8),
        "tussendoelen": [{"datum": dt.date(2025, 6, 30), "doel": "rekenen 1F"}],
    }
    d["okr"]["schooladvies"] = "vmbo-kader/vmbo-gt"
    d["x_oso"]["overstapadvies"] = {"advies": "40", "contactnodig": False}
    return d


def example_bytes(name: str) -> bytes:
    """The bytes of one official example dossier."""
    return (EXAMPLES_DIR / name).read_bytes()
