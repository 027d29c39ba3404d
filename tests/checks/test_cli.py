"""`zorgkluis check` and `zorgkluis routes` through click's runner and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "route-003.yaml"
TODAY = "2024-06-01"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "dossier.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_clean_example_exits_0() -> None:
    code, out = run("check", str(EXAMPLE), "--today", TODAY)
    assert code == 0 and "Geen bevindingen." in out


def test_json_of_a_clean_example_is_an_empty_list() -> None:
    code, out = run("check", str(EXAMPLE), "--today", TODAY, "--json")
    assert code == 0 and json.loads(out) == []


def test_errors_exit_1_and_json_has_exactly_five_keys(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "      - Sem leest op AVI M5-niveau met voldoende tempo.\n", "")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "    doelen:\n      - Sem leest dagelijks tien minuten thuis voor.\n",
            "    doelen: []\n",
        ),
        encoding="utf-8",
    )
    code, out = run("check", str(path), "--today", TODAY, "--json")
    assert code == 1
    findings = json.loads(out)
    assert findings and all(
        set(f) == {"rule", "severity", "message", "path", "source"} for f in findings
    )
    assert {"rule": "plan.doelen", "path": "plannen[2].doelen"}.items() <= findings[0].items()


def test_warnings_only_exit_0() -> None:
    code, out = run("check", str(EXAMPLE), "--today", "2024-07-15")
    assert code == 0 and "WAARSCHUWING" in out and "plan.evaluatie_achterstallig" in out


def test_route_option_overrides_the_dossier() -> None:
    code, out = run("check", str(EXAMPLE), "--today", TODAY, "--route", "002", "--json")
    rules = {f["rule"] for f in json.loads(out)}
    assert code == 1 and {"route.andere_route", "route.bespreking"} <= rules


def test_schema_violation_is_a_finding(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "  groep: 6\n", "  groep: negen\n")
    code, out = run("check", str(path), "--today", TODAY, "--json")
    assert code == 1
    assert any(f["rule"] == "formaat.ongeldig" and "groep" in f["path"] for f in json.loads(out))


def test_schema_violation_in_text_names_file_line_and_column(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "  groep: 6\n", "  groep: negen\n")
    line = EXAMPLE.read_text(encoding="utf-8").splitlines().index("  groep: 6") + 1
    code, out = run("check", str(path), "--today", TODAY)
    assert code == 1
    assert f"FOUT {path}:{line}:10: 'leerling.groep' moet een geheel getal zijn" in out
    assert "[formaat.ongeldig; docs/format.md]" in out


def test_unknown_key_in_text_is_located_at_the_key(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "  groep: 6\n", "  groep: 6\n  groepje: 6\n")
    line = EXAMPLE.read_text(encoding="utf-8").splitlines().index("  groep: 6") + 2
    code, out = run("check", str(path), "--today", TODAY)
    assert code == 1 and f"{path}:{line}:3: " in out and "groepje" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "geen-bestand.yaml"], "bestaat niet"),
        (["check", str(EXAMPLE), "--today", "morgen"], "geen datum"),
        (["check", str(EXAMPLE), "--route", "999"], "bekende routes"),
    ],
)
def test_unusable_input_exits_2(args: list[str], expected: str) -> None:
    code, out = run(*args)
    assert code == 2 and expected in out


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("leerling:\n", "leerling: [\n", "regel"),
        ("formaat: zorgkluis-dossier/1\n", "formaat: zorgkluis-dossier/9\n", "zorgkluis-dossier/9"),
        ("route: '003'\n", "", "--route"),
    ],
)
def test_unusable_dossier_exits_2(tmp_path: Path, old: str, new: str, expected: str) -> None:
    code, out = run("check", str(broken_copy(tmp_path, old, new)), "--today", TODAY)
    assert code == 2 and expected in out


def test_an_anchor_is_unusable_with_its_place(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "  groep: 6\n", "  groep: &g 6\n")
    line = EXAMPLE.read_text(encoding="utf-8").splitlines().index("  groep: 6") + 1
    code, out = run("check", str(path), "--today", TODAY)
    assert code == 2 and f"{path}:{line}:10: Ankers en verwijzingen" in out


def test_a_yaml_list_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "lijst.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    assert run("check", str(path))[0] == 2


def test_routes_lists_every_route_with_its_tiers() -> None:
    code, out = run("routes")
    assert code == 0
    for route_id in ("000", "001", "002", "003", "004"):
        assert f"\n{route_id}  " in f"\n{out}"
    assert "niveau 4: Speciale zorg in overleg met het zorgteam" in out
    assert "niveau 6: Maatwerk door externe specialisten" in out


def test_real_process(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "zorgkluis"
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    ok = subprocess.run(
        [exe, "check", str(EXAMPLE), "--today", TODAY, "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == []
    bad = subprocess.run(
        [exe, "check", str(tmp_path / "weg.yaml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 2 and "bestaat niet" in bad.stderr and "Traceback" not in bad.stderr


def test_a_schools_own_route_file(tmp_path: Path) -> None:
    own = tmp_path / "eigen.yaml"
    own.write_text(
        "id: eigen\nnaam: Eigen\nniveaus:\n  - niveau: 1\n    naam: Groep\n"
        "  - niveau: 2\n    naam: Extra\n  - niveau: 3\n    naam: IB\n"
        "overgangen:\n  - van: 1\n    naar: [2]\n",
        encoding="utf-8",
    )
    code, out = run("check", str(EXAMPLE), "--today", TODAY, "--route", str(own), "--json")
    assert code == 1  # this route has no step from 2 to 3
    assert {"route.andere_route", "route.overgang"} <= {f["rule"] for f in json.loads(out)}
    own.write_text(
        own.read_text(encoding="utf-8").replace("naar: [2]", "naar: [4]"), encoding="utf-8"
    )
    code, out = run("check", str(EXAMPLE), "--route", str(own))
    assert code == 2 and f"{own}:12:5:" in out and "niveau 4" in out
