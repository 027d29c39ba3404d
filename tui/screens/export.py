"""The export wizard: recipient, what goes and what is withheld, the gate, the file, export.

The plan (`vault.transfer.plan_export`) is read when the screen opens; when the gate finds
errors the export needs an override reason, which goes into the signed manifest and history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from dossier_format.errors import DossierError
from tui import messages
from tui.bindings import bind, translate_bindings
from tui.i18n import t
from tui.widgets.findings import findings_text
from vault import transfer
from vault.errors import VaultError

if TYPE_CHECKING:
    from tui.app import ZorgkluisApp


@dataclass
class ExportPlanned(Message):
    """The export plan (included, withheld, gate) and the known schools were read."""

    plan: transfer.ExportPlan
    schools: list[transfer.KnownSchool]


@dataclass
class ExportWritten(Message):
    """The bundle was written and the sending recorded in the dossier."""

    result: transfer.ExportResult


FORMATS = ("bundel", "PO-PO", "PO-VO")
"""The wizard's forms: a Zorgkluis bundle, or OSO 2019.1 XML in either transfer profile."""


def included_text(plan: transfer.ExportPlan) -> Text:
    """The parts that go, one a line."""
    return Text("\n".join(f"✓ {name}" for name in plan.included) or "—", style="green")


def withheld_text(plan: transfer.ExportPlan) -> Text:
    """What stays behind, each with its reason."""
    text = Text()
    for item in plan.withheld:
        text.append(f"✗ {item.wat}", style="bold")
        text.append(f"  {item.reden}\n")
    return text


