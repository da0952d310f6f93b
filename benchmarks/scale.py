"""Scale benchmark: perturbed square grids of 10,000 to 1,000,000 nodes solved to gap 1e-4.

Each network is generated with a fixed seed: two-way links on a perturbed square grid,
BPR(0.15, 4), capacities uniform in [600, 1800], 500 random zones and gravity demand scaled so
that the mean volume/capacity ratio of an all-or-nothing load at free-flow times is 1.0. For
each size it reports solve time, iterations, peak memory (resident set, this process) and the
relative gap reached.

Usage:
    python benchmarks/scale.py                      # 10,000 and 100,000 nodes
    python benchmarks/scale.py --nodes 10000 100000 1000000 --max-seconds 600
    python benchmarks/scale.py --algorithm bfw      # the Frank-Wolfe baseline
    python benchmarks/scale.py --nodes 10000 --gauss-seidel-until 0   # Gauss-Seidel passes only
    python benchmarks/scale.py --nodes 100000 --progress   # each iteration's gap to stderr
    python benchmarks/scale.py --nodes 10000 --compact-routes yes  # one-byte route steps

The routes column counts the routes the solver holds at the end and the memory of its route
store and path table (the solve returns no int32 copy of them).
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from counterflow.assign import (
    AssignmentProblem,
    AssignmentResult,
    IterationRecord,
    all_or_nothing,
    compile_kernels,
    single_class_problem,
    solve_equilibrium,
)
from counterflow.network import GridNetwork, make_grid_network

ZONES = 500
SEED = 2026
T = TypeVar("T")


def scaled_grid(nodes: int) -> tuple[GridNetwork, AssignmentProblem]:
    """The grid of about ``nodes`` nodes with demand scaled to mean free-flow v/c = 1."""
    side = round(math.sqrt(nodes))
    grid = make_grid_network(side, num_zones=ZONES, trips_per_zone=1000.0, seed=SEED)
    problem = single_class_problem(grid.network, grid.origins, grid.destinations, grid.volume)
    free_flow = np.asarray(grid.network.free_flow_time)[None, :]
    loaded, _ = all_or_nothing(problem, free_flow, np.full(problem.num_pairs, np.inf))
    ratio = float(np.mean(loaded.total / np.asarray(grid.network.capacity)))
    volume = np.asarray(grid.volume) / ratio
    problem = single_class_problem(grid.network, grid.origins, grid.destinations, volume)
    return grid, problem


def check_nodes(parser: argparse.ArgumentParser, nodes: list[int]) -> None:
    """Exit 2 with a one-line message if a grid of ``nodes`` cannot hold the 500 zones."""
    least = math.ceil((math.ceil(math.sqrt(ZONES)) - 0.5) ** 2)  # the side rounds up to hold them
    for count in nodes:
        if count < least:
            parser.error(
                f"--nodes {count}: the grid must hold {ZONES} zones; give at least {least}"
            )


def counted_variant(variant: str, key: str, named: dict[str, int]) -> int:
    """The ``N`` of a diagnosis variant ``key=N`` (``N >= 1``), or the value of a named one.

    Raises ``ValueError`` naming the choices, which :func:`start_diagnosis` turns into exit 2.
    """
    if variant in named:
        return named[variant]
    prefix = f"{key}="
    try:
        count = int(variant.removeprefix(prefix))
    except ValueError:
        count = 0
    if not variant.startswith(prefix) or count < 1:
        raise ValueError(
            f"--variants: {variant!r} is not a variant; give {' or '.join(named)} or "
            f"{key}=N with N >= 1"
        )
    return count


def start_diagnosis(
    description: str, variants: list[str], check: Callable[[str], T], first_column: str
) -> tuple[argparse.Namespace, list[T], AssignmentProblem]:
    """Command line, grid and table header shared by the diagnosis benchmarks.

    Reads ``--nodes``, ``--gap`` and ``--variants``; ``check`` turns each variant into its
    setting or raises ``ValueError`` with the fix, which exits 2 before any work is done.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--variants", nargs="+", default=variants)
    args = parser.parse_args()
    check_nodes(parser, [args.nodes])
    try:
        settings = [check(variant) for variant in args.variants]
    except ValueError as error:
        parser.error(str(error))
    compile_kernels()
    _, problem = scaled_grid(args.nodes)
    print(f"| {first_column} | iterations | sweeps | seconds | relative gap |")
    print("|---|---:|---:|---:|---:|")
    return args, settings, problem


