# Experiment (2026-11-26): would shifting flow on two threads pay, in passes? No.
"""Diagnosis for the scale grids: would shifting flow on two threads pay, in passes?

The flow shifts of gradient projection are Gauss–Seidel: every pair's move sees the moves
before it. Two threads that each sweep half of a sweep's pairs can see each other's moves only
when they meet, every ``C`` pairs each (Jacobi between the threads, Gauss–Seidel within each).
This script emulates that on one thread — each half's moves start from the flows of the last
meeting and their changes of link flow are added up at the next — and solves the 10,000-node
grid of ``scale.py`` to gap 1e-4 with Gauss–Seidel passes all the way
(``SolverOptions(gauss_seidel_until=0)``), printing iterations (tree passes), sweeps and seconds:

* ``serial``: the solver as it is;
* ``sync=C``: the two halves meet every ``C`` pairs each.

Only the iterations matter: the emulation runs the halves one after the other and pays a
Python call per meeting, so its seconds say nothing about two real threads. If the passes
grow, two threads would have to more than make up for them. The figures are in
docs/performance.md and benchmarks/results/.

Usage (from the repository root; ``scale.py`` is imported from ``benchmarks/``):
    PYTHONPATH=benchmarks python benchmarks/experiments/two_thread_shifts.py --nodes 10000 \
        --variants serial sync=64 sync=1024
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from counterflow.assign import SolverOptions, solve_equilibrium
from counterflow.assign.gradient_projection import _Solver
from scale import counted_variant, print_variant, start_diagnosis

VARIANTS = ["serial", "sync=64", "sync=1024"]
IntArray = NDArray[np.int64]


def _sync(variant: str) -> int:
    """Pairs per thread between meetings (0: the solver's own serial sweep)."""
    return counted_variant(variant, "sync", {"serial": 0})


def _two_thread_sweep(every: int) -> Callable[[_Solver, IntArray], float]:
    """A stand-in for ``_Solver.sweep``: shuffled pairs in two halves meeting every ``every``."""

    def sweep(solver: _Solver, pairs: IntArray) -> float:
        order = solver.shuffled(pairs)
        half = (order.shape[0] + 1) // 2
        first, second = order[:half], order[half:]
        excess = 0.0
        for start in range(0, half, every):
            class_flow, total = solver.class_flow.copy(), solver.total.copy()
            excess += solver.shifts(first[start : start + every])
            class_change = solver.class_flow - class_flow
            total_change = solver.total - total
            solver.class_flow[:] = class_flow
            solver.total[:] = total
            solver.class_costs()  # the link costs and slopes at the restored flows
            if start < second.shape[0]:
                excess += solver.shifts(second[start : start + every])
            solver.class_flow += class_change
            solver.total += total_change
            np.maximum(solver.total, 0.0, out=solver.total)  # rounding of opposite changes
            solver.class_costs()
        return excess

    return sweep


def main() -> None:
    args, syncs, problem = start_diagnosis(__doc__.splitlines()[0], VARIANTS, _sync, "variant")
    serial = _Solver.sweep
    for variant, every in zip(args.variants, syncs, strict=True):
        if every:
            _Solver.sweep = _two_thread_sweep(every)  # type: ignore[method-assign, assignment]
        try:
            result = solve_equilibrium(
                problem,
                algorithm="gp",
                gap=args.gap,
                options=SolverOptions(gauss_seidel_until=0.0),
            )
        finally:
            _Solver.sweep = serial  # type: ignore[method-assign]
        print_variant(variant, result)


if __name__ == "__main__":
    main()
