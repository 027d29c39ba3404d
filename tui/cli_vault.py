"""Vault commands of the `zorgkluis` CLI: thin wrappers over `vault.repository.Vault`.

Exit codes: 0 ok; 1 check errors (save refused) or verify problems; 2 unusable input or any
other refusal (wrong passphrase, no access, unknown pupil, locked vault). Errors are printed in
Dutch with a hint, never as a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_format.errors import DossierError
from dossier_format.findings import Finding
from dossier_format.model import PupilSummary
from dossier_format.retention_rules import DEFAULT_RULES, RetentionRule, parse_config
from dossier_format.routes import Route
from vault import retention
from vault.crypto import sshkeys
from vault.errors import ChecksFailedError, IdentityError, InvalidInputError, VaultError
from vault.repository import (
    PASSPHRASE_ENV,
    SaveResult,
    Vault,
    default_identity_path,
    default_vault_path,
    open_default,
    unlock_identity,
)
from vault.users import ROLES

F = TypeVar("F", bound=Callable[..., Any])

SEVERITY_LABEL = {"error": "FOUT", "warning": "WAARSCHUWING", "info": "INFO"}
SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "blue"}
PROBLEM_LABEL = {
    "unsigned": "niet ondertekend",
    "bad_signature": "ongeldige handtekening",
    "unknown_signer": "onbekende ondertekenaar",
    "corrupt": "beschadigd bestand",
    "modified": "gewijzigd buiten Zorgkluis",
    "unauthorised": "niet toegestane wijziging",
}
VERIFY_HINT = {
    "unauthorised": (
        "Een wijziging die niet was toegestaan wordt niet gebruikt: de kluis slaat niets op "
        "tot de intern begeleider of directie haar terugzet naar de versie ervoor "
        "('git reset --hard VERSIE^' in de kluismap, op elk apparaat) of herstelt uit een back-up."
    ),
    "modified": "Zet het bestand terug met 'git checkout -- BESTAND' in de kluismap.",
}


def _fail(exc: VaultError) -> None:
    click.secho(f"fout: {exc.message}", fg="red", err=True)
    if exc.hint:
        click.echo(exc.hint, err=True)


def handle_errors(func: F) -> F:
    """Turn `VaultError`s into a Dutch message and exit code (1 for check errors, else 2)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ChecksFailedError as exc:
            print_findings(exc.findings)
            _fail(exc)
            sys.exit(1)
        except VaultError as exc:
            _fail(exc)
            sys.exit(2)
        except DossierError as exc:  # e.g. a route file (RouteError): never a traceback
            click.secho(f"fout: {exc}", fg="red", err=True)
            click.echo("Verbeter het bestand en probeer het opnieuw; er is niets opgeslagen.")
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def print_findings(findings: Sequence[Finding]) -> None:
    """Print findings, most serious first, one per line."""
    for f in sorted(findings, key=lambda f: f.sort_key()):
        label = click.style(SEVERITY_LABEL[f.severity], fg=SEVERITY_COLOUR[f.severity], bold=True)
        where = f"{f.path}: " if f.path else ""
        click.echo(f"{label} {where}{f.message} [{f.rule}; {f.source}]")


def report_check(findings: Sequence[Finding], as_json: bool) -> None:
    """The output of `zorgkluis check` (file or pupil): findings as text or JSON, then exit 1
    when any is an error."""
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    elif findings:
        print_findings(findings)
    else:
        click.echo("Geen bevindingen.")
    if any(f.severity == "error" for f in findings):
        sys.exit(1)


def _passphrase_for(key_file: Path) -> bytes | None:
    env = os.environ.get(PASSPHRASE_ENV)
    if env is not None:
        return env.encode()
    try:
        data = key_file.read_bytes()
    except OSError as exc:
        raise IdentityError(f"Kan de sleutel '{key_file}' niet lezen.") from exc
    if not sshkeys.needs_passphrase(data):
        return None
    return click.prompt("Wachtwoord van je sleutel", hide_input=True, err=True).encode()


def _identity(ctx: click.Context, fallback: Path | None = None) -> Ed25519PrivateKey:
    path = default_identity_path(ctx.obj.get("identity_path"), fallback)
    return unlock_identity(path, _passphrase_for(path))


def open_vault(ctx: click.Context) -> Vault:
    """Open the vault of the global options (`--vault`, `--identity`, passphrase)."""
    return Vault.open(default_vault_path(ctx.obj.get("vault_path")), _identity(ctx))


def _read_input(file: str) -> str:
    try:
        return sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"Kan '{file}' niet lezen als UTF-8-tekst.") from exc


