"""The typed entry point of the engine: pick an algorithm, solve, report.

``algorithm="auto"`` picks the fastest algorithm the engine has for the problem: path-based
gradient projection (``"gp"``). On every TNTP benchmark network, on the generated grids and on
the trafficking network it reaches gaps of 1e-4 and tighter in less time than the Frank–Wolfe
family (see ``benchmarks/tntp.py``, ``benchmarks/scale.py`` and docs/performance.md); the FW family
stays available by name.

Everything that tunes a solve beyond its target, warm start, threads and progress callback —
gradient projection's sweeps and Gauss–Seidel passes, its route store, and the time limit of a
solve in segments — is one frozen :class:`SolverOptions`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from counterflow.assign import _kernels
from counterflow.assign.frank_wolfe import (
    FW_ALGORITHMS,
    Algorithm,
    AssignmentResult,
    IterationRecord,
    solve_frank_wolfe,
)
from counterflow.assign.gradient_projection import path_link_flows, solve_gradient_projection
from counterflow.assign.options import SolverOptions
from counterflow.assign.problem import (
    AssignmentProblem,
    ClassFlows,
    ODPairs,
    PathFlows,
    TravelClass,
)
from counterflow.errors import InvalidParameterError
from counterflow.network.graph import Network

__all__ = ["ALGORITHMS", "compile_kernels", "single_class_problem", "solve_equilibrium"]

ALGORITHMS: tuple[str, ...] = ("auto", "gp", *FW_ALGORITHMS)


def solve_equilibrium(
    problem: AssignmentProblem,
    *,
    algorithm: str = "auto",
    gap: float = 1e-6,
    max_iter: int | None = None,
    initial: ClassFlows | PathFlows | None = None,
    threads: int | None = None,
    callback: Callable[[IterationRecord], None] | None = None,
    options: SolverOptions | None = None,
) -> AssignmentResult:
    """Solve ``problem`` to relative gap ``gap``.

    ``algorithm`` is one of :data:`ALGORITHMS`; ``"auto"`` runs gradient projection and the
    result names the algorithm that ran. ``max_iter`` stops after that many iterations (the
    result is then not converged unless it meets ``gap``), ``initial`` warm-starts (see
    :func:`solve_gradient_projection`; the FW family warm-starts from the link flows of
    :class:`PathFlows` when given paths), ``threads`` sets the numba threads (results do not
    depend on it) and ``callback`` receives each convergence record as it is made.

    ``options`` (:class:`SolverOptions`; ``None``: the defaults) tunes gradient projection
    (``inner_share``, ``gauss_seidel_until``), says whether and how it returns its routes
    (``keep_paths``) and how it stores them (``compact_routes``); the FW family ignores those
    four. ``options.max_seconds`` stops every algorithm at its first evaluation after that long
    (not converged unless the gap is met); gradient projection then returns its routes too, to
    warm-start from.
    """
    if algorithm not in ALGORITHMS:
        raise InvalidParameterError(
            f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}",
            key="algorithm",
        )
    if options is None:
        options = SolverOptions()
    if algorithm in ("auto", "gp"):
        return solve_gradient_projection(
            problem,
            gap=gap,
            max_iter=max_iter,
            initial=initial,
            threads=threads,
            callback=callback,
            options=options,
        )
    if isinstance(initial, PathFlows):
        initial = path_link_flows(problem, initial)
    chosen: Algorithm = algorithm  # type: ignore[assignment]
    return solve_frank_wolfe(
        problem,
        algorithm=chosen,
        gap=gap,
        max_iter=max_iter,
        initial=initial,
        threads=threads,
        callback=callback,
        max_seconds=options.max_seconds,
    )


def single_class_problem(
    network: Network,
    origins: NDArray[np.integer],
    destinations: NDArray[np.integer],
    volume: NDArray[np.floating],
    *,
    toll_factor: float = 0.0,
    distance_factor: float = 0.0,
) -> AssignmentProblem:
    """Return the single-class BPR problem of a network (a TNTP network, for instance)."""
    return AssignmentProblem(
        network=network,
        costs=network.bpr_costs(),
        classes=(
            TravelClass(
                name="all",
                demand=ODPairs.from_arrays(origins, destinations, volume),
                fixed_cost=network.fixed_cost(
                    toll_factor=toll_factor, distance_factor=distance_factor
                ),
            ),
        ),
    )


def compile_kernels() -> float:
    """Compile (or load from the cache) every kernel on a tiny problem; return the seconds."""
    started = time.perf_counter()
    tail = np.array([0, 0, 1, 2], dtype=np.int64)
    head = np.array([1, 2, 3, 3], dtype=np.int64)
    ones = np.ones(4)
    network = Network(
        name="warm-up",
        node_ids=np.arange(1, 5, dtype=np.int64),
        num_zones=4,
        zones_passable=True,
        tail=tail,
        head=head,
        capacity=ones,
        length=ones,
        free_flow_time=ones,
        b=np.full(4, 0.15),
        power=np.array([4.0, 4.0, 2.5, 1.0]),
        toll=np.zeros(4),
        link_type=np.ones(4, dtype=np.int64),
    )
    problem = single_class_problem(network, np.array([0]), np.array([3]), np.array([2.0]))
    result = solve_frank_wolfe(problem, algorithm="bfw", gap=0.0, max_iter=3)
    solve_gradient_projection(problem, gap=0.0, max_iter=3, initial=result.flows)
    elastic = AssignmentProblem(
        network=network,
        costs=problem.costs,
        classes=(
            TravelClass(
                name="warm-up",
                demand=problem.classes[0].demand,
                fixed_cost=np.ones(4),
                own_cost=0.5,
                abstain_base=np.ones(1),
                abstain_slope=np.ones(1),
            ),
        ),
    )
    solved = solve_gradient_projection(elastic, gap=0.0, max_iter=3)
    solve_gradient_projection(elastic, gap=0.0, max_iter=1, initial=solved.paths)
    costs = problem.costs
    rows = np.empty((1, 4))
    _kernels.load_origins_parallel(
        np.array([0]),
        np.array([0, 1]),
        np.array([3]),
        problem.flat_pair_arrays()[0],
        problem.flat_pair_arrays()[1],
        np.full(1, np.inf),
        network.out_start,
        network.out_links,
        network.tail,
        network.out_head,
        np.ones(4),
        0,
        rows,
        np.empty(1),
        np.empty(1),
    )
    # The conjugate directions need t'(x); the tiny solve may converge before using it.
    _kernels.link_cost_derivative(
        costs.base, costs.coef, costs.capacity, costs.power, result.link_flow, np.empty(4)
    )
    return time.perf_counter() - started
