"""The pupil list: filters by groep, niveau and signal, incremental search, review count,
sorting by any column (click its header, or `n` for name and `e` for the next evaluation)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from tui import messages
from tui.bindings import bind, translate_bindings
from tui.i18n import has, t
from vault import review
from vault.errors import VaultError

if TYPE_CHECKING:
    from dossier_format.model import PupilSummary
    from tui.app import ZorgkluisApp


def signal_text(signal: str) -> str:
    """A summary signal id in the UI's language."""
    key = f"signal.{signal}"
    return t(key) if has(key) else signal.replace("_", " ")


def full_name(pupil: PupilSummary) -> str:
    """'Achternaam, Voornaam tussenvoegsel' for lists (sorted by achternaam)."""
    tussen = f" {pupil.tussenvoegsel}" if pupil.tussenvoegsel else ""
    return f"{pupil.achternaam}, {pupil.voornaam}{tussen}"


def fold(text: str) -> str:
    """Text for comparing names: without accents or case ("Zoë" and "ZOE" are one)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_text(pupil: PupilSummary) -> str:
    """A pupil's name in every order people type it, folded: 'Voornaam tussenvoegsel
    Achternaam', 'Achternaam, Voornaam tussenvoegsel' and 'tussenvoegsel Achternaam'."""
    tussen = pupil.tussenvoegsel or ""
    forms = (
        " ".join(p for p in (pupil.voornaam, tussen, pupil.achternaam) if p),
        full_name(pupil),
        f"{tussen} {pupil.achternaam}".strip(),
    )
    return fold(" | ".join(forms))


def search_words(search: str) -> list[str]:
    """The words of a search, folded; commas separate words like spaces do."""
    return re.split(r"[\s,]+", fold(search).strip(" ,")) if search.strip(" ,") else []


def matches(
    pupil: PupilSummary,
    search: str,
    groep: object,
    niveau: object,
    signal: object,
    *,
    haystack: str | None = None,
) -> bool:
    """Whether a pupil passes the list's filters (Select.NULL means no filter).

    Every word of the search must occur in the pupil's name, in any form (`search_text`, or
    `haystack` when already known), so "Akkerhof, Fenna", "ter akk" and "fenna ter" all find
    Fenna ter Akkerhof.
    """
    if search:
        names = search_text(pupil) if haystack is None else haystack
        if not all(word in names for word in search_words(search)):
            return False
    if groep is not Select.NULL and pupil.groep != groep:
        return False
    if niveau is not Select.NULL and str(pupil.niveau) != niveau:
        return False
    return signal is Select.NULL or signal in pupil.signalen


def row_cells(pupil: PupilSummary) -> tuple[Text, ...]:
    """A pupil's row in the list: name, groep, niveau, errors, warnings, next date, signals.

    Cells are plain `Text`, never markup: a name with "[" shows as typed, and the table skips
    parsing markup for every cell (a third of the time to fill 1,000 rows).
    """
    cells = (
        full_name(pupil),
        "" if pupil.groep is None else str(pupil.groep),
        "" if pupil.niveau is None else str(pupil.niveau),
        str(pupil.errors or ""),
        str(pupil.warnings or ""),
        pupil.volgende_evaluatie.isoformat() if pupil.volgende_evaluatie else "",
        ", ".join(signal_text(s) for s in pupil.signalen),
    )
    return tuple(Text(cell, no_wrap=True, end="") for cell in cells)


def _name_key(pupil: PupilSummary) -> tuple[str, ...]:
    return (
        fold(pupil.achternaam),
        fold(pupil.voornaam),
        fold(pupil.tussenvoegsel or ""),
        pupil.id,
    )