def load_terms(file: str | None) -> tuple[RetentionRule, ...]:
    """The school's own retention terms from `file` ("-": stdin; see docs/retention.md), or
    the defaults when `file` is None.

    Raises:
        InvalidInputError: the file is unreadable or not a valid set of terms.
    """
    if file is None:
        return DEFAULT_RULES
    try:
        return parse_config(_read_input(file), file).rules
    except DossierError as exc:
        raise InvalidInputError(str(exc)) from exc


def print_terms(rules: Sequence[RetentionRule]) -> None:
    """Print retention terms, one rule per line (id, term, event, source)."""
    for rule in rules:
        click.echo(f"{rule.id:<18} {rule.termijn!s:<10} na {rule.na:<24} bron: {rule.bron}")


def _report_save(result: SaveResult) -> None:
    print_findings(result.findings)
    if result.commit is None:
        click.echo("Geen wijzigingen; niets opgeslagen.", err=True)
    else:
        click.echo(f"Opgeslagen als versie {result.commit[:10]}.", err=True)


def check_pupil(
    ctx: click.Context,
    pupil_id: str,
    *,
    today: dt.date | None = None,
    route: Route | None = None,
    as_json: bool = False,
) -> None:
    """`zorgkluis check PUPIL`: run the checks on a stored dossier; exit 1 on errors.

    Args:
        ctx: the click context (vault and identity options).
        pupil_id: the stored pupil.
        today: check as if it is this date (default today).
        route: check with this route (default the vault's).
        as_json: print the findings as a JSON list instead of lines.
    """

    @handle_errors
    def run() -> None:
        report_check(open_vault(ctx).check(pupil_id, today, route=route), as_json)

    run()


def _summary_row(s: PupilSummary) -> dict[str, Any]:
    return {
        "id": s.id,
        "voornaam": s.voornaam,
        "tussenvoegsel": s.tussenvoegsel,
        "achternaam": s.achternaam,
        "groep": s.groep,
        "niveau": s.niveau,
        "fouten": s.errors,
        "waarschuwingen": s.warnings,
        "volgende_evaluatie": s.volgende_evaluatie.isoformat() if s.volgende_evaluatie else None,
        "signalen": list(s.signalen),
        "uitgeschreven": s.uitgeschreven.isoformat() if s.uitgeschreven else None,
    }


