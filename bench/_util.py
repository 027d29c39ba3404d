"""Shared helpers of the vault and UI benchmarks: timing, progress, standard-tool runs."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children.

    Children count because the standard tools run as child processes; CPU time stands beside
    wall time because other work on a shared machine stretches wall time.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class Timing:
    """Wall and CPU milliseconds of repeated runs of one operation."""

    wall_ms: tuple[float, ...]
    cpu_ms: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median wall milliseconds."""
        return statistics.median(self.wall_ms)

    @property
    def p90(self) -> float:
        """90th percentile of wall milliseconds (the largest for fewer than ten runs)."""
        ordered = sorted(self.wall_ms)
        return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]

    @property
    def cpu_median(self) -> float:
        """Median CPU milliseconds."""
        return statistics.median(self.cpu_ms)

    def to_dict(self) -> dict[str, float | int]:
        """Rounded figures for the JSON report."""
        return {
            "runs": len(self.wall_ms),
            "median_ms": round(self.median, 1),
            "p90_ms": round(self.p90, 1),
            "cpu_median_ms": round(self.cpu_median, 1),
        }


def timed(runs: int, work: Callable[[int], object]) -> Timing:
    """Call ``work(i)`` for i in ``range(runs)`` and time each call."""
    walls, cpus = [], []
    for i in range(runs):
        wall, cpu = time.perf_counter(), cpu_seconds()
        work(i)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((cpu_seconds() - cpu) * 1000)
    return Timing(tuple(walls), tuple(cpus))


def run(args: Sequence[str | Path], *, cwd: Path | None = None, data: bytes | None = None) -> bytes:
    """Run a standard tool; return its stdout; raise on failure (with its stderr)."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, input=data, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))}: {done.stderr.decode(errors='replace')}")
    return done.stdout


class Progress:
    """Prints ``label done/total`` with rate and ETA, at most about once per ``every`` s."""

    def __init__(self, label: str, total: int, every: float = 5.0) -> None:
        self.label = label
        self.total = total
        self.every = every
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, done: int) -> None:
        """Report ``done`` items (always prints the last one)."""
        now = time.monotonic()
        if done < self.total and now - self.last < self.every:
            return
        self.last = now
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        print(
            f"  {self.label}: {done}/{self.total} ({rate:.0f}/s, {elapsed:.0f} s, "
            f"nog ~{eta:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
