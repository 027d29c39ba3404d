"""Render a dossier for parents (inzage and kopie, 003 §4.4) as printable HTML or PDF.

Pure: takes the plain dossier dict (as from `codec.load_fast`) of the parts parents may see and
returns text or bytes. Werkaantekeningen are never rendered, even when present in the input
(003 §4.4: notes outside the LVS are not open to parents); the caller should not pass them
either. Both outputs are built from one neutral list of blocks, so they always show the same
content. Every value from the dossier is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

EXCLUDED_KEYS: frozenset[str] = frozenset({"formaat", "werkaantekeningen"})
"""Top-level keys never shown to parents (`formaat` is technical)."""

KINDS = {"inzage": "Inzage", "kopie": "Kopie"}

_SECTION_TITLES = {
    "leerling": "Leerling",
    "inschrijving": "Inschrijving",
    "route": "Zorgroute",
    "betrokkenen": "Betrokkenen",
    "niveaus": "Zorgniveaus",
    "plannen": "Plannen",
    "besprekingen": "Besprekingen",
    "gesprekken": "Gesprekken",
    "toestemmingen": "Toestemmingen",
    "toetsen": "Toetsen",
    "onderzoeken": "Onderzoeken",
    "verklaringen": "Verklaringen",
    "protocollen": "Protocollen",
    "opp": "Ontwikkelingsperspectief (OPP)",
    "okr": "Onderwijskundig rapport (OKR)",
    "zienswijzen": "Zienswijzen van ouders",
    "correcties": "Verzoeken om correctie",
}

_GESPREK_GROUPS: tuple[tuple[str, str], ...] = (
    ("oudergesprek", "Gesprekken met ouders"),
    ("kindgesprek", "Kindgesprekken"),
)
"""Top-level `gesprekken` are shown under one heading per `soort`, in this order; entries
of any other (or no) soort under "Gesprekken"."""

_MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


@dataclass(frozen=True)
class Block:
    """One element of the rendered document.

    Attributes:
        kind: "kop" (heading), "veld" (label: value) or "item" (a list element).
        text: heading text, or the value.
        level: heading level 1-4, or the nesting depth of a field/item.
        label: the field label ("" for items and headings).
    """

    kind: str
    text: str
    level: int
    label: str = ""


def dutch_date(day: dt.date) -> str:
    """A date in Dutch long form: 3 februari 2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def label(key: str) -> str:
    """A readable Dutch label for a YAML key: "volgende_evaluatie" -> "Volgende evaluatie"."""
    if key in _SECTION_TITLES:
        return _SECTION_TITLES[key]
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        return f"{dutch_date(value.date())} {value:%H:%M}"
    if isinstance(value, dt.date):
        return dutch_date(value)
    return str(value)