def register(group: click.Group) -> None:
    """Add the vault commands to `group`."""

    @group.command("init")
    @click.argument("path", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--school", required=True, help="Naam van de school.")
    @click.option("--route", "route_id", required=True, help="Id van de zorgroute (bv. 003).")
    @click.option("--user", "user_id", required=True, help="Jouw medewerker-id.")
    @click.option("--name", required=True, help="Jouw naam.")
    @click.option("--role", default="intern_begeleider", type=click.Choice(ROLES))
    @click.option(
        "--ssh-key",
        "pubfile",
        required=True,
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Jouw openbare sleutel (.pub).",
    )
    @click.option(
        "--recovery-key-out",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Bestand voor de herstelsleutel (eenmalig; offline bewaren).",
    )
    @click.option(
        "--bewaartermijnen",
        "terms_file",
        default=None,
        help="Eigen bewaartermijnen van de school (YAML, zie docs/retention.md); "
        "standaard de standaardtermijnen.",
    )
    @click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Datum van de bevestiging (JJJJ-MM-DD; standaard vandaag).",
    )
    @click.pass_context
    @handle_errors
    def init_cmd(
        ctx: click.Context,
        path: Path,
        school: str,
        route_id: str,
        user_id: str,
        name: str,
        role: str,
        pubfile: Path,
        recovery_key_out: Path,
        terms_file: str | None,
        today: dt.datetime | None,
    ) -> None:
        """Maak een nieuwe kluis met jou als eerste medewerker en bevestig de bewaartermijnen."""
        rules = load_terms(terms_file)
        private = pubfile.with_suffix("") if pubfile.suffix == ".pub" else None
        key = _identity(ctx, private)
        vault = Vault.init(
            path,
            school=school,
            route_id=route_id,
            user_id=user_id,
            name=name,
            ssh_public_key=pubfile.read_text(encoding="utf-8"),
            recovery_key_out=recovery_key_out,
            role=role,
            identity=key,
        )
        day = today.date() if today else dt.date.today()
        with retention.Keeper.of_vault(vault, key) as keeper:
            retention.confirm_terms(keeper, day, rules)
        click.echo(f"Kluis gemaakt in {path}.")
        click.echo("Bewaartermijnen bevestigd (wijzigen: 'zorgkluis retention confirm --file'):")
        print_terms(rules)
        click.echo(
            f"De herstelsleutel staat in {recovery_key_out}: bewaar hem offline en verwijder "
            "hem daarna van deze computer."
        )

    @group.group("key")
    def key_group() -> None:
        """Persoonlijke sleutels en deelsleutels."""

    @key_group.command("generate")
    @click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path.home() / ".ssh" / "zorgkluis_ed25519",
        show_default=True,
        help="Bestand voor de geheime sleutel (de openbare krijgt .pub erachter).",
    )
    @click.option("--comment", default="zorgkluis", help="Commentaar in de openbare sleutel.")
    @handle_errors
    def key_generate(out: Path, comment: str) -> None:
        """Maak een persoonlijke OpenSSH Ed25519-sleutel met wachtwoord."""
        pub = out.with_name(out.name + ".pub")
        if out.exists() or pub.exists():
            raise InvalidInputError(f"'{out}' of '{pub}' bestaat al.", "Kies een ander --out.")
        env = os.environ.get(PASSPHRASE_ENV)
        passphrase = env or click.prompt(
            "Nieuw wachtwoord", hide_input=True, confirmation_prompt=True, err=True
        )
        if not passphrase:
            raise InvalidInputError("Een sleutel zonder wachtwoord maakt zorgkluis niet.")
        private, public = sshkeys.generate(comment, passphrase.encode())
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(private)
        pub.write_text(public + "\n", encoding="utf-8")
        click.echo(f"Sleutel gemaakt: {out} (openbaar: {pub})")

    @key_group.command("export")
    @click.argument("pupil_id")
    @click.argument("part")
    @click.pass_context
    @handle_errors
    def key_export(ctx: click.Context, pupil_id: str, part: str) -> None:
        """Toon de age-sleutel(s) van een deel (wordt vastgelegd in het auditlog)."""
        click.echo(open_vault(ctx).export_part_key(pupil_id, part), nl=False)

    @group.group("user")
    def user_group() -> None:
        """Medewerkers van de kluis."""

    @user_group.command("add")
    @click.argument("user_id")
    @click.option("--name", required=True)
    @click.option("--role", required=True, type=click.Choice(ROLES))
    @click.option(
        "--ssh-key", "pubfile", required=True, type=click.Path(dir_okay=False, exists=True)
    )
    @click.pass_context
    @handle_errors
    def user_add(ctx: click.Context, user_id: str, name: str, role: str, pubfile: str) -> None:
        """Voeg een medewerker toe."""
        user = open_vault(ctx).add_user(
            user_id, name, role, Path(pubfile).read_text(encoding="utf-8")
        )
        click.echo(f"Medewerker {user.id} ({user.rol}) toegevoegd.")

    @user_group.command("list")
    @click.pass_context
    @handle_errors
    def user_list(ctx: click.Context) -> None:
        """Toon de medewerkers."""
        for u in open_vault(ctx).users():
            click.echo(
                f"{u.id}\t{u.rol}\t{u.naam}\t{sshkeys.fingerprint(sshkeys.load_public(u.public_key))}"
            )

    @user_group.command("remove")
    @click.argument("user_id")
    @click.pass_context
    @handle_errors
    def user_remove(ctx: click.Context, user_id: str) -> None:
        """Verwijder een medewerker en vernieuw de sleutels die hij kon lezen."""
        open_vault(ctx).remove_user(user_id)
        click.echo(f"Medewerker {user_id} verwijderd; de betrokken sleutels zijn vernieuwd.")

    @group.command("access")
    @click.argument("pupil_id")
    @click.option("--add", "add", multiple=True, help="Geef deze medewerker toegang.")
    @click.option("--remove", "remove", multiple=True, help="Trek de toegang in.")
    @click.pass_context
    @handle_errors
    def access_cmd(
        ctx: click.Context, pupil_id: str, add: tuple[str, ...], remove: tuple[str, ...]
    ) -> None:
        """Toon of wijzig wie het dossier van een leerling mag lezen."""
        vault = open_vault(ctx)
        for user_id in add:
            vault.grant(pupil_id, user_id)
        for user_id in remove:
            vault.revoke(pupil_id, user_id)
        for u in vault.readers(pupil_id):
            click.echo(f"{u.id}\t{u.rol}\t{u.naam}")

    @group.command("new")
    @click.option("--file", "file", required=True, help="Dossier (YAML); '-' = standaardinvoer.")
    @click.option("--override", default=None, help="Reden om ondanks fouten op te slaan.")
    @click.pass_context
    @handle_errors
    def new_cmd(ctx: click.Context, file: str, override: str | None) -> None:
        """Sla een nieuw dossier op; toont het nieuwe leerling-id."""
        result = open_vault(ctx).new(_read_input(file), override=override)
        _report_save(result)
        click.echo(result.pupil_id)

    @group.command("put")
    @click.argument("pupil_id")
    @click.option("--file", "file", required=True, help="Dossier (YAML); '-' = standaardinvoer.")
    @click.option("--override", default=None, help="Reden om ondanks fouten op te slaan.")
    @click.pass_context
    @handle_errors
    def put_cmd(ctx: click.Context, pupil_id: str, file: str, override: str | None) -> None:
        """Sla een nieuwe versie van een dossier op."""
        from vault.errors import InvalidDossierError

        text = _read_input(file)
        try:
            result = open_vault(ctx).put(pupil_id, text, override=override)
        except InvalidDossierError as exc:
            # The vault names the pupil; the user needs the file and its line and column.
            where = "<standaardinvoer>" if file == "-" else file
            problems = [
                DossierError(p.message, source=where, line=p.line, column=p.column, path=p.path)
                for p in exc.problems
            ]
            raise InvalidDossierError(problems) from None
        _report_save(result)

    @group.command("show")
    @click.argument("pupil_id")
    @click.pass_context
    @handle_errors
    def show_cmd(ctx: click.Context, pupil_id: str) -> None:
        """Toon het dossier (alle delen die je mag zien) als YAML."""
        click.echo(open_vault(ctx).show(pupil_id), nl=False)

    @group.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Uitvoer als JSON.")
    @click.pass_context
    @handle_errors
    def list_cmd(ctx: click.Context, as_json: bool) -> None:
        """Toon de leerlingen die je mag zien."""
        rows = [_summary_row(s) for s in open_vault(ctx).list_pupils()]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for r in rows:
            niveau = "-" if r["niveau"] is None else r["niveau"]
            evaluatie = r["volgende_evaluatie"] or "-"
            click.echo(
                f"{r['id']}\t{r['achternaam']}, {r['voornaam']}\tgroep {r['groep']}\t"
                f"niveau {niveau}\t{r['fouten']} fout(en)\t{r['waarschuwingen']} waarsch.\t"
                f"evaluatie {evaluatie}"
            )

    @group.command("edit")
    @click.argument("pupil_id")
    @click.pass_context
    @handle_errors
    def edit_cmd(ctx: click.Context, pupil_id: str) -> None:
        """Bewerk een dossier in $EDITOR (tijdelijk bestand in /dev/shm)."""
        import shutil

        alternative = (
            f"Bewerk in een terminal, of met 'zorgkluis show {pupil_id} > bestand.yaml' en "
            f"'zorgkluis put {pupil_id} --file bestand.yaml', of in de app."
        )
        editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
        if not editor or shutil.which(editor[0]) is None:
            raise InvalidInputError(
                f"Er is geen editor om mee te bewerken ('{' '.join(editor)}' is niet gevonden); "
                "er is niets gewijzigd.",
                f"Zet VISUAL of EDITOR (bijvoorbeeld EDITOR=nano). {alternative}",
            )
        vault = open_vault(ctx)
        try:
            _edit(vault, pupil_id)
        except click.Abort:
            # A question after a refused save got no answer: stdin is not a terminal (or the
            # user pressed Ctrl-C). The edited text is wiped with the temporary file.
            raise InvalidInputError(
                "De wijziging is niet opgeslagen: om te kiezen wat er met een geweigerde "
                "opslag moet gebeuren is een terminal nodig. Er is niets gewijzigd.",
                alternative,
            ) from None

    @group.command("log")
    @click.argument("pupil_id")
    @click.pass_context
    @handle_errors
    def log_cmd(ctx: click.Context, pupil_id: str) -> None:
        """Toon de versies van een dossier met hun handtekening."""
        for v in open_vault(ctx).log(pupil_id):
            colour = "green" if v.signature == "goed" else "red"
            state = click.style(v.signature, fg=colour)
            first = v.message.splitlines()[0] if v.message else ""
            click.echo(
                f"{v.commit[:10]}  {v.when:%Y-%m-%d %H:%M}  {v.author_name} ({v.author_id})  "
                f"handtekening: {state}  {first}"
            )

    @group.command("diff")
    @click.argument("pupil_id")
    @click.argument("from_commit", required=False)
    @click.argument("to_commit", required=False)
    @click.pass_context
    @handle_errors
    def diff_cmd(
        ctx: click.Context, pupil_id: str, from_commit: str | None, to_commit: str | None
    ) -> None:
        """Toon de verschillen tussen twee versies (ontsleuteld)."""
        for line in open_vault(ctx).diff(pupil_id, from_commit, to_commit).splitlines():
            colour = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            if line.startswith("@@"):
                colour = "cyan"
            click.secho(line, fg=colour)

    @group.command("verify")
    @click.pass_context
    @handle_errors
    def verify_cmd(ctx: click.Context) -> None:
        """Controleer alle handtekeningen en de bestanden die je kunt lezen."""
        vault = Vault.open(
            default_vault_path(ctx.obj.get("vault_path")), _identity(ctx), allow_untrusted=True
        )
        problems = vault.verify()
        for p in problems:
            label = PROBLEM_LABEL.get(p.kind, p.kind)
            click.secho(f"PROBLEEM {p.sha[:10]}: {label}: {p.detail}", fg="red")
        for kind in sorted({p.kind for p in problems} & set(VERIFY_HINT)):
            click.echo(VERIFY_HINT[kind])
        if vault.unchecked_changes:
            click.echo(
                f"{vault.unchecked_changes} dossierwijziging(en) van leerlingen die jij niet "
                "kunt lezen zijn niet op bevoegdheid gecontroleerd; laat de intern begeleider "
                "of directie ook 'zorgkluis verify' draaien."
            )
        if problems:
            click.echo(f"{len(problems)} probleem/problemen gevonden.", err=True)
            sys.exit(1)
        click.echo("Geen problemen gevonden.")

    @group.command("git-setup")
    @click.pass_context
    @handle_errors
    def git_setup_cmd(ctx: click.Context) -> None:
        """Laat 'git log -p' en 'git diff' ontsleutelde YAML tonen (voor jou)."""
        vault = open_vault(ctx)
        command = [sys.executable, "-c", "from tui.cli import main; main()"]
        command += ["--vault", str(vault.path.resolve())]
        identity = ctx.obj.get("identity_path") or os.environ.get("ZORGKLUIS_IDENTITY")
        if identity:
            command += ["--identity", str(Path(identity).resolve())]
        vault.configure_textconv(shlex.join([*command, "textconv"]))
        click.echo("Klaar: 'git log -p' toont nu ontsleutelde dossiers (zonder cache).")
        click.echo("Het wachtwoord komt uit ZORGKLUIS_PASSPHRASE.")

    @group.command("textconv", hidden=True)
    @click.argument("file", type=click.Path(dir_okay=False, exists=True))
    @click.pass_context
    @handle_errors
    def textconv_cmd(ctx: click.Context, file: str) -> None:
        """Git textconv driver: print a part file decrypted (set up by git-setup)."""
        # Git runs this without a terminal: the passphrase can only come from the environment.
        vault = open_default(ctx.obj.get("vault_path"), ctx.obj.get("identity_path"))
        click.echo(vault.decrypt_blob(Path(file).read_bytes(), file), nl=False)


