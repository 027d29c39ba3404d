"""A form for one everyday act; dismisses with the field values, or None."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui.acts import Act, Field, FormError, convert
from tui.bindings import bind, translate_bindings
from tui.i18n import t


class FormDialog(ModalScreen[dict[str, str] | None]):
    """One labelled input or choice per field; checked with `acts.convert` before closing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape", "cancel", "key.cancel"),
        bind("ctrl+s", "submit", "key.submit"),
    ]

    AUTO_FOCUS = ".first-field"

    def __init__(self, act: Act) -> None:
        super().__init__()
        translate_bindings(self)
        self.act = act
        # Start where typing is needed: the first required field without a default.
        self.first = next((f for f in act.fields if f.required and not f.default), act.fields[0])

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide form", can_focus=False):
            yield Static(t(f"act.{self.act.id}"), classes="title")
            for spec in self.act.fields:
                with Horizontal(classes="form-row"):
                    yield Label(f"{spec.key}{' *' if spec.required else ''}", classes="form-label")
                    widget = self.field_widget(spec)
                    widget.set_class(spec is self.first, "first-field")
                    yield widget
            yield Static("", id="form-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("key.submit"), id="submit", variant="primary")
                yield Button(t("key.cancel"), id="cancel")

    @staticmethod
    def field_widget(spec: Field) -> Input | Select[str]:
        """A compact choice for choices, else a compact input with a format hint."""
        if spec.kind in ("choice", "level", "bool"):
            choices = ("ja", "nee") if spec.kind == "bool" else spec.choices
            default = spec.default or (choices[0] if spec.required and choices else "")
            return Select(
                [(c, c) for c in choices],
                value=default if default in choices else Select.NULL,
                id=f"field-{spec.key}",
                prompt="—",
                compact=True,
            )
        hints = {"list": "a; b", "date": "JJJJ-MM-DD"}
        return Input(
            value=spec.default,
            placeholder=hints.get(spec.kind, ""),
            id=f"field-{spec.key}",
            compact=True,
            # Typing right after Tab must not be swallowed by a deferred select-all.
            select_on_focus=False,
        )

    def values(self) -> dict[str, str]:
        """The current field values as strings ("" when empty)."""
        result: dict[str, str] = {}
        for spec in self.act.fields:
            widget: Any = self.query_one(f"#field-{spec.key}")
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
            key = "form.bad_date" if error.problem == "date" else "form.required"
            self.query_one("#form-status", Static).update(t(key, field=error.field))
            self.query_one(f"#field-{error.field}").focus()
            return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
