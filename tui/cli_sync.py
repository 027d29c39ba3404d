"""Sync commands of the `zorgkluis` CLI: `sync`, `clone` and the git `merge-driver`.

Thin wrappers over `vault.sync`. Exit codes: 0 ok; 1 a conflict (the same field changed on
two devices: nothing merged, both versions kept); 2 any other refusal.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dossier_format.merge import ABSENT, as_yaml
from vault import sync as vault_sync
from vault.crypto import sshkeys
from vault.errors import VaultError
from vault.repository import (
    Vault,
    default_identity_path,
    default_vault_path,
    unlock_identity,
)

PASSPHRASE_ENV = "ZORGKLUIS_PASSPHRASE"


def _options(ctx: click.Context) -> dict[str, Any]:
    return ctx.find_root().obj or {}


def _fail(exc: VaultError, code: int = 2) -> NoReturn:
    click.secho(f"fout: {exc.message}", fg="red", err=True)
    if exc.hint:
        click.echo(exc.hint, err=True)
    sys.exit(code)


def _key(ctx: click.Context, *, prompt: bool) -> Ed25519PrivateKey:
    path = default_identity_path(_options(ctx).get("identity_path"))
    passphrase = os.environ.get(PASSPHRASE_ENV)
    needs = prompt and path.is_file() and sshkeys.needs_passphrase(path.read_bytes())
    if passphrase is None and needs:
        passphrase = click.prompt("Wachtwoord van je sleutel", hide_input=True, err=True)
    return unlock_identity(path, passphrase.encode() if passphrase is not None else None)


def _shown(value: object) -> str:
    if value is ABSENT:
        return "(verwijderd)"
    return as_yaml(value).replace("\n", "\n            ")


def driver_command(vault: Vault, identity: str | None) -> str:
    """The shell command git runs as the merge driver for this vault."""
    command = [sys.executable, "-c", "from tui.cli import main; main()"]
    command += ["--vault", str(Path(vault.path).resolve())]
    if identity:
        command += ["--identity", str(Path(identity).resolve())]
    return shlex.join(command)


def register(group: click.Group) -> None:
    """Add `sync`, `clone` and `merge-driver` to `group`."""

    @group.command("sync")
    @click.argument("remote", default="origin")
    @click.pass_context
    def sync_cmd(ctx: click.Context, remote: str) -> None:
        """Haal wijzigingen en sleutels van de server, voeg samen en verstuur."""
        try:
            key = _key(ctx, prompt=True)
            vault = Vault.open(default_vault_path(_options(ctx).get("vault_path")), key)
            identity = _options(ctx).get("identity_path") or os.environ.get("ZORGKLUIS_IDENTITY")
            vault_sync.configure_merge_driver(
                Path(vault.path),
                driver_command(vault, identity),
                Path(identity) if identity else None,
            )
            result = vault_sync.sync(
                vault, key, remote, progress=lambda step: click.echo(f"… {step}", err=True)
            )
        except vault_sync.SyncConflictError as exc:
            click.secho(
                "Synchroniseren gestopt: op twee apparaten is hetzelfde veld gewijzigd.",
                fg="red",
                err=True,
            )
            for item in exc.conflicts:
                c = item.conflict
                click.echo(
                    f"  leerling {item.pupil_id}, deel {item.part}, veld {c.path}:", err=True
                )
                click.echo(f"    hier:   {_shown(c.ours)}", err=True)
                click.echo(f"    server: {_shown(c.theirs)}", err=True)
            click.echo(
                "Er is niets samengevoegd of verstuurd; beide versies blijven bewaard "
                f"(de versie van de server in {exc.theirs_ref}).",
                err=True,
            )
            click.echo(
                "Kies per veld in de app (Synchroniseren), of maak de velden op dit apparaat "
                "gelijk aan de server en synchroniseer opnieuw.",
                err=True,
            )
            sys.exit(1)
        except VaultError as exc:
            _fail(exc)
        labels = {
            "gelijk": "Alles was al gelijk.",
            "vooruit": "Wijzigingen van de server overgenomen.",
            "samengevoegd": "Wijzigingen samengevoegd (ondertekend) en verstuurd.",
            "verstuurd": "Wijzigingen verstuurd.",
        }
        click.echo(labels[result.merged])
        if result.keys_received:
            click.echo(f"{result.keys_received} sleutel(s) bijgewerkt.")
        if result.keys_shredded:
            click.echo(f"{len(result.keys_shredded)} vernietigde sleutel(s) ook hier vernietigd.")

    @group.command("clone")
    @click.argument("url")
    @click.argument("path", type=click.Path(file_okay=False, path_type=Path))
    def clone_cmd(url: str, path: Path) -> None:
        """Maak een kopie van de kluis van de server op dit apparaat."""
        try:
            if path.exists():
                raise VaultError(f"De map '{path}' bestaat al.", "Kies een nieuwe map.")
            vault_sync.clone(url, path)
        except VaultError as exc:
            _fail(exc)
        click.echo(f"Gekopieerd naar {path}. Haal nu de sleutels op met 'zorgkluis sync'.")

    @group.command("merge-driver", hidden=True)
    @click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
    @click.argument("ours", type=click.Path(dir_okay=False, path_type=Path))
    @click.argument("theirs", type=click.Path(dir_okay=False, path_type=Path))
    @click.argument("name")
    @click.pass_context
    def merge_driver_cmd(
        ctx: click.Context, base: Path, ours: Path, theirs: Path, name: str
    ) -> None:
        """Git merge driver (%O %A %B %P): merge a dossier part on decrypted content."""
        # Git runs this without a terminal: the passphrase can only come from the environment.
        try:
            key = _key(ctx, prompt=False)
            vault = Vault.open(default_vault_path(_options(ctx).get("vault_path")), key)
            base_data = base.read_bytes() or None
            merged, conflicts = vault_sync.merge_part_files(
                vault, key, name, base_data, ours.read_bytes(), theirs.read_bytes()
            )
        except VaultError as exc:
            _fail(exc)
        ours.write_bytes(merged)
        if conflicts:
            for c in conflicts:
                click.echo(f"zorgkluis: {name}: beide kanten wijzigden {c.path}", err=True)
            sys.exit(1)
