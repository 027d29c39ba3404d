"""Inzage/kopie rendering: Dutch, escaped, never werkaantekeningen, HTML and PDF agree."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossier_format.render import blocks, dutch_date, render, render_html, render_pdf

TODAY = dt.date(2026, 11, 22)

DOSSIER: dict[str, object] = {
    "formaat": "zorgkluis-dossier/1",
    "leerling": {
        "voornaam": "Zoë <script>alert(1)</script>",
        "achternaam": "de Vries & Zn",
        "geboortedatum": dt.date(2016, 2, 29),
    },
    "inschrijving": {"datum": dt.date(2020, 8, 24), "uitschrijving": None, "groep": 6},
    "plannen": [
        {
            "soort": "handelingsplan",
            "doel": "Vlot lezen op AVI M6",
            "evaluatie": dt.date(2026, 1, 30),
        },
    ],
    "okr": {"advies": "havo", "toelichting": "Werkt zelfstandig.\nLeest graag."},
    "zienswijzen": [
        {"datum": dt.date(2026, 3, 1), "onderdeel": "okr", "tekst": "Wij zien het anders."}
    ],
    "werkaantekeningen": [
        {"auteur": "lk-1", "datum": dt.date(2026, 2, 1), "tekst": "GEHEIM-WERKNOTITIE"},
    ],
}


def pdf_text(data: bytes) -> str:
    """The text shown by the PDF's content streams (fpdf2 writes literal strings)."""
    out: list[str] = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            content = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        for text in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content):
            out.append(re.sub(rb"\\(.)", rb"\1", text).decode("latin-1"))
    return "\n".join(out)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_every_dossier_value() -> None:
    page = render_html(DOSSIER, school="Basisschool <b>", made_on=TODAY, kind="kopie")
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "de Vries &amp; Zn" in page
    assert "Zoë <script>alert(1)</script>" in "".join(parser.text)


def test_html_is_dutch_printable_and_complete() -> None:
    page = render_html(DOSSIER, school="d'n Bogerd", made_on=TODAY)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert "@media print" in page
    for expected in (
        "Inzage leerlingdossier",
        "22 november 2026",
        "Onderwijskundig rapport (OKR)",
        "Zienswijzen van ouders",
        "Wij zien het anders.",
        "29 februari 2016",
        "Vlot lezen op AVI M6",
        "havo",
    ):
        assert expected in page, expected


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_werkaantekeningen_are_never_rendered(fmt: str) -> None:
    out = render(DOSSIER, fmt, school="S", made_on=TODAY, kind="kopie")
    text = out.decode() if fmt == "html" else pdf_text(out)
    assert "GEHEIM-WERKNOTITIE" not in text
    assert "lk-1" not in text
    assert "Werkaantekeningen van leerkrachten" in text  # the explanation that they are left out
    assert not any(b.label == "Tekst" and "GEHEIM" in b.text for b in blocks(DOSSIER))


def test_pdf_holds_the_same_content() -> None:
    out = render_pdf(DOSSIER, school="d'n Bogerd", made_on=TODAY, kind="kopie")
    assert out.startswith(b"%PDF-")
    text = pdf_text(out)
    for expected in (
        "Kopie leerlingdossier",
        "Zoë <script>",
        "de Vries & Zn",
        "havo",
        "29 februari 2016",
    ):
        assert expected in text, expected


def test_pdf_is_reproducible_and_survives_non_latin_text() -> None:
    odd = {"leerling": {"voornaam": "Łukasz — “Luuk”", "achternaam": "李"}}
    first = render_pdf(odd, school="S", made_on=TODAY)
    assert first == render_pdf(odd, school="S", made_on=TODAY)
    text = pdf_text(first)
    assert '?ukasz - "Luuk"' in text and "?" in text


def test_pdftotext_reads_the_pdf(tmp_path: Path) -> None:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("poppler-utils not installed; the content-stream parser above still checks it")
    pdf = tmp_path / "kopie.pdf"
    pdf.write_bytes(render_pdf(DOSSIER, school="S", made_on=TODAY))
    text = subprocess.run([exe, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Vlot lezen op AVI M6" in text and "GEHEIM" not in text


@pytest.mark.parametrize(
    "odd", [{}, {"leerling": "x"}, {"plannen": [1, [2, {"a": None}]]}, {"a": True}]
)
def test_odd_shapes_render(odd: dict[str, object]) -> None:
    assert render_html(odd, school="S", made_on=TODAY).endswith("</html>\n")
    assert render_pdf(odd, school="S", made_on=TODAY).startswith(b"%PDF-")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="html of pdf"):
        render(DOSSIER, "docx", school="S", made_on=TODAY)


def test_dutch_date() -> None:
    assert dutch_date(dt.date(2024, 2, 29)) == "29 februari 2024"


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=3)),
        max_size=4,
    ),
    st.text(max_size=20),
)
def test_no_dossier_text_ever_becomes_markup(leerling: dict[str, object], school: str) -> None:
    page = render_html(
        {"leerling": leerling, "okr": {"<b>": "<i>x</i>"}}, school=school, made_on=TODAY
    )
    parser = _Collector()
    parser.feed(page)
    allowed = {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "h3",
        "h4",
        "p",
        "dl",
        "dt",
        "dd",
        "ul",
        "li",
    }
    assert set(parser.tags) <= allowed
