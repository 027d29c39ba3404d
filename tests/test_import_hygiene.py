"""The architecture is enforced: imports point tui -> vault -> dossier_format, and the core never
loads a UI toolkit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("package", ["vault", "dossier_format"])
def test_core_does_not_load_ui_toolkits(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"import {package}\n"
        f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        "    importlib.import_module(m.name)\n"
        "ui = {'textual', 'rich', 'click', 'tui'}\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ui)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def _lint_imports() -> str:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a dev dependency"
    return exe


def test_import_contracts_hold() -> None:
    result = subprocess.run([_lint_imports()], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_catch_a_violation(tmp_path: Path) -> None:
    """Copy the tree, add a forbidden import, and the linter must fail."""
    for name in ("tui", "vault", "dossier_format", "pyproject.toml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp_path / name)
    (tmp_path / "dossier_format" / "_violation.py").write_text("import vault\nimport textual\n")
    result = subprocess.run(
        [_lint_imports()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def test_the_command_line_starts_without_the_ui_toolkit() -> None:
    """Only the commands that open the app (`tui`, `demo`, no command) import Textual; `check`,
    `log` and the rest start without it."""
    code = (
        "import sys\n"
        "import tui.cli\n"
        "from click.testing import CliRunner\n"
        "result = CliRunner().invoke(tui.cli.cli, ['check', 'examples/route-003.yaml',\n"
        "                                          '--today', '2024-06-01'])\n"
        "assert result.exit_code == 0, result.output\n"
        "ui = {'textual', 'rich'}\n"
        "print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in ui)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
