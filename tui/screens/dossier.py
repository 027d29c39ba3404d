"""One pupil's dossier: overview with the route timeline, a tab per kind of record, history."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.console import Group
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane, Tabs

from dossier_format import checks, codec
from dossier_format.errors import DossierError
from tui import messages, render
from tui.acts import Act, FormError, acts, apply_act, open_plans
from tui.bindings import bind, translate_bindings
from tui.dialogs.act_menu import ActMenu
from tui.dialogs.form import FormDialog
from tui.dialogs.override import OverrideDialog
from tui.i18n import t
from tui.screens.editor import EditorScreen
from tui.widgets.findings import FindingsPanel
from tui.widgets.history import HistoryView
from vault.errors import ChecksFailedError, ConcurrentEditError, VaultError

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


_TAB_ORDER = tuple(_TABS)

# (act id, key, i18n key of its description), in the order of the acts menu
_ACT_KEYS = (
    ("plan", "p", "key.new_plan"),
    ("evaluatie", "v", "key.evaluate_plan"),
    ("bespreking", "b", "key.bespreking"),
    ("gesprek", "g", "key.gesprek"),
    ("toestemming", "t", "key.toestemming"),
    ("niveau", "n", "key.niveau"),
    ("toets", "k", "key.toets"),
)


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
        bind("a", "act_menu", "key.act_menu"),
        # Each act also has its own key (in F1's help and the menu, not the footer).
        *(bind(key, f"act('{act}')", text, show=False) for act, key, text in _ACT_KEYS),
        bind("h", "history", "key.history"),
        # The tabs by number, in their order on screen (listed in F1's help, not the footer).
        *(
            bind(str(number), f"tab('tab-{tab}')", f"tab.{tab}", show=False)
            for number, tab in enumerate(
                ("overview", *_TAB_ORDER, "historie"),
                start=1,
            )
        ),
    ]

    def __init__(self, pupil_id: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.pupil_id = pupil_id
        self.text = ""
        self.base = ""  # the commit `text` was read at
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
            read = vault.show_versioned(self.pupil_id)
            text = read.text
            data = codec.load_fast(text)
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        except DossierError as error:
            self.post_message(messages.WorkFailed(str(error)))
            return
        findings = checks.check(data, vault.route, self.zapp.today)
        self.post_message(messages.DossierLoaded(self.pupil_id, text, data, findings, read.commit))

    def on_dossier_loaded(self, message: messages.DossierLoaded) -> None:
        self.text = message.text
        self.base = message.commit
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

    def action_tab(self, pane_id: str) -> None:
        """Show a tab (keys 1–9); focus moves with it (TabbedContent shows the pane that
        holds the focus, so focus left in the old pane would switch back)."""
        tabs = self.query_one(TabbedContent)
        tabs.active = pane_id
        if pane_id == "tab-historie":
            self.query_one("#versions").focus()
        else:
            tabs.query_one(Tabs).focus()

    def action_history(self) -> None:
        self.query_one(TabbedContent).active = "tab-historie"
        self.query_one("#versions").focus()

    def action_edit(self) -> None:
        self.open_editor(self.text, self.text, self.base)

    def open_editor(self, saved_text: str, text: str, base: str) -> None:
        """The YAML editor on `text` (edited from `saved_text`, read at commit `base`)."""

        def closed(saved: bool | None) -> None:
            if saved:
                self.load()

        name = pupil_name(self.data)
        self.app.push_screen(
            EditorScreen(self.pupil_id, name, saved_text, text, False, base or None), closed
        )

    def action_act_menu(self) -> None:
        """All acts in one list (the footer has room for this one key)."""

        def chosen(act_id: str | None) -> None:
            if act_id:
                self.action_act(act_id)

        menu = [(act, key, t(text)) for act, key, text in _ACT_KEYS]
        self.app.push_screen(ActMenu(menu), chosen)

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
            dossier=self.data,
            staff={user.id: user.naam for user in vault.users()},
        )[act_id]

        self.open_form(act)

    def open_form(self, act: Act) -> None:
        """The act's form; what it records is saved at once (`run_act`)."""

        def filled(values: dict[str, Any] | None) -> None:
            if values is not None:
                self.run_act(act, values, None)

        self.app.push_screen(FormDialog(act), filled)

    @work(thread=True, exclusive=True, group="act")
    def run_act(self, act: Act, values: dict[str, Any], override: str | None) -> None:
        """Add the act's entry to the newest saved version and save it.

        The entry goes into what is saved now, not into the text this screen showed: a
        colleague's save in between stays, and a new entry gets an id nobody has used.
        """
        vault = self.zapp.vault
        try:
            read = vault.show_versioned(self.pupil_id)
            text = apply_act(read.text, act, values)
            result = vault.put(
                self.pupil_id, text, override=override, today=self.zapp.today, base=read.commit
            )
        except (FormError, DossierError) as error:
            self.post_message(messages.WorkFailed(str(error)))
            return
        except ChecksFailedError as refused:
            self.post_message(
                messages.ActRefused(
                    act, values, text, read.text, read.commit, refused.findings, refused.new_errors
                )
            )
            return
        except ConcurrentEditError as error:  # another save between reading and saving
            self.post_message(messages.WorkFailed(str(error)))
            return
        except VaultError as error:
            self.post_message(messages.WorkFailed(str(error)))
            return
        if result.commit is None:
            self.post_message(messages.WorkFailed(t("editor.unchanged")))
            return
        self.post_message(
            messages.DossierSaved(result.pupil_id, result.commit, result.findings, result.merged)
        )

    def on_act_refused(self, message: messages.ActRefused) -> None:
        """The entry would add errors: give a reason, edit it as YAML, or back to the form
        with what was filled in (nothing typed is lost)."""

        def answered(reason: str | None) -> None:
            if reason == OverrideDialog.EDIT:
                self.open_editor(message.saved_text, message.text, message.base)
            elif reason:
                self.run_act(message.act, message.values, reason)
            else:
                self.open_form(prefilled(message.act, message.values))

        dialog = OverrideDialog(
            message.findings, message.new_errors, offer_edit=True, dossier=self.data
        )
        self.app.push_screen(dialog, answered)

    def on_dossier_saved(self, message: messages.DossierSaved) -> None:
        key = "dossier.merged" if message.merged else "dossier.saved"
        self.app.notify(t(key, commit=message.commit[:10]))
        self.load()


def prefilled(act: Act, values: Mapping[str, Any]) -> Act:
    """The act with what the user filled in as its fields' defaults (to reopen its form)."""
    fields = [
        dataclasses.replace(f, default=values[f.key]) if isinstance(values.get(f.key), str) else f
        for f in act.fields
    ]
    return dataclasses.replace(act, fields=tuple(fields))
