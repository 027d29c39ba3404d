"""The review queue screen: per-pupil and whole-queue marking after a confirmation, each a
signed record; each change with its day, author and override reason; Enter opens the pupil."""

from __future__ import annotations

import datetime
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tui import i18n
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.dossier import DossierScreen
from tui.screens.review import ReviewScreen, day_text
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
    assert len(pending) >= 2
    rest = [p for i, p in enumerate(pending) if i != 1]
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        screen = await open_queue(pilot, kit)
        table = screen.query_one("#review-pupils", DataTable)
        shown = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert shown == [p.naam for p in pending]
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
        assert pilot.app.screen is screen and len(screen.changes) == len(pending)
        await pilot.press("m")
        await kit.settle(pilot)
        await pilot.click("#yes")
        await kit.settle(pilot)
        assert pilot.app.screen is screen
        assert [p.pupil_id for p in screen.changes] == [p.pupil_id for p in rest]
        ib = kit.open_as(demo_vault, demo.IB.id)
        assert review.pending_count(ib) == len(rest) and ib.verify() == []
        assert ib.history(max_count=1)[0].paths == (review.review_path(demo.IB.id),)
        # The pupil that took the marked one's place is shown.
        assert rest[1 if len(rest) > 1 else 0].naam in details(screen)
        # `a` asks about the whole queue.
        await pilot.press("a")
        await kit.settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert f": {len(rest)} leerling(en)" in dialog.question
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
        changes = screen.changes[0].changes
        days = [day_text(c.when, datetime.date.today()) for c in changes]
        assert [c.override for c in changes] == ["Plan volgt", None]
        header = f"{days[0]} · {author} · handtekening ✓\nAfgeweken: Plan volgt\n"
        assert header in shown
        assert shown.count(f"· {author} · handtekening ✓") == 2
        assert shown.count("Afgeweken: ") == 1
        table = screen.query_one("#review-pupils", DataTable)
        assert [str(c) for c in table.get_row_at(0)][2:] == ["2", author, days[1]]
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
        assert " · signature ✓" in details(screen)
        table = screen.query_one("#review-pupils", DataTable)
        assert str(table.ordered_columns[0].label) == "Pupil"
        await pilot.press("a")
        await kit.settle(pilot)
        expected = f"Mark the whole queue as reviewed: {len(screen.changes)} pupil(s)"
        assert expected in pilot.app.screen.question


def test_days_read_today_yesterday_or_the_date() -> None:
    today = datetime.date(2026, 11, 20)
    zone = datetime.timezone(datetime.timedelta(hours=1))

    def at(day: int) -> datetime.datetime:
        return datetime.datetime(2026, 11, day, 12, 0, tzinfo=zone)

    i18n.set_language("nl")
    assert [day_text(at(d), today) for d in (20, 19, 16)] == ["vandaag", "gisteren", "2026-11-16"]
    try:
        i18n.set_language("en")
        assert [day_text(at(d), today) for d in (20, 19)] == ["today", "yesterday"]
    finally:
        i18n.set_language("nl")
