"""Retention, parents' rights and audit commands of the `zorgkluis` CLI.

Thin wrappers over `vault.retention`, `vault.rights` and `vault.audit`. Exit codes: 0 ok;
1 problems found (audit log tampered, overdue correction requests, sweep cancelled); 2 unusable
input or a refusal (no access, unknown pupil, locked vault). Messages are Dutch; no tracebacks.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from dossier_format import codec
from dossier_format.retention_rules import (
    BEWAREN,
    ONBEPAALD,
    VERLOPEN,
    VERNIETIGD,
    RetentionItem,
)
from tui.cli_vault import _identity, handle_errors, load_terms, print_findings, print_terms
from vault import audit, audit_sync, retention, rights
from vault.errors import InvalidInputError
from vault.repository import Vault, default_vault_path

STATE_LABEL = {
    BEWAREN: ("bewaren", "green"),
    VERLOPEN: ("verlopen", "red"),
    ONBEPAALD: ("onbepaald", "yellow"),
    VERNIETIGD: ("vernietigd", "blue"),
}

today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Doe alsof het vandaag deze datum is (JJJJ-MM-DD).",
)


def _today(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def _open(ctx: click.Context) -> tuple[Vault, Any]:
    key = _identity(ctx)
    return Vault.open(default_vault_path(ctx.obj.get("vault_path")), key), key


def _read_text(file: str) -> str:
    try:
        return sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Kan '{file}' niet lezen als UTF-8-tekst.") from exc


YES = frozenset({"j", "ja", "y", "yes"})
NO = frozenset({"n", "nee", "no"})


def ask_yes_no(question: str) -> bool:
    """Ask a Dutch yes/no question on stderr: `[j/N]`, no unless answered yes.

    Accepts j/ja/y/yes and n/nee/no (any case); an empty answer or end of input means no;
    anything else asks again with a Dutch explanation (not click's English "invalid input").
    """
    while True:
        try:
            answer = click.prompt(
                f"{question} [j/N]", default="", show_default=False, err=True, type=str
            )
        except click.Abort:  # end of input (or Ctrl-C): nothing happens
            click.echo(err=True)
            return False
        word = answer.strip().lower()
        if word in YES:
            return True
        if not word or word in NO:
            return False
        click.echo("Antwoord met j (ja) of n (nee).", err=True)


def _print_items(items: Sequence[RetentionItem]) -> None:
    for item in items:
        label, colour = STATE_LABEL.get(item.state, (item.state, "white"))
        until = item.deadline.isoformat() if item.deadline else "-"
        late = click.style(" TE LAAT", fg="red", bold=True) if item.te_laat else ""
        click.echo(
            f"{item.pupil_id:<16} {item.part:<28} "
            f"{click.style(f'{label:<10}', fg=colour)} {until:<10} {item.reason}{late}"
        )


def register(group: click.Group) -> None:
    """Add `retention`, `inzage`, `correctie`, `zienswijze` and `audit` to `group`."""

    @group.group("retention")
    def retention_group() -> None:
        """Bewaartermijnen: status, vernietigen (sweep), bevestigen, back-ups."""

    @retention_group.command("status")
    @today_option
    @click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
    @click.pass_context
    @handle_errors
    def status_cmd(ctx: click.Context, today: dt.datetime | None, as_json: bool) -> None:
        """Per leerling en onderdeel: termijn en status."""
        vault, key = _open(ctx)
        keeper = retention.Keeper.of_vault(vault, key)
        items = retention.status(keeper, _today(today))
        _, confirmed = retention.rules_in_force(keeper.store)
        if as_json:
            doc = {"bevestigd": confirmed, "onderdelen": [i.to_dict() for i in items]}
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        if not confirmed:
            click.secho(
                "Let op: de school heeft de bewaartermijnen nog niet bevestigd; de standaard "
                "geldt ('zorgkluis retention confirm').",
                fg="yellow",
                err=True,
            )
        _print_items(items)
        todo = sum(1 for i in items if retention.needs_action(i))
        click.echo(f"{len(items)} onderdelen, {todo} te vernietigen.", err=True)

    @retention_group.command("sweep")
    @today_option
    @click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
    @click.pass_context
    @handle_errors
    def sweep_cmd(ctx: click.Context, today: dt.datetime | None, yes: bool) -> None:
        """Vernietig verlopen onderdelen (sleutels vernietigen, bestanden verwijderen)."""
        vault, key = _open(ctx)
        keeper = retention.Keeper.of_vault(vault, key)
        retention.require_manager(keeper, "voeren de bewaartermijnen uit")
        day = _today(today)
        plan = [i for i in retention.status(keeper, day) if retention.needs_action(i)]
        if not plan:
            click.echo("Niets te vernietigen.")
            return
        click.echo("Deze onderdelen worden definitief vernietigd:")
        _print_items(plan)
        if not yes and not ask_yes_no(
            f"{len(plan)} onderdelen vernietigen? Dit kan niet ongedaan worden gemaakt"
        ):
            click.echo("Afgebroken; er is niets vernietigd.", err=True)
            sys.exit(1)

        def progress(done: int, total: int, item: RetentionItem) -> None:
            click.echo(f"[{done}/{total}] {item.pupil_id} {item.part} vernietigd", err=True)

        result = retention.sweep(keeper, plan, day, progress)
        if result.commit:
            click.echo(f"Vastgelegd in versie {result.commit[:10]} (bewaarlog bijgewerkt).")
        if result.backups_destroyed:
            click.echo(
                f"{result.backups_destroyed} sleutelback-up(s) onbruikbaar gemaakt; "
                f"nieuwe back-up: {result.new_backup}."
            )

    @retention_group.command("confirm")
    @today_option
    @click.option(
        "--file",
        "file",
        default=None,
        help="Eigen termijnen (YAML, zie docs/retention.md); standaard de standaardtermijnen.",
    )
    @click.pass_context
    @handle_errors
    def confirm_cmd(ctx: click.Context, today: dt.datetime | None, file: str | None) -> None:
        """Bevestig de bewaartermijnen van de school (ondertekende versie)."""
        rules = load_terms(file)
        vault, key = _open(ctx)
        keeper = retention.Keeper.of_vault(vault, key)
        sha = retention.confirm_terms(keeper, _today(today), rules)
        print_terms(rules)
        click.echo(f"Bewaartermijnen bevestigd in versie {sha[:10]}.")

    @retention_group.command("backup")
    @today_option
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Map voor de back-up (standaard in de kluis).",
    )
    @click.pass_context
    @handle_errors
    def backup_cmd(ctx: click.Context, today: dt.datetime | None, out: Path | None) -> None:
        """Maak een sleutelback-up met een eigen back-upsleutel."""
        vault, key = _open(ctx)
        path = retention.backup(retention.Keeper.of_vault(vault, key), _today(today), out)
        click.echo(f"Sleutelback-up geschreven: {path}")

    @retention_group.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
    @click.pass_context
    @handle_errors
    def restore_cmd(ctx: click.Context, file: Path) -> None:
        """Zet ontbrekende sleutels terug uit een sleutelback-up."""
        vault, key = _open(ctx)
        names = retention.restore(retention.Keeper.of_vault(vault, key), file)
        click.echo(f"{len(names)} sleutel(s) teruggezet.")

    @group.command("inzage")
    @click.argument("pupil_id")
    @click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--kopie", is_flag=True, help="Een kopie die de ouders meekrijgen.")
    @click.option("--reden", default=None, help="Aanleiding, voor het auditlog.")
    @today_option
    @click.pass_context
    @handle_errors
    def inzage_cmd(
        ctx: click.Context,
        pupil_id: str,
        out: Path,
        kopie: bool,
        reden: str | None,
        today: dt.datetime | None,
    ) -> None:
        """Maak de inzage of kopie voor ouders (.html of .pdf), zonder werkaantekeningen."""
        vault, _ = _open(ctx)
        kind = "kopie" if kopie else "inzage"
        rights.export_for_parents(
            vault, pupil_id, out, kind=kind, today=_today(today), reason=reden
        )
        click.echo(f"{kind.capitalize()} geschreven naar {out} (vastgelegd in het auditlog).")

    @group.group("correctie")
    def correctie_group() -> None:
        """Verzoeken van ouders om correctie (003 §4.4)."""

    @correctie_group.command("verzoek")
    @click.argument("pupil_id")
    @click.option("--wat", required=True, help="Welk gegeven en wat er niet klopt.")
    @click.option("--override", default=None, help="Toch opslaan bij controlefouten, met reden.")
    @today_option
    @click.pass_context
    @handle_errors
    def request_cmd(
        ctx: click.Context,
        pupil_id: str,
        wat: str,
        override: str | None,
        today: dt.datetime | None,
    ) -> None:
        """Leg een correctieverzoek vast (antwoord binnen een maand)."""
        vault, _ = _open(ctx)
        day = _today(today)
        text, cid = rights.add_correction_request(vault.show(pupil_id), wat, day)
        print_findings(vault.put(pupil_id, text, override=override, today=day).findings)
        click.echo(f"Verzoek {cid} vastgelegd; antwoord uiterlijk {rights.answer_due(day)}.")

    @correctie_group.command("besluit")
    @click.argument("pupil_id")
    @click.argument("request_id")
    @click.option("--reden", required=True, help="Waarom het verzoek wordt afgewezen.")
    @click.option("--override", default=None, help="Toch opslaan bij controlefouten, met reden.")
    @today_option
    @click.pass_context
    @handle_errors
    def refuse_cmd(
        ctx: click.Context,
        pupil_id: str,
        request_id: str,
        reden: str,
        override: str | None,
        today: dt.datetime | None,
    ) -> None:
        """Wijs een verzoek af, met reden (toekennen gaat met 'correctie toepassen')."""
        vault, _ = _open(ctx)
        day = _today(today)
        text = rights.decide_correction(vault.show(pupil_id), request_id, "afgewezen", day, reden)
        print_findings(vault.put(pupil_id, text, override=override, today=day).findings)
        click.echo(f"Verzoek {request_id} afgewezen en vastgelegd.")

    @correctie_group.command("toepassen")
    @click.argument("pupil_id")
    @click.argument("request_id")
    @click.option("--file", "file", required=True, help="Het verbeterde dossier (YAML, - = stdin).")
    @click.option("--reden", default="", help="Toelichting bij het besluit.")
    @click.option("--override", default=None, help="Toch opslaan bij controlefouten, met reden.")
    @today_option
    @click.pass_context
    @handle_errors
    def apply_cmd(
        ctx: click.Context,
        pupil_id: str,
        request_id: str,
        file: str,
        reden: str,
        override: str | None,
        today: dt.datetime | None,
    ) -> None:
        """Ken een verzoek toe: de verbetering en het besluit in één ondertekende versie."""
        vault, _ = _open(ctx)
        result = rights.apply_correction(
            vault,
            pupil_id,
            request_id,
            _read_text(file),
            today=_today(today),
            reason=reden,
            override=override,
        )
        print_findings(result.findings)
        where = result.commit[:10] if result.commit else "-"
        click.echo(f"Verzoek {request_id} toegekend en toegepast in versie {where}.")

    @correctie_group.command("lijst")
    @click.argument("pupil_id", required=False)
    @today_option
    @click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
    @click.pass_context
    @handle_errors
    def list_cmd(
        ctx: click.Context, pupil_id: str | None, today: dt.datetime | None, as_json: bool
    ) -> None:
        """Open verzoeken (of alle verzoeken van één leerling); te late gemarkeerd."""
        vault, _ = _open(ctx)
        day = _today(today)
        if pupil_id:
            found = {pupil_id: rights.corrections(codec.load_fast(vault.show(pupil_id)), day)}
        else:
            found = rights.open_corrections_in_vault(vault, day)
        if as_json:
            doc = {pid: [c.to_dict() for c in cs] for pid, cs in found.items()}
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            for pid, states in found.items():
                for c in states:
                    late = click.style(" TE LAAT", fg="red", bold=True) if c.te_laat else ""
                    click.echo(
                        f"{pid:<16} {c.id:<6} {c.verzoek_datum} {c.besluit:<10} "
                        f"uiterlijk {c.uiterlijk}{late}  {c.wat}"
                    )
        if any(c.te_laat for states in found.values() for c in states):
            click.secho("Er zijn verzoeken die na een maand nog niet beantwoord zijn.", err=True)
            sys.exit(1)

    @group.command("zienswijze")
    @click.argument("pupil_id")
    @click.option("--onderdeel", required=True, help="Waarover: een sleutel (okr) of een id.")
    @click.option("--tekst", default=None, help="De zienswijze van de ouders.")
    @click.option("--file", "file", default=None, help="Of: lees de tekst uit een bestand.")
    @click.option("--namens", default="", help="Namens wie, bijv. 'beide ouders'.")
    @click.option("--override", default=None, help="Toch opslaan bij controlefouten, met reden.")
    @today_option
    @click.pass_context
    @handle_errors
    def zienswijze_cmd(
        ctx: click.Context,
        pupil_id: str,
        onderdeel: str,
        tekst: str | None,
        file: str | None,
        namens: str,
        override: str | None,
        today: dt.datetime | None,
    ) -> None:
        """Voeg de eigen zienswijze van de ouders toe aan een onderdeel."""
        if (tekst is None) == (file is None):
            raise InvalidInputError("Geef de zienswijze met --tekst of met --file (één van beide).")
        body = tekst if tekst is not None else _read_text(str(file))
        vault, _ = _open(ctx)
        day = _today(today)
        text, zid = rights.add_zienswijze(vault.show(pupil_id), onderdeel, body, day, namens)
        print_findings(vault.put(pupil_id, text, override=override, today=day).findings)
        click.echo(f"Zienswijze {zid} toegevoegd bij '{onderdeel}'.")

    @group.command("audit")
    @click.option("--pupil", "pupil_id", default=None, help="Alleen deze leerling.")
    @click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
    @click.pass_context
    @handle_errors
    def audit_cmd(ctx: click.Context, pupil_id: str | None, as_json: bool) -> None:
        """Lees en controleer de auditlogs van alle apparaten (directie en intern begeleiders)."""
        vault, _ = _open(ctx)
        found = audit_sync.report(vault, pupil_id=pupil_id)
        if as_json:
            doc = {
                "regels": [e.to_dict() for e in found.entries],
                "problemen": [p.to_dict() for p in found.problems],
                "logs": [
                    {
                        "log": s.log_id,
                        "apparaat": "dit apparaat" if s.own else "ander apparaat",
                        "regels": s.lines,
                        "door": list(s.actors),
                    }
                    for s in found.logs
                ],
            }
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            for item in found.entries:
                e = item.entry
                what = audit.ACTIONS.get(e.actie, e.actie)
                about = " ".join(x for x in (e.leerling, e.onderdeel) if x)
                why = f" — {e.reden}" if e.reden else ""
                click.echo(
                    f"{e.wanneer:%Y-%m-%d %H:%M} {e.wie:<12} {item.device:<17} {e.seq:>5} "
                    f"{what} {about}{why}"
                )
            logs = ", ".join(
                f"{'dit apparaat' if s.own else 'apparaat'} {s.log_id[:8]} ({s.lines} regels)"
                for s in found.logs
            )
            count = f"{len(found.logs)} auditlog{'' if len(found.logs) == 1 else 's'}"
            click.echo(f"{count} gecontroleerd{': ' + logs if logs else ''}.")
            for p in found.problems:
                where = f"log {p.log_id[:8]} " if p.log_id else ""
                click.secho(
                    f"PROBLEEM {where}regel {p.seq}: {p.detail} ({p.kind})", fg="red", err=True
                )
        if found.problems:
            sys.exit(1)
