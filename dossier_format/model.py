"""Pupil ids and the small per-pupil summary that pupil lists are built from (no I/O).

A list of 1,000 pupils cannot come from parsing 1,000 dossiers, so every save stores a
:class:`PupilSummary` made by :func:`summarize`. Its ``signalen`` are stable ids (see
:data:`SIGNALEN` and docs/format.md §8) that a UI can show as badges.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "SIGNALEN",
    "FindingLike",
    "PupilSummary",
    "new_pupil_id",
    "retention_ends",
    "summarize",
]

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lower case

SIGNALEN: dict[str, str] = {
    "evaluatie_verlopen": "Een geplande evaluatie is voorbij en nog niet gehouden.",
    "toestemming_ontbreekt": "Een bespreking in BOT, zorgteam of ondersteuningsteam zonder "
    "geldige toestemming van de ouders.",
    "okr_open": "De leerling is uitgeschreven en het OKR is nog niet verzonden.",
    "correctie_open": "Een correctieverzoek van de ouders wacht op een besluit.",
    "bewaartermijn": "Een bewaartermijn is verstreken: gegevens moeten vernietigd worden.",
    "opp": "De leerling heeft een ontwikkelingsperspectief (OPP).",
}
"""Signal id -> Dutch explanation, for legends and tooltips."""

_CONSENT_MEETINGS = frozenset({"bot", "zorgteam", "ondersteuningsteam"})
_ADMIN_RETENTION_YEARS = 5  # 003 §4.3: administration, 5 years after uitschrijving
_OKR_RETENTION_YEARS = 2  # 003 §4.3: OKR, 2 years after admission at the next school


class FindingLike(Protocol):
    """What :func:`summarize` needs of a check finding (``dossier_format.findings.Finding``)."""

    @property
    def severity(self) -> str:
        """``"error"``, ``"warning"`` or ``"info"``."""
        ...

    @property
    def rule(self) -> str:
        """The stable rule id."""
        ...


@dataclass(frozen=True)
class PupilSummary:
    """One row of a pupil list.

    Attributes:
        id: the opaque pupil id.
        voornaam: first name.
        achternaam: surname (without tussenvoegsel).
        groep: year group 1-8, or None when unknown.
        niveau: the current zorgniveau, or None.
        errors: number of error findings at the last save.
        warnings: number of warning findings at the last save.
        volgende_evaluatie: the earliest planned evaluation not yet held, or None.
        signalen: signal ids from :data:`SIGNALEN`, sorted.
        uitgeschreven: date of uitschrijving, or None while at school.
        tussenvoegsel: e.g. ``"van der"``, or ``""``.
    """

    id: str
    voornaam: str
    achternaam: str
    groep: int | None
    niveau: int | None
    errors: int
    warnings: int
    volgende_evaluatie: datetime.date | None
    signalen: list[str] = field(default_factory=list)
    uitgeschreven: datetime.date | None = None
    tussenvoegsel: str = ""

    @property
    def naam(self) -> str:
        """The full name for display: ``"Noor van der Verzonnen"``."""
        return " ".join(p for p in (self.voornaam, self.tussenvoegsel, self.achternaam) if p)


def new_pupil_id() -> str:
    """Make a new opaque pupil id: ``"ll-"`` and 10 random base32 characters (50 bits).

    Never derived from a name; collisions are negligible for a school but callers that keep a
    register should still check uniqueness.
    """
    return "ll-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


def summarize(
    data: Mapping[str, Any],
    findings: Sequence[FindingLike],
    today: datetime.date | None = None,
) -> PupilSummary:
    """Summarize a dossier for pupil lists (pure; never raises on oddly shaped data).

    Args:
        data: the dossier as a plain mapping (from ``codec.load_fast``), valid or not.
        findings: the check findings of this dossier; only ``severity`` is counted.
        today: the date to judge overdue evaluations and retention by; without it the
            time-dependent signals (``evaluatie_verlopen``, ``bewaartermijn``) are left out.

    Returns:
        The summary.
    """
    leerling = _mapping(data.get("leerling"))
    inschrijving = _mapping(data.get("inschrijving"))
    uitgeschreven = _date(inschrijving.get("uitgeschreven"))
    volgende = min(_open_evaluations(data), default=None)
    signalen = set(_timeless_signals(data, uitgeschreven))
    if today is not None:
        if volgende is not None and volgende < today:
            signalen.add("evaluatie_verlopen")
        ends = retention_ends(data)
        if any(end <= today for end in ends.values()):
            signalen.add("bewaartermijn")
    return PupilSummary(
        id=_text(leerling.get("id")),
        voornaam=_text(leerling.get("voornaam")),
        achternaam=_text(leerling.get("achternaam")),
        tussenvoegsel=_text(leerling.get("tussenvoegsel")),
        groep=_int(leerling.get("groep")),
        niveau=_current_level(data, today),
        errors=sum(1 for f in findings if f.severity == "error"),
        warnings=sum(1 for f in findings if f.severity == "warning"),
        volgende_evaluatie=volgende,
        signalen=sorted(signalen),
        uitgeschreven=uitgeschreven,
    )


def retention_ends(data: Mapping[str, Any]) -> dict[str, datetime.date]:
    """When the legal retention of parts of this dossier ends (003 §4.3), where known.

    Args:
        data: the dossier as a plain mapping.

    Returns:
        ``{"administratie": uitgeschreven + 5 years, "okr": toegelaten_vervolgschool + 2 years}``,
        each only when its start date is known.
    """
    inschrijving = _mapping(data.get("inschrijving"))
    ends: dict[str, datetime.date] = {}
    uitgeschreven = _date(inschrijving.get("uitgeschreven"))
    if uitgeschreven is not None:
        ends["administratie"] = _add_years(uitgeschreven, _ADMIN_RETENTION_YEARS)
    toegelaten = _date(inschrijving.get("toegelaten_vervolgschool"))
    if toegelaten is not None and "okr" in data:
        ends["okr"] = _add_years(toegelaten, _OKR_RETENTION_YEARS)
    return ends


# ---------------------------------------------------------------------------------------------


def _timeless_signals(
    data: Mapping[str, Any], uitgeschreven: datetime.date | None
) -> Iterator[str]:
    if _missing_consent(data):
        yield "toestemming_ontbreekt"
    if uitgeschreven is not None and _date(_mapping(data.get("okr")).get("verzonden")) is None:
        yield "okr_open"
    if any(entry.get("besluit") == "open" for entry in _entries(data, "correcties")):
        yield "correctie_open"
    if isinstance(data.get("opp"), Mapping):
        yield "opp"


def _missing_consent(data: Mapping[str, Any]) -> bool:
    consents = [
        (entry.get("voor"), _date(entry.get("datum")), _date(entry.get("ingetrokken")))
        for entry in _entries(data, "toestemmingen")
    ]
    for meeting in _entries(data, "besprekingen"):
        soort, datum = meeting.get("soort"), _date(meeting.get("datum"))
        if soort not in _CONSENT_MEETINGS or datum is None:
            continue
        if not any(
            voor == soort and given is not None and given <= datum and (end is None or end > datum)
            for voor, given, end in consents
        ):
            return True
    return False


def _open_evaluations(data: Mapping[str, Any]) -> Iterator[datetime.date]:
    for name in ("plannen", "besprekingen"):
        for entry in _entries(data, name):
            planned = _date(entry.get("evaluatie_gepland"))
            if planned is not None and not entry.get("evaluatie"):
                yield planned
    planned = _date(_mapping(data.get("opp")).get("evaluatie_gepland"))
    if planned is not None:
        yield planned


def _current_level(data: Mapping[str, Any], today: datetime.date | None) -> int | None:
    current: tuple[datetime.date, int] | None = None
    for entry in _entries(data, "niveaus"):
        vanaf, niveau = _date(entry.get("vanaf")), _int(entry.get("niveau"))
        if vanaf is None or niveau is None or (today is not None and vanaf > today):
            continue
        if current is None or vanaf >= current[0]:
            current = (vanaf, niveau)
    return current[1] if current else None


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _entries(data: Mapping[str, Any], key: str) -> Iterator[Mapping[str, Any]]:
    value = data.get(key)
    if isinstance(value, list):
        yield from (entry for entry in value if isinstance(entry, Mapping))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
