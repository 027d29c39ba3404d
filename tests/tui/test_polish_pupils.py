"""The pupil list: no review key for teachers, name search in every form people type it
(accents and case aside), and sorting by a column by key or by clicking its header."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from tui.app import ZorgkluisApp
from tui.screens.pupils import PupilListScreen
from vault import demo


def names(app: ZorgkluisApp) -> list[str]:
    table = app.screen.query_one("#pupils", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def column(app: ZorgkluisApp, key: str) -> list[str]:
    table = app.screen.query_one("#pupils", DataTable)
    index = table.get_column_index(key)
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def footer_texts(app: ZorgkluisApp) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def search(pilot: Pilot[Any], text: str) -> list[str]:
    box = pilot.app.screen.query_one("#search", Input)
    box.value = text
    await pilot.pause()
    return names(pilot.app)  # type: ignore[arg-type]


async def test_a_teacher_has_no_review_key(demo_master: demo.DemoInfo, kit: Any) -> None:
    async with kit.app(demo_master, "lk-groep3").run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        assert "Zoeken" in footer_texts(pilot.app)
        assert "Beoordelen" not in footer_texts(pilot.app)
        bindings = pilot.app.screen.active_bindings
        assert "r" not in bindings
        await pilot.press("r")
        await kit.settle(pilot)
        assert isinstance(pilot.app.screen, PupilListScreen)
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        assert "Beoordelen" in footer_texts(pilot.app)


async def test_search_finds_every_name_form(demo_master: demo.DemoInfo, kit: Any) -> None:
    pupils = kit.open_as(demo_master, demo.IB.id).list_pupils()
    pupil = next(p for p in pupils if p.tussenvoegsel)
    listed = f"{pupil.achternaam}, {pupil.voornaam} {pupil.tussenvoegsel}"
    same = [
        p
        for p in pupils
        if (p.tussenvoegsel, p.achternaam) == (pupil.tussenvoegsel, pupil.achternaam)
    ]
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        assert await search(pilot, f"{pupil.achternaam}, {pupil.voornaam}") == [listed]
        assert await search(
            pilot, f"{pupil.voornaam} {pupil.tussenvoegsel} {pupil.achternaam}"
        ) == [listed]
        by_tussen = await search(pilot, f"{pupil.tussenvoegsel} {pupil.achternaam}".upper())
        assert len(by_tussen) == len(same) and listed in by_tussen
        # Part of the name, any case.
        assert listed in await search(pilot, f"{pupil.tussenvoegsel} {pupil.achternaam[:3]}")
        assert await search(pilot, "qqq") == []


async def test_search_ignores_accents(demo_vault: demo.DemoInfo, kit: Any) -> None:
    vault = kit.open_as(demo_vault, demo.IB.id)
    pupil = next(p for p in vault.list_pupils() if not p.tussenvoegsel)
    text = vault.show(pupil.id)
    assert f"voornaam: {pupil.voornaam}\n" in text
    vault.put(
        pupil.id,
        text.replace(f"voornaam: {pupil.voornaam}\n", "voornaam: Zoë\n", 1),
        today=kit.today,
    )
    listed = f"{pupil.achternaam}, Zoë"
    async with kit.app(demo_vault).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        assert await search(pilot, "zoe") == [listed]
        assert await search(pilot, "ZOË") == [listed]
        assert await search(pilot, f"Zoé {pupil.achternaam.lower()}") == [listed]


async def test_sorting_by_key_and_by_header(demo_master: demo.DemoInfo, kit: Any) -> None:
    pupils = kit.open_as(demo_master, demo.IB.id).list_pupils()
    dated = sorted(p.volgende_evaluatie.isoformat() for p in pupils if p.volgende_evaluatie)
    assert dated
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        app = pilot.app
        table = app.screen.query_one("#pupils", DataTable)
        await pilot.press("e")
        await pilot.pause()
        dates = column(app, "volgende")
        assert dates[: len(dated)] == dated and set(dates[len(dated) :]) == {""}
        assert str(table.ordered_columns[5].label) == "Volgende evaluatie ▲"
        await pilot.press("e")  # the same column again: the other way round, empty still last
        await pilot.pause()
        assert column(app, "volgende")[: len(dated)] == dated[::-1]
        assert str(table.ordered_columns[5].label) == "Volgende evaluatie ▼"
        await pilot.press("n")
        await pilot.pause()
        surnames = [name.split(",")[0] for name in names(app)]
        assert surnames == sorted(surnames) and len(surnames) == kit.count
        # Clicking a header sorts by it: Groep, then Naam twice (descending).
        groep_x = table.ordered_columns[0].get_render_width(table) + 1
        await pilot.click("#pupils", offset=(groep_x, 0))
        await pilot.pause()
        groepen = [int(g) for g in column(app, "groep")]
        assert groepen == sorted(groepen)
        await pilot.click("#pupils", offset=(1, 0))
        await pilot.pause()
        await pilot.click("#pupils", offset=(1, 0))
        await pilot.pause()
        surnames = [name.split(",")[0] for name in names(app)]
        assert surnames == sorted(surnames, reverse=True)
        # Filters keep the chosen order.
        await pilot.press("slash", "e")
        await pilot.pause()
        shown = [name.split(",")[0] for name in names(app)]
        assert shown == sorted(shown, reverse=True) and len(shown) < kit.count
