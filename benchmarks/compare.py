"""Time ``counterflow compare`` on the built-in scenario: cold JIT cache, then warm.

Usage:
    python benchmarks/compare.py [--runs 3]

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


def run(cache: Path, out: Path) -> float:
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "counterflow.cli", "compare", "--out", str(out), "--json"],
        check=True,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cache, out = Path(folder) / "numba-cache", Path(folder) / "out"
        cold = run(cache, out)
        warm = [run(cache, out) for _ in range(args.runs)]
    print(
        f"compare, built-in mexico-2025 (8 strategies, 24 months, R = 1): cold cache {cold:.1f} s; "
        f"warm cache median of {args.runs}: {statistics.median(warm):.1f} s"
    )


if __name__ == "__main__":
    main()
