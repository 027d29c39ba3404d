"""A dossier's versions (date, author, signature) and the diff between two of them; the
from-version picked with `m` is marked in the table, `z` fills the screen with the diff and
back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Static

from tui import messages
from tui.bindings import bind, translate_bindings
from tui.i18n import t
from tui.widgets.diffview import DiffView
from vault.errors import VaultError

if TYPE_CHECKING:
    from tui.app import ZorgkluisApp

_SIGNATURE_STYLE = {"goed": "bold green"}
_FROM_MARK = "▶"


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
        self.watch(self.screen, "maximized", self.restored, init=False)
        table = self.query_one("#versions", DataTable)
        table.add_column(t("history.from_mark"), key="from")
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
                "",
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

    @property
    def diff_maximized(self) -> bool:
        """Whether the diff fills the screen (`z`)."""
        return self.screen.maximized is self.query_one(DiffView)

    def action_toggle_diff(self) -> None:
        """Fill the screen with the diff, or back. The diff takes the focus while it fills
        the screen (the versions are hidden; the keys scroll it), the table after."""
        if self.diff_maximized:
            self.screen.minimize()  # `restored` gives the table the focus
        else:
            diff = self.query_one(DiffView)
            self.screen.maximize(diff, container=False)
            diff.focus()

    def restored(self, maximized: Widget | None) -> None:
        """However the diff went back (`z`, Textual's escape, the palette), the versions get
        the focus again, so `z` and the arrow keys act on them."""
        if maximized is None and self.screen.focused is self.query_one(DiffView):
            self.query_one("#versions", DataTable).focus()

    def action_mark_from(self) -> None:
        """Make the version under the cursor the from-version (again: no from-version); the
        table marks it and the diff of that row follows."""
        table = self.query_one("#versions", DataTable)
        if not self.versions:
            return
        picked = self.versions[table.cursor_row].commit
        previous = self.from_commit
        self.from_commit = None if picked == previous else picked
        if previous is not None and previous in table.rows:
            table.update_cell(previous, "from", "")
        if self.from_commit is not None:
            table.update_cell(self.from_commit, "from", Text(_FROM_MARK, style="bold"))
            self.notify(t("history.from_set", version=self.label(self.from_commit)))
        else:
            self.notify(t("history.from_cleared"))
        self.show_diff(picked)
