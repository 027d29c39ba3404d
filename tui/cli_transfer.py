"""Transfer commands of the `zorgkluis` CLI: thin wrappers over `vault.transfer`.

`transfer-key`, `school add|list`, `export`, `import`, `admitted`. Exit codes as in
`tui.cli_vault`: 0 ok; 1 the gate or the checks found errors (nothing sent or stored); 2 any
other refusal (wrong school, tampering, unknown sender not confirmed, no access...).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from tui.cli_vault import _fail, handle_errors, open_vault, print_findings
from vault import access, transfer
from vault.errors import InvalidInputError, NoAccessError

F = TypeVar("F", bound=Callable[..., Any])

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _gate_errors(func: F) -> F:
    """Like `handle_errors`, but a refused gate prints its findings and exits 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except transfer.GateError as exc:
            print_findings(exc.findings)
            _fail(exc)
            sys.exit(1)

    return handle_errors(cast(F, wrapper))


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _print_plan(plan: transfer.ExportPlan) -> None:
    click.echo("Gaat mee: " + ", ".join(plan.included))
    for item in plan.withheld:
        click.echo(f"Blijft achter: {item.wat} — {item.reden}")
    if plan.gate_findings:
        click.echo("Poort:")
        print_findings(plan.gate_findings)
    else:
        click.echo("Poort: in orde.")


