"""The YAML editor: save runs the checks; errors need an override reason; edits survive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TextArea

from dossier_format import checks, codec
from dossier_format.errors import DossierError
from dossier_format.merge import Choice
from tui import messages
from tui.bindings import bind, translate_bindings
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.conflict import ConflictDialog
from tui.dialogs.override import OverrideDialog
from tui.i18n import t
from tui.widgets.findings import FindingsPanel, count
from vault.errors import ChecksFailedError, ConcurrentEditError, VaultError

if TYPE_CHECKING:
    from tui.app import ZorgkluisApp


class EditorScreen(Screen[bool]):
    """Edits one dossier's YAML; dismisses True after a save, False when left unsaved.

    `base` is the commit `saved_text` was read at: the save merges what others saved since
    (a same-field conflict asks the user to choose per field), so it never undoes their work.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("ctrl+s", "save", "key.save", priority=True),
        bind("f5", "check", "key.check"),
        bind("escape", "leave", "key.back", priority=True),
    ]

    def __init__(
        self,
        pupil_id: str,
        name: str,
        saved_text: str,
        text: str,
        save_now: bool,
        base: str | None = None,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.pupil_id = pupil_id
        self.pupil_name = name
        self.saved_text = saved_text
        self.initial_text = text
        self.save_now = save_now
        self.base = base
        self.choices: dict[str, Choice] = {}

    @property
    def zapp(self) -> ZorgkluisApp:
        return cast("ZorgkluisApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("editor.title", name=self.pupil_name), classes="title")
        yield TextArea.code_editor(self.initial_text, language="yaml", id="yaml", soft_wrap=False)
        yield Static("", id="editor-status")
        yield FindingsPanel(id="editor-findings")
        yield Footer()

    def on_mount(self) -> None:
        editor = self.query_one("#yaml", TextArea)
        editor.cursor_blink = False
        editor.focus()
        if self.save_now:
            self.action_save()

    @property
    def text(self) -> str:
        return self.query_one("#yaml", TextArea).text

    def status(self, text: str) -> None:
        self.query_one("#editor-status", Static).update(text)

    def action_save(self) -> None:
        self.status(t("editor.saving"))
        self.choices = {}
        self.save(self.text, None)

    def action_check(self) -> None:
        self.check(self.text)

    @work(thread=True, exclusive=True, group="save")
    def save(self, text: str, override: str | None) -> None:
        try:
            result = self.zapp.vault.put(
                self.pupil_id,
                text,
                override=override,
                today=self.zapp.today,
                base=self.base,
                choices=self.choices,
            )
        except ChecksFailedError as refused:
            self.post_message(messages.SaveRefused(refused.findings, refused.new_errors))
            return
        except ConcurrentEditError as conflicted:
            self.post_message(messages.SaveConflicted(conflicted.conflicts))
            return
        except VaultError as error:
            self.post_message(messages.WorkFailed(error.message))
            return
        except DossierError as error:
            self.post_message(messages.WorkFailed(str(error)))
            return
        if result.commit is None:
            self.post_message(messages.WorkFailed(t("editor.unchanged")))
            return
        self.post_message(
            messages.DossierSaved(result.pupil_id, result.commit, result.findings, result.merged)
        )

    @work(thread=True, exclusive=True, group="check")
    def check(self, text: str) -> None:
        try:
            data = codec.load_fast(text)
        except DossierError as error:
            self.post_message(messages.WorkFailed(str(error)))
            return
        findings = checks.check(data, self.zapp.vault.route, self.zapp.today)
        self.post_message(messages.ChecksRan(findings))

    def on_checks_ran(self, message: messages.ChecksRan) -> None:
        self.query_one(FindingsPanel).show(message.findings)
        self.status(
            t(
                "editor.checked",
                errors=count(message.findings, "error"),
                warnings=count(message.findings, "warning"),
            )
        )

    def on_save_refused(self, message: messages.SaveRefused) -> None:
        self.query_one(FindingsPanel).show(message.findings)
        new_errors = message.new_errors
        self.status(t("editor.refused", count=len(new_errors or [])))
        text = self.text

        def overridden(reason: str | None) -> None:
            if reason:
                self.status(t("editor.saving"))
                self.save(text, reason)

        try:
            dossier: dict[str, Any] | None = codec.load_fast(text)
        except DossierError:
            dossier = None
        dialog = OverrideDialog(message.findings, new_errors, dossier=dossier)
        self.app.push_screen(dialog, overridden)

    def on_save_conflicted(self, message: messages.SaveConflicted) -> None:
        self.status(t("conflict.title"))
        text = self.text

        def chosen(choices: dict[str, Choice] | None) -> None:
            if choices:
                self.choices = choices
                self.status(t("editor.saving"))
                self.save(text, None)

        self.app.push_screen(ConflictDialog(message.conflicts), chosen)

    def on_work_failed(self, message: messages.WorkFailed) -> None:
        self.status(t("editor.failed", message=message.message))

    def on_dossier_saved(self, message: messages.DossierSaved) -> None:
        self.saved_text = self.text
        key = "dossier.merged" if message.merged else "dossier.saved"
        self.app.notify(t(key, commit=message.commit[:10]))
        self.dismiss(True)

    def action_leave(self) -> None:
        if self.text == self.saved_text:
            self.dismiss(False)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(False)

        self.app.push_screen(ConfirmDialog(t("editor.unsaved")), answered)
