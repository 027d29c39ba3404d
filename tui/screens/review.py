"""The review queue: changes by others since this reviewer's last review, per pupil.

The pupils with changes are a table; the highlighted pupil's changes show below it, each with
its date, author, signature and any override reason. Enter opens the pupil's dossier, `m`
marks that pupil reviewed and `a` every pupil, each after a confirmation and as a signed
record.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui import messages
from tui.bindings import bind, translate_bindings
from tui.dialogs.confirm import ConfirmDialog
from tui.i18n import t
from tui.render import colour_diff
from vault import review
from vault.errors import VaultError

if TYPE_CHECKING:
    from tui.app import ZorgkluisApp


def day_text(when: datetime.datetime, today: datetime.date) -> str:
    """A change's day: "vandaag", "gisteren", else the date (YYYY-MM-DD), in local time."""
    day = when.astimezone().date()
    if day == today:
        return t("review.today")
    if day == today - datetime.timedelta(days=1):
        return t("review.yesterday")
    return day.isoformat()


def change_header(change: review.Change, today: datetime.date) -> str:
    """'<day> · <author> · handtekening <state>' for one change."""
    return t(
        "review.change",
        date=day_text(change.when, today),
        author=change.author_name,
        signature=t(f"signature.{change.signature}"),
    )


