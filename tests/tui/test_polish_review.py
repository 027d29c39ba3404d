"""The review queue screen: per-pupil and whole-queue marking after a confirmation, each a
signed record; each change with its day, author and override reason; Enter opens the pupil."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tui.dialogs.confirm import ConfirmDialog
from tui.screens.dossier import DossierScreen
from tui.screens.review import ReviewScreen
from vault import demo, review


def details(screen: ReviewScreen) -> str:
    return "\n".join(str(s.render()) for s in screen.query_one("#review-list").query(Static))


async def open_queue(pilot: Pilot[Any], kit: Any) -> ReviewScreen:
    await kit.settle(pilot)
    await pilot.press("r")
    await kit.settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


async def test_marking_one_pupil_and_then_all_asks_first_and_is_signed(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    pending = review.changes_since_review(kit.open_as(demo_vault, demo.IB.id))
    assert len(pending) == 2
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        screen = await open_queue(pilot, kit)
        table = screen.query_one("#review-pupils", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(2)] == [p.naam for p in pending]
        await pilot.press("down")
        await kit.settle(pilot)
        assert pending[1].naam in details(screen)
        # `m` asks about the highlighted pupil; no (the default) or escape changes nothing.
        await pilot.press("m")
        await kit.settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmDialog) and pending[1].naam in dialog.question
        await pilot.press("enter")
        await kit.settle(pilot)
        assert pilot.app.screen is screen and len(screen.changes) == 2
        await pilot.press("m")
        await kit.settle(pilot)
        await pilot.click("#yes")
        await kit.settle(pilot)
        assert pilot.app.screen is screen
        assert [p.pupil_id for p in screen.changes] == [pending[0].pupil_id]
        ib = kit.open_as(demo_vault, demo.IB.id)
        assert review.pending_count(ib) == 1 and ib.verify() == []
        assert ib.history(max_count=1)[0].paths == (review.review_path(demo.IB.id),)
        assert pending[0].naam in details(screen)
        # `a` asks about the whole queue.
        await pilot.press("a")
        await kit.settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmDialog) and "1 leerling(en)" in dialog.question
        await pilot.click("#yes")
        await kit.settle(pilot)
        assert screen.query_one("#review-empty")
        assert not screen.query_one("#review-pupils").display
    ib = kit.open_as(demo_vault, demo.IB.id)
    assert review.pending_count(ib) == 0 and ib.verify() == []
    assert len(ib.history(max_count=3)) == 3


async def test_each_change_shows_day_author_and_override_and_enter_opens_the_pupil(
    demo_vault: demo.DemoInfo, kit: Any
) -> None:
    ib = kit.open_as(demo_vault, demo.IB.id)
    review.mark_reviewed(ib, review.head(ib) or "", kit.today)
    teacher = kit.open_as(demo_vault, "lk-groep1")
    pupil = teacher.list_pupils()[0]
    teacher.put(pupil.id, teacher.show(pupil.id) + "# x\n", override="Plan volgt", today=kit.today)
    teacher.put(pupil.id, teacher.show(pupil.id) + "# y\n", today=kit.today)
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        screen = await open_queue(pilot, kit)
        shown = details(screen)
        author = teacher.user.naam
        assert shown.count(f"vandaag · {author} · handtekening ✓") == 2
        assert shown.count("Afgeweken: Plan volgt") == 1
        table = screen.query_one("#review-pupils", DataTable)
        assert [str(c) for c in table.get_row_at(0)][2:] == ["2", author, "vandaag"]
        await pilot.press("enter")
        await kit.settle(pilot)
        dossier = pilot.app.screen
        assert isinstance(dossier, DossierScreen) and dossier.pupil_id == pupil.id
        await pilot.press("escape")
        await kit.settle(pilot)
        assert pilot.app.screen is screen


async def test_the_queue_in_english(demo_vault: demo.DemoInfo, kit: Any) -> None:
    async with kit.app(demo_vault, language="en").run_test(size=kit.size) as pilot:
        screen = await open_queue(pilot, kit)
        assert "today · " in details(screen) and "signature ✓" in details(screen)
        table = screen.query_one("#review-pupils", DataTable)
        assert str(table.ordered_columns[0].label) == "Pupil"
        await pilot.press("a")
        await kit.settle(pilot)
        assert "Mark the whole queue as reviewed: 2 pupil(s)" in pilot.app.screen.question
