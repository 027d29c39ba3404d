"""Rows of the pupil list show what was typed: names are never read as Rich markup."""

from __future__ import annotations

import datetime

from rich.console import Console

from dossier_format.model import PupilSummary
from tui.screens.pupils import row_cells


def test_a_name_with_brackets_is_shown_as_typed() -> None:
    pupil = PupilSummary(
        id="ll-test",
        voornaam="[bold]Sem[/bold]",
        achternaam="de [red]Vries",
        groep=5,
        niveau=2,
        errors=1,
        warnings=0,
        volgende_evaluatie=datetime.date(2026, 12, 1),
        signalen=[],
        uitgeschreven=None,
        tussenvoegsel="",
    )
    cells = row_cells(pupil)
    console = Console(width=80, record=True, color_system=None)
    for cell in cells:
        console.print(cell)
    shown = console.export_text()
    assert "[bold]Sem[/bold]" in shown
    assert "[red]Vries" in shown
    assert all(not cell.spans for cell in cells), "no styles were read from the text"