class ReviewScreen(Screen[None]):
    """Pupils with changes by others; the highlighted one's changes below."""

    DEFAULT_CSS = """
    ReviewScreen #review-pupils { height: auto; max-height: 12; }
    ReviewScreen #review-list { height: 1fr; }
    ReviewScreen .review-override { color: $warning; padding: 0 1 0 3; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape", "back", "key.back"),
        bind("enter", "open_pupil", "key.open_pupil"),
        bind("m", "mark_pupil", "key.mark_pupil"),
        bind("a", "mark_all", "key.mark_all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.up_to: str | None = None
        self.changes: list[review.PupilChanges] = []
        self._shown: str | None = None  # the pupil whose changes are shown below the table
        self._marking: str | None = None  # the pupil's name while one pupil is being marked

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("review.title"), classes="title", id="review-title")
        yield Static(t("review.hint"), classes="hint", id="review-hint")
        yield DataTable(id="review-pupils", cursor_type="row")
        with VerticalScroll(id="review-list"):
            yield Static(t("review.loading"), classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#review-pupils", DataTable)
        table.add_column(t("review.col.pupil"), key="naam")
        table.add_column(t("col.group"), key="groep")
        table.add_column(t("review.col.changes"), key="count")
        table.add_column(t("review.col.authors"), key="authors")
        table.add_column(t("review.col.last"), key="last")
        table.display = False
        self.load()

    @work(thread=True, exclusive=True, group="review")
    def load(self) -> None:
        vault = self.zapp.vault
        try:
            self.up_to = review.head(vault)
            changes = review.changes_since_review(vault, self.up_to)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        self.post_message(messages.ReviewLoaded(changes))

    @property
    def today(self) -> datetime.date:
        """The clock's date: commit times come from the clock, so a change's day is told
        against it (not against the date the checks use, which a demo or test may fix)."""
        return datetime.date.today()

    async def on_review_loaded(self, message: messages.ReviewLoaded) -> None:
        self.changes = message.changes
        self.refresh_bindings()
        table = self.query_one("#review-pupils", DataTable)
        keep = self.selected.pupil_id if self.selected else None
        row = table.cursor_row
        table.clear()
        self._shown = None
        groepen = {p.id: p.groep for p in self.zapp.pupils}
        for pupil in self.changes:
            authors = dict.fromkeys(c.author_name for c in pupil.changes)
            table.add_row(
                pupil.naam,
                "" if groepen.get(pupil.pupil_id) is None else str(groepen[pupil.pupil_id]),
                str(len(pupil.changes)),
                ", ".join(authors),
                day_text(pupil.changes[-1].when, self.today),
                key=pupil.pupil_id,
            )
        table.display = bool(self.changes)
        if not self.changes:
            box = self.query_one("#review-list", VerticalScroll)
            await box.remove_children()
            await box.mount(Static(t("review.none"), id="review-empty"))
            return
        ids = [p.pupil_id for p in self.changes]
        # The same pupil again; after marking one, the pupil that took its place.
        row = ids.index(keep) if keep in ids else min(max(row, 0), len(ids) - 1)
        table.move_cursor(row=row, animate=False)
        table.focus()
        await self.show_changes(self.changes[table.cursor_row])

    @property
    def selected(self) -> review.PupilChanges | None:
        """The highlighted pupil's changes, if any."""
        table = self.query_one("#review-pupils", DataTable)
        if not self.changes or not 0 <= table.cursor_row < len(self.changes):
            return None
        return self.changes[table.cursor_row]

    @on(DataTable.RowHighlighted, "#review-pupils")
    async def highlighted(self, event: DataTable.RowHighlighted) -> None:
        pupil = self.selected
        if pupil is not None:
            await self.show_changes(pupil)

    async def show_changes(self, pupil: review.PupilChanges) -> None:
        """Show one pupil's changes, oldest first, below the table."""
        if pupil.pupil_id == self._shown:
            return
        self._shown = pupil.pupil_id
        widgets: list[Static] = [
            Static(t("review.pupil", name=pupil.naam, count=len(pupil.changes)), classes="title")
        ]
        for change in pupil.changes:
            widgets.append(Static(change_header(change, self.today), classes="subtitle"))
            if change.override is not None:
                widgets.append(
                    Static(
                        Text(t("review.override", reason=change.override)),
                        classes="review-override",
                    )
                )
            widgets.append(Static(colour_diff(change.diff), classes="diff-body"))
        box = self.query_one("#review-list", VerticalScroll)
        await box.remove_children()
        await box.mount_all(widgets)
        box.scroll_home(animate=False)

    @on(DataTable.RowSelected, "#review-pupils")
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_pupil()

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        self._marking = None
        self.zapp.notify_error(message.message)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open_pupil", "mark_pupil", "mark_all"):
            return bool(self.changes)
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_open_pupil(self) -> None:
        pupil = self.selected
        if pupil is not None:
            self.zapp.open_pupil(pupil.pupil_id)

    def action_mark_pupil(self) -> None:
        pupil, up_to = self.selected, self.up_to
        if pupil is None or up_to is None:
            return
        question = t("review.confirm_pupil", name=pupil.naam, changes=len(pupil.changes))

        def answered(yes: bool | None) -> None:
            if yes:
                self._marking = pupil.naam
                self.mark_pupil(pupil.pupil_id, up_to)

        self.app.push_screen(ConfirmDialog(question), answered)

    def action_mark_all(self) -> None:
        up_to = self.up_to
        if up_to is None or not self.changes:
            return
        question = t(
            "review.confirm_all",
            count=len(self.changes),
            changes=sum(len(p.changes) for p in self.changes),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._marking = None
                self.mark(up_to)

        self.app.push_screen(ConfirmDialog(question), answered)

    # Its own group: `on_review_marked` reloads while this worker is still finishing, and an
    # exclusive start in the same group would cancel it.
    @work(thread=True, exclusive=True, group="review-mark")
    def mark(self, up_to: str) -> None:
        try:
            commit = review.mark_reviewed(self.zapp.vault, up_to, self.zapp.today)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        self.post_message(messages.ReviewMarked(commit))

    @work(thread=True, exclusive=True, group="review-mark")
    def mark_pupil(self, pupil_id: str, up_to: str) -> None:
        try:
            commit = review.mark_pupil_reviewed(self.zapp.vault, pupil_id, up_to, self.zapp.today)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        self.post_message(messages.ReviewMarked(commit))

    def on_review_marked(self, message: messages.ReviewMarked) -> None:
        if self._marking is not None:
            self.notify(t("review.marked_pupil", name=self._marking))
        else:
            self.notify(t("review.marked"))
        self._marking = None
        self.load()
