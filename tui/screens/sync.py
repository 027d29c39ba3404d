"""Synchronising with the school server; on a same-field conflict both versions side by side
and the user picks one per field, then the merge is finished (`vault.sync.sync(choices=)`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Log,
    ProgressBar,
    RadioButton,
    RadioSet,
    Static,
)

from dossier_format.merge import Choice, as_yaml
from tui import messages
from tui.bindings import bind, translate_bindings
from tui.i18n import t
from tui.screens.signing import SigningScreen
from vault import sync
from vault.errors import VaultError


@dataclass
class SyncProgressed(Message):
    """The sync reached a step (a short Dutch description from `vault.sync`)."""

    step: str


@dataclass
class SyncFinished(Message):
    """The sync fetched, merged and pushed."""

    result: sync.SyncResult


@dataclass
class SyncConflicted(Message):
    """Both devices changed the same fields; nothing was written."""

    conflicts: list[sync.PartConflict]


class SyncScreen(SigningScreen):
    """`s` synchronises; conflicts appear as choices, `ctrl+s` finishes the merge."""

    DEFAULT_CSS = """
    #sync-bar { height: auto; }
    #sync-remote { width: 1fr; }
    #sync-log { height: 8; }
    #sync-result { padding: 0 1; color: $warning; }
    #sync-conflicts { height: 1fr; }
    .conflict { height: auto; border: round $accent; }
    .conflict-sides { height: auto; }
    .conflict-sides > Vertical { width: 1fr; height: auto; }
    .side { padding: 0 1; background: $boost; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape", "back", "key.back"),
        bind("s", "sync", "key.sync"),
        bind("ctrl+s", "resolve", "key.resolve"),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.conflicts: list[sync.PartConflict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("sync.title"), classes="title")
        with Horizontal(id="sync-bar"):
            yield Input(value="origin", placeholder=t("sync.remote"), id="sync-remote")
            yield Button(t("sync.button"), id="sync-go", variant="primary")
        yield ProgressBar(id="sync-progress", show_eta=False, show_percentage=False)
        yield Log(id="sync-log", auto_scroll=True)
        yield Static("", id="sync-result")
        yield VerticalScroll(id="sync-conflicts")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sync-progress", ProgressBar).display = False
        self.query_one("#sync-go", Button).focus()

    def pupil_name(self, pupil_id: str) -> str:
        """The pupil's name when the list knows it, else the opaque id."""
        for pupil in self.zapp.pupils:
            if pupil.id == pupil_id:
                return f"{pupil.voornaam} {pupil.achternaam}"
        return pupil_id

    def busy(self, running: bool) -> None:
        self.query_one("#sync-progress", ProgressBar).display = running
        self.query_one("#sync-go", Button).disabled = running

    @on(Button.Pressed, "#sync-go")
    def action_sync(self) -> None:
        self.start({})

    def start(self, choices: sync.Choices) -> None:
        remote = self.query_one("#sync-remote", Input).value.strip() or "origin"
        self.busy(True)
        self.query_one("#sync-result", Static).update("")
        self.run_sync(remote, choices)

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self, remote: str, choices: sync.Choices) -> None:
        def progressed(step: str) -> None:
            self.post_message(SyncProgressed(step))

        try:
            result = sync.sync(
                self.zapp.vault,
                self.key,
                remote,
                choices=choices,
                today=self.zapp.today,
                progress=progressed,
            )
        except sync.SyncConflictError as conflict:
            self.post_message(SyncConflicted(conflict.conflicts))
            return
        except VaultError as error:
            text = f"{error.message}\n{error.hint}" if error.hint else error.message
            self.post_message(messages.WorkFailed(text))
            return
        self.post_message(SyncFinished(result))

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        self.query_one("#sync-log", Log).write_line(message.step)

    async def on_sync_finished(self, message: SyncFinished) -> None:
        self.busy(False)
        self.conflicts = []
        await self.query_one("#sync-conflicts", VerticalScroll).remove_children()
        result = message.result
        self.zapp.pupils_stale = True
        self.query_one("#sync-result", Static).update(
            t(
                f"sync.done.{result.merged}",
                head=(result.head or "—")[:10],
                keys=result.keys_received,
            )
        )

    async def on_sync_conflicted(self, message: SyncConflicted) -> None:
        self.busy(False)
        self.conflicts = message.conflicts
        self.query_one("#sync-result", Static).update(
            t("sync.conflicts", count=len(self.conflicts))
        )
        box = self.query_one("#sync-conflicts", VerticalScroll)
        await box.remove_children()
        rows = [self.conflict_row(i, c) for i, c in enumerate(self.conflicts)]
        await box.mount_all([*rows, Button(t("sync.resolve"), id="sync-resolve")])
        self.query_one("#conflict-0 RadioSet", RadioSet).focus()

    def conflict_row(self, index: int, item: sync.PartConflict) -> Vertical:
        """One field: where, our and their value side by side, and the choice."""
        where = f"{self.pupil_name(item.pupil_id)} · {item.part} · {item.conflict.path}"
        ours = as_yaml(item.conflict.ours) or t("sync.removed")
        theirs = as_yaml(item.conflict.theirs) or t("sync.removed")
        return Vertical(
            Static(where, classes="subtitle"),
            Horizontal(
                Vertical(Static(t("sync.ours"), classes="hint"), Static(ours, classes="side")),
                Vertical(Static(t("sync.theirs"), classes="hint"), Static(theirs, classes="side")),
                classes="conflict-sides",
            ),
            RadioSet(
                RadioButton(t("sync.keep_ours"), id=f"choice-{index}-ours"),
                RadioButton(t("sync.keep_theirs"), id=f"choice-{index}-theirs"),
            ),
            id=f"conflict-{index}",
            classes="conflict",
        )

    def choices(self) -> dict[tuple[str, str], dict[str, Choice]] | None:
        """The user's choice per conflict, or None while one is still open."""
        out: dict[tuple[str, str], dict[str, Choice]] = {}
        for index, item in enumerate(self.conflicts):
            pressed = self.query_one(f"#conflict-{index} RadioSet", RadioSet).pressed_button
            if pressed is None:
                return None
            side: Choice = "ours" if pressed.id == f"choice-{index}-ours" else "theirs"
            out.setdefault((item.pupil_id, item.part), {})[item.conflict.path] = side
        return out

    @on(Button.Pressed, "#sync-resolve")
    def action_resolve(self) -> None:
        if not self.conflicts:
            return
        chosen = self.choices()
        if chosen is None:
            self.notify(t("sync.choose_all"), severity="warning")
            return
        self.start(chosen)

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        self.busy(False)
        self.query_one("#sync-result", Static).update(t("sync.failed", message=message.message))

    def action_back(self) -> None:
        self.dismiss(None)