class ExportScreen(Screen[None]):
    """One pupil's transfer to the next school; `ctrl+s` (or enter in the reason) exports."""

    DEFAULT_CSS = """
    #export-steps { height: 1fr; }
    #export-status { padding: 0 1; color: $warning; }
    #export-gate, #export-included, #export-withheld { padding: 0 1; height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape", "back", "key.back"),
        bind("ctrl+s", "export", "key.export", priority=True),
    ]

    def __init__(self, pupil_id: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.pupil_id = pupil_id
        self.plan: transfer.ExportPlan | None = None

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("export.title"), classes="title", id="export-title")
        with VerticalScroll(id="export-steps"):
            yield Static(t("export.step.format"), classes="subtitle")
            yield Select[str](
                [(t(f"export.format.{f}"), f) for f in FORMATS],
                value="bundel",
                allow_blank=False,
                id="export-format",
            )
            yield Static(t("export.step.recipient"), classes="subtitle", id="export-recipient")
            yield Select[str]([], prompt=t("export.pick_school"), id="export-school")
            yield Input(placeholder=t("export.recipient_key"), id="export-key")
            yield Static(t("export.step.preview"), classes="subtitle")
            yield Label(t("export.included"))
            yield Static(t("export.loading"), id="export-included")
            yield Label(t("export.withheld"))
            yield Static("", id="export-withheld")
            for part in transfer.OPTIONAL_PARTS:
                yield Checkbox(t("export.withhold", part=part), id=f"withhold-{part}")
            yield Static(t("export.step.gate"), classes="subtitle")
            yield Static("", id="export-gate")
            yield Input(placeholder=t("override.reason"), id="export-override")
            yield Static(t("export.step.file"), classes="subtitle")
            yield Input(value=str(Path.cwd() / f"overdracht-{self.pupil_id}.zkb"), id="export-out")
            yield Button(t("export.button"), id="export-go", variant="primary", disabled=True)
            yield Static("", id="export-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load(self.withhold())

    def fmt(self) -> str:
        """The chosen form: "bundel", "PO-PO" or "PO-VO" (the OSO profiles)."""
        return str(self.query_one("#export-format", Select).value)

    def withhold(self) -> list[str]:
        """The optional parts the user chose to leave out (a bundle only: OSO carries a fixed
        set of fields, docs/transfer.md)."""
        if self.fmt() != "bundel":
            return []
        return [
            part
            for part in transfer.OPTIONAL_PARTS
            if self.query_one(f"#withhold-{part}", Checkbox).value
        ]

    @on(Select.Changed, "#export-format")
    def format_changed(self) -> None:
        """OSO needs no receiving school's key and no choice of parts; its file is XML."""
        bundle = self.fmt() == "bundel"
        for selector in ("#export-recipient", "#export-school", "#export-key"):
            self.query_one(selector).display = bundle
        for part in transfer.OPTIONAL_PARTS:
            self.query_one(f"#withhold-{part}", Checkbox).display = bundle
        out = self.query_one("#export-out", Input)
        path = Path(out.value or f"overdracht-{self.pupil_id}")
        out.value = str(path.with_suffix(".zkb" if bundle else ".xml"))
        self.query_one("#export-go", Button).disabled = True
        self.load(self.withhold())

    @on(Checkbox.Changed)
    def withhold_changed(self) -> None:
        self.query_one("#export-go", Button).disabled = True
        self.load(self.withhold())

    @work(thread=True, exclusive=True, group="export")
    def load(self, withhold: list[str]) -> None:
        vault = self.zapp.vault
        try:
            plan = transfer.plan_export(
                vault, self.pupil_id, today=self.zapp.today, withhold=withhold
            )
            schools = [s for s in transfer.list_schools(vault) if s.ontvangstsleutel]
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        except DossierError as error:
            self.post_message(messages.WorkFailed(str(error)))
            return
        self.post_message(ExportPlanned(plan, schools))

    def on_export_planned(self, message: ExportPlanned) -> None:
        if self.plan is None:  # first plan; a re-plan keeps the chosen school
            # By fingerprint: resolve_receiver takes it, and two schools may share a name.
            self.query_one("#export-school", Select).set_options(
                [(f"{s.naam} ({s.vingerafdruk[:15]}…)", s.vingerafdruk) for s in message.schools]
            )
        plan = self.plan = message.plan
        leerling = plan.data.get("leerling") or {}
        name = " ".join(str(leerling.get(k)) for k in ("voornaam", "achternaam") if leerling.get(k))
        self.query_one("#export-title", Static).update(t("export.title_for", name=name))
        self.query_one("#export-included", Static).update(included_text(plan))
        self.query_one("#export-withheld", Static).update(withheld_text(plan))
        gate = Text(t("export.gate_blocked") if plan.blocked else t("export.gate_open"))
        gate.stylize("bold red" if plan.blocked else "green")
        gate.append("\n")
        gate.append_text(findings_text(plan.gate_findings))
        self.query_one("#export-gate", Static).update(gate)
        self.query_one("#export-override", Input).display = plan.blocked
        self.query_one("#export-go", Button).disabled = False

    def status(self, text: str) -> None:
        self.query_one("#export-status", Static).update(text)

    def recipient(self) -> str:
        """The typed `age1…` key, else the chosen known school's name ("" when neither)."""
        key = self.query_one("#export-key", Input).value.strip()
        if key:
            return key
        school = self.query_one("#export-school", Select).value
        return "" if school is Select.NULL else str(school)

    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted, "#export-override")
    def action_export(self) -> None:
        if self.plan is None:
            return
        to = self.recipient()
        if not to and self.fmt() == "bundel":
            self.status(t("export.no_recipient"))
            return
        override = self.query_one("#export-override", Input).value.strip()
        if self.plan.blocked and not override:
            self.status(t("export.override_required"))
            self.query_one("#export-override", Input).focus()
            return
        out = self.query_one("#export-out", Input).value.strip()
        if not out:
            self.status(t("export.no_file"))
            return
        self.status(t("export.busy"))
        self.query_one("#export-go", Button).disabled = True
        override_reason = override if self.plan.blocked else None
        self.export(self.fmt(), to, Path(out).expanduser(), override_reason, self.withhold())

    @work(thread=True, exclusive=True, group="export")
    def export(
        self, fmt: str, to: str, out: Path, override: str | None, withhold: list[str]
    ) -> None:
        vault = self.zapp.vault
        try:
            if fmt == "bundel":
                result = transfer.export_bundle(
                    vault,
                    self.pupil_id,
                    to,
                    out,
                    override=override,
                    withhold=withhold,
                    today=self.zapp.today,
                )
            else:
                result = transfer.export_oso(
                    vault,
                    self.pupil_id,
                    out,
                    profile="PO-VO" if fmt == "PO-VO" else "PO-PO",
                    sender=transfer.oso_school(vault),
                    override=override,
                    today=self.zapp.today,
                )
        except VaultError as error:  # with its hint: what to do (e.g. record the OSO details)
            self.post_message(messages.WorkFailed(str(error)))
            return
        except DossierError as error:
            self.post_message(messages.WorkFailed(str(error)))
            return
        self.post_message(ExportWritten(result))

    def on_export_written(self, message: ExportWritten) -> None:
        self.zapp.pupils_stale = True
        self.status(
            t(
                "export.done",
                path=message.result.path,
                parts=", ".join(message.result.plan.included),
            )
        )

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        self.status(t("export.failed", message=message.message))
        self.query_one("#export-go", Button).disabled = self.plan is None

    def action_back(self) -> None:
        self.dismiss(None)
