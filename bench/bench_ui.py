"""Benchmark: the Textual app, headless, from submitting the unlock form to a filled list.

`python -m bench ui [--workdir DIR --pupils 1000 --commits 30000 --quick --runs 5 --json F]`

Uses the vault `bench_vault` builds (reused from `--workdir` when it is there). Each run
starts the app with `App.run_test()`, types the passphrase, presses enter and polls the app
state (no sleeps) until the pupil table holds every pupil. Reported: the whole span, the span
until the vault is open (key decryption with its bcrypt KDF + `Vault.open`), and the KDF alone
(`unlock_identity`), so "after unlock" = whole span minus KDF.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from textual.widgets import DataTable, Input

from bench._util import Timing, cpu_seconds, timed
from bench.bench_vault import PASSPHRASE, TODAY, Built, machine, parse_args, with_vault
from tui.app import make_app
from tui.screens.pupils import PupilListScreen
from vault.repository import unlock_identity

SIZE = (120, 36)
BUDGET_MS = 1000.0
TIMEOUT_S = 300.0


async def _one_run(built: Built) -> tuple[float, float, float]:
    """(ms to the opened vault, ms to the filled table, CPU ms) of one headless session."""
    app = make_app(built.vault, identity_path=built.key_file, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        field = app.screen.query_one("#passphrase", Input)
        field.value = PASSPHRASE
        start, cpu = time.perf_counter(), cpu_seconds()
        # What enter does, without pilot.press(): that waits for the process to go idle
        # (up to 1 s per wait) while the unlock and list workers keep it busy.
        await field.action_submit()
        opened = None
        while True:
            screen = app.screen
            if isinstance(screen, PupilListScreen):
                if opened is None:
                    opened = time.perf_counter()
                table = screen.query_one("#pupils", DataTable)
                if table.row_count >= built.pupils:
                    break
            if time.perf_counter() - start > TIMEOUT_S:
                raise RuntimeError("de leerlingenlijst werd niet gevuld")
            # Not pilot.pause(), for the same reason.
            await asyncio.sleep(0.002)
        end = time.perf_counter()
        used = cpu_seconds() - cpu
        await pilot.press("ctrl+q")
    return (opened - start) * 1000, (end - start) * 1000, used * 1000


def measure(built: Built, runs: int) -> dict[str, object]:
    """Time `runs` headless sessions and the key's KDF alone."""
    opened, filled, cpus = [], [], []
    for n in range(runs):
        o, f, c = asyncio.run(_one_run(built))
        print(f"  sessie {n + 1}/{runs}: {f:.0f} ms", file=sys.stderr, flush=True)
        opened.append(o)
        filled.append(f)
        cpus.append(c)
    kdf = timed(runs, lambda _: unlock_identity(built.key_file, PASSPHRASE.encode()))
    whole = Timing(tuple(filled), tuple(cpus))
    after = [f - kdf.median for f in filled]
    return {
        "submit_to_filled": whole.to_dict(),
        "submit_to_vault_open_median_ms": round(sorted(opened)[len(opened) // 2], 1),
        "kdf_unlock_identity": kdf.to_dict(),
        "after_unlock_median_ms": round(sorted(after)[len(after) // 2], 1),
        "budget_ms": BUDGET_MS,
        "within_budget": sorted(after)[len(after) // 2] <= BUDGET_MS,
    }


def main(argv: list[str]) -> int:
    """Run the benchmark; exit 1 when the list is filled later than the budget after unlock."""
    args = parse_args(argv, "python -m bench ui")

    def work(built: Built) -> int:
        result = {
            "benchmark": "ui",
            "pupils": built.pupils,
            "commits": built.commits,
            "machine": machine(),
            **measure(built, args.runs or 5),
        }
        print(json.dumps(result, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        return 0 if result["within_budget"] else 1

    return with_vault(args, work)