def _edit(vault: Vault, pupil_id: str) -> None:
    """Edit loop: a refused save reopens the editor on the same text, so no edit is lost."""
    original = vault.show(pupil_id)
    if not Path("/dev/shm").is_dir():
        raise InvalidInputError(
            "Er is geen geheugenmap /dev/shm voor het tijdelijke bestand.",
            "Bewerk met 'zorgkluis show' en 'zorgkluis put' of in de app.",
        )
    fd, name = tempfile.mkstemp(dir="/dev/shm", prefix="zorgkluis-", suffix=".yaml")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(original)
        editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
        override: str | None = None
        reopen = True
        while True:
            if reopen:
                subprocess.run([*editor, str(path)], check=False)
            reopen = True
            text = path.read_text(encoding="utf-8")
            if text == original:
                click.echo("Geen wijzigingen; niets opgeslagen.", err=True)
                return
            try:
                _report_save(vault.put(pupil_id, text, override=override))
                return
            except ChecksFailedError as exc:
                print_findings(exc.findings)
                _fail(exc)
                choice = click.prompt(
                    "[b]ewerken, [o]pslaan met reden, [a]fbreken",
                    type=click.Choice(["b", "o", "a"]),
                    default="b",
                    err=True,
                )
                if choice == "a":
                    sys.exit(1)
                if choice == "o":
                    override = click.prompt("Reden (geen leerlinggegevens)", err=True)
                    reopen = False
            except InvalidInputError as exc:
                _fail(exc)
                if not click.confirm("Opnieuw bewerken?", default=True, err=True):
                    sys.exit(2)
    finally:
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            with open(path, "r+b") as fh:
                fh.write(b"\0" * size)
        path.unlink(missing_ok=True)
