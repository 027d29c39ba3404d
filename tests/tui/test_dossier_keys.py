"""The dossier's tabs are reachable by number, and the footer fits the acts on a normal
terminal."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer, OptionList, TabbedContent

from tui.dialogs.act_menu import ActMenu
from tui.dialogs.form import FormDialog
from tui.screens.dossier import DossierScreen
from vault import demo


async def test_number_keys_open_the_tabs_in_their_order(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    pupil = kit.open_as(demo_master, demo.IB.id).list_pupils()[0]
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil.id)
        await kit.settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, DossierScreen)
        tabs = screen.query_one(TabbedContent)
        panes = [pane.id for pane in tabs.query("TabPane")]
        assert len(panes) == 9
        for number, pane in zip("521987634", [panes[int(n) - 1] for n in "521987634"], strict=True):
            await pilot.press(number)
            await pilot.pause()
            assert tabs.active == pane, number
        await kit.settle(pilot)
        # The footer fits 120 columns: nothing cut off at the edge.
        footer = screen.query_one(Footer)
        shown = {key.key for key in footer.query("FooterKey")}
        assert {"escape", "e", "a", "h"} <= shown
        assert all(key.region.right <= kit.size[0] for key in footer.query("FooterKey"))


async def test_the_acts_menu_lists_every_act_and_opens_its_form(
    demo_master: demo.DemoInfo, kit: Any
) -> None:
    pupil = kit.open_as(demo_master, demo.IB.id).list_pupils()[0]
    async with kit.app(demo_master).run_test(size=kit.size) as pilot:
        await kit.settle(pilot)
        pilot.app.open_pupil(pupil.id)
        await kit.settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        menu = pilot.app.screen
        assert isinstance(menu, ActMenu)
        options = menu.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == [
            "plan",
            "evaluatie",
            "bespreking",
            "gesprek",
            "toestemming",
            "niveau",
            "toets",
        ]
        await pilot.press("down", "down", "enter")  # the third: a bespreking
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, FormDialog)
        assert form.act.id == "bespreking"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("a", "k")  # an act's own key works in the menu
        await pilot.pause()
        assert isinstance(pilot.app.screen, FormDialog)
        assert pilot.app.screen.act.id == "toets"
