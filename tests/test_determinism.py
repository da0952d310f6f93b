"""Results do not depend on the number of threads: compared bit for bit."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from counterflow.assign import single_class_problem, solve_equilibrium
from counterflow.network import make_grid_network


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
@pytest.mark.parametrize("algorithm", ["fw", "bfw"])
def test_one_and_two_threads_give_identical_bits(algorithm: str) -> None:
    # 60 zones x 900 nodes per block is above the parallel threshold, so the second run
    # really runs the shortest paths on two threads.
    grid = make_grid_network(30, num_zones=60, trips_per_zone=2000.0, seed=11)
    problem = single_class_problem(grid.network, grid.origins, grid.destinations, grid.volume)
    one = solve_equilibrium(problem, algorithm=algorithm, gap=0.0, max_iter=60, threads=1)
    two = solve_equilibrium(problem, algorithm=algorithm, gap=0.0, max_iter=60, threads=2)
    assert np.array_equal(one.flows.link, two.flows.link)
    assert np.array_equal(one.pair_cost, two.pair_cost)
    assert one.relative_gap == two.relative_gap
    assert [r.relative_gap for r in one.history] == [r.relative_gap for r in two.history]
    assert [r.step for r in one.history][:-1] == [r.step for r in two.history][:-1]


def test_same_input_same_bits() -> None:
    grid = make_grid_network(10, num_zones=12, seed=3)
    problem = single_class_problem(grid.network, grid.origins, grid.destinations, grid.volume)
    first = solve_equilibrium(problem, gap=1e-6)
    again = solve_equilibrium(problem, gap=1e-6)
    assert np.array_equal(first.flows.link, again.flows.link)


def test_warm_start_from_a_solution_stops_at_once() -> None:
    grid = make_grid_network(10, num_zones=12, seed=3)
    problem = single_class_problem(grid.network, grid.origins, grid.destinations, grid.volume)
    solved = solve_equilibrium(problem, gap=1e-6)
    warm = solve_equilibrium(problem, gap=1e-6, initial=solved.flows)
    assert warm.iterations == 0
    assert warm.relative_gap == solved.relative_gap
    # A looser start converges to the same flows.
    rough = solve_equilibrium(problem, gap=1e-2)
    resumed = solve_equilibrium(problem, gap=1e-6, initial=rough.flows)
    assert resumed.converged
    np.testing.assert_allclose(resumed.link_flow, solved.link_flow, rtol=1e-2, atol=1.0)
