"""Benchmark: check 1,000 example-size dossiers, beside a baseline with standard tools.

Checking is parsing (`codec.load_fast`) plus `checks.check` against the dossier's route; the
budget (5 s for 1,000 dossiers) applies to that. The full `zorgkluis check` pipeline adds
`schema.validate`. The baseline does the same files with standard tools only: PyYAML's
`CSafeLoader`, and a plain `jsonschema` Draft 2020-12 validation of the published schema
(dates as ISO text). Every phase runs in the same process over the same in-memory texts,
best of ``--rounds``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema
import yaml

from dossier_format import codec, schema
from dossier_format.checks import check
from dossier_format.routes import Route, available_routes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TODAY = dt.date(2024, 6, 1)
BUDGET_SECONDS = 5.0
NAMES = ["Sem", "Lina", "Jip", "Mees", "Fenna", "Noor", "Daan", "Yara", "Ties", "Evi"]


def make_dossiers(folder: Path, count: int) -> list[Path]:
    """Write ``count`` dossiers to ``folder``: the five examples in turn, each with its own
    pupil id and first name (so the files differ as real ones do)."""
    examples = sorted(EXAMPLES.glob("route-*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in examples]
    paths = []
    for i in range(count):
        text = texts[i % len(texts)]
        data = codec.load_fast(text)
        old_id, old_name = data["leerling"]["id"], data["leerling"]["voornaam"]
        new_id = f"ll-bench{i:05d}"[:13]
        text = text.replace(old_id, new_id).replace(
            f"voornaam: {old_name}", f"voornaam: {NAMES[i % len(NAMES)]}"
        )
        path = folder / f"{new_id}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def phases(
    paths: list[Path], routes: dict[str, Route], rounds: int
) -> dict[str, tuple[float, float]]:
    """Time each phase over all files (best of ``rounds``): (wall, CPU) seconds.

    Ours: ``codec.load_fast``, ``checks.check``, ``schema.validate``. Baseline: PyYAML
    ``CSafeLoader`` and plain ``jsonschema`` (Draft 2020-12, dates as ISO text).
    """
    texts = [p.read_text(encoding="utf-8") for p in paths]
    parsed = [codec.load_fast(t, str(p)) for t, p in zip(texts, paths, strict=True)]
    instances = [json.loads(json.dumps(d, default=str)) for d in parsed]
    validator = jsonschema.Draft202012Validator(schema.load_schema())
    work: dict[str, Callable[[], object]] = {
        "pyyaml_parse": lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts],
        "jsonschema": lambda: [sum(1 for _ in validator.iter_errors(i)) for i in instances],
        "zk_parse": lambda: [codec.load_fast(t) for t in texts],
        "zk_check": lambda: [check(d, routes[str(d["route"])], TODAY) for d in parsed],
        "zk_schema": lambda: [schema.validate(d) for d in parsed],
    }
    out = {}
    for name, run in work.items():
        print(f"  {name} ...", flush=True)
        out[name] = best_of(rounds, run)
    return out


def best_of(rounds: int, work: Callable[[], object]) -> tuple[float, float]:
    """The fastest of ``rounds`` runs of ``work``: (wall seconds, CPU seconds of this process).

    CPU time is reported beside wall time because other work on a shared machine stretches
    wall time; on an idle machine the two agree.
    """
    times = []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(times)


def main(argv: list[str]) -> int:
    """Run the benchmark; exit 1 when the check budget is exceeded."""
    parser = argparse.ArgumentParser(prog="python -m bench checks")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    routes = {r.id: r for r in available_routes()}
    with tempfile.TemporaryDirectory(prefix="zk-bench-") as tmp:
        print(f"{args.count} dossiers maken in {tmp} ...", flush=True)
        paths = make_dossiers(Path(tmp), args.count)
        size = sum(p.stat().st_size for p in paths) / len(paths)
        findings = 0
        for p in paths:
            data = codec.load_fast(p.read_text(encoding="utf-8"))
            findings += len(check(data, routes[str(data["route"])], TODAY))
        t = phases(paths, routes, args.rounds)
    result: dict[str, object] = {
        "benchmark": "checks",
        "dossiers": args.count,
        "avg_bytes": round(size),
        "findings": findings,
        "budget_s": BUDGET_SECONDS,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    for i, clock in enumerate(("wall", "cpu")):
        ph = {k: v[i] for k, v in t.items()}
        checking = ph["zk_parse"] + ph["zk_check"]
        full = checking + ph["zk_schema"]
        result[clock] = {
            "seconds": {k: round(v, 3) for k, v in ph.items()},
            "parse_and_check_s": round(checking, 3),
            "ratio_parse_and_check_vs_pyyaml_parse": round(checking / ph["pyyaml_parse"], 2),
            "full_pipeline_s": round(full, 3),
            "ratio_full_vs_pyyaml_and_jsonschema": round(
                full / (ph["pyyaml_parse"] + ph["jsonschema"]), 2
            ),
        }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    wall = result["wall"]
    assert isinstance(wall, dict)
    return 0 if wall["parse_and_check_s"] <= BUDGET_SECONDS else 1
