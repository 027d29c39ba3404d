"""The review queue: changes by others since this reviewer's last review, per pupil."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Collapsible, Footer, Header, Static

from tui import messages
from tui.bindings import bind, translate_bindings
from tui.i18n import t
from tui.render import colour_diff
from vault import review
from vault.errors import VaultError

if TYPE_CHECKING:
    from tui.app import ZorgkluisApp


class ReviewScreen(Screen[None]):
    """Each pupil with changes is a collapsible group of diffs; `m` marks all reviewed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape", "back", "key.back"),
        bind("m", "mark_reviewed", "key.mark_reviewed"),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.up_to: str | None = None
        self.changes: list[review.PupilChanges] = []

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("review.title"), classes="title", id="review-title")
        with VerticalScroll(id="review-list"):
            yield Static(t("review.loading"), classes="hint")
        yield Footer()

    def on_mount(self) -> None:
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

    async def on_review_loaded(self, message: messages.ReviewLoaded) -> None:
        self.changes = message.changes
        box = self.query_one("#review-list", VerticalScroll)
        await box.remove_children()
        if not self.changes:
            await box.mount(Static(t("review.none"), id="review-empty"))
            return
        groups = []
        for pupil in self.changes:
            widgets: list[Static] = []
            for change in pupil.changes:
                signature = t(f"signature.{change.signature}")
                widgets.append(Static(f"{change.author_name} · {signature}", classes="subtitle"))
                widgets.append(Static(colour_diff(change.diff), classes="diff-body"))
            title = t("review.pupil", name=pupil.naam, count=len(pupil.changes))
            groups.append(Collapsible(*widgets, title=title, collapsed=False))
        await box.mount_all(groups)

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        self.zapp.notify_error(message.message)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_mark_reviewed(self) -> None:
        if self.up_to is not None and self.changes:
            self.mark(self.up_to)

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

    def on_review_marked(self, message: messages.ReviewMarked) -> None:
        self.notify(t("review.marked"))
        self.load()
