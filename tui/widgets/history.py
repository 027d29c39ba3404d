"""A dossier's versions (date, author, signature) and the diff between two of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from tui import messages
from tui.bindings import bind, translate_bindings
from tui.i18n import t
from tui.widgets.diffview import DiffView
from vault.errors import VaultError

if TYPE_CHECKING:
    from tui.app import ZorgkluisApp

_SIGNATURE_STYLE = {"goed": "bold green"}


class HistoryView(Vertical):
    """Versions newest first; highlighting one shows its diff from the from-version."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("m", "mark_from", "key.mark_from"),
        bind("z", "toggle_diff", "key.toggle_diff"),
    ]

    def __init__(self, pupil_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_bindings(self)
        self.pupil_id = pupil_id
        self.versions: list[Any] = []
        self.from_commit: str | None = None

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(t("history.pick"), classes="hint")
        yield DataTable(id="versions", cursor_type="row")
        yield DiffView(id="version-diff")

    def on_mount(self) -> None:
        table = self.query_one("#versions", DataTable)
        table.add_column(t("col.date"), key="date")
        table.add_column(t("col.author"), key="author")
        table.add_column(t("col.signature"), key="signature")
        table.add_column(t("col.message"), key="message")

    @work(thread=True, exclusive=True, group="history")
    def load(self) -> None:
        """Read the versions (call when the tab is shown or after a save)."""
        try:
            versions = self.zapp.vault.log(self.pupil_id)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        self.post_message(messages.HistoryLoaded(versions))

    def on_history_loaded(self, message: messages.HistoryLoaded) -> None:
        message.stop()
        self.versions = message.versions
        self.from_commit = None
        table = self.query_one("#versions", DataTable)
        table.clear()
        for version in self.versions:
            table.add_row(
                version.when.strftime("%Y-%m-%d %H:%M"),
                version.author_name,
                Text(
                    t(f"signature.{version.signature}"),
                    style=_SIGNATURE_STYLE.get(version.signature, "bold red"),
                ),
                version.message.splitlines()[0] if version.message else "",
                key=version.commit,
            )

    @on(DataTable.RowHighlighted, "#versions")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.show_diff(event.row_key.value)

    def show_diff(self, to_commit: str) -> None:
        """Diff from the marked version (else the version before) to `to_commit`."""
        commits = [v.commit for v in self.versions]
        index = commits.index(to_commit)
        older = commits[index + 1] if index + 1 < len(commits) else None
        self.diff(self.from_commit or older, to_commit)

    @work(thread=True, exclusive=True, group="diff")
    def diff(self, from_commit: str | None, to_commit: str) -> None:
        try:
            text = self.zapp.vault.diff(self.pupil_id, from_commit, to_commit)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        title = t("history.diff", a=self.label(from_commit), b=self.label(to_commit))
        self.post_message(messages.DiffLoaded(title, text))

    def label(self, commit: str | None) -> str:
        """'versie N' counted from the oldest version (commit ids mean nothing to users)."""
        commits = [v.commit for v in self.versions]
        if commit is None or commit not in commits:
            return t("history.empty_version")
        return t("history.version", number=len(commits) - commits.index(commit))

    def on_diff_loaded(self, message: messages.DiffLoaded) -> None:
        message.stop()
        self.query_one(DiffView).show(message.title, message.text)

    def action_toggle_diff(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
        else:
            self.screen.maximize(self.query_one(DiffView), container=False)

    def action_mark_from(self) -> None:
        table = self.query_one("#versions", DataTable)
        if not self.versions:
            return
        self.from_commit = self.versions[table.cursor_row].commit
        self.notify(t("history.diff", a=self.label(self.from_commit), b="…"))
