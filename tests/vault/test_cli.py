"""The vault commands of the `zorgkluis` CLI, run as a user would (real keys, real files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from vault_testkit import School, dossier

from dossier_format import parts
from tui.cli import cli
from vault.crypto import sshkeys

ZK = [sys.executable, "-c", "from tui.cli import main; main()"]


@pytest.fixture(autouse=True)
def _cheap_bcrypt() -> Iterator[None]:
    sshkeys.testonly_set_kdf_rounds(1)
    yield
    sshkeys.testonly_set_kdf_rounds(None)


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)


def env_for(school: School, user_id: str) -> dict[str, str]:
    return {
        "ZORGKLUIS_VAULT": str(school.path),
        "ZORGKLUIS_IDENTITY": str(school.keys.path(user_id)),
    }


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output


def test_key_generate_init_and_passphrase_errors(tmp_path: Path) -> None:
    key = tmp_path / "ib"
    env = {"ZORGKLUIS_PASSPHRASE": "geheim wachtwoord"}
    result = run(env, "key", "generate", "--out", str(key))
    assert result.exit_code == 0, result.output
    assert key.stat().st_mode & 0o777 == 0o600
    assert sshkeys.needs_passphrase(key.read_bytes())
    # A key from ssh-keygen works too (here: the second user's).
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "ander", "-f", str(tmp_path / "dir")],
        check=True,
    )
    vault = tmp_path / "kluis"
    recovery = tmp_path / "herstel.txt"
    args = ["init", str(vault), "--school", "Testschool", "--route", "003", "--user", "ib-a"]
    args += ["--name", "Anna", "--ssh-key", f"{key}.pub", "--recovery-key-out", str(recovery)]
    bad_terms = tmp_path / "termijnen.yaml"
    bad_terms.write_text("formaat: iets-anders\n")
    refused = run(env, *args, "--bewaartermijnen", str(bad_terms))
    assert refused.exit_code == 2 and "bewaartermijnen" in refused.output
    assert not vault.exists() and not recovery.exists()  # nothing made
    result = run(env, *args, "--today", "2025-03-01")
    assert result.exit_code == 0, result.output
    # The school confirmed its retention terms at init (the defaults here), shown and signed.
    assert "Bewaartermijnen bevestigd" in result.output and "003 §4.3" in result.output
    terms = subprocess.run(
        ["git", "-C", str(vault), "show", "HEAD:.zorgkluis/bewaartermijnen.yaml"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "bevestigd_door: ib-a" in terms and "2025-03-01" in terms
    assert recovery.stat().st_mode & 0o777 == 0o600
    assert "AGE-SECRET-KEY-1" in recovery.read_text()

    base = {"ZORGKLUIS_VAULT": str(vault), "ZORGKLUIS_IDENTITY": str(key)}
    wrong = run({**base, "ZORGKLUIS_PASSPHRASE": "fout"}, "user", "list")
    assert wrong.exit_code == 2 and "wachtwoord" in wrong.output
    _no_traceback(wrong)
    prompted = run(base, "user", "list", stdin="geheim wachtwoord\n")
    assert prompted.exit_code == 0 and "ib-a" in prompted.output
    added = run(
        {**base, **env},
        "user", "add", "dir-b", "--name", "Bert", "--role", "directie",
        "--ssh-key", str(tmp_path / "dir.pub"),
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    as_dir = {"ZORGKLUIS_VAULT": str(vault), "ZORGKLUIS_IDENTITY": str(tmp_path / "dir")}
    listed = run({**as_dir, "ZORGKLUIS_PASSPHRASE": "ander"}, "user", "list")
    assert listed.exit_code == 0 and "dir-b" in listed.output
    foreign = tmp_path / "vreemd"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(foreign)], check=True)
    result = run({"ZORGKLUIS_VAULT": str(vault), "ZORGKLUIS_IDENTITY": str(foreign)}, "list")
    assert result.exit_code == 2 and "hoort niet bij een medewerker" in result.output
    _no_traceback(result)
    again = run(env, *args)
    assert again.exit_code == 2 and "niet leeg" in again.output


def test_save_show_list_and_checks(school: School, tmp_path: Path) -> None:
    env = env_for(school, "ib-anna")
    src = tmp_path / "noor.yaml"
    src.write_text(dossier())
    result = run(env, "new", "--file", str(src))
    assert result.exit_code == 0, result.output
    pid = result.output.strip().splitlines()[-1]
    shown = run(env, "show", pid).output
    assert f"id: {pid}" in shown and "voornaam: Noor" in shown
    rows = json.loads(run(env, "list", "--json").output)
    assert [(r["id"], r["achternaam"], r["niveau"]) for r in rows] == [(pid, "Verzonnen", 1)]

    bad = tmp_path / "fout.yaml"
    bad.write_text(shown.replace("  - niveau: 1", "  - niveau: 7"))
    refused = run(env, "put", pid, "--file", str(bad))
    assert refused.exit_code == 1
    assert "FOUT" in refused.output and "route.niveau_onbekend" in refused.output
    assert "niveau: 1" in run(env, "show", pid).output
    forced = run(env, "put", pid, "--file", str(bad), "--override", "Wordt morgen rechtgezet")
    assert forced.exit_code == 0, forced.output
    log = run(env, "log", pid).output
    assert "handtekening: goed" in log and "1 fout(en)" in log
    message = subprocess.run(
        ["git", "-C", str(school.path), "log", "-1", "--format=%B"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Override: Wordt morgen rechtgezet" in message and "Noor" not in message
    diff = run(env, "diff", pid).output
    assert "-  - niveau: 1" in diff and "+  - niveau: 7" in diff

    checked = run(env, "check", pid)
    assert checked.exit_code == 1 and "route.niveau_onbekend" in checked.output
    # check PUPIL honours --json, --today and --route like check FILE.
    other_route = run(env, "check", pid, "--json", "--route", "002")
    assert other_route.exit_code == 1
    assert {f["rule"] for f in json.loads(other_route.output)} == {
        "route.niveau_onbekend",
        "route.andere_route",
    }
    left = tmp_path / "vertrokken.yaml"
    left.write_text(
        dossier(voornaam="Sem").replace(
            "inschrijving:\n", "inschrijving:\n  uitgeschreven: 2024-07-15\n"
        )
    )
    left_id = run(env, "new", "--file", str(left), "--override", "OKR volgt").output.split()[-1]
    before = run(env, "check", left_id, "--json", "--today", "2024-07-01")
    after = run(env, "check", left_id, "--json", "--today", "2024-08-01")
    assert before.exit_code == 0 and json.loads(before.output) == []
    assert after.exit_code == 1
    assert [f["rule"] for f in json.loads(after.output)] == ["okr.ontbreekt"]
    unknown_route = run(env, "check", pid, "--route", "999")
    assert unknown_route.exit_code == 2 and "route" in unknown_route.output
    _no_traceback(unknown_route)

    broken = tmp_path / "kapot.yaml"
    broken.write_text("leerling: [\n")
    result = run(env, "put", pid, "--file", str(broken))
    assert result.exit_code == 2
    assert f"{broken}:2:1:" in result.output and "ongeldig" in result.output
    _no_traceback(result)


def test_access_and_no_access_messages(school: School, tmp_path: Path) -> None:
    env = env_for(school, "ib-anna")
    src = tmp_path / "d.yaml"
    src.write_text(dossier(betrokkenen=["lk-els"]))
    pid = run(env, "new", "--file", str(src)).output.strip().splitlines()[-1]
    bob = env_for(school, "lk-bob")
    denied = run(bob, "show", pid)
    assert denied.exit_code == 2 and "geen toegang" in denied.output
    _no_traceback(denied)
    assert run(bob, "list", "--json").output.strip() == "[]"
    granted = run(env, "access", pid, "--add", "lk-bob")
    assert granted.exit_code == 0 and "lk-bob" in granted.output
    assert run(bob, "show", pid).exit_code == 0
    revoked = run(env, "access", pid, "--remove", "lk-bob")
    assert revoked.exit_code == 0 and "lk-bob" not in revoked.output
    assert run(bob, "show", pid).exit_code == 2
    unknown = run(env, "show", "ll-bestaatniet")
    assert unknown.exit_code == 2 and "geen leerling" in unknown.output


def test_key_export_works_with_age_and_process_substitution(school: School, tmp_path: Path) -> None:
    env = env_for(school, "ib-anna")
    src = tmp_path / "d.yaml"
    src.write_text(dossier())
    pid = run(env, "new", "--file", str(src)).output.strip().splitlines()[-1]
    full_env = {**os.environ, **env}
    zk = " ".join(ZK[:2]) + f" '{ZK[2]}'"
    script = f"age -d -i <({zk} key export {pid} zorg) dossiers/{pid}/zorg.age"
    out = subprocess.run(
        ["bash", "-c", script], cwd=school.path, env=full_env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    shown = run(env, "show", pid).output
    assert out.stdout == parts.split(shown)["zorg"]


def test_verify_exit_codes(school: School, tmp_path: Path) -> None:
    env = env_for(school, "ib-anna")
    src = tmp_path / "d.yaml"
    src.write_text(dossier())
    pid = run(env, "new", "--file", str(src)).output.strip().splitlines()[-1]
    ok = run(env, "verify")
    assert ok.exit_code == 0 and "Geen problemen" in ok.output
    zorg = school.path / "dossiers" / pid / "zorg.age"
    zorg.write_bytes(zorg.read_bytes() + b"!")
    subprocess.run(
        ["git", "-C", str(school.path), "-c", "user.name=x", "-c", "user.email=x@x",
         "commit", "-qam", "ongetekend"],
        check=True,
    )  # fmt: skip
    bad = run(env, "verify")
    assert bad.exit_code == 1
    assert "niet ondertekend" in bad.output and "beschadigd" in bad.output


def test_edit_uses_dev_shm_and_removes_the_file(school: School, tmp_path: Path) -> None:
    env = env_for(school, "ib-anna")
    src = tmp_path / "d.yaml"
    src.write_text(dossier())
    pid = run(env, "new", "--file", str(src)).output.strip().splitlines()[-1]
    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import os, sys\n"
        "p = sys.argv[1]\n"
        f"open({str(seen)!r}, 'w').write(p + ' ' + oct(os.stat(p).st_mode & 0o777))\n"
        "t = open(p).read().replace('algemene zorg', 'bewerkte zorg')\n"
        "open(p, 'w').write(t)\n"
    )
    result = run({**env, "EDITOR": f"{sys.executable} {editor}"}, "edit", pid)
    assert result.exit_code == 0, result.output
    path, mode = seen.read_text().split()
    assert path.startswith("/dev/shm/") and mode == "0o600"
    assert not Path(path).exists()
    assert "bewerkte zorg" in run(env, "show", pid).output


def test_git_setup_textconv_shows_decrypted_yaml(school: School, tmp_path: Path) -> None:
    env = env_for(school, "ib-anna")
    src = tmp_path / "d.yaml"
    src.write_text(dossier())
    pid = run(env, "new", "--file", str(src)).output.strip().splitlines()[-1]
    src.write_text(run(env, "show", pid).output.replace("algemene zorg", "andere zorg"))
    assert run(env, "put", pid, "--file", str(src)).exit_code == 0
    assert run(env, "git-setup").exit_code == 0
    git = ["git", "-C", str(school.path)]
    config = subprocess.run([*git, "config", "diff.zorgkluis.cachetextconv"],
                            capture_output=True, text=True).stdout  # fmt: skip
    assert config.strip() == "false"
    out = subprocess.run(
        [*git, "log", "-p", "-2", "--", f"dossiers/{pid}/zorg.age"],
        capture_output=True, text=True, env={**os.environ, **env},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "+    reden: Instroom, andere zorg in de groep." in out.stdout
    assert not list((school.path / ".git").rglob("textconv*"))
