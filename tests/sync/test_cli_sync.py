"""The `sync`, `clone` and `merge-driver` commands, against a real git daemon and real git."""

from __future__ import annotations

import datetime
import os
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sync_testkit import TODAY, Device, School, Server, dossier, make_school

from dossier_format import codec
from dossier_format.retention_rules import VERLOPEN, RetentionItem
from tui.cli_sync import register
from vault.retention import Keeper, sweep
from vault.sync import configure_merge_driver

ENTRY = """
import click
from tui.cli_sync import register

@click.group()
@click.option("--vault", "vault_path")
@click.option("--identity", "identity_path")
@click.pass_context
def cli(ctx, vault_path, identity_path):
    ctx.obj = {"vault_path": vault_path, "identity_path": identity_path}

register(cli)
cli(prog_name="zorgkluis")
"""


@click.group()
@click.option("--vault", "vault_path")
@click.option("--identity", "identity_path")
@click.pass_context
def cli(ctx: click.Context, vault_path: str | None, identity_path: str | None) -> None:
    ctx.obj = {"vault_path": vault_path, "identity_path": identity_path}


register(cli)


@pytest.fixture
def school(tmp_path: Path, server: Server) -> School:
    made = make_school(tmp_path, server)
    made.first.sync(server.url)
    return made


def _run(device: Device, *args: str) -> tuple[int, str]:
    identity = str(device.keys.folder / device.user_id)
    result = CliRunner().invoke(
        cli, ["--vault", str(device.path), "--identity", identity, *args], env={}
    )
    return result.exit_code, result.output


def _two_devices_with_edits(
    school: School, ours: tuple[str, str], theirs: tuple[str, str]
) -> tuple[str, Device]:
    pupil = school.first.open().new(dossier(), override="t", today=TODAY).pupil_id
    school.first.sync(school.server.url)
    code, out = _run(school.first, "clone", school.server.url, str(school.root / "b"))
    assert code == 0, out
    b = Device(school.root / "b", "dir-piet", school.keys)
    assert _run(b, "sync")[0] == 0  # "origin" is the server the clone came from
    for device, new in ((school.first, theirs), (b, ours)):
        vault = device.open()
        text = vault.show(pupil)
        vault.put(pupil, text.replace(*new), override="t", today=TODAY)
    school.first.sync(school.server.url)
    return pupil, b


def test_sync_command_merges_and_reports(school: School) -> None:
    pupil, b = _two_devices_with_edits(
        school, ("groep: 5", "groep: 6"), ("reden: Instroom.", "reden: Lezen.")
    )
    code, out = _run(b, "sync")
    assert code == 0, out
    assert "samengevoegd" in out
    data = codec.load_fast(b.open().show(pupil))
    assert data["leerling"]["groep"] == 6
    assert data["niveaus"][0]["reden"] == "Lezen."
    # plain git in this clone now merges with the driver and signs with this user's key
    key = (b.keys.folder / "dir-piet").resolve()
    assert b.git("config", "user.signingKey").stdout.strip() == str(key)
    assert b.git("config", "commit.gpgsign").stdout.strip() == "true"
    assert "merge-driver" in b.git("config", "merge.zorgkluis.driver").stdout


def test_sync_command_stops_on_a_conflict_with_both_values(school: School) -> None:
    pupil, b = _two_devices_with_edits(school, ("groep: 5", "groep: 7"), ("groep: 5", "groep: 6"))
    head = b.git("rev-parse", "HEAD").stdout
    code, out = _run(b, "sync")
    assert code == 1
    assert f"leerling {pupil}, deel administratie, veld leerling.groep" in out
    assert "hier:   7" in out and "server: 6" in out
    assert "refs/zorgkluis/conflict/" in out
    assert b.git("rev-parse", "HEAD").stdout == head


def test_clone_refuses_an_existing_folder(school: School) -> None:
    (school.root / "bestaat").mkdir()
    code, out = _run(school.first, "clone", school.server.url, str(school.root / "bestaat"))
    assert code == 2
    assert "bestaat al" in out


