"""Run benchmarks: `python -m bench` runs all, `python -m bench checks` one of them.

Each benchmark module in this package registers itself in ``BENCHMARKS`` below with a
``main(argv) -> int`` function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import bench_checks, bench_ui, bench_vault

BENCHMARKS: dict[str, Callable[[list[str]], int]] = {
    "checks": bench_checks.main,
    "vault": bench_vault.main,
    "ui": bench_ui.main,
}


def main(argv: list[str]) -> int:
    """Run the benchmarks named in ``argv`` (all when none), passing options after `--`."""
    names, options = argv, []
    if "--" in argv:
        cut = argv.index("--")
        names, options = argv[:cut], argv[cut + 1 :]
    elif any(a.startswith("-") for a in argv):  # `vault --quick` means `vault -- --quick`
        cut = next(i for i, a in enumerate(argv) if a.startswith("-"))
        names, options = argv[:cut], argv[cut:]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"onbekende benchmark: {', '.join(unknown)} (kies uit {', '.join(BENCHMARKS)})")
        return 2
    status = 0
    for name in names or list(BENCHMARKS):
        print(f"== {name} ==", flush=True)
        status = max(status, BENCHMARKS[name](options))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
