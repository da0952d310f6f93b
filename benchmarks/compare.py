"""Time ``counterflow compare`` on the built-in scenario: cold JIT cache, then warm.

Usage:
    python benchmarks/compare.py [--runs 3] [--replications R]

The built-in scenario has 8 strategies, 24 months and 20 replications (``--replications``
overrides it).
The cold run uses an empty numba cache folder (``NUMBA_CACHE_DIR``), so it includes compiling
every kernel; warm runs reuse that cache. Reading data, solving every strategy and writing the
outputs and report are all included (the whole command, as a user runs it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(cache: Path, out: Path, replications: int | None) -> float:
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    extra = [] if replications is None else ["--replications", str(replications)]
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "counterflow.cli", "compare", "--out", str(out), "--json", *extra],
        check=True,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs (median reported)")
    parser.add_argument("--replications", type=int, default=None, help="default: the scenario's")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cache, out = Path(folder) / "numba-cache", Path(folder) / "out"
        cold = run(cache, out, args.replications)
        warm = [run(cache, out, args.replications) for _ in range(args.runs)]
    r = "the scenario's 20" if args.replications is None else str(args.replications)
    print(
        f"compare, built-in mexico-2025 (8 strategies, 24 months, {r} replications, report "
        f"included): cold cache {cold:.1f} s; warm cache median of {args.runs}: "
        f"{statistics.median(warm):.1f} s"
    )


if __name__ == "__main__":
    main()
