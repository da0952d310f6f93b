# Experiment (2026-11-26): did the route set slow the grids' tail? No: the sweeps' pair order.
"""Diagnosis of the scale grids' slow tail: sweeps on a fixed route set, gap per sweep.

Solves the 10,000-node grid of ``scale.py`` to a gap, keeps the routes it found, spreads every
pair's volume evenly over them again and then only sweeps (gradient projection's flow shifts,
no new routes), printing after every ``--every`` sweeps:

* the restricted gap: ``sum f (c - c_best)`` over the stored routes, relative to the total
  cost — how far the flows are from an equilibrium *of those routes*;
* the full relative gap, against true shortest paths (``evaluate_flows``).

With the pairs swept in index order (one origin after another, the solver's order before
2026-11-26) the restricted gap was below 1e-5 after 20 sweeps while the full gap took about 125
sweeps to return below 1e-4; with the shuffled runs of ``sweep_order.py`` (the default now) the
full gap is below 1e-4 after 20. See docs/performance.md and benchmarks/results/.

Usage (from the repository root; ``scale.py`` is imported from ``benchmarks/``):
    PYTHONPATH=benchmarks python benchmarks/experiments/restricted_master.py --nodes 10000 \
        --sweeps 200 --every 20
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from counterflow.assign import PathFlows, compile_kernels, evaluate_flows, solve_equilibrium
from counterflow.assign.gradient_projection import _Solver
from scale import scaled_grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument(
        "--gap", type=float, default=1e-4, help="gap of the solve that finds the routes"
    )
    parser.add_argument("--sweeps", type=int, default=200)
    parser.add_argument("--every", type=int, default=20)
    args = parser.parse_args()
    compile_kernels()
    _, problem = scaled_grid(args.nodes)
    solved = solve_equilibrium(problem, algorithm="gp", gap=args.gap)
    paths = solved.paths
    assert paths is not None
    print(
        f"solve to {args.gap:g}: gap {solved.relative_gap:.2e} after {solved.iterations} "
        f"iterations, {solved.seconds:.1f} s, {paths.num_paths:,} routes"
    )
    counts = np.diff(paths.pair_path)
    even = np.repeat(paths.volume / np.maximum(counts, 1), counts)
    solver = _Solver(problem)
    solver.load(
        PathFlows(
            pair_path=paths.pair_path,
            path_start=paths.path_start,
            path_length=paths.path_length,
            path_flow=even,
            store=paths.store,
            abstain=paths.abstain,
            volume=paths.volume,
        )
    )
    print("| sweeps | restricted gap | full relative gap | seconds |")
    print("|---:|---:|---:|---:|")
    started = time.perf_counter()
    for sweep in range(args.sweeps + 1):
        cost = solver.refresh()
        excess = solver.sweep(solver.all_pairs)  # measured before this sweep's moves
        if sweep % args.every == 0:
            total = float(np.sum(solver.class_flow * cost))
            full = evaluate_flows(problem, solver.current()).relative_gap
            seconds = time.perf_counter() - started
            print(f"| {sweep} | {excess / total:.2e} | {full:.2e} | {seconds:.1f} |", flush=True)


if __name__ == "__main__":
    main()
