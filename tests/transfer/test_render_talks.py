"""The inzage for parents lists a kindgesprek under its own heading, not under "Gesprekken met
ouders" (dossier_format.render; the inzage itself runs through the vault, as parents get it)."""

from __future__ import annotations

from pathlib import Path

from transfer_kit import TODAY, School, dossier

from dossier_format import codec
from dossier_format.render import Block, blocks
from vault import rights

TALKS = """\
gesprekken:
  - id: gs-1
    soort: kindgesprek
    datum: 2025-02-03
    onderwerp: Noor vertelt hoe het lezen in de klas gaat.
  - id: gs-2
    soort: oudergesprek
    datum: 2025-02-10
    aanwezig:
      - ouders
    onderwerp: Voortgang van het lezen met de ouders.
"""


def _with_talks() -> str:
    return dossier().replace("toetsen:", TALKS + "toetsen:", 1)


def _sections(content: list[Block]) -> dict[str, list[str]]:
    """Level-2 heading -> the texts under it."""
    out: dict[str, list[str]] = {}
    current = ""
    for block in content:
        if block.kind == "kop" and block.level == 2:
            current = block.text
            out[current] = []
        elif current:
            out[current].append(block.text)
    return out


def test_kindgesprek_has_its_own_heading() -> None:
    sections = _sections(blocks(codec.load_fast(_with_talks())))
    assert "Noor vertelt hoe het lezen in de klas gaat." in sections["Kindgesprekken"]
    assert "Voortgang van het lezen met de ouders." in sections["Gesprekken met ouders"]
    assert "Noor vertelt hoe het lezen in de klas gaat." not in sections["Gesprekken met ouders"]
    headings = list(sections)
    assert headings.index("Kindgesprekken") == headings.index("Gesprekken met ouders") + 1


def test_inzage_page_puts_the_kindgesprek_under_kindgesprekken(
    school_a: School, tmp_path: Path
) -> None:
    va = school_a.as_()
    pupil = va.new(_with_talks(), today=TODAY, override="test").pupil_id
    out = rights.export_for_parents(va, pupil, tmp_path / "inzage.html", kind="inzage", today=TODAY)
    page = out.read_text(encoding="utf-8")
    ouders = page.index("<h2>Gesprekken met ouders</h2>")
    kind = page.index("<h2>Kindgesprekken</h2>")
    talk = page.index("Noor vertelt hoe het lezen in de klas gaat.")
    assert kind < talk and not ouders < talk < kind
    assert ouders < page.index("Voortgang van het lezen met de ouders.") < kind