def _walk(node: object, level: int, out: list[Block]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(value, Mapping | list):
                out.append(Block("kop", label(str(key)), min(level + 1, 4)))
                _walk(value, level + 1, out)
            else:
                out.append(Block("veld", _value(value), level, label(str(key))))
    elif isinstance(node, list):
        for number, item in enumerate(node, start=1):
            if isinstance(item, Mapping | list):
                out.append(Block("kop", f"{number}.", min(level + 1, 4)))
                _walk(item, level + 1, out)
            else:
                out.append(Block("item", _value(item), level))
    else:
        out.append(Block("item", _value(node), level))


def pupil_name(data: Mapping[str, object]) -> str:
    """The pupil's display name from `leerling.voornaam`/`tussenvoegsel`/`achternaam`, or ""."""
    leerling = data.get("leerling")
    if not isinstance(leerling, Mapping):
        return ""
    names = (leerling.get(k) for k in ("voornaam", "tussenvoegsel", "achternaam"))
    return " ".join(str(n) for n in names if n)


def blocks(data: Mapping[str, object]) -> list[Block]:
    """The content of the dossier as blocks: one level-2 heading per top-level section.

    Keys in `EXCLUDED_KEYS` are left out. Never raises on odd shapes.
    """
    out: list[Block] = []
    for key, value in data.items():
        if key in EXCLUDED_KEYS:
            continue
        if key == "gesprekken" and isinstance(value, list):
            for title, rows in _gesprekken(value):
                out.append(Block("kop", title, 2))
                _walk(rows, 2, out)
            continue
        out.append(Block("kop", label(str(key)), 2))
        _walk(value, 2, out)
    return out


def _gesprekken(rows: list[object]) -> list[tuple[str, list[object]]]:
    """The talks split by `soort`: talks with parents, kindgesprekken, any others."""
    known = dict(_GESPREK_GROUPS)
    groups: dict[str, list[object]] = {title: [] for _, title in _GESPREK_GROUPS}
    rest: list[object] = []
    for row in rows:
        soort = row.get("soort") if isinstance(row, Mapping) else None
        if isinstance(soort, str) and soort in known:
            groups[known[soort]].append(row)
        else:
            rest.append(row)
    out = [(title, items) for title, items in groups.items() if items]
    if rest or not rows:
        out.append((label("gesprekken"), rest))
    return out


def _intro(kind: str, school: str, made_on: dt.date) -> list[str]:
    made = dutch_date(made_on)
    lines = [f"School: {school}", f"Gemaakt op: {made}"]
    if kind == "kopie":
        lines.append(
            "Dit is een kopie van de leerlinggegevens voor de ouders/verzorgers (003 §4.4)."
        )
    else:
        lines.append(
            "Dit overzicht is bedoeld voor inzage door de ouders/verzorgers; er is iemand van de "
            "school bij aanwezig (003 §4.4)."
        )
    lines.append(
        "Werkaantekeningen van leerkrachten en intern begeleider die niet in het "
        "leerlingvolgsysteem zijn opgenomen, staan hier niet in (003 §4.4)."
    )
    lines.append(
        "Klopt er iets feitelijk niet, of wilt u uw eigen zienswijze toevoegen? "
        "Laat het de school weten; u krijgt binnen een maand antwoord."
    )
    return lines


def _title(kind: str, name: str) -> str:
    return f"{KINDS.get(kind, 'Inzage')} leerlingdossier" + (f" — {name}" if name else "")


_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11pt; margin: 2cm; color: #000; }
h1 { font-size: 18pt; margin-bottom: 0.2em; }
h2 { font-size: 14pt; border-bottom: 1px solid #444; margin-top: 1.4em; break-after: avoid; }
h3, h4 { font-size: 12pt; margin: 0.8em 0 0.2em; break-after: avoid; }
dl { margin: 0; }
dt { font-weight: bold; float: left; clear: left; width: 14em; }
dd { margin: 0 0 0.2em 14.5em; white-space: pre-wrap; }
ul { margin: 0.2em 0; }
p.intro { margin: 0.2em 0; }
@media print { body { margin: 0; } a { color: #000; } }
""".strip()


def page_html(title: str, intro: Sequence[str], content: Sequence[Block]) -> str:
    """A complete, printable Dutch HTML page: a title, intro paragraphs and dossier blocks.

    Every text is escaped; the inzage/kopie and the OKR for people both use it.
    """
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
        *(f'<p class="intro">{esc(line)}</p>' for line in intro),
    ]
    open_list: str | None = None
    for block in content:
        wanted = "dl" if block.kind == "veld" else "ul" if block.kind == "item" else None
        if open_list != wanted:
            if open_list:
                parts.append(f"</{open_list}>")
            if wanted:
                parts.append(f"<{wanted}>")
            open_list = wanted
        if block.kind == "kop":
            parts.append(f"<h{block.level}>{esc(block.text)}</h{block.level}>")
        elif block.kind == "veld":
            parts.append(f"<dt>{esc(block.label)}</dt><dd>{esc(block.text)}</dd>")
        else:
            parts.append(f"<li>{esc(block.text)}</li>")
    if open_list:
        parts.append(f"</{open_list}>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def render_html(
    data: Mapping[str, object], *, school: str, made_on: dt.date, kind: str = "inzage"
) -> str:
    """A complete, printable HTML page in Dutch with everything in `data` parents may see.

    Args:
        data: the dossier dict without werkaantekeningen (they are dropped anyway).
        school: the school's name for the header.
        made_on: the date printed on the page.
        kind: "inzage" or "kopie" (changes the title and the explanation).

    Returns:
        The HTML document; all dossier text is escaped.
    """
    title = _title(kind, pupil_name(data))
    return page_html(title, _intro(kind, school, made_on), blocks(data))


_LATIN1_FALLBACK = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "-",
        "€": "EUR",
        "\u00a0": " ",
    }
)


def _pdf_text(text: str) -> str:
    """Text the PDF core fonts can show (Latin-1: all Dutch letters); others become "?"."""
    return text.translate(_LATIN1_FALLBACK).encode("latin-1", "replace").decode("latin-1")


def page_pdf(
    title: str, intro: Sequence[str], content: Sequence[Block], *, made_on: dt.date, doc_title: str
) -> bytes:
    """The same page as `page_html`, as an A4 PDF (fpdf2, built-in Helvetica font).

    Characters outside Latin-1 (which covers Dutch) are replaced by a close ASCII form or "?".
    The PDF's creation date is `made_on`, so the output is reproducible.
    """
    from fpdf import FPDF  # imported here: only rendering a PDF needs it
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(made_on.year, made_on.month, made_on.day, tzinfo=dt.UTC))
    pdf.set_title(doc_title)
    pdf.set_lang("nl")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(
        text: str, size: float, style: str = "", indent: float = 0.0, gap: float = 0.0
    ) -> None:
        pdf.set_font("Helvetica", style, size)
        if gap:
            pdf.ln(gap)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(
            width - indent,
            size * 0.5,
            _pdf_text(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    line(title, 16, "B")
    for text in intro:
        line(text, 9, gap=1)
    sizes = {2: 13.0, 3: 11.5, 4: 10.5}
    for block in content:
        indent = 4.0 * max(block.level - 2, 0)
        if block.kind == "kop":
            line(block.text, sizes.get(block.level, 10.5), "B", indent, gap=3)
        elif block.kind == "veld":
            line(f"{block.label}: {block.text}", 10, indent=indent)
        else:
            line(f"- {block.text}", 10, indent=indent)
    return bytes(pdf.output())


def render_pdf(
    data: Mapping[str, object], *, school: str, made_on: dt.date, kind: str = "inzage"
) -> bytes:
    """The same content as `render_html`, as an A4 PDF (see `page_pdf`).

    Args:
        data: the dossier dict without werkaantekeningen (they are dropped anyway).
        school: the school's name for the header.
        made_on: the date printed on the page.
        kind: "inzage" or "kopie".
    """
    return page_pdf(
        _title(kind, pupil_name(data)),
        _intro(kind, school, made_on),
        blocks(data),
        made_on=made_on,
        doc_title=f"{KINDS.get(kind, 'Inzage')} leerlingdossier",
    )


def render(
    data: Mapping[str, object],
    fmt: str,
    *,
    school: str,
    made_on: dt.date,
    kind: str = "inzage",
) -> bytes:
    """Render to "html" (UTF-8 bytes) or "pdf".

    Raises:
        ValueError: `fmt` is neither "html" nor "pdf".
    """
    if fmt == "html":
        return render_html(data, school=school, made_on=made_on, kind=kind).encode()
    if fmt == "pdf":
        return render_pdf(data, school=school, made_on=made_on, kind=kind)
    raise ValueError(f"onbekend formaat '{fmt}': kies html of pdf")
