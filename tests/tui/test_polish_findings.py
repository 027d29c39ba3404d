"""The findings panel wraps long messages: each is read in full, none runs off the edge."""

from __future__ import annotations

from typing import Any

from dossier_format import checks, codec
from tui.widgets.findings import FindingsPanel
from vault import demo

NARROW = (90, 36)


async def test_long_findings_wrap_within_the_panel(demo_master: demo.DemoInfo, kit: Any) -> None:
    vault = kit.open_as(demo_master, demo.IB.id)

    def findings(pupil_id: str) -> list[Any]:
        return checks.check(codec.load_fast(vault.show(pupil_id)), vault.route, kit.today)

    pupil_id, expected = max(
        ((p.id, findings(p.id)) for p in vault.list_pupils()), key=lambda pair: len(pair[1])
    )
    assert expected and max(len(f.message) for f in expected) > 60
    async with kit.app(demo_master).run_test(size=NARROW) as pilot:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil_id)
        await kit.settle(pilot)
        panel = pilot.app.screen.query_one("#dossier-findings", FindingsPanel)
        assert panel.row_count == len(expected)
        width = panel.columns["message"].width
        # Nothing sticks out sideways, and each row is as high as its message needs.
        assert panel.virtual_size.width <= panel.content_region.width
        for index, finding in enumerate(panel.findings):
            lines = -(-len(finding.message) // width)
            assert panel.ordered_rows[index].height >= max(2, lines)
            assert str(panel.get_row_at(index)[3]) == finding.message
        # A wider screen gives the messages more room (the rows are laid out again).
        await pilot.resize_terminal(200, 36)
        await kit.settle(pilot)
        assert panel.columns["message"].width > width
        assert all(row.height == 1 for row in panel.ordered_rows)
