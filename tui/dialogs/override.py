"""Asks for the reason to save despite errors; the reason goes into the signed commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from dossier_format.findings import Finding
from dossier_format.privacy import reason_message, reason_problems
from tui.bindings import bind, translate_bindings
from tui.i18n import t
from tui.widgets.findings import findings_text


class OverrideDialog(ModalScreen[str | None]):
    """Dismisses with the reason, `EDIT` (edit the text as YAML instead, when offered), or
    None when the user cancels."""

    EDIT = "\0bewerken"
    """Dismissed with this when the user chose to edit the YAML instead (never a reason)."""

    BINDINGS: ClassVar[list[BindingType]] = [bind("escape", "cancel", "key.cancel")]

    def __init__(
        self,
        findings: Sequence[Finding],
        new_errors: Sequence[Finding] | None = None,
        *,
        offer_edit: bool = False,
        dossier: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.dossier = dossier
        errors = [f for f in findings if f.severity == "error"]
        self.new_errors = errors if new_errors is None else list(new_errors)
        self.known_errors = [f for f in errors if f not in self.new_errors]
        self.offer_edit = offer_edit

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(t("override.title"), classes="title")
            yield Static(t("override.explain"), classes="dialog-text")
            yield Static(findings_text(self.new_errors), id="override-findings")
            if self.known_errors:
                yield Static(
                    t("override.known", count=len(self.known_errors)),
                    id="override-known",
                    classes="hint",
                )
            yield Input(placeholder=t("override.reason"), id="reason")
            yield Static(t("override.no_pupil_data"), classes="hint")
            yield Static("", id="override-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("override.save"), id="save", variant="warning")
                if self.offer_edit:
                    yield Button(t("override.edit"), id="edit")
                yield Button(t("key.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#override-status", Static).update(t("override.required"))
            return
        # The reason goes into the signed history as typed: refuse what names the pupil here,
        # before the vault would (dossier_format.privacy), so the dialog and the text stay.
        problems = reason_problems(reason, self.dossier) if self.dossier is not None else []
        if problems:
            self.query_one("#override-status", Static).update(reason_message(problems))
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#edit")
    def edit(self) -> None:
        self.dismiss(self.EDIT)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
