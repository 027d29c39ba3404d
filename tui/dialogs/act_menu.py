"""Choose what to record: the everyday acts in one list (each also has its own key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.bindings import bind, translate_bindings
from tui.i18n import t


class ActMenu(ModalScreen[str | None]):
    """Dismisses with the chosen act id, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [bind("escape", "cancel", "key.cancel")]

    def __init__(self, choices: Sequence[tuple[str, str, str]]) -> None:
        """`choices`: (act id, key, description) in menu order."""
        super().__init__()
        translate_bindings(self)
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("acts.title"), classes="title")
            yield OptionList(
                *(Option(f"{key}  {text}", id=act) for act, key, text in self.choices),
                id="act-list",
            )

    def on_mount(self) -> None:
        self.query_one("#act-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#act-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event: object) -> None:
        """The act's own key works in the menu too."""
        key = getattr(event, "key", "")
        for act, act_key, _ in self.choices:
            if key == act_key:
                self.dismiss(act)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)
