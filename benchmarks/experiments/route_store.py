# Experiment (2026-11-26): what do one-byte route steps cost? Sweeps 1.1-1.25x, trees 1.05x.
"""What the compact route store costs: trees and sweeps with int32 and one-byte route steps.

Gradient projection stores every route. By default (networks under 250,000 nodes) a route step
is an ``int32`` link id; with ``SolverOptions(compact_routes=True)`` it is one byte, the link's
index among its tail node's out-links, and a route is read from its origin as a chain of
dependent loads. This script measures that chain's price on a grid of ``scale.py``: it brings
two solvers, one per store, to the same state (a few passes; both give identical bits), then
times, alternately and ``--rounds`` times, an exact tree pass over every origin and
``--sweeps`` sweeps over every pair, and prints the fastest of each and the store sizes.

Usage (from the repository root; ``scale.py`` is imported from ``benchmarks/``):
    PYTHONPATH=benchmarks python benchmarks/experiments/route_store.py --nodes 10000
    PYTHONPATH=benchmarks python benchmarks/experiments/route_store.py --nodes 100000 --rounds 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from counterflow.assign import compile_kernels
from counterflow.assign.gradient_projection import _Solver
from scale import check_counts, check_nodes, scaled_grid

STORES = {"int32": False, "compact": True}


def settle(solver: _Solver, passes: int) -> None:
    """First routes at free flow, then ``passes`` exact passes (trees, then one sweep)."""
    solver.first_routes()
    for _ in range(passes):
        cost = solver.refresh()
        solver.rebuild()
        solver.evaluate(cost)
        solver.sweep(solver.all_pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3, help="passes before timing")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (fastest is kept)")
    parser.add_argument("--sweeps", type=int, default=3, help="sweeps per timed round")
    args = parser.parse_args()
    check_nodes(parser, [args.nodes])
    check_counts(parser, args, {"passes": 0, "rounds": 1, "sweeps": 1})
    compile_kernels()
    _, problem = scaled_grid(args.nodes)
    solvers = {name: _Solver(problem, compact) for name, compact in STORES.items()}
    for solver in solvers.values():
        settle(solver, args.passes)
    trees: dict[str, list[float]] = {name: [] for name in solvers}
    sweeps: dict[str, list[float]] = {name: [] for name in solvers}
    for _ in range(args.rounds):
        for name, solver in solvers.items():
            cost = solver.refresh()
            solver.rebuild()
            started = time.perf_counter()
            solver.evaluate(cost)
            trees[name].append(time.perf_counter() - started)
            started = time.perf_counter()
            for _ in range(args.sweeps):
                solver.sweep(solver.all_pairs)
            sweeps[name].append(time.perf_counter() - started)
    plain, compact = solvers["int32"], solvers["compact"]
    if not np.array_equal(plain.class_flow, compact.class_flow):
        raise SystemExit("the two stores gave different flows: a bug")
    print(f"{problem.network.num_nodes:,} nodes, {plain.route_use()[0]:,} routes")
    print("| store | bytes a step | store MiB | tree pass s | " + f"{args.sweeps} sweeps s |")
    print("|---|---:|---:|---:|---:|")
    for name, solver in solvers.items():
        steps = int(solver.path_length.sum())
        print(
            f"| {name} | {solver.routes.steps.itemsize} "
            f"| {steps * solver.routes.steps.itemsize / 2**20:,.0f} "
            f"| {min(trees[name]):.2f} | {min(sweeps[name]):.2f} |"
        )
    print(
        f"compact / int32: trees {min(trees['compact']) / min(trees['int32']):.2f}x, "
        f"sweeps {min(sweeps['compact']) / min(sweeps['int32']):.2f}x"
    )


if __name__ == "__main__":
    main()
