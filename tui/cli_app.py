"""The `demo` and `tui` commands: open the Textual app (on the demo vault or on `--vault`).

Textual is imported only when the app opens (`run_tui`): every other command of the CLI starts
without it (`tests/test_import_hygiene.py`).
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import click
import platformdirs

from dossier_format.routes import available_routes
from tui.i18n import pick_language
from vault import demo
from vault.errors import VaultError

_LANG = click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=None,
    help="Taal van de schermen (nl of en); standaard ZORGKLUIS_LANG of nl.",
)


class _RouteChoice(click.Choice[str]):
    """The shipped route ids, read when `demo` needs them rather than when the CLI starts
    (loading the route files costs every command a noticeable part of its start-up)."""

    def __init__(self) -> None:
        super().__init__(())
        self._ids: tuple[str, ...] | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        """The ids, loaded on first use."""
        if self._ids is None:
            self._ids = tuple(r.id for r in available_routes())
        return self._ids

    @choices.setter
    def choices(self, value: tuple[str, ...]) -> None:
        self._ids = tuple(value) or None


def default_demo_dir() -> Path:
    """The demo's folder in the user's data directory."""
    return Path(platformdirs.user_data_dir("zorgkluis")) / "demo"


def run_tui(
    vault_path: Path, identity_path: Path | None, lang: str | None, passphrase: str | None = None
) -> None:
    """Run the app until the user quits."""
    from tui.app import make_app  # textual only for the commands that open the app

    make_app(
        vault_path,
        identity_path=identity_path,
        passphrase=passphrase,
        language=pick_language(lang),
    ).run()


@click.command("tui")
@_LANG
@click.pass_context
def tui_command(ctx: click.Context, lang: str | None) -> None:
    """Open de kluis in het scherm (ook: zorgkluis zonder opdracht)."""
    obj = ctx.find_root().obj or {}
    vault_path = Path(obj.get("vault_path") or Path.cwd())
    identity = obj.get("identity_path")
    run_tui(vault_path, Path(identity) if identity else None, lang)


@click.command("demo")
@click.option(
    "--route",
    "route_id",
    type=_RouteChoice(),
    default=demo.DEMO_ROUTE,
    show_default=True,
    help="De zorgroute van de demoschool.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ZORGKLUIS_DEMO_DIR",
    default=None,
    help="Map voor de demokluis en -sleutels; standaard ZORGKLUIS_DEMO_DIR of je gebruikersmap.",
)
@click.option(
    "--aantal",
    "count",
    type=click.IntRange(1, 5000),
    default=demo.DEMO_COUNT,
    show_default=True,
    help="Aantal leerlingen bij het aanmaken.",
)
@click.option("--opnieuw", is_flag=True, help="Maak de demokluis opnieuw aan.")
@click.option(
    "--geen-scherm", "no_ui", is_flag=True, help="Alleen aanmaken, het scherm niet openen."
)
@_LANG
def demo_command(
    route_id: str,
    data_dir: Path | None,
    count: int,
    opnieuw: bool,
    no_ui: bool,
    lang: str | None,
) -> None:
    """Maak (of heropen) een demokluis met fictieve leerlingen en open die als IB-er."""
    base = data_dir or default_demo_dir()
    info = None if opnieuw else demo.open_demo(base, route_id)
    if info is None:
        click.echo(f"Demokluis aanmaken in {base} (route {route_id}, {count} leerlingen)…")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            click.echo(f"\r  {done}/{total} versies opgeslagen", nl=False, err=True)

        try:
            info = demo.create_demo(
                base, route_id, today=datetime.date.today(), count=count, progress=progress
            )
        except VaultError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"\nKlaar in {time.monotonic() - started:.1f} s.", err=True)
    click.echo(f"Demokluis: {info.vault}")
    click.echo(f"Sleutels: {info.keys} (alle fictief, alleen voor de demo)")
    click.echo(f"Wachtwoordzin van de demosleutels: {info.passphrase}")
    click.echo(f"Je opent de kluis als {demo.IB.naam} (intern begeleider).")
    if not no_ui:
        run_tui(info.vault, info.ib_key, lang, passphrase=info.passphrase)


def register(group: click.Group) -> None:
    """Add `demo` and `tui` to the root group."""
    group.add_command(demo_command)
    group.add_command(tui_command)


def open_without_command(ctx: click.Context) -> None:
    """For the root group: with no sub-command, open the UI on `--vault` (or the cwd)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui_command)
