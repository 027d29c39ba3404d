"""`zorgkluis check` and `zorgkluis routes`: thin wrappers over `dossier_format`.

Exit codes of `check`: 0 no errors (warnings allowed), 1 errors found, 2 the input cannot be
used (unreadable file, broken YAML, unknown format version or route, bad option). Messages are
Dutch and never a traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

import click

from dossier_format import codec, schema
from dossier_format.checks import check
from dossier_format.errors import DossierError
from dossier_format.findings import Finding
from dossier_format.routes import Route, available_routes, load_route
from tui.cli_vault import SEVERITY_COLOUR, SEVERITY_LABEL, check_pupil, report_check


def _unusable(message: str) -> NoReturn:
    click.secho(f"fout: {message}", fg="red", err=True)
    sys.exit(2)


def _parse_today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _unusable(f"--today '{value}' is geen datum; gebruik JJJJ-MM-DD.")


def _looks_like_pupil_id(argument: str) -> bool:
    """A stored pupil (``ll-...``) rather than a file: no folder and no YAML suffix."""
    return "/" not in argument and "\\" not in argument and not argument.endswith((".yaml", ".yml"))


def check_file(path: Path, route_id: str | None, today: dt.date) -> list[Finding]:
    """Load, validate and check one dossier file.

    Schema violations become ``formaat.ongeldig`` findings next to the rule findings.

    Raises:
        DossierError: the file cannot be read or parsed, its format version is unknown, or the
            route cannot be loaded (``RouteError``).
    """
    return check_file_located(path, route_id, today)[0]


def check_file_located(
    path: Path, route_id: str | None, today: dt.date
) -> tuple[list[Finding], dict[Finding, DossierError]]:
    """:func:`check_file`, plus the schema error (with line and column) behind each
    ``formaat.ongeldig`` finding that came from the schema.

    Raises:
        DossierError: as :func:`check_file`.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DossierError(
            f"kan het bestand niet lezen als UTF-8-tekst ({exc})", source=str(path)
        ) from None
    data = schema.migrate(codec.load_fast(text, str(path)), str(path))
    route = _route(route_id, data.get("route"), str(path))
    located = {
        Finding("formaat.ongeldig", "error", err.message, err.path, "docs/format.md"): err
        for err in reversed(schema.validate(data, source=str(path), text=text))
    }  # reversed: of two identical findings, the first in the file gives the position
    findings = set(located)
    findings.update(check(data, route, today))
    return sorted(findings, key=Finding.sort_key), located


def _report_file(findings: list[Finding], located: dict[Finding, DossierError]) -> None:
    """Text output of `check FILE`: like the vault's, but a schema problem is shown as
    ``bestand:regel:kolom: boodschap`` so an editor can jump to it."""
    if not findings:
        click.echo("Geen bevindingen.")
    for f in findings:
        label = click.style(SEVERITY_LABEL[f.severity], fg=SEVERITY_COLOUR[f.severity], bold=True)
        err = located.get(f)
        if err is not None and err.line is not None:
            where = f"{err}"
        else:
            where = f"{f.path}: {f.message}" if f.path else f.message
        click.echo(f"{label} {where} [{f.rule}; {f.source}]")
    if any(f.severity == "error" for f in findings):
        sys.exit(1)


def _route(option: str | None, in_dossier: object, source: str) -> Route:
    route_id = option or (str(in_dossier) if in_dossier is not None else None)
    if route_id is None:
        raise DossierError("het dossier noemt geen route; geef er een met --route", source=source)
    return load_route(route_id)


def register(group: click.Group) -> None:
    """Add `check` and `routes` to `group`."""

    @group.command("check")
    @click.argument("dossier")
    @click.option(
        "--route",
        "route_id",
        default=None,
        help="Route-id (000-004) of routebestand; standaard de route in het dossier.",
    )
    @click.option("--today", default=None, help="Controleer alsof het deze datum is (JJJJ-MM-DD).")
    @click.option("--json", "as_json", is_flag=True, help="Bevindingen als JSON-lijst.")
    @click.pass_context
    def check_cmd(
        ctx: click.Context, dossier: str, route_id: str | None, today: str | None, as_json: bool
    ) -> None:
        """Controleer een dossierbestand (of een leerling-id in de kluis) op de zorgroute.

        Exitcode 0: geen fouten; 1: fouten gevonden; 2: invoer onbruikbaar.
        """
        day = _parse_today(today)
        path = Path(dossier)
        if not path.exists():
            if not _looks_like_pupil_id(dossier):
                _unusable(f"'{dossier}' bestaat niet.")
            try:
                route = load_route(route_id) if route_id else None
            except DossierError as exc:
                _unusable(str(exc))
            check_pupil(ctx, dossier, today=day, route=route, as_json=as_json)
            return
        try:
            findings, located = check_file_located(path, route_id, day)
        except DossierError as exc:
            _unusable(str(exc))
        if as_json:
            report_check(findings, as_json)
        else:
            _report_file(findings, located)

    @group.command("routes")
    def routes_cmd() -> None:
        """Toon de meegeleverde zorgroutes met hun niveaus en protocollen."""
        try:
            routes = available_routes()
        except DossierError as exc:
            _unusable(str(exc))
        for route in routes:
            click.secho(f"{route.id}  {route.naam} ({route.school})", bold=True)
            for niveau in route.niveaus:
                click.echo(f"  niveau {niveau.niveau}: {niveau.naam}")
            if route.protocollen:
                click.echo(f"  protocollen: {', '.join(route.protocollen)}")
