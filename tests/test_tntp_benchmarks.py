"""The field's standard networks (TNTP) solved to gap 1e-6 against their best-known objectives.

These need ``../shared/benchmarks`` (or ``COUNTERFLOW_BENCHMARKS``), which a fresh clone does
not have: they skip with a reason when it is absent.
"""

from __future__ import annotations

import numpy as np
import pytest

from _networks import TNTP
from counterflow.assign import ClassFlows, evaluate_flows, single_class_problem, solve_equilibrium
from counterflow.network import read_tntp

# Generalized-cost weights from each network's README (only Chicago-Sketch's are non-zero).
WEIGHTS = {"Chicago-Sketch": (0.02, 0.04)}
ROUNDING = 1e-9  # the best-known flows have a gap near 1e-14: nothing may beat them by more


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["SiouxFalls", "Anaheim", "Barcelona", "Winnipeg", "Chicago-Sketch"]
)
def test_reaches_best_known_objective(name: str) -> None:
    folder = TNTP / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (set COUNTERFLOW_BENCHMARKS to the benchmarks folder)")
    data = read_tntp(folder)
    toll, distance = WEIGHTS.get(name, (0.0, 0.0))
    trips = data.trips
    problem = single_class_problem(
        data.network,
        trips.origins,
        trips.destinations,
        trips.volume,
        toll_factor=toll,
        distance_factor=distance,
    )
    result = solve_equilibrium(problem, gap=1e-6)
    assert result.converged
    assert result.relative_gap <= 1e-6
    assert data.best_flows is not None
    best = evaluate_flows(
        problem,
        ClassFlows(link=np.array(data.best_flows)[None, :], abstain=np.zeros(problem.num_pairs)),
    )
    assert best.relative_gap < 1e-10
    excess = (result.objective - best.objective) / best.objective
    assert -ROUNDING <= excess <= 1e-6
    # Never below the optimum, at any iterate.
    assert min(r.objective for r in result.history) >= best.objective * (1 - ROUNDING)
