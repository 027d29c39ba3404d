"""`privacy.reason_problems`: pupil data in an override reason (pure; no vault)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dossier_format.privacy import REASON_HINT, reason_message, reason_problems

PUPIL: dict[str, Any] = {
    "leerling": {
        "id": "ll-abcdefghij",
        "voornaam": "Noor",
        "tussenvoegsel": "van der",
        "achternaam": "Berg",
        "geboortedatum": dt.date(2015, 11, 4),
        "groep": 6,
    }
}
VOORNAAM = "de voornaam van de leerling"
ACHTERNAAM = "de achternaam van de leerling"
GEBOORTEDATUM = "de geboortedatum van de leerling"
BSN = "een nummer van negen cijfers (zoals een BSN)"
EMAIL = "een e-mailadres"
TELEFOON = "een telefoonnummer"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("Noor heeft extra tijd nodig", [VOORNAAM]),
        ("overleg met NOOR en ouders", [VOORNAAM]),
        ("zie gesprek (noor).", [VOORNAAM]),
        ("Familie Berg is akkoord", [ACHTERNAAM]),
        ("familie van der berg is akkoord", [ACHTERNAAM]),
        ("Van  der\nBerg", [ACHTERNAAM]),
        ("Noor van der Berg", [VOORNAAM, ACHTERNAAM]),
        ("geboren 2015-11-04", [GEBOORTEDATUM]),
        ("geboren 4-11-2015", [GEBOORTEDATUM]),
        ("geboren 04-11-2015", [GEBOORTEDATUM]),
        ("geboren 4/11/2015", [GEBOORTEDATUM]),
        ("geboren 04.11.15", [GEBOORTEDATUM]),
        ("geboren 4 november 2015", [GEBOORTEDATUM]),
        ("BSN 123456782", [BSN]),
        ("bsn: 1234.56.782", [BSN]),
        ("mail ouder.berg@voorbeeld.nl", [ACHTERNAAM, EMAIL]),  # the address names her
        ("bel 06-12345678", [TELEFOON]),
        ("bel 0612345678 of +31 (0)20 123 4567", [TELEFOON]),
        ("bel +31 6 12345678", [TELEFOON]),
        (
            "Noor, 123456782, n@x.nl, 06 1234 5678, 4-11-2015",
            [VOORNAAM, GEBOORTEDATUM, BSN, EMAIL, TELEFOON],
        ),
    ],
)
def test_pupil_data_is_found(reason: str, expected: list[str]) -> None:
    assert reason_problems(reason, PUPIL) == expected


@pytest.mark.parametrize(
    "reason",
    [
        "Toestemming volgt na het oudergesprek",
        "Noortje en Bergen zijn andere woorden",  # whole words only
        "Evaluatie verschoven naar 2024-03-01",  # another date
        "geboren in 2015",  # a year alone identifies no one
        "4-11-2016 is een andere dag",
        "3 x 20 minuten per week, groep 6, niveau 4",
        "12345678 is maar acht cijfers; 1234567890 is er tien",
        "Q&A met de IB-er @ de teamvergadering",
        "",
    ],
)
def test_a_reason_without_pupil_data_is_fine(reason: str) -> None:
    assert reason_problems(reason, PUPIL) == []


def test_a_dossier_without_names_or_with_odd_types_still_checks_numbers() -> None:
    assert reason_problems("Noor 123456782", {}) == [BSN]
    odd = {"leerling": {"voornaam": 12, "achternaam": None, "geboortedatum": "geen datum"}}
    assert reason_problems("12 Noor", odd) == []
    assert reason_problems("2015-11-04", {"leerling": {"geboortedatum": "2015-11-04"}}) == [
        GEBOORTEDATUM
    ]


def test_a_one_letter_name_is_not_looked_for() -> None:
    assert reason_problems("t", {"leerling": {"voornaam": "T", "achternaam": "X"}}) == []


def test_the_message_names_what_was_found_without_repeating_it() -> None:
    found = reason_problems("Noor Berg", PUPIL)
    message = reason_message(found)
    assert message == (
        "De reden bevat de voornaam van de leerling en de achternaam van de leerling; "
        "er is niets opgeslagen."
    )
    assert "Noor" not in message and "Berg" not in message
    assert reason_message([EMAIL]) == "De reden bevat een e-mailadres; er is niets opgeslagen."
    assert "geschiedenis" in REASON_HINT
