"""The command palette in the UI's language and its entries ("noun: verb"): open a pupil,
open the review queue, retention, export and sync."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from rich.align import Align
from rich.text import Text
from textual.command import (
    CommandList,
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
    ProviderSource,
)
from textual.widgets.option_list import Option

from tui.i18n import t
from vault import access, review

if TYPE_CHECKING:
    from dossier_format.model import PupilSummary
    from tui.app import ZorgkluisApp


def display_name(pupil: PupilSummary) -> str:
    """'Voornaam tussenvoegsel Achternaam (groep)', as the palette lists a pupil."""
    parts = (pupil.voornaam, pupil.tussenvoegsel, pupil.achternaam)
    name = " ".join(part for part in parts if part)
    return f"{name} ({pupil.groep})" if pupil.groep is not None else name


class ZorgkluisPalette(CommandPalette):
    """Textual's command palette with its placeholder and 'no matches' line translated."""

    def __init__(
        self, providers: ProviderSource | None = None, placeholder: str | None = None
    ) -> None:
        super().__init__(
            providers=providers,
            placeholder=placeholder or t("palette.placeholder"),
            id="--command-palette",
        )

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own (8.2) with the line in the UI's language.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(t("palette.no_matches"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class ZorgkluisCommands(Provider):
    """Pupils by name and the review queue, once the vault is unlocked."""

    def _commands(self) -> list[tuple[str, str, object]]:
        app = cast("ZorgkluisApp", self.app)
        commands: list[tuple[str, str, object]] = []
        if not app.unlocked:
            return commands
        if review.may_review(app.vault.user.rol):
            commands.append((t("cmd.review"), t("cmd.help.review"), app.open_review))
        manager = access.may_manage(app.vault.user)
        if manager:
            commands.append((t("cmd.retention"), t("cmd.help.retention"), app.open_retention))
        commands.append((t("cmd.sync"), t("cmd.help.sync"), app.open_sync))
        for pupil in app.pupils:
            name = display_name(pupil)
            commands.append(
                (
                    t("cmd.open_pupil", name=name),
                    t("cmd.help.open_pupil"),
                    partial(app.open_pupil, pupil.id),
                )
            )
            if manager:
                commands.append(
                    (
                        t("cmd.export", name=name),
                        t("cmd.help.export"),
                        partial(app.open_export, pupil.id),
                    )
                )
        return commands

    async def discover(self) -> Hits:
        for text, help_text, callback in self._commands()[:20]:
            yield DiscoveryHit(text, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, callback in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)  # type: ignore[arg-type]
