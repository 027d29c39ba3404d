"""The onderwijskundig rapport (OKR) for a transfer: the gate before sending, and the report for
people (HTML and PDF).

Pure functions on the plain dossier dict (as from `codec.load_fast`); no keys, no I/O.

The gate (003 §4.1, §4.2) lists what must be true before the OKR leaves the school:

- the OKR exists, is complete and dated (003 §4.1; 002 "OKR compleet en gedateerd");
- the parents saw it (`okr.inzage_ouders`, 003 §4.1) and either agreed (`ouders_akkoord: true`
  and `ondertekend_ouders`) or added their own view (`okr.opmerkingen_ouders` or a zienswijze
  with `onderdeel: okr`, 003 §4.1 and §4.4);
- the parents were told in writing that it is sent (`okr.ouders_geinformeerd_verzending`,
  003 §4.2, informatieplicht);
- the pupil has an uitschrijving (`inschrijving.uitgeschreven`) and a vervolgschool
  (`inschrijving.vervolgschool`).

The caller passes the dossier *as it is sent* (`vault.transfer.plan_export`): a view of the
parents that stays behind does not count.

Errors stop an export unless an override reason is given (and recorded by the caller);
warnings are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from dossier_format.findings import Finding, Severity
from dossier_format.render import blocks, dutch_date, page_html, page_pdf, pupil_name

GATE_SOURCE_OKR = "003 §4.1"
GATE_SOURCE_INFO = "003 §4.2"

OKR_SECTIONS: tuple[str, ...] = (
    "leerling",
    "inschrijving",
    "okr",
    "niveaus",
    "toetsen",
    "verklaringen",
    "opp",
    "zienswijzen",
)
"""Top-level keys shown in the OKR for people, in this order."""


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def okr_zienswijzen(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The parents' zienswijzen about the OKR (`zienswijzen` entries with `onderdeel: okr`).

    They belong with the OKR wherever it goes (003 §4.1: where parents disagree, their view is
    attached to the report).
    """
    rows = data.get("zienswijzen")
    if not isinstance(rows, list):
        return []
    return [r for r in rows if isinstance(r, Mapping) and r.get("onderdeel") == "okr"]


def gate(data: Mapping[str, Any], today: dt.date) -> list[Finding]:
    """Check that the OKR of `data` may be sent to the next school.

    Never raises on odd shapes: a missing or malformed value is a finding.

    Args:
        data: the dossier (plain dict).
        today: the date of the export (dates after it do not count as done).

    Returns:
        Findings with rule ids `overdracht.*`, sorted most serious first.
    """
    out: list[Finding] = []

    def add(rule: str, severity: Severity, message: str, path: str, source: str) -> None:
        out.append(Finding(f"overdracht.{rule}", severity, message, path, source))

    def done(value: object) -> dt.date | None:
        day = _date(value)
        return day if day is not None and day <= today else None

    inschrijving = _mapping(data.get("inschrijving"))
    if done(inschrijving.get("uitgeschreven")) is None:
        add(
            "uitschrijving",
            "error",
            "De leerling is (nog) niet uitgeschreven; leg eerst de uitschrijving vast.",
            "inschrijving.uitgeschreven",
            GATE_SOURCE_OKR,
        )
    if not _text(inschrijving.get("vervolgschool")):
        add(
            "vervolgschool",
            "error",
            "Er is geen vervolgschool vastgelegd.",
            "inschrijving.vervolgschool",
            GATE_SOURCE_OKR,
        )
    okr = data.get("okr")
    if not isinstance(okr, Mapping):
        add(
            "okr_ontbreekt",
            "error",
            "Er is geen onderwijskundig rapport; dat wordt bij elk vertrek gemaakt.",
            "okr",
            GATE_SOURCE_OKR,
        )
        return sorted(out, key=Finding.sort_key)
    if done(okr.get("opgesteld")) is None or okr.get("compleet") is not True:
        add(
            "okr_compleet",
            "error",
            "Het onderwijskundig rapport is niet als compleet en gedateerd vastgelegd "
            "(okr.opgesteld en okr.compleet: true).",
            "okr.compleet",
            GATE_SOURCE_OKR,
        )
    if not (_text(okr.get("schooladvies")) or okr.get("aandachtspunten")):
        add(
            "okr_inhoud",
            "warning",
            "Het rapport noemt geen schooladvies en geen aandachtspunten voor de nieuwe school.",
            "okr.aandachtspunten",
            GATE_SOURCE_OKR,
        )
    if done(okr.get("inzage_ouders")) is None:
        add(
            "inzage_ouders",
            "error",
            "De ouders hebben het onderwijskundig rapport nog niet ingezien (okr.inzage_ouders).",
            "okr.inzage_ouders",
            GATE_SOURCE_OKR,
        )
    agreed = okr.get("ouders_akkoord") is True and done(okr.get("ondertekend_ouders")) is not None
    view = bool(_text(okr.get("opmerkingen_ouders")) or okr_zienswijzen(data))
    if not agreed and not view:
        add(
            "akkoord_ouders",
            "error",
            "De ouders hebben niet getekend voor akkoord en er is geen zienswijze van de ouders "
            "bij het rapport (okr.ouders_akkoord en okr.ondertekend_ouders, of "
            "okr.opmerkingen_ouders of een zienswijze met onderdeel: okr).",
            "okr.ondertekend_ouders",
            GATE_SOURCE_OKR,
        )
    if done(okr.get("ouders_geinformeerd_verzending")) is None:
        add(
            "informatieplicht",
            "error",
            "Leg eerst schriftelijk vast dat de ouders zijn geïnformeerd dat het rapport wordt "
            "verzonden (okr.ouders_geinformeerd_verzending).",
            "okr.ouders_geinformeerd_verzending",
            GATE_SOURCE_INFO,
        )
    if done(okr.get("afschrift_ouders")) is None:
        add(
            "afschrift",
            "warning",
            "De ouders krijgen een afschrift van het rapport; dat is nog niet vastgelegd.",
            "okr.afschrift_ouders",
            GATE_SOURCE_INFO,
        )
    sent = _date(okr.get("verzonden"))
    if sent is not None:
        add(
            "al_verzonden",
            "info",
            f"Het rapport is al eerder verzonden ({sent.isoformat()}, "
            f"aan {_text(okr.get('ontvanger')) or 'onbekend'}).",
            "okr.verzonden",
            GATE_SOURCE_INFO,
        )
    return sorted(out, key=Finding.sort_key)


