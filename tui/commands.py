"""Command palette entries ("noun: verb"): open a pupil, open the review queue."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.i18n import t
from vault import access, review

if TYPE_CHECKING:
    from tui.app import ZorgkluisApp


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
            name = f"{pupil.voornaam} {pupil.achternaam} ({pupil.groep})"
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
