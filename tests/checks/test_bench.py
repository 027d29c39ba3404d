"""The check benchmark runs end to end (tiny size; speed itself is measured only in bench/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_checks_runs_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "checks",
            "--",
            "--count",
            "10",
            "--rounds",
            "1",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["dossiers"] == 10 and result["findings"] == 0
    assert set(result["cpu"]["seconds"]) == {
        "pyyaml_parse",
        "jsonschema",
        "zk_parse",
        "zk_check",
        "zk_schema",
    }


def test_unknown_benchmark_is_refused() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "onbekende benchmark" in proc.stdout
