"""Equilibria whose answers are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from _networks import affine_costs, braess, elastic_braess, network, travel_class
from counterflow.assign import AssignmentProblem, solve_equilibrium

ALGORITHMS = ["fw", "cfw", "bfw"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_braess_paradox(algorithm: str) -> None:
    without = solve_equilibrium(braess(bridge=False), algorithm=algorithm, gap=1e-12, max_iter=5000)
    with_bridge = solve_equilibrium(
        braess(bridge=True), algorithm=algorithm, gap=1e-10, max_iter=20000
    )
    # Without the bridge: 3 units per route, route cost 83.
    np.testing.assert_allclose(without.link_flow, [3, 3, 3, 3], atol=1e-6)
    np.testing.assert_allclose(without.pair_cost, [83.0], rtol=1e-9)
    # With it: 2 units on each of the three routes, route cost 92 (everyone is worse off).
    np.testing.assert_allclose(with_bridge.link_flow, [4, 2, 2, 4, 2], atol=1e-4)
    np.testing.assert_allclose(with_bridge.pair_cost, [92.0], rtol=1e-6)
    assert with_bridge.converged
    assert without.converged


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_two_routes_closed_form(algorithm: str) -> None:
    # Route 1: 10 + x1, route 2: 15 + 0.5 x2, demand 20: 10 + x1 = 15 + 0.5 (20 - x1).
    net = network(2, [(0, 1), (0, 1)])
    problem = AssignmentProblem(
        network=net,
        costs=affine_costs([10.0, 15.0], [1.0, 0.5]),
        classes=(travel_class(2, [(0, 1, 20.0)]),),
    )
    result = solve_equilibrium(problem, algorithm=algorithm, gap=1e-12, max_iter=10000)
    np.testing.assert_allclose(result.link_flow, [10.0, 10.0], rtol=1e-8)
    np.testing.assert_allclose(result.pair_cost, [20.0], rtol=1e-10)
    # Beckmann optimum: int_0^10 (10 + x) + int_0^10 (15 + x / 2) = 150 + 175.
    assert result.objective == pytest.approx(325.0, rel=1e-12)


def test_two_routes_bpr_power_four() -> None:
    # Two parallel BPR links with equal parameters split a demand evenly whatever its size.
    net = network(2, [(0, 1), (0, 1)])
    problem = AssignmentProblem(
        network=net,
        costs=type(net.bpr_costs())(
            base=np.array([5.0, 5.0]),
            coef=np.array([0.75, 0.75]),
            capacity=np.array([100.0, 100.0]),
            power=np.array([4.0, 4.0]),
        ),
        classes=(travel_class(2, [(0, 1, 300.0)]),),
    )
    result = solve_equilibrium(problem, gap=1e-12, max_iter=1000)
    np.testing.assert_allclose(result.link_flow, [150.0, 150.0], rtol=1e-9)
    np.testing.assert_allclose(result.pair_cost, [5.0 + 0.75 * 1.5**4], rtol=1e-12)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_elastic_demand_least_cost_equals_abstain_cost(algorithm: str) -> None:
    # One route 10 + q, potential demand 100, abstain cost W(e) = 0.5 e (Gartner 1980):
    # 10 + q = 0.5 (100 - q)  =>  q = 80 / 3.
    net = network(2, [(0, 1)])
    problem = AssignmentProblem(
        network=net,
        costs=affine_costs([10.0], [1.0]),
        classes=(travel_class(1, [(0, 1, 100.0)], abstain_base=[0.0], abstain_slope=[0.5]),),
    )
    result = solve_equilibrium(problem, algorithm=algorithm, gap=1e-12, max_iter=10000)
    shipped = 80.0 / 3.0
    np.testing.assert_allclose(result.link_flow, [shipped], rtol=1e-9)
    np.testing.assert_allclose(result.flows.abstain, [100.0 - shipped], rtol=1e-9)
    abstain_cost = 0.5 * result.flows.abstain[0]
    assert result.pair_cost[0] == pytest.approx(abstain_cost, rel=1e-9)


def test_elastic_pair_that_never_ships() -> None:
    # The abstain cost at full abstention (W(100) = 5) is below the free-flow route cost (10).
    net = network(2, [(0, 1)])
    problem = AssignmentProblem(
        network=net,
        costs=affine_costs([10.0], [1.0]),
        classes=(travel_class(1, [(0, 1, 100.0)], abstain_base=[0.0], abstain_slope=[0.05]),),
    )
    result = solve_equilibrium(problem, gap=1e-12, max_iter=100)
    assert result.link_flow[0] == pytest.approx(0.0, abs=1e-9)
    assert result.flows.abstain[0] == pytest.approx(100.0)
    assert result.pair_cost[0] >= 0.05 * 100.0


def test_elastic_network_least_cost_equals_abstain_cost_where_used() -> None:
    # Braess network, elastic demand: wherever a pair partly abstains, its least route cost
    # equals W(e); where it ships everything, the least route cost is at most W(0).
    elastic = elastic_braess()
    result = solve_equilibrium(elastic, gap=1e-12, max_iter=20000)
    assert result.converged
    volume = elastic.classes[0].demand.volume
    base = elastic.classes[0].abstain_base
    slope = elastic.classes[0].abstain_slope
    assert base is not None
    assert slope is not None
    abstain = result.flows.abstain
    w = base + slope * abstain
    partly = (abstain > 1e-9) & (abstain < volume - 1e-9)
    assert partly.any()
    np.testing.assert_allclose(result.pair_cost[partly], w[partly], rtol=1e-6)
    shipping_all = abstain <= 1e-9
    assert np.all(result.pair_cost[shipping_all] <= w[shipping_all] * (1 + 1e-6))
    none = abstain >= volume - 1e-9
    assert np.all(result.pair_cost[none] >= w[none] * (1 - 1e-6))


def test_two_identical_classes_reproduce_single_class() -> None:
    single = braess(bridge=True)
    one = solve_equilibrium(single, gap=1e-12, max_iter=20000)
    half = [(0, 3, 3.0)]
    double = AssignmentProblem(
        network=single.network,
        costs=single.costs,
        classes=(travel_class(5, half, name="a"), travel_class(5, half, name="b")),
    )
    two = solve_equilibrium(double, gap=1e-12, max_iter=20000)
    np.testing.assert_allclose(two.link_flow, one.link_flow, atol=1e-5)
    assert two.objective == pytest.approx(one.objective, rel=1e-10)


def test_class_own_term_makes_class_flows_unique() -> None:
    # Identical classes with an own-flow term: the unique equilibrium splits every link evenly.
    single = braess(bridge=True)
    half = [(0, 3, 3.0)]
    double = AssignmentProblem(
        network=single.network,
        costs=single.costs,
        classes=(
            travel_class(5, half, name="a", own_cost=0.5),
            travel_class(5, half, name="b", own_cost=0.5),
        ),
    )
    result = solve_equilibrium(double, gap=1e-12, max_iter=20000)
    np.testing.assert_allclose(result.flows.link[0], result.flows.link[1], atol=1e-5)


def test_class_specific_fixed_costs_separate_classes() -> None:
    # Two parallel routes; class "toll-averse" pays 100 extra on route 0, so it uses route 1
    # only, while the other class fills route 0 until costs equalize.
    net = network(2, [(0, 1), (0, 1)])
    problem = AssignmentProblem(
        network=net,
        costs=affine_costs([10.0, 10.0], [1.0, 1.0]),
        classes=(
            travel_class(2, [(0, 1, 10.0)], name="toll-averse", fixed=[100.0, 0.0]),
            travel_class(2, [(0, 1, 30.0)], name="indifferent"),
        ),
    )
    result = solve_equilibrium(problem, gap=1e-12, max_iter=10000)
    np.testing.assert_allclose(result.flows.link[0], [0.0, 10.0], atol=1e-6)
    np.testing.assert_allclose(result.flows.link[1], [20.0, 10.0], atol=1e-6)
