"""Pupil data in an override reason.

A reason typed to save a dossier despite check errors goes into the signed commit message in
plain text: readable in the history forever, by everyone with access to the repository and on
the sync server, and it is never destroyed with the keys (docs/retention.md). It must therefore
say *why*, not *who*. :func:`reason_problems` finds what a reason must not contain; it is pure
(no I/O) and looks only at the reason and the dossier being saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

REASON_HINT = (
    "De reden komt leesbaar in de ondertekende geschiedenis (ook op de synchronisatieserver) "
    "en wordt nooit gewist. Schrijf waarom u toch opslaat, zonder naam, geboortedatum, BSN, "
    "e-mailadres of telefoonnummer; bijvoorbeeld 'Toestemming volgt na het oudergesprek'."
)

# BSN-like: nine digits, possibly grouped with single spaces, dots or hyphens (1234.56.782).
_BSN = re.compile(r"(?<![\w+])\d(?:[ .-]?\d){8}(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Dutch phone numbers: 0 or +31 / 0031 and nine more digits, optionally grouped
# (0612345678, 06-12345678, 020 123 4567, +31 6 12345678, +31 (0)6 12345678).
_PHONE = re.compile(r"(?<![\w+])(?:\+31|0031|0)(?:\s?\(0\))?(?:[ -]?\d){9}(?!\d)")


def _word(text: str) -> re.Pattern[str] | None:
    """A case-insensitive pattern for ``text`` as whole words (any whitespace between them)."""
    words = text.split()
    if not words or len("".join(words)) < 2:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _contains(pattern: re.Pattern[str] | None, reason: str) -> bool:
    return pattern is not None and pattern.search(reason) is not None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _birth_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


_MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def _date_pattern(day: dt.date) -> re.Pattern[str]:
    """ISO (2015-11-14) and Dutch day-month-year (14-11-2015, 14/11/2015, 4.3.2015, with or
    without leading zeros, also a two-digit year; 14 november 2015) forms of ``day``."""
    d, m = day.day, day.month
    dd, mm = rf"0?{d}", rf"0?{m}"
    year = rf"(?:{day.year:04d}|{day.year % 100:02d})"
    iso = rf"{day.year:04d}-{m:02d}-{d:02d}"
    dutch = rf"{dd}([-/. ]){mm}\1{year}"
    written = rf"{dd}\s+(?:{_MAANDEN[m - 1]}|{_MAANDEN[m - 1][:3]}\.?)\s+{day.year:04d}"
    return re.compile(rf"(?<![\d])(?:{iso}|{dutch}|{written})(?![\d])", re.IGNORECASE)


def reason_problems(reason: str, data: Mapping[str, Any]) -> list[str]:
    """What in ``reason`` identifies the pupil of ``data``, as Dutch phrases.

    Looks, case-insensitively and on word boundaries, for the pupil's voornaam, achternaam
    (alone and with the tussenvoegsel), geboortedatum (ISO and Dutch d-m-yyyy forms), and for
    any BSN-like nine-digit number, e-mail address and Dutch phone number.

    Args:
        reason: the override reason as typed.
        data: the dossier being saved (plain or round-trip mapping); a malformed or missing
            ``leerling`` only skips the name and date checks.

    Returns:
        Phrases such as ``"de voornaam van de leerling"``, in a fixed order, each at most once;
        empty when the reason is fine. The phrases never repeat the data found.
    """
    found: list[str] = []
    leerling = data.get("leerling") if isinstance(data, Mapping) else None
    if not isinstance(leerling, Mapping):
        leerling = {}
    voornaam = _text(leerling.get("voornaam"))
    achternaam = _text(leerling.get("achternaam"))
    tussenvoegsel = _text(leerling.get("tussenvoegsel"))
    if _contains(_word(voornaam), reason):
        found.append("de voornaam van de leerling")
    if _contains(_word(achternaam), reason) or (
        tussenvoegsel and _contains(_word(f"{tussenvoegsel} {achternaam}"), reason)
    ):
        found.append("de achternaam van de leerling")
    birth = _birth_date(leerling.get("geboortedatum"))
    if birth is not None and _date_pattern(birth).search(reason):
        found.append("de geboortedatum van de leerling")
    phone = _PHONE.search(reason)
    if _BSN.search(_PHONE.sub(" ", reason)):  # a phone number's digits are not also a BSN
        found.append("een nummer van negen cijfers (zoals een BSN)")
    if _EMAIL.search(reason):
        found.append("een e-mailadres")
    if phone:
        found.append("een telefoonnummer")
    return found


def reason_message(problems: list[str]) -> str:
    """The Dutch refusal for :func:`reason_problems`' result, e.g. "De reden bevat de
    voornaam van de leerling en een e-mailadres; er is niets opgeslagen." """
    listed = problems[0] if len(problems) == 1 else f"{', '.join(problems[:-1])} en {problems[-1]}"
    return f"De reden bevat {listed}; er is niets opgeslagen."
