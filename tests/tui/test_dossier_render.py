"""Dossier renderers: timeline order, level trend, coloured diff."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from dossier_format import codec
from tui.i18n import t
from tui.render import colour_diff, level_trend, render_entries, render_timeline

FIXTURE = Path(__file__).parent / "fixtures" / "dossier.yaml"


def plain(renderable: object) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_timeline_shows_niveaus_plans_and_meetings_in_date_order() -> None:
    data = codec.load_fast(FIXTURE.read_text())
    lines = [line for line in plain(render_timeline(data, [1, 2, 3, 4])).splitlines() if line]
    dates = [line.split()[0] for line in lines]
    assert dates == sorted(dates)
    assert any("niveau 3" in line and "██████" in line for line in lines)
    assert sum("plan" in line.split()[1:3] for line in lines) == 3
    assert any("bespreking" in line and "clb" in line for line in lines)


def test_level_trend_marks_a_decline() -> None:
    data = codec.load_fast(FIXTURE.read_text())
    text = level_trend(data)
    line = next(line for line in text.plain.splitlines() if line.startswith("DMT"))
    assert line.endswith("D → E  ▼")


def test_entries_are_newest_first() -> None:
    data = codec.load_fast(FIXTURE.read_text())
    text = render_entries(data["toetsen"]).plain
    assert text.index("2024-01-30") < text.index("2023-01-24")


def test_diff_lines_are_coloured_by_kind() -> None:
    text = colour_diff("--- a\n+++ b\n@@ -1 +1 @@\n-oud\n+nieuw\n zelfde\n")
    styles = {text.plain[span.start : span.end].strip(): str(span.style) for span in text.spans}
    assert styles["-oud"] == "red"
    assert styles["+nieuw"] == "green"
    assert styles["@@ -1 +1 @@"] == "cyan"
    assert "+++" not in text.plain
    assert colour_diff("").plain == t("history.no_diff")
