"""Retention terms: each pupil's parts with their deadline and state; a sweep destroys the
expired ones after confirmation (what `zorgkluis retention status/sweep` does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from dossier_format.retention_rules import RetentionItem
from tui import messages
from tui.bindings import bind, translate_bindings
from tui.dialogs.confirm import ConfirmDialog
from tui.i18n import has, t
from tui.screens.signing import SigningScreen
from vault import retention
from vault.audit import READER_ROLES
from vault.errors import VaultError

STATE_STYLE = {"verlopen": "bold red", "vernietigd": "dim", "onbepaald": "yellow"}


@dataclass
class RetentionLoaded(Message):
    """The retention state of every part was decided."""

    items: list[RetentionItem]
    confirmed: bool


@dataclass
class SweepProgressed(Message):
    """One more expired part key was destroyed."""

    done: int
    total: int


@dataclass
class RetentionSwept(Message):
    """The sweep's signed commit was made and the expired keys destroyed."""

    result: retention.SweepResult


def state_text(state: str) -> str:
    """A retention state in the UI's language."""
    key = f"retention.state.{state}"
    return t(key) if has(key) else state


class RetentionScreen(SigningScreen):
    """The status table; `s` sweeps (directie and intern begeleiders only)."""

    DEFAULT_CSS = """
    #retention-items { height: 1fr; }
    #sweep-progress { padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape", "back", "key.back"),
        bind("r", "refresh", "key.refresh"),
        bind("s", "sweep", "key.sweep"),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.items: list[RetentionItem] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("retention.title"), classes="title")
        yield Static(t("retention.loading"), id="retention-status", classes="hint")
        yield DataTable[Text | str](id="retention-items", cursor_type="row")
        yield ProgressBar(id="sweep-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#retention-items", DataTable)
        for key in ("pupil", "part", "state", "deadline", "uiterlijk", "reason"):
            table.add_column(t(f"retention.col.{key}"), key=key)
        self.query_one("#sweep-progress", ProgressBar).display = False
        self.load()

    def pupil_name(self, pupil_id: str) -> str:
        """The pupil's name when the list knows it, else the opaque id."""
        for pupil in self.zapp.pupils:
            if pupil.id == pupil_id:
                return f"{pupil.voornaam} {pupil.achternaam}"
        return pupil_id

    @work(thread=True, exclusive=True, group="retention-status")
    def load(self) -> None:
        try:
            with retention.Keeper.of_vault(self.zapp.vault, self.key) as keeper:
                items = retention.status(keeper, self.zapp.today)
                _, confirmed = retention.rules_in_force(keeper.store)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        self.post_message(RetentionLoaded(items, confirmed))

    def on_retention_loaded(self, message: RetentionLoaded) -> None:
        # By name, not by the (random) opaque id, so a pupil is easy to find.
        self.items = sorted(
            message.items, key=lambda i: (self.pupil_name(i.pupil_id), i.pupil_id, i.part)
        )
        table = self.query_one("#retention-items", DataTable)
        table.clear()
        for item in self.items:
            table.add_row(
                self.pupil_name(item.pupil_id),
                item.part,
                Text(
                    state_text(item.state)
                    + (f" ({t('retention.overdue')})" if item.te_laat else ""),
                    style=STATE_STYLE.get(item.state, ""),
                ),
                item.deadline.isoformat() if item.deadline else "—",
                item.uiterlijk.isoformat() if item.uiterlijk else "—",
                item.reason,
            )
        todo = len(self.plan())
        status = t("retention.count", total=len(self.items), todo=todo)
        if not message.confirmed:
            status = f"{t('retention.unconfirmed')}\n{status}"
        self.query_one("#retention-status", Static).update(status)

    def plan(self) -> list[RetentionItem]:
        """The items a sweep would act on."""
        return [i for i in self.items if retention.needs_action(i)]

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        self.query_one("#sweep-progress", ProgressBar).display = False
        self.zapp.notify_error(message.message)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self.load()

    def action_sweep(self) -> None:
        if self.zapp.vault.user.rol not in READER_ROLES:
            self.notify(t("retention.not_allowed"), severity="warning")
            return
        plan = self.plan()
        if not plan:
            self.notify(t("retention.nothing"))
            return
        lines = [f"{self.pupil_name(i.pupil_id)} · {i.part}" for i in plan]
        question = t("retention.confirm", count=len(plan), items="\n".join(lines))

        def answered(yes: bool | None) -> None:
            if yes:
                bar = self.query_one("#sweep-progress", ProgressBar)
                bar.update(total=len(plan), progress=0)
                bar.display = True
                self.sweep(plan)

        self.app.push_screen(ConfirmDialog(question), answered)

    # Its own group: the reload that follows a sweep must not cancel the finishing sweep.
    @work(thread=True, exclusive=True, group="retention-sweep")
    def sweep(self, plan: Sequence[RetentionItem]) -> None:

        def progressed(done: int, total: int, _item: RetentionItem) -> None:
            self.post_message(SweepProgressed(done, total))

        try:
            with retention.Keeper.of_vault(self.zapp.vault, self.key) as keeper:
                result = retention.sweep(keeper, plan, self.zapp.today, progressed)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        self.post_message(RetentionSwept(result))

    def on_sweep_progressed(self, message: SweepProgressed) -> None:
        self.query_one("#sweep-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_retention_swept(self, message: RetentionSwept) -> None:
        commit = (message.result.commit or "")[:10]
        self.notify(t("retention.swept", count=len(message.result.destroyed), commit=commit))
        self.zapp.pupils_stale = True
        self.load()
