"""`zorgkluis edit` without a terminal and `zorgkluis put --file` errors: clear, nothing lost
silently, and located in the file the user gave."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from vault_testkit import School, dossier

from tui.cli import cli
from vault.crypto import sshkeys


@pytest.fixture(autouse=True)
def _cheap_bcrypt() -> Iterator[None]:
    sshkeys.testonly_set_kdf_rounds(1)
    yield
    sshkeys.testonly_set_kdf_rounds(None)


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)


@pytest.fixture
def saved(school: School, tmp_path: Path) -> tuple[dict[str, str], str]:
    env = {
        "ZORGKLUIS_VAULT": str(school.path),
        "ZORGKLUIS_IDENTITY": str(school.keys.path("ib-anna")),
    }
    src = tmp_path / "d.yaml"
    src.write_text(dossier())
    result = run(env, "new", "--file", str(src))
    assert result.exit_code == 0, result.output
    return env, result.output.strip().splitlines()[-1]


def _editor(tmp_path: Path, old: str, new: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        "p = sys.argv[1]\n"
        f"open(p, 'w').write(open(p).read().replace({old!r}, {new!r}, 1))\n"
    )
    return f"{sys.executable} {script}"


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("  - niveau: 1", "  - niveau: 7", 2),  # a check error: save anyway? needs an answer
        ("leerling:", "leerling: [", 2),  # broken YAML: edit again? needs an answer
    ],
)
def test_edit_without_a_terminal_says_so_and_changes_nothing(
    saved: tuple[dict[str, str], str], tmp_path: Path, old: str, new: str, code: int
) -> None:
    env, pid = saved
    before = run(env, "show", pid).output
    assert old in before
    result = run({**env, "EDITOR": _editor(tmp_path, old, new)}, "edit", pid, stdin="")
    assert result.exit_code == code, result.output
    assert "Aborted!" not in result.output
    assert "terminal nodig" in result.output and "niets gewijzigd" in result.output
    assert f"zorgkluis put {pid} --file" in result.output
    assert run(env, "show", pid).output == before


def test_edit_without_an_editor_says_so(saved: tuple[dict[str, str], str]) -> None:
    env, pid = saved
    result = run({**env, "EDITOR": "geen-editor-hier", "VISUAL": ""}, "edit", pid)
    assert result.exit_code == 2
    assert "geen editor" in result.output and "niets gewijzigd" in result.output
    assert "Traceback" not in result.output


def test_put_errors_name_the_file_with_line_and_column(
    saved: tuple[dict[str, str], str], tmp_path: Path
) -> None:
    env, pid = saved
    shown = run(env, "show", pid).output
    bad = tmp_path / "bewerkt.yaml"
    bad.write_text(shown.replace("  groep: ", "  groep: zes # ", 1))
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if "groep: zes" in text)
    result = run(env, "put", pid, "--file", str(bad))
    assert result.exit_code == 2, result.output
    assert f"{bad}:{line}:10: 'leerling.groep' moet een geheel getal zijn" in result.output
    assert f"{pid}:" not in result.output
    broken = tmp_path / "kapot.yaml"
    broken.write_text(shown.replace("leerling:", "leerling: [", 1))
    result = run(env, "put", pid, "--file", str(broken))
    assert (
        result.exit_code == 2 and f"{broken}:" in result.output and f"{pid}:" not in result.output
    )
    piped = run(
        env, "put", pid, "--file", "-", stdin=shown.replace("  groep: ", "  groep: zes # ", 1)
    )
    assert piped.exit_code == 2 and f"<standaardinvoer>:{line}:10:" in piped.output