def print_variant(variant: str, result: AssignmentResult) -> None:
    """One row of a diagnosis table: iterations, sweeps, seconds and gap of a gp solve."""
    sweeps = sum(
        int(record.direction.split(", ")[1].split()[0])
        for record in result.history
        if record.direction
    )
    print(
        f"| {variant} | {result.iterations} | {sweeps} | {result.seconds:.1f} | "
        f"{result.relative_gap:.2e} |",
        flush=True,
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument(
        "--max-seconds", type=float, default=600.0, help="stop a solve after this long"
    )
    parser.add_argument("--algorithm", default="auto", help="auto (= gp), gp, bfw, cfw, fw")
    parser.add_argument(
        "--gauss-seidel-until",
        type=float,
        default=None,
        help="gp: Gauss-Seidel passes while the gap is above this (default: the solver's; 0: "
        "until the target)",
    )
    parser.add_argument(
        "--compact-routes",
        choices=("auto", "yes", "no"),
        default="auto",
        help="gp: store route steps as one-byte out-link indices (auto: on networks of at "
        "least 250,000 nodes)",
    )
    parser.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help="stop after this many iterations (with an exact gap and the routes counted)",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="print each iteration's gap and elapsed seconds to stderr as the solve runs",
    )
    args = parser.parse_args()
    check_nodes(parser, args.nodes)
    if args.max_iter is not None and args.max_iter < 0:
        parser.error(f"--max-iter {args.max_iter}: give an integer >= 0")
    if args.gauss_seidel_until is not None and not 0.0 <= args.gauss_seidel_until <= 1.0:
        parser.error(f"--gauss-seidel-until {args.gauss_seidel_until}: give a gap in [0, 1]")
    compile_kernels()
    print(
        "| nodes | links | zones | pairs | algorithm | seconds | iterations | relative gap "
        "| routes stored | peak memory MiB |"
    )
    print("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for nodes in args.nodes:
        grid, problem = scaled_grid(nodes)
        started = time.perf_counter()
        last: list[IterationRecord] = []

        def stop_when_late(
            record: IterationRecord,
            started: float = started,
            last: list[IterationRecord] = last,
            nodes: int = nodes,
        ) -> None:
            last[:] = [record]
            if args.progress:
                estimated = " (estimated)" if record.gap_estimated else ""
                move = f", then {record.direction}" if record.direction else ""
                print(
                    f"{nodes:,} nodes: iteration {record.iteration}, gap "
                    f"{record.relative_gap:.3e}{estimated}, {record.seconds:.1f} s, peak "
                    f"{peak_rss_mib():,.0f} MiB{move}",
                    file=sys.stderr,
                    flush=True,
                )
            if time.perf_counter() - started > args.max_seconds:
                raise TimeoutError(record.iteration)

        routes = "-"
        try:
            result = solve_equilibrium(
                problem,
                algorithm=args.algorithm,
                gap=args.gap,
                max_iter=args.max_iter,
                callback=stop_when_late,
                gauss_seidel_until=args.gauss_seidel_until,
                keep_paths=False,  # flows only: no int32 copy of the routes at the end
                compact_routes={"auto": None, "yes": True, "no": False}[args.compact_routes],
            )
            seconds, iterations, gap = result.seconds, result.iterations, result.relative_gap
            algorithm = result.algorithm
            if not result.converged:
                algorithm += (
                    ", stopped at --max-iter" if args.max_iter is not None else ", not converged"
                )
            if result.route_count is not None and result.route_bytes is not None:
                routes = f"{result.route_count:,} ({result.route_bytes / 2**20:,.0f} MiB)"
        except TimeoutError:
            record = last[0]
            seconds, iterations, gap = record.seconds, record.iteration, record.relative_gap
            estimated = ", gap estimated" if record.gap_estimated else ""
            name = "gp" if args.algorithm == "auto" else args.algorithm
            algorithm = f"{name}, stopped at --max-seconds{estimated}"
        network = grid.network
        print(
            f"| {network.num_nodes:,} | {network.num_links:,} | {network.num_zones} | "
            f"{problem.num_pairs:,} | {algorithm} | {seconds:.1f} | {iterations} | {gap:.2e} | "
            f"{routes} | {peak_rss_mib():,.0f} |"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
