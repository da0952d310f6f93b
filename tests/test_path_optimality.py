"""Path-level optimality: decompose class flows into paths and check every used path is a
least-cost one; on networks of at most 12 nodes, against an enumeration of all simple paths."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _networks import affine_costs, network, travel_class
from counterflow.assign import AssignmentProblem, class_costs, solve_equilibrium
from counterflow.network import LinkCosts, make_grid_network

RELATIVE = 1e-6


def decompose(
    net, flow: np.ndarray, origin: int, threshold: float
) -> list[tuple[list[int], float]]:
    """Split a single-origin link flow into origin->sink paths (standard flow decomposition).

    Flow on a pair of opposite links is netted first (an equilibrium never needs both; an
    iterative solver leaves a residue on both).
    """
    flow = flow.copy()
    opposite = {
        (int(t), int(h)): a for a, (t, h) in enumerate(zip(net.tail, net.head, strict=True))
    }
    for a, (t, h) in enumerate(zip(net.tail, net.head, strict=True)):
        b = opposite.get((int(h), int(t)))
        if b is not None and a < b:
            both = min(flow[a], flow[b])
            flow[a] -= both
            flow[b] -= both
    paths = []
    sink_excess = np.bincount(net.head, flow, net.num_nodes) - np.bincount(
        net.tail, flow, net.num_nodes
    )
    sink_excess[origin] = 0.0
    while flow.max() > threshold:
        node, path = origin, []
        seen = {origin}
        while True:
            leaving = [
                a for a in range(net.num_links) if net.tail[a] == node and flow[a] > threshold
            ]
            if not leaving or (sink_excess[node] > threshold and path):
                break
            link = max(leaving, key=lambda a: flow[a])
            path.append(link)
            node = int(net.head[link])
            assert node not in seen, "equilibrium flows must be acyclic"
            seen.add(node)
        if not path:
            break
        amount = min(*(flow[a] for a in path), sink_excess[node])
        if amount <= threshold:
            break
        for a in path:
            flow[a] -= amount
        sink_excess[node] -= amount
        paths.append((path, amount))
    return paths


def all_simple_paths(net, source: int, target: int, blocked: int) -> list[list[int]]:
    found: list[list[int]] = []

    def walk(node: int, visited: set[int], links: list[int]) -> None:
        if node == target:
            found.append(list(links))
            return
        if node < blocked and node != source:
            return
        for a in range(net.num_links):
            if net.tail[a] == node and net.head[a] not in visited:
                visited.add(int(net.head[a]))
                links.append(a)
                walk(int(net.head[a]), visited, links)
                links.pop()
                visited.discard(int(net.head[a]))

    walk(source, {source}, [])
    return found


def check_paths(
    problem: AssignmentProblem, result, *, enumerate_paths: bool, relative: float = RELATIVE
) -> int:
    """Check every used path of every class; return how many paths were checked.

    A path is "used" when its flow exceeds what the class's share of the remaining gap could
    hide: a path costing more than (1 + RELATIVE) times the least can carry at most
    gap_k / (RELATIVE * least) (gap_k = sum x c - sum demand * least cost, of class k). With
    the tight gaps solved for here that bound is far below one unit of demand.
    """
    costs = class_costs(problem, result.flows)
    net = problem.network
    checked = 0
    for k, demand_class in enumerate(problem.classes):
        demand = demand_class.demand
        origins = np.unique(demand.origin)
        assert origins.shape[0] == 1, "decomposition needs one origin per class"
        origin = int(origins[0])
        cost = costs[k]
        least_cost = result.pair_cost[problem.pair_offsets[k] : problem.pair_offsets[k + 1]]
        class_gap = float(np.sum(result.flows.link[k] * cost) - np.sum(demand.volume * least_cost))
        used = max(class_gap, 0.0) / (relative * float(least_cost.min()))
        assert used < 1e-2 * float(demand.volume.min()), "solve tighter for a meaningful check"
        paths = decompose(net, result.flows.link[k], origin, threshold=1e-12 * demand.volume.sum())
        np.testing.assert_allclose(sum(a for _, a in paths), demand.volume.sum(), rtol=1e-9)
        for path, amount in paths:
            end = int(net.head[path[-1]])
            path_cost = float(cost[path].sum())
            pair = np.flatnonzero(demand.destination == end)
            assert pair.size == 1, "paths end at destinations"
            least = least_cost[pair[0]]
            if enumerate_paths:
                every = all_simple_paths(net, origin, end, net.num_blocked_zones)
                least_enumerated = min(float(cost[p].sum()) for p in every)
                assert least == pytest.approx(least_enumerated, rel=1e-12)
                least = least_enumerated
            if amount > used:
                assert path_cost <= least * (1 + relative), (path, amount, path_cost, least)
                checked += 1
    return checked


def small_network(seed: int) -> AssignmentProblem:
    """Twelve nodes, random links over a ring, three zones and one class per zone."""
    rng = np.random.default_rng(seed)
    n = 12
    links = set()
    for i in range(n):
        links.add((i, (i + 1) % n))
        links.add(((i + 1) % n, i))
    # Zones 0..2 may not be crossed: close the ring over the other nodes and tie each zone in.
    links.update({(n - 1, 3), (3, n - 1)})
    for zone in range(3):
        links.update({(zone, 4 + 2 * zone), (4 + 2 * zone, zone)})
    while len(links) < 40:
        a, b = (int(v) for v in rng.choice(n, size=2, replace=False))
        links.add((a, b))
    links_list = sorted(links)
    m = len(links_list)
    net = network(n, links_list, num_zones=3, zones_passable=False)
    costs = LinkCosts(
        base=rng.uniform(1, 10, m),
        coef=rng.uniform(0.5, 3, m),
        capacity=rng.uniform(15, 40, m),
        power=rng.choice([1.0, 2.0, 4.0], m),
    )
    classes = tuple(
        travel_class(
            m,
            [(o, d, float(rng.uniform(5, 30))) for d in range(n) if d != o and d % 2 == 1],
            name=f"class-{o}",
            fixed=rng.uniform(0, 2, m),
            own_cost=float(rng.choice([0.0, 0.1])),
        )
        for o in range(3)
    )
    return AssignmentProblem(network=net, costs=costs, classes=classes)


@pytest.mark.parametrize("seed", [1, 3, 4])
def test_every_used_path_is_least_cost_by_enumeration(seed: int) -> None:
    problem = small_network(seed)
    result = solve_equilibrium(problem, gap=1e-12, max_iter=20000)
    assert result.converged
    # More used paths than pairs: some pairs split over several routes of equal cost.
    assert check_paths(problem, result, enumerate_paths=True) > problem.num_pairs


def test_every_used_path_is_least_cost_on_a_grid() -> None:
    grid = make_grid_network(8, num_zones=10, trips_per_zone=3000.0, seed=4)
    net = grid.network
    origins = np.unique(grid.origins)[:3]
    classes = tuple(
        travel_class(
            net.num_links,
            [
                (int(o), int(d), float(v))
                for o2, d, v in zip(grid.origins, grid.destinations, grid.volume, strict=True)
                if o2 == o
            ],
            name=f"from-{o}",
        )
        for o in origins
    )
    problem = AssignmentProblem(network=net, costs=net.bpr_costs(), classes=classes)
    result = solve_equilibrium(problem, gap=1e-10, max_iter=20000)
    assert check_paths(problem, result, enumerate_paths=False) > problem.num_pairs


def test_zones_are_not_passed_through() -> None:
    # 0 -> 1 -> 2 is the only cheap route, but node 1 is a zone that may not be crossed.
    links = [(0, 1), (1, 2), (0, 3), (3, 2)]
    problem = AssignmentProblem(
        network=network(4, links, num_zones=3, zones_passable=False),
        costs=affine_costs([1.0, 1.0, 10.0, 10.0], [0.0, 0.0, 0.0, 0.0]),
        classes=(travel_class(4, [(0, 2, 5.0)]),),
    )
    result = solve_equilibrium(problem, gap=1e-9)
    np.testing.assert_allclose(result.link_flow, [0, 0, 5, 5])
    passable = AssignmentProblem(
        network=network(4, links, num_zones=3, zones_passable=True),
        costs=problem.costs,
        classes=problem.classes,
    )
    np.testing.assert_allclose(solve_equilibrium(passable, gap=1e-9).link_flow, [5, 5, 0, 0])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), algorithm=st.sampled_from(["fw", "cfw", "bfw"]))
def test_flows_are_conserved_and_objective_bounded(seed: int, algorithm: str) -> None:
    problem = small_network(seed)
    result = solve_equilibrium(problem, algorithm=algorithm, gap=1e-6, max_iter=400)
    net = problem.network
    for k, demand_class in enumerate(problem.classes):
        x = result.flows.link[k]
        assert (x >= 0).all()
        balance = np.bincount(net.head, x, net.num_nodes) - np.bincount(net.tail, x, net.num_nodes)
        expected = np.bincount(
            demand_class.demand.destination, demand_class.demand.volume, net.num_nodes
        ) - np.bincount(demand_class.demand.origin, demand_class.demand.volume, net.num_nodes)
        np.testing.assert_allclose(balance, expected, atol=1e-9 * demand_class.demand.volume.sum())
    # Every iterate's objective is at least the optimum, and the optimum is at least the
    # Frank-Wolfe lower bound f(x) - gap * sum(x c) of the returned flows.
    tight = solve_equilibrium(problem, gap=1e-12, max_iter=20000)
    lower = tight.objective * (1 - 1e-12) - tight.relative_gap * abs(tight.objective) * 10
    assert all(r.objective >= lower for r in result.history)
    assert result.objective >= lower
