"""The `zorgkluis` command line.

Commands are thin wrappers over library calls in `vault` and `dossier_format`. Each area of
the product registers its commands from its own module, so the modules stay small.
"""

from __future__ import annotations

import click

from tui import cli_app, cli_check, cli_rights, cli_sync, cli_transfer, cli_vault


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)
@click.option(
    "--vault",
    "vault_path",
    envvar="ZORGKLUIS_VAULT",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="De kluis (map); standaard ZORGKLUIS_VAULT of de huidige map.",
)
@click.option(
    "--identity",
    "identity_path",
    envvar="ZORGKLUIS_IDENTITY",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Je persoonlijke sleutel (OpenSSH Ed25519); standaard ZORGKLUIS_IDENTITY.",
)
@click.pass_context
def cli(ctx: click.Context, vault_path: str | None, identity_path: str | None) -> None:
    """Zorgkluis: versleutelde leerlingdossiers voor de zorgroute.

    Zonder opdracht opent Zorgkluis de kluis in het scherm.
    """
    ctx.ensure_object(dict)
    ctx.obj["vault_path"] = vault_path
    ctx.obj["identity_path"] = identity_path
    cli_app.open_without_command(ctx)


for _module in (cli_app, cli_check, cli_vault, cli_rights, cli_transfer, cli_sync):
    _module.register(cli)


def main() -> None:
    """Entry point of the `zorgkluis` console script."""
    cli(prog_name="zorgkluis")
