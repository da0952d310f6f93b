# Experiment (2026-11-27): what do sweeps save reading only shared link costs? 1.2-1.5x.
"""What reading only the shared link costs saves in a sweep (classes without fixed costs).

A sweep sums each route's cost link by link and, for every move, the costs and slopes of the
links two routes do not share. A class with no fixed costs and no own term (every class of the
scale grids and of the TNTP networks as ``tntp.py`` loads them) needs only the shared cost and
slope of a link, so its sweeps skip reading the fixed costs and the class's link flows: one
link array instead of three for a route's cost, two instead of four for a move's slope — the
same sums bit for bit. This script brings two solvers of a ``scale.py`` grid to the same state
(``--passes`` exact passes), one reading all the arrays as a class with fixed costs does, one
reading the shared costs alone, then times ``--rounds`` sweeps over every pair on each, turn
about (both stay identical, which it checks), and prints the fastest of each in thread CPU
seconds (what the sweeping thread itself used, so other work on the machine counts less) and
in wall seconds.

Usage (from the repository root; ``scale.py`` is imported from ``benchmarks/``):
    PYTHONPATH=benchmarks python benchmarks/experiments/sweep_reads.py --nodes 10000
    PYTHONPATH=benchmarks python benchmarks/experiments/sweep_reads.py --nodes 250000 --passes 1 \
        --rounds 4
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from counterflow.assign import compile_kernels
from counterflow.assign.gradient_projection import _Solver
from route_store import settle
from scale import check_counts, check_nodes, scaled_grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3, help="passes before timing")
    parser.add_argument("--rounds", type=int, default=3, help="timed sweeps (fastest is kept)")
    args = parser.parse_args()
    check_nodes(parser, [args.nodes])
    check_counts(parser, args, {"passes": 0, "rounds": 1})
    compile_kernels()
    _, problem = scaled_grid(args.nodes)
    solvers = {"all arrays": _Solver(problem), "shared costs only": _Solver(problem)}
    if not solvers["shared costs only"].bare.all():
        raise SystemExit("the grid's class has fixed costs or an own term: nothing to compare")
    solvers["all arrays"].bare[:] = False
    for solver in solvers.values():
        settle(solver, args.passes)
    cpu: dict[str, list[float]] = {name: [] for name in solvers}
    wall: dict[str, list[float]] = {name: [] for name in solvers}
    for _ in range(args.rounds):
        for name, solver in solvers.items():
            started, used = time.perf_counter(), time.thread_time()
            solver.sweep(solver.all_pairs)
            cpu[name].append(time.thread_time() - used)
            wall[name].append(time.perf_counter() - started)
    full, bare = solvers.values()
    if not np.array_equal(full.class_flow, bare.class_flow):
        raise SystemExit("the two ways of reading gave different flows: a bug")
    best = {name: (min(cpu[name]), min(wall[name])) for name in solvers}
    print(f"{problem.network.num_nodes:,} nodes, {bare.route_use()[0]:,} routes")
    print("| a sweep reads | thread CPU s | wall s |")
    print("|---|---:|---:|")
    for name, (seconds, elapsed) in best.items():
        print(f"| {name} | {seconds:.2f} | {elapsed:.2f} |")
    (cpu_full, wall_full), (cpu_bare, wall_bare) = best.values()
    print(
        f"all arrays / shared costs only: {cpu_full / cpu_bare:.2f}x thread CPU, "
        f"{wall_full / wall_bare:.2f}x wall"
    )


if __name__ == "__main__":
    main()
