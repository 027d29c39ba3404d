"""Every command of the CLI is documented: a help text, and a line in docs/cli.md (groups
through their sub-commands)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from tui.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, full + " "))
    return found


COMMANDS = _commands(cli)


def _documented() -> set[str]:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    names: set[str] = set()
    for cell in re.findall(r"^\| ([^|]*`[^|]*) \|", text, flags=re.MULTILINE):
        for group in re.findall(r"`([^`]+)`", cell):
            words = group.removeprefix("zorgkluis").split()
            if words:
                names.add(" ".join(words))
    # "correctie verzoek / lijst / ..." lists sub-commands after the first one by name only
    for line in re.findall(r"^\| `(\w[\w-]*) \w+`( / `[^|]*)\|", text, flags=re.MULTILINE):
        parent, rest = line
        names.update(f"{parent} {sub}" for sub in re.findall(r"`(\w[\w-]*)`", rest))
    hidden = re.search(r"Hidden commands[^\n]*", text)
    if hidden:
        names.update(re.findall(r"`([\w-]+)`", hidden.group(0)))
    return names


@pytest.mark.parametrize("name,command", COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_has_help(name: str, command: click.Command) -> None:
    assert (command.help or command.short_help or "").strip(), f"{name} has no help text"


def test_every_command_is_in_docs_cli() -> None:
    documented = _documented()
    leaves = [name for name, command in COMMANDS if not isinstance(command, click.Group)]
    missing = [name for name in leaves if name not in documented]
    assert missing == [], f"add these to docs/cli.md: {missing}"


def test_docs_cli_names_no_command_that_does_not_exist() -> None:
    known = {name for name, _ in COMMANDS} | {"tui"}
    stale = sorted(name for name in _documented() if name.split()[0] in known and name not in known)
    assert stale == [], f"docs/cli.md names commands that do not exist: {stale}"