# Column key -> the sort key of a pupil; None values sort last in either direction.
SORT_KEYS: dict[str, Callable[[PupilSummary], Any]] = {
    "naam": _name_key,
    "groep": lambda p: p.groep,
    "niveau": lambda p: p.niveau,
    "errors": lambda p: p.errors or 0,
    "warnings": lambda p: p.warnings or 0,
    "volgende": lambda p: p.volgende_evaluatie,
    "signalen": lambda p: (len(p.signalen), ", ".join(signal_text(s) for s in p.signalen)),
}

COLUMNS = (
    ("naam", "col.name"),
    ("groep", "col.group"),
    ("niveau", "col.level"),
    ("errors", "col.errors"),
    ("warnings", "col.warnings"),
    ("volgende", "col.next_eval"),
    ("signalen", "col.signals"),
)


def sort_pupils(pupils: list[PupilSummary], column: str, reverse: bool) -> list[PupilSummary]:
    """`pupils` by one column (then by name), those without a value last either way."""
    key = SORT_KEYS[column]
    by_name = sorted(pupils, key=_name_key)
    present = [p for p in by_name if key(p) is not None]
    missing = [p for p in by_name if key(p) is None]
    return sorted(present, key=key, reverse=reverse) + missing


class PupilListScreen(Screen[None]):
    """The main screen after unlocking."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("slash", "focus_search", "key.search"),
        bind("r", "review", "key.review"),
        bind("n", "sort('naam')", "key.sort_name"),
        bind("e", "sort('volgende')", "key.sort_next_eval"),
        bind("f5", "refresh", "key.refresh"),
        bind("ctrl+l", "clear_filters", "key.clear_filters"),
    ]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        # Each pupil's row as plain strings, built once per load, not on every filter change.
        self._cells: dict[str, tuple[Text, ...]] = {}
        self._search: dict[str, str] = {}
        # The column the user sorted by and whether descending; None: groep, then name.
        self.sort_column: str | None = None
        self.sort_reverse = False

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="pupil-bar"):
            yield Static("", id="user-info")
            yield Static("", id="review-count")
        with Horizontal(id="filters"):
            yield Input(placeholder=t("pupils.search"), id="search")
            yield Select[Any]([], prompt=t("pupils.all_groups"), id="filter-groep")
            yield Select[Any]([], prompt=t("pupils.all_levels"), id="filter-niveau")
            yield Select[Any]([], prompt=t("pupils.all_signals"), id="filter-signal")
        yield DataTable(id="pupils", cursor_type="row", zebra_stripes=True)
        yield Static(t("pupils.loading"), id="pupil-count")
        yield Footer()

    def on_mount(self) -> None:
        vault = self.zapp.vault
        role_key = f"role.{vault.user.rol}"
        role = t(role_key) if has(role_key) else vault.user.rol
        self.query_one("#user-info", Static).update(
            f"{vault.school} · {t('pupils.user', naam=vault.user.naam, rol=role)}"
        )
        table = self.query_one("#pupils", DataTable)
        self.add_columns(table)
        self.load()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A teacher does not review: no `r` in the footer or the help for them.
        if action == "review":
            return review.may_review(self.zapp.vault.user.rol)
        return True

    def add_columns(self, table: DataTable[Any]) -> None:
        """The columns, the sorted one with an arrow (▲ ascending, ▼ descending)."""
        for key, text_key in COLUMNS:
            label = t(text_key)
            if key == self.sort_column:
                label = f"{label} {'▼' if self.sort_reverse else '▲'}"
            table.add_column(Text(label), key=key)

    def on_screen_resume(self) -> None:
        if self.zapp.pupils_stale:
            self.zapp.pupils_stale = False
            self.load()

    def load(self) -> None:
        """Read the list; the review count starts once the list is filled (see
        `on_pupils_loaded`), so its git walk does not compete with the list for the GIL."""
        self.load_pupils()

    @work(thread=True, exclusive=True, group="pupils")
    def load_pupils(self) -> None:
        try:
            pupils = self.zapp.vault.list_pupils()
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        self.post_message(messages.PupilsLoaded(pupils))

    @work(thread=True, exclusive=True, group="review-count")
    def count_reviews(self) -> None:
        try:
            count = review.pending_count(self.zapp.vault)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        self.post_message(messages.ReviewCounted(count))

    def on_pupils_loaded(self, message: messages.PupilsLoaded) -> None:
        pupils = sorted(
            message.pupils, key=lambda p: (p.groep or 0, p.achternaam, p.voornaam, p.id)
        )
        self.zapp.pupils = pupils
        self._cells = {p.id: row_cells(p) for p in pupils}
        self._search = {p.id: search_text(p) for p in pupils}
        self.fill_filters(pupils)
        self.refresh_table()
        if review.may_review(self.zapp.vault.user.rol):
            self.count_reviews()

    def on_review_counted(self, message: messages.ReviewCounted) -> None:
        count = self.query_one("#review-count", Static)
        count.display = True
        count.update(t("pupils.review_count", count=message.count))

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        self.zapp.notify_error(message.message)

    def fill_filters(self, pupils: list[PupilSummary]) -> None:
        groepen = sorted({p.groep for p in pupils if p.groep is not None})
        niveaus = sorted({str(p.niveau) for p in pupils if p.niveau is not None})
        signals = sorted({s for p in pupils for s in p.signalen})
        self._set_options("#filter-groep", [(t("pupils.group", groep=g), g) for g in groepen])
        self._set_options("#filter-niveau", [(t("pupils.level", niveau=n), n) for n in niveaus])
        self._set_options("#filter-signal", [(signal_text(s), s) for s in signals])

    def _set_options(self, selector: str, options: list[tuple[str, Any]]) -> None:
        select = self.query_one(selector, Select)
        current = select.value
        select.set_options(options)
        if current is not Select.NULL and any(value == current for _, value in options):
            select.value = current

    @on(Input.Changed, "#search")
    @on(Select.Changed)
    def refresh_table(self) -> None:
        search = self.query_one("#search", Input).value.strip()
        groep = self.query_one("#filter-groep", Select).value
        niveau = self.query_one("#filter-niveau", Select).value
        signal = self.query_one("#filter-signal", Select).value
        table = self.query_one("#pupils", DataTable)
        table.clear(columns=True)
        self.add_columns(table)
        shown = [
            p
            for p in self.zapp.pupils
            if matches(p, search, groep, niveau, signal, haystack=self._search.get(p.id))
        ]
        if self.sort_column is not None:
            shown = sort_pupils(shown, self.sort_column, self.sort_reverse)
        for pupil in shown:
            table.add_row(*self._cells[pupil.id], key=pupil.id)
        self.query_one("#pupil-count", Static).update(
            t("pupils.count", shown=len(shown), total=len(self.zapp.pupils))
        )

    @on(DataTable.RowSelected, "#pupils")
    def open_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.zapp.open_pupil(event.row_key.value)

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.query_one("#pupils", DataTable).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(DataTable.HeaderSelected, "#pupils")
    def header_selected(self, event: DataTable.HeaderSelected) -> None:
        if event.column_key.value is not None:
            self.action_sort(event.column_key.value)

    def action_sort(self, column: str) -> None:
        """Sort by `column`; the same column again turns the order round."""
        if column not in SORT_KEYS:
            return
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        table = self.query_one("#pupils", DataTable)
        row_key = (
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if table.row_count
            else None
        )
        self.refresh_table()
        if row_key is not None and row_key in table.rows:
            table.move_cursor(row=table.get_row_index(row_key), animate=False)

    def action_review(self) -> None:
        if review.may_review(self.zapp.vault.user.rol):
            self.zapp.open_review()
        else:
            self.notify(t("review.not_allowed"), severity="warning")

    def action_refresh(self) -> None:
        self.load()

    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        for selector in ("#filter-groep", "#filter-niveau", "#filter-signal"):
            self.query_one(selector, Select).clear()
