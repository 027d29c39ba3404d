"""A form for one everyday act; dismisses with the field values, or None.

Every field has a readable label (`acts.field_label`) and, where the format is not obvious,
a hint as placeholder and tooltip. Choices start empty unless the act gives a default, and
the focus starts in the first field the user has to fill in. Who was present (`multi`) is a
list to tick plus a line for other outsiders.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from tui.acts import (
    TYPED_KINDS,
    Act,
    Field,
    FormError,
    choice_label,
    convert,
    field_hint,
    field_label,
    show_date,
)
from tui.bindings import bind, translate_bindings
from tui.i18n import t


def first_to_fill(act: Act) -> Field:
    """The field the focus starts in: the first required field that is still empty and is
    typed in, else the first empty required choice, else the first empty field."""
    empty = [f for f in act.fields if not f.default]
    candidates = [
        *(f for f in empty if f.required and f.kind in TYPED_KINDS),
        *(f for f in empty if f.required),
        *empty,
    ]
    return candidates[0] if candidates else act.fields[0]


class FormDialog(ModalScreen[dict[str, str] | None]):
    """One labelled input or choice per field; checked with `acts.convert` before closing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape", "cancel", "key.cancel"),
        bind("ctrl+s", "submit", "key.submit"),
    ]

    DEFAULT_CSS = """
    FormDialog .form-people {
        width: 1fr;
        height: auto;
    }
    FormDialog .form-people SelectionList {
        height: auto;
        max-height: 12;
    }
    FormDialog .form-legend {
        color: $text-muted;
    }
    """

    AUTO_FOCUS = ".first-field"

    def __init__(self, act: Act) -> None:
        super().__init__()
        translate_bindings(self)
        self.act = act
        self.first = first_to_fill(act)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide form", can_focus=False):
            yield Static(t(f"act.{self.act.id}"), classes="title")
            for spec in self.act.fields:
                with Horizontal(classes="form-row") as row:
                    label = field_label(self.act.id, spec.key)
                    yield Label(f"{label}{' *' if spec.required else ''}", classes="form-label")
                    if spec.kind == "multi":
                        row.styles.height = "auto"  # a list to tick, not one line
                        with Vertical(classes="form-people"):
                            yield from self.people_widgets(spec)
                    else:
                        yield self.field_widget(spec)
            yield Static(t("form.legend"), classes="form-legend")
            yield Static("", id="form-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("key.submit"), id="submit", variant="primary")
                yield Button(t("key.cancel"), id="cancel")

    def field_widget(self, spec: Field) -> Input | Select[str]:
        """A compact choice for choices, else a compact input with a format hint."""
        hint = field_hint(self.act.id, spec)
        widget: Input | Select[str]
        if spec.kind in TYPED_KINDS:
            widget = Input(
                value=show_date(spec.default) if spec.kind == "date" else spec.default,
                placeholder=hint,
                id=f"field-{spec.key}",
                compact=True,
                # Typing right after Tab must not be swallowed by a deferred select-all.
                select_on_focus=False,
            )
        else:
            choices = ("ja", "nee") if spec.kind == "bool" else spec.choices
            widget = Select(
                [(spec.labels.get(c) or choice_label(c), c) for c in choices],
                value=spec.default if spec.default in choices else Select.NULL,
                id=f"field-{spec.key}",
                prompt=t("form.choose") if spec.required else "—",
                compact=True,
            )
        widget.tooltip = hint or None
        widget.set_class(spec is self.first, "first-field")
        return widget

    def people_widgets(self, spec: Field) -> ComposeResult:
        """Who was present: the known people to tick, and a line for other outsiders."""
        given = [item.strip() for item in spec.default.split(";") if item.strip()]
        people: SelectionList[str] = SelectionList(
            *[(spec.labels.get(c) or choice_label(c), c, c in given) for c in spec.choices],
            id=f"field-{spec.key}",
            compact=True,
        )
        people.set_class(spec is self.first, "first-field")
        yield people
        others = Input(
            "; ".join(item for item in given if item not in spec.choices),
            placeholder=t("form.hint.others"),
            id=f"field-{spec.key}-others",
            compact=True,
            select_on_focus=False,
        )
        others.tooltip = t("form.hint.others")
        yield others

    def values(self) -> dict[str, str]:
        """The current field values as strings ("" when empty; ticked people and others
        joined with "; ")."""
        result: dict[str, str] = {}
        for spec in self.act.fields:
            widget: Any = self.query_one(f"#field-{spec.key}")
            if isinstance(widget, SelectionList):
                others = self.query_one(f"#field-{spec.key}-others", Input).value.split(";")
                items = [*map(str, widget.selected), *others]
                result[spec.key] = "; ".join(item.strip() for item in items if item.strip())
                continue
            value = widget.value
            result[spec.key] = "" if value is Select.NULL or value is None else str(value)
        return result

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        values = self.values()
        try:
            convert(self.act, values)
        except FormError as error:
            self.query_one("#form-status", Static).update(str(error))
            target: Widget = self.query_one(f"#field-{error.field}")
            target.focus()
            target.scroll_visible()
            return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