def errors(findings: Sequence[Finding]) -> list[Finding]:
    """The findings of severity "error" (those that stop an export without an override)."""
    return [f for f in findings if f.severity == "error"]


def report_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a dossier that the OKR for people shows (`OKR_SECTIONS`, in that order).

    Zienswijzen are limited to those about the OKR (`onderdeel: okr`); werkaantekeningen are
    never included.
    """
    out: dict[str, Any] = {}
    for key in OKR_SECTIONS:
        value = okr_zienswijzen(data) if key == "zienswijzen" else data.get(key)
        if value not in (None, [], {}):
            out[key] = value
    return out


def _intro(school: str, made_on: dt.date) -> list[str]:
    return [
        f"School: {school}",
        f"Gemaakt op: {dutch_date(made_on)}",
        "Dit rapport geeft inzicht in de resultaten van de leerling, de houding, het eventuele "
        "schooladvies en de aandachtspunten voor de nieuwe school (003 §4.1).",
        "De ouders zien het rapport in en tekenen het; zijn zij het niet eens met de inhoud, "
        "dan voegen zij hun op- en aanmerkingen toe (003 §4.1). Werkaantekeningen staan er "
        "niet in (003 §4.4).",
    ]


def _title(data: Mapping[str, Any]) -> str:
    name = pupil_name(data)
    return "Onderwijskundig rapport" + (f" — {name}" if name else "")


def render_html(data: Mapping[str, Any], *, school: str, made_on: dt.date) -> str:
    """The OKR as a complete, printable Dutch HTML page; every dossier value is escaped.

    Args:
        data: the whole dossier (plain dict); only `report_data(data)` is shown.
        school: the sending school's name.
        made_on: the date printed on the page.
    """
    return page_html(_title(data), _intro(school, made_on), blocks(report_data(data)))


def render_pdf(data: Mapping[str, Any], *, school: str, made_on: dt.date) -> bytes:
    """The same content as `render_html` as an A4 PDF (reproducible for `made_on`).

    Args:
        data: the whole dossier (plain dict); only `report_data(data)` is shown.
        school: the sending school's name.
        made_on: the date printed on the page and the PDF's creation date.
    """
    return page_pdf(
        _title(data),
        _intro(school, made_on),
        blocks(report_data(data)),
        made_on=made_on,
        doc_title="Onderwijskundig rapport",
    )
