"""Validation of assignment problems and warm starts: each bad input names its key."""

from __future__ import annotations

import numpy as np
import pytest

from _networks import affine_costs, braess, network, travel_class
from counterflow.assign import AssignmentProblem, ClassFlows, ODPairs, solve_equilibrium
from counterflow.errors import InvalidParameterError


def test_od_pairs_are_sorted_merged_and_cleaned() -> None:
    pairs = ODPairs.from_arrays(
        np.array([2, 0, 2, 0, 1]), np.array([1, 3, 1, 0, 1]), np.array([1.0, 2.0, 3.0, 5.0, 0.0])
    )
    np.testing.assert_array_equal(pairs.origin, [0, 2])
    np.testing.assert_array_equal(pairs.destination, [3, 1])
    np.testing.assert_array_equal(pairs.volume, [2.0, 4.0])
    np.testing.assert_array_equal(pairs.origins, [0, 2])
    np.testing.assert_array_equal(pairs.pair_start, [0, 1, 2])
    with pytest.raises(InvalidParameterError, match="finite"):
        ODPairs.from_arrays(np.array([0]), np.array([1]), np.array([np.nan]))


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"fixed": [1.0, -1.0]}, "fixed_cost"),
        ({"fixed": [1.0, np.inf]}, "fixed_cost"),
        ({"own_cost": -0.5}, "own_cost"),
        ({"abstain_base": [0.0], "abstain_slope": [-1.0]}, "abstain_slope"),
        ({"abstain_base": [np.nan], "abstain_slope": [1.0]}, "abstain_base"),
    ],
)
def test_bad_class_parameters(change: dict, key: str) -> None:
    with pytest.raises(InvalidParameterError, match=key):
        AssignmentProblem(
            network=network(2, [(0, 1), (0, 1)]),
            costs=affine_costs([1.0, 1.0], [1.0, 1.0]),
            classes=(travel_class(2, [(0, 1, 5.0)], **change),),
        )


def test_demand_outside_the_network() -> None:
    with pytest.raises(InvalidParameterError, match="outside"):
        AssignmentProblem(
            network=network(2, [(0, 1)]),
            costs=affine_costs([1.0], [1.0]),
            classes=(travel_class(1, [(0, 5, 1.0)]),),
        )


def test_solver_options_are_checked() -> None:
    problem = braess(bridge=False)
    with pytest.raises(InvalidParameterError, match="algorithm"):
        solve_equilibrium(problem, algorithm="simplex")
    with pytest.raises(InvalidParameterError, match="gap"):
        solve_equilibrium(problem, gap=-1.0)
    with pytest.raises(InvalidParameterError, match="max_iter"):
        solve_equilibrium(problem, max_iter=-1)


def test_warm_start_must_conserve_flow() -> None:
    problem = braess(bridge=False)
    wrong = ClassFlows(link=np.array([[6.0, 0.0, 0.0, 0.0]]), abstain=np.zeros(1))
    with pytest.raises(InvalidParameterError, match="not conserved at node 2"):
        solve_equilibrium(problem, initial=wrong)
    with pytest.raises(InvalidParameterError, match="shape"):
        solve_equilibrium(problem, initial=ClassFlows(link=np.zeros((1, 2)), abstain=np.zeros(1)))
    right = ClassFlows(link=np.array([[6.0, 6.0, 0.0, 0.0]]), abstain=np.zeros(1))
    assert solve_equilibrium(problem, initial=right, gap=1e-10).converged


def test_aon_is_one_load_at_free_flow() -> None:
    result = solve_equilibrium(braess(bridge=True), algorithm="aon")
    assert result.iterations == 0
    np.testing.assert_allclose(result.link_flow, [6, 0, 0, 6, 6])
    assert result.relative_gap > 0.1
    assert not result.converged
