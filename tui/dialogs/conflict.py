"""A colleague saved the same fields meanwhile: show both values per field and let the user
choose which stays (the save is then merged with these choices, `Vault.put(choices=...)`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, RadioButton, RadioSet, Static

from dossier_format.merge import Choice, Conflict, as_yaml
from tui.bindings import bind, translate_bindings
from tui.i18n import t


class ConflictDialog(ModalScreen[dict[str, Choice] | None]):
    """Dismisses with a choice per conflicting field, or None when the user cancels."""

    DEFAULT_CSS = """
    ConflictDialog #conflict-list { height: auto; max-height: 24; }
    ConflictDialog .conflict { height: auto; border: round $accent; }
    ConflictDialog .conflict-sides { height: auto; }
    ConflictDialog .conflict-sides > Vertical { width: 1fr; height: auto; }
    ConflictDialog .side { padding: 0 1; background: $boost; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [bind("escape", "cancel", "key.cancel")]

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        super().__init__()
        translate_bindings(self)
        self.conflicts = list(conflicts)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(t("conflict.title"), classes="title")
            yield Static(t("conflict.explain"), classes="dialog-text")
            with VerticalScroll(id="conflict-list"):
                for index, conflict in enumerate(self.conflicts):
                    yield self.row(index, conflict)
            yield Static("", id="conflict-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("conflict.save"), id="save", variant="primary")
                yield Button(t("key.cancel"), id="cancel")

    @staticmethod
    def row(index: int, conflict: Conflict) -> Vertical:
        """One field: where, the user's and the colleague's value side by side, the choice."""
        ours = as_yaml(conflict.ours) or t("conflict.removed")
        theirs = as_yaml(conflict.theirs) or t("conflict.removed")
        return Vertical(
            Static(conflict.path, classes="subtitle"),
            Horizontal(
                Vertical(Static(t("conflict.ours"), classes="hint"), Static(ours, classes="side")),
                Vertical(
                    Static(t("conflict.theirs"), classes="hint"), Static(theirs, classes="side")
                ),
                classes="conflict-sides",
            ),
            RadioSet(
                RadioButton(t("conflict.keep_ours"), id=f"choice-{index}-ours"),
                RadioButton(t("conflict.keep_theirs"), id=f"choice-{index}-theirs"),
                id=f"choice-{index}",
            ),
            classes="conflict",
        )

    def on_mount(self) -> None:
        self.query_one("#choice-0", RadioSet).focus()

    def chosen(self) -> dict[str, Choice] | None:
        """The choice per field, or None while a field is still open."""
        out: dict[str, Choice] = {}
        for index, conflict in enumerate(self.conflicts):
            pressed = self.query_one(f"#choice-{index}", RadioSet).pressed_button
            if pressed is None:
                return None
            out[conflict.path] = "ours" if pressed.id == f"choice-{index}-ours" else "theirs"
        return out

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        choices = self.chosen()
        if choices is None:
            self.query_one("#conflict-status", Static).update(t("conflict.choose_all"))
            return
        self.dismiss(choices)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
