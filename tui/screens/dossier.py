"""One pupil's dossier: overview with the route timeline, a tab per kind of record, history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.console import Group
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from dossier_format import checks, codec
from dossier_format.errors import DossierError
from tui import messages, render
from tui.acts import FormError, acts, apply_act, open_plans
from tui.bindings import bind, translate_bindings
from tui.dialogs.form import FormDialog
from tui.i18n import t
from tui.screens.editor import EditorScreen
from tui.widgets.findings import FindingsPanel
from tui.widgets.history import HistoryView
from vault.errors import VaultError

if TYPE_CHECKING:
    from tui.app import ZorgkluisApp

# tab id -> the dossier keys it shows
_TABS: dict[str, tuple[str, ...]] = {
    "plannen": ("plannen",),
    "besprekingen": ("besprekingen",),
    "gesprekken": ("gesprekken", "toestemmingen", "zienswijzen"),
    "toetsen": ("toetsen",),
    "protocollen": (
        "protocollen",
        "opp",
        "onderzoeken",
        "verklaringen",
        "aanvragen",
        "groeidocument",
    ),
    "okr": ("okr",),
    "werkaantekeningen": ("werkaantekeningen",),
}


def pupil_name(data: Mapping[str, Any]) -> str:
    """'Voornaam tussenvoegsel Achternaam' from the dossier."""
    leerling = data.get("leerling")
    if not isinstance(leerling, Mapping):
        return "?"
    parts = (leerling.get(k) for k in ("voornaam", "tussenvoegsel", "achternaam"))
    return " ".join(str(p) for p in parts if p)


def route_levels(route: Any) -> list[int]:
    """The route's niveau numbers in order."""
    return [int(getattr(n, "niveau", n)) for n in route.niveaus]


class DossierScreen(Screen[None]):
    """Shows a dossier; the everyday acts open a form, `e` opens the raw YAML editor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("escape", "back", "key.back"),
        bind("e", "edit", "key.edit_yaml"),
        bind("p", "act('plan')", "key.new_plan"),
        bind("v", "act('evaluatie')", "key.evaluate_plan"),
        bind("b", "act('bespreking')", "key.bespreking"),
        bind("g", "act('gesprek')", "key.gesprek"),
        bind("t", "act('toestemming')", "key.toestemming"),
        bind("n", "act('niveau')", "key.niveau"),
        bind("k", "act('toets')", "key.toets"),
        bind("h", "history", "key.history"),
    ]

    def __init__(self, pupil_id: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.pupil_id = pupil_id
        self.text = ""
        self.data: dict[str, Any] = {}

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("dossier.loading"), id="dossier-title", classes="title")
        with TabbedContent(id="dossier-tabs"):
            with TabPane(t("tab.overview"), id="tab-overview"), VerticalScroll():
                yield Static("", id="body-overview")
                yield Static(t("dossier.findings"), classes="subtitle")
                yield FindingsPanel(id="dossier-findings")
            for tab in _TABS:
                with TabPane(t(f"tab.{tab}"), id=f"tab-{tab}"), VerticalScroll():
                    yield Static("", id=f"body-{tab}")
            with TabPane(t("tab.historie"), id="tab-historie"):
                yield HistoryView(self.pupil_id, id="history")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="dossier")
    def load(self) -> None:
        vault = self.zapp.vault
        try:
            text = vault.show(self.pupil_id)
            data = codec.load_fast(text)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        except DossierError as error:
            self.post_message(messages.WorkFailed(str(error)))
            return
        findings = checks.check(data, vault.route, self.zapp.today)
        self.post_message(messages.DossierLoaded(self.pupil_id, text, data, findings))

    def on_dossier_loaded(self, message: messages.DossierLoaded) -> None:
        self.text = message.text
        self.data = message.data
        data = message.data
        self.query_one("#dossier-title", Static).update(self.title_text())
        levels = route_levels(self.zapp.vault.route)
        self.query_one("#body-overview", Static).update(render.overview(data, levels))
        self.query_one("#dossier-findings", FindingsPanel).show(message.findings)
        for tab, keys in _TABS.items():
            body = render.render_sections(data, keys)
            if tab == "toetsen":
                self.query_one(f"#body-{tab}", Static).update(Group(render.level_trend(data), body))
            elif tab == "werkaantekeningen":
                own = [
                    e
                    for e in render.entries(data, "werkaantekeningen")
                    if e.get("auteur") == self.zapp.vault.user.id
                ]
                note = t("dossier.own_notes_only")
                self.query_one(f"#body-{tab}", Static).update(
                    Group(note, render.render_entries(own))
                )
            else:
                self.query_one(f"#body-{tab}", Static).update(body)
        if self.query_one(TabbedContent).active == "tab-historie":
            self.query_one(HistoryView).load()

    def title_text(self) -> str:
        leerling = self.data.get("leerling")
        groep = leerling.get("groep", "?") if isinstance(leerling, Mapping) else "?"
        return f"{pupil_name(self.data)} · {t('pupils.group', groep=groep)}"

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        self.zapp.notify_error(message.message)

    @on(TabbedContent.TabActivated, "#dossier-tabs")
    def tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-historie":
            self.query_one(HistoryView).load()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_history(self) -> None:
        self.query_one(TabbedContent).active = "tab-historie"
        self.query_one("#versions").focus()

    def action_edit(self) -> None:
        self.open_editor(self.text, save_now=False)

    def open_editor(self, text: str, *, save_now: bool) -> None:
        def closed(saved: bool | None) -> None:
            if saved:
                self.load()

        self.app.push_screen(
            EditorScreen(self.pupil_id, pupil_name(self.data), self.text, text, save_now), closed
        )

    def action_act(self, act_id: str) -> None:
        if not self.text:
            return
        vault = self.zapp.vault
        plans = open_plans(self.data)
        if act_id == "evaluatie" and not plans:
            self.notify(t("form.no_plan"), severity="warning")
            return
        act = acts(
            self.zapp.today,
            vault.user.id,
            route_levels(vault.route),
            plans,
            render.current_niveau(self.data),
        )[act_id]

        def filled(values: dict[str, str] | None) -> None:
            if values is None:
                return
            try:
                text = apply_act(self.text, act, values)
            except (FormError, DossierError) as error:
                self.zapp.notify_error(str(error))
                return
            self.open_editor(text, save_now=True)

        self.app.push_screen(FormDialog(act), filled)