def register(group: click.Group) -> None:
    """Add the transfer commands to `group`."""

    @group.command("transfer-key")
    @click.option("--json", "as_json", is_flag=True, help="Als JSON.")
    @click.pass_context
    @handle_errors
    def transfer_key_cmd(ctx: click.Context, as_json: bool) -> None:
        """Toon de overdrachtssleutel en ondertekensleutel van deze school (voor andere scholen).

        De eerste keer maakt een intern begeleider of directielid de sleutels aan.
        """
        vault = open_vault(ctx)
        card = transfer.transfer_card(vault)
        if access.may_manage(vault.user):
            # also re-encrypts the private keys to today's directie and IB-ers
            with contextlib.suppress(NoAccessError):
                transfer.load_transfer_identity(vault)
        if as_json:
            click.echo(json.dumps(dataclasses.asdict(card), ensure_ascii=False, indent=2))
            return
        click.echo(f"School: {card.school}")
        click.echo(f"Overdrachtssleutel (ontvanger): {card.recipient}")
        click.echo(f"Ondertekensleutel: {card.signing_key}")
        click.echo(f"Vingerafdruk: {card.fingerprint}")

    @group.group("school")
    def school_group() -> None:
        """Bekende scholen waarmee leerlingen worden overgedragen."""

    @school_group.command("add")
    @click.argument("naam")
    @click.option("--sleutel", required=True, help="Ondertekensleutel: 'ssh-ed25519 AAAA…'.")
    @click.option("--ontvanger", default="", help="Overdrachtssleutel van de school (age1…).")
    @click.option("--brin", default="", help="BRIN-code of ander kenmerk.")
    @click.pass_context
    @handle_errors
    def school_add_cmd(
        ctx: click.Context, naam: str, sleutel: str, ontvanger: str, brin: str
    ) -> None:
        """Voeg een bekende school toe (gegevens uit 'zorgkluis transfer-key' van die school)."""
        school = transfer.add_school(open_vault(ctx), naam, sleutel, brin=brin, recipient=ontvanger)
        click.echo(f"School '{school.naam}' toegevoegd ({school.vingerafdruk}).")

    @school_group.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Als JSON.")
    @click.pass_context
    @handle_errors
    def school_list_cmd(ctx: click.Context, as_json: bool) -> None:
        """Toon de bekende scholen."""
        schools = transfer.list_schools(open_vault(ctx))
        if as_json:
            click.echo(json.dumps([s.to_dict() for s in schools], ensure_ascii=False, indent=2))
            return
        for s in schools:
            extra = f" [{s.brin}]" if s.brin else ""
            click.echo(f"{s.naam}{extra}  {s.vingerafdruk}  {s.ontvangstsleutel or '-'}")

    @school_group.command("oso")
    @click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
    @click.pass_context
    @handle_errors
    def school_oso_cmd(ctx: click.Context, file: Path) -> None:
        """Leg de OSO-gegevens van deze school vast (YAML: naam, brin, adres, telefoon)."""
        info = transfer.set_oso_school(open_vault(ctx), file.read_text(encoding="utf-8"))
        click.echo(f"OSO-gegevens van {info.naam} ({info.brin}) vastgelegd.", err=True)

    @group.command("export")
    @click.argument("pupil_id")
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["bundel", "oso", "html", "pdf"]),
        default="bundel",
        show_default=True,
        help="bundel: versleuteld voor de ontvangende school; oso: OSO-XML; html/pdf: het "
        "onderwijskundig rapport voor mensen.",
    )
    @click.option("--to", "to", help="Ontvangende school: age1…-sleutel, naam of BRIN.")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Uitvoerbestand.")
    @click.option("--override", help="Reden om ondanks fouten in de poort te exporteren.")
    @click.option(
        "--zonder",
        multiple=True,
        type=click.Choice(list(transfer.OPTIONAL_PARTS)),
        help="Laat dit deel achter.",
    )
    @click.option(
        "--profiel",
        type=click.Choice(["PO-PO", "PO-VO"]),
        default="PO-PO",
        show_default=True,
        help="OSO-overstapprofiel.",
    )
    @click.option(
        "--afzender",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="YAML met de OSO-gegevens van deze school; standaard die van 'school oso'.",
    )
    @click.option("--plan", "plan_only", is_flag=True, help="Toon alleen wat er mee zou gaan.")
    @click.option("--today", type=_DATE, hidden=True)
    @click.pass_context
    @_gate_errors
    def export_cmd(
        ctx: click.Context,
        pupil_id: str,
        fmt: str,
        to: str | None,
        out: Path | None,
        override: str | None,
        zonder: Sequence[str],
        profiel: str,
        afzender: Path | None,
        plan_only: bool,
        today: dt.datetime | None,
    ) -> None:
        """Exporteer het dossier van een vertrekkende leerling naar de volgende school."""
        vault = open_vault(ctx)
        day = _day(today)
        if plan_only:
            _print_plan(transfer.plan_export(vault, pupil_id, today=day, withhold=zonder))
            return
        if out is None:
            raise InvalidInputError("Geef het uitvoerbestand op met --out BESTAND.")
        if fmt in ("html", "pdf"):
            out.write_bytes(transfer.okr_document(vault, pupil_id, fmt, today=day))
            click.echo(f"Onderwijskundig rapport geschreven naar {out}.", err=True)
            return
        if fmt == "oso":
            sender = (
                transfer.school_info_from_yaml(afzender.read_text(encoding="utf-8"))
                if afzender is not None
                else transfer.oso_school(vault)
            )
            result = transfer.export_oso(
                vault,
                pupil_id,
                out,
                profile="PO-VO" if profiel == "PO-VO" else "PO-PO",
                sender=sender,
                override=override,
                today=day,
            )
        else:
            if not to:
                raise InvalidInputError(
                    "Geef de ontvangende school op met --to (age1…-sleutel, naam of BRIN)."
                )
            result = transfer.export_bundle(
                vault, pupil_id, to, out, override=override, withhold=zonder, today=day
            )
        _print_plan(result.plan)
        click.echo(f"Overdracht geschreven naar {out}; verzending vastgelegd.", err=True)

    @group.command("import")
    @click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
    @click.option("--trust", help="Bevestigde vingerafdruk van een onbekende verzendende school.")
    @click.option("--override", help="Reden om ondanks controlefouten op te slaan.")
    @click.option("--groep", type=click.IntRange(1, 8), help="Groep van de leerling hier.")
    @click.option(
        "--toch-nieuw",
        "toch_nieuw",
        is_flag=True,
        help="Neem over als nieuwe leerling, ook als deze leerling al in de kluis lijkt te staan.",
    )
    @click.option("--today", type=_DATE, hidden=True)
    @click.pass_context
    @handle_errors
    def import_cmd(
        ctx: click.Context,
        file: Path,
        trust: str | None,
        override: str | None,
        groep: int | None,
        toch_nieuw: bool,
        today: dt.datetime | None,
    ) -> None:
        """Neem een leerling over: een overdracht van 'zorgkluis export' of een OSO-dossier.

        Staat de leerling waarschijnlijk al in de kluis (eerder overgenomen, of dezelfde naam,
        geboortedatum en vorige school), dan wordt niets opgeslagen, tenzij met --toch-nieuw.
        """
        vault = open_vault(ctx)
        data = file.read_bytes()

        def run(confirmed: str | None) -> transfer.ImportResult:
            return transfer.import_file(
                vault,
                data,
                trust=confirmed,
                override=override,
                groep=groep,
                today=_day(today),
                source=file.name,
                allow_duplicate=toch_nieuw,
            )

        try:
            result = run(trust)
        except transfer.UnknownSenderError as exc:
            click.echo(f"Onbekende verzendende school: {exc.school}", err=True)
            click.echo(f"Vingerafdruk: {exc.fingerprint}", err=True)
            click.echo("Controleer deze vingerafdruk telefonisch bij de school.", err=True)
            try:
                answer = click.prompt(
                    "Klopt de vingerafdruk? [j/N]", default="n", show_default=False, err=True
                )
            except click.Abort:
                answer = "n"
            if answer.strip().lower() not in ("j", "ja"):
                raise
            result = run(exc.fingerprint)
        print_findings(result.save.findings)
        click.echo(
            f"Leerling overgenomen van {result.sender.naam} als {result.save.pupil_id}.", err=True
        )
        click.echo(result.save.pupil_id)

    @group.command("admitted")
    @click.argument("pupil_id")
    @click.argument("datum", type=_DATE)
    @click.option("--today", type=_DATE, hidden=True)
    @click.pass_context
    @handle_errors
    def admitted_cmd(
        ctx: click.Context, pupil_id: str, datum: dt.datetime, today: dt.datetime | None
    ) -> None:
        """Leg de toelating op de vervolgschool vast (start de bewaartermijn van het OKR)."""
        transfer.record_admission(open_vault(ctx), pupil_id, datum.date(), today=_day(today))
        click.echo("Toelating vastgelegd.", err=True)
