"""The findings panel wraps long messages: each is read in full, none runs off the edge."""

from __future__ import annotations

from typing import Any

from dossier_format.findings import Finding
from tui.widgets.findings import FindingsPanel
from vault import demo

NARROW = (90, 36)
LONG = (
    "Een D- of E-score op lezen of spelling wordt binnen acht weken met de IB-er besproken; "
    "leg de bespreking vast met de datum en wie erbij waren."
)
FINDINGS = [
    Finding("toets.bespreking", "warning", LONG, "toetsen[3]", "003 §6 Dyslexie"),
    Finding("plan.doelen", "error", "Een plan heeft doelen nodig.", "plannen[0]", "003 §4.2"),
]


async def test_long_findings_wrap_within_the_panel(demo_master: demo.DemoInfo, kit: Any) -> None:
    pupil = kit.open_as(demo_master, demo.IB.id).list_pupils()[0]
    async with kit.app(demo_master).run_test(size=NARROW) as pilot:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil.id)
        await kit.settle(pilot)
        panel = pilot.app.screen.query_one("#dossier-findings", FindingsPanel)
        panel.show(FINDINGS)
        await kit.settle(pilot)
        assert panel.row_count == 2
        assert [f.severity for f in panel.findings] == ["error", "warning"]
        width = panel.columns["message"].width
        # Nothing sticks out sideways, and each row is as high as its message needs.
        assert panel.virtual_size.width <= panel.content_region.width
        assert len(LONG) > width
        assert panel.ordered_rows[0].height == 1
        assert panel.ordered_rows[1].height >= -(-len(LONG) // width) >= 2
        assert str(panel.get_row_at(1)[3]) == LONG
        # A wider screen gives the messages more room (the rows are laid out again).
        await pilot.resize_terminal(300, 36)
        await kit.settle(pilot)
        assert panel.columns["message"].width > width
        assert all(row.height == 1 for row in panel.ordered_rows)