def _plain_git_merge(
    school: School, theirs: tuple[str, str], ours: tuple[str, str]
) -> tuple[Device, str, subprocess.CompletedProcess[str]]:
    """Two devices edit one pupil; the second runs plain `git fetch` + `git merge`."""
    pupil = school.first.open().new(dossier(), override="t", today=TODAY).pupil_id
    school.first.sync(school.server.url)
    assert _run(school.first, "clone", school.server.url, str(school.root / "b"))[0] == 0
    b = Device(school.root / "b", "dir-piet", school.keys)
    b.sync("origin")
    for device, change in ((school.first, theirs), (b, ours)):
        vault = device.open()
        vault.put(pupil, vault.show(pupil).replace(*change), override="t", today=TODAY)
    school.first.sync(school.server.url)
    identity = str(school.keys.folder / "dir-piet")
    command = [sys.executable, "-c", ENTRY, "--vault", str(b.path), "--identity", identity]
    configure_merge_driver(b.path, shlex.join(command), Path(identity))
    env = {**os.environ, "GIT_AUTHOR_NAME": "Piet", "GIT_AUTHOR_EMAIL": "dir-piet"}
    env |= {"GIT_COMMITTER_NAME": "Piet", "GIT_COMMITTER_EMAIL": "dir-piet"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    subprocess.run(["git", "-C", str(b.path), "fetch", "-q", "origin"], check=True, env=env)
    merged = subprocess.run(
        ["git", "-C", str(b.path), "merge", "--no-edit", "origin/main"],
        capture_output=True,
        text=True,
        env=env,
    )
    return b, pupil, merged


def test_plain_git_merge_uses_the_merge_driver(school: School) -> None:
    b, pupil, merged = _plain_git_merge(
        school, ("reden: Instroom.", "reden: Lezen."), ("groep: 5", "groep: 6")
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    data = codec.load_fast(b.open().show(pupil))
    assert data["leerling"]["groep"] == 6
    assert data["niveaus"][0]["reden"] == "Lezen."
    # The merge commit plain git made is signed with the staff key, like sync's merges.
    assert len(b.git("rev-parse", "HEAD^2").stdout.strip()) == 40
    verified = b.git("verify-commit", "HEAD")
    assert verified.returncode == 0, verified.stderr
    assert 'Good "git" signature for dir-piet' in verified.stderr
    assert b.open().verify() == []


def test_plain_git_merge_stops_on_a_same_field_conflict(school: School) -> None:
    b, pupil, merged = _plain_git_merge(school, ("groep: 5", "groep: 6"), ("groep: 5", "groep: 7"))
    assert merged.returncode != 0
    assert f"dossiers/{pupil}/administratie.age: beide kanten wijzigden leerling.groep" in (
        merged.stderr
    )
    # The work-tree file holds our side, still encrypted; theirs stays in MERGE_HEAD.
    path = f"dossiers/{pupil}/administratie.age"
    vault = b.open()
    assert "groep: 7" in vault.decrypt_blob((b.path / path).read_bytes(), path)
    assert "groep: 6" in vault.show_at(pupil, "MERGE_HEAD")
    assert b.git("merge", "--abort").returncode == 0


def test_sync_without_a_configured_server_says_so(school: School) -> None:
    code, out = _run(school.first, "sync")
    assert code == 2
    assert "Onbekende server 'origin'" in out


def test_sync_command_with_a_relative_vault_path_merges_and_publishes(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`zorgkluis --vault b sync` from the parent folder: the merge's temporary index, the
    key-store publish and the paths git is given all resolve against the right folder."""
    pupil, b = _two_devices_with_edits(
        school, ("groep: 5", "groep: 6"), ("reden: Instroom.", "reden: Lezen.")
    )
    # A key-store change on this device, so the publish step has to write entries too.
    b.open().grant(pupil, "sp-ria")
    monkeypatch.chdir(school.root)
    identity = str(b.keys.folder / b.user_id)
    result = CliRunner().invoke(cli, ["--vault", "b", "--identity", identity, "sync"], env={})
    assert result.exit_code == 0, result.output
    assert "samengevoegd" in result.output
    assert not (b.path / "b").exists()  # nothing written under a doubled path
    data = codec.load_fast(b.open().show(pupil))
    assert data["leerling"]["groep"] == 6 and data["niveaus"][0]["reden"] == "Lezen."
    assert b.git("verify-commit", "HEAD").returncode == 0
    # The server has the merge and the key store with Ria's access: her new device reads it.
    ria = school.device("apparaat-ria", "sp-ria")
    ria.sync(school.server.url)
    assert codec.load_fast(ria.open().show(pupil))["leerling"]["groep"] == 6


def test_sync_command_says_when_offline_edits_to_a_destroyed_part_are_dropped(
    school: School,
) -> None:
    pupil, b = _two_devices_with_edits(
        school, ("reden: Instroom.", "reden: Offline bewerkt."), ("groep: 5", "groep: 6")
    )
    anna = school.first.open()
    keeper = Keeper.of_vault(anna, school.keys.private["ib-anna"])
    item = RetentionItem(pupil, "zorg", VERLOPEN, datetime.date(2025, 1, 1), None, ("t",), "")
    sweep(keeper, [item], TODAY)
    keeper.close()
    school.first.sync(school.server.url)
    code, out = _run(b, "sync")
    assert code == 0, out
    assert f"Let op: Je wijzigingen in het deel 'zorg' van leerling {pupil} zijn niet" in out
    assert "Offline bewerkt" not in b.open().show(pupil)
