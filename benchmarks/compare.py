"""Time ``counterflow compare`` on the built-in scenario: cold JIT cache, then warm.

Usage:
    python benchmarks/compare.py [--runs 3] [--replications R] [--against PYTHON]

The built-in scenario has 9 strategies, 24 months and 20 replications (``--replications``
overrides it). The cold run uses an empty numba cache folder (``NUMBA_CACHE_DIR``), so it
includes compiling every kernel; warm runs reuse that cache. Reading data, solving every
strategy and writing the outputs and report are all included (the whole command, as a user runs
it).

``--scenario FILE`` runs this installation on another scenario file (say the built-in one
without a strategy added since, to time the same work as an older installation).
``--against PYTHON`` times a second installation side by side (say the interpreter of a virtual
environment holding an earlier commit): each warm run of this one is paired with one of the
other, in turn, and the ratio of the medians is printed. Both get their own cache.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from counterflow import load_scenario


def run(
    python: str, cache: Path, out: Path, replications: int | None, scenario: str | None = None
) -> float:
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    extra = [] if replications is None else ["--replications", str(replications)]
    if scenario is not None:
        extra.insert(0, scenario)
    started = time.perf_counter()
    subprocess.run(
        [python, "-m", "counterflow.cli", "compare", "--out", str(out), "--json", *extra],
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
    parser.add_argument("--against", default=None, help="python of another installation")
    parser.add_argument(
        "--scenario", default=None, help="scenario file for this installation (default: built-in)"
    )
    args = parser.parse_args()
    pythons = {"this": sys.executable}
    if args.against:
        pythons["against"] = args.against
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        scenarios = {"this": args.scenario, "against": None}
        cold = {
            name: run(
                python,
                root / f"cache-{name}",
                root / f"out-{name}",
                args.replications,
                scenarios[name],
            )
            for name, python in pythons.items()
        }
        warm: dict[str, list[float]] = {name: [] for name in pythons}
        for _ in range(args.runs):
            for name, python in pythons.items():
                out = root / f"out-{name}"
                warm[name].append(
                    run(python, root / f"cache-{name}", out, args.replications, scenarios[name])
                )
    scenario = load_scenario(args.scenario)
    r = scenario.replications if args.replications is None else args.replications
    name = "built-in " + scenario.name if args.scenario is None else args.scenario
    print(
        f"compare, {name} ({len(scenario.strategy)} strategies, {scenario.months} months, "
        f"{r} replications, report included), {platform.node()} ({os.cpu_count()} cores), "
        f"{time.strftime('%Y-%m-%d')}"
    )
    for name, python in pythons.items():
        runs = ", ".join(f"{t:.1f}" for t in warm[name])
        print(
            f"  {name:8s} {python}: cold cache {cold[name]:.1f} s; warm median of "
            f"{args.runs}: {statistics.median(warm[name]):.1f} s ({runs})"
        )
    if args.against:
        ratio = statistics.median(warm["this"]) / statistics.median(warm["against"])
        print(f"  ratio this / against (warm medians): {ratio:.3f}")


if __name__ == "__main__":
    main()
