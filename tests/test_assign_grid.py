"""The engine against an independent Frank–Wolfe written here with scipy, on a 400-node grid."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from counterflow.assign import ClassFlows, evaluate_flows, single_class_problem, solve_equilibrium
from counterflow.network import make_grid_network


def bpr(net, x):
    return net.free_flow_time * (1 + net.b * (x / net.capacity) ** net.power)


def bpr_integral(net, x):
    p = net.power
    return float(
        np.sum(
            net.free_flow_time
            * (x + net.b * net.capacity / (p + 1) * (x / net.capacity) ** (p + 1))
        )
    )


class ScipyFrankWolfe:
    """Textbook Frank–Wolfe with scipy's Dijkstra and bounded scalar line search."""

    def __init__(self, grid) -> None:
        self.net = grid.network
        self.origins = np.unique(grid.origins)
        n = self.net.num_nodes
        self.demand = np.zeros((self.origins.shape[0], n))
        row = np.searchsorted(self.origins, grid.origins)
        np.add.at(self.demand, (row, grid.destinations), grid.volume)
        # Parallel links do not occur in the grid, so a sparse matrix maps (tail, head) to a link.
        self.link_of = {
            (int(t), int(h)): a
            for a, (t, h) in enumerate(zip(self.net.tail, self.net.head, strict=True))
        }

    def load(self, cost):
        net = self.net
        graph = csr_matrix((cost + 1e-300, (net.tail, net.head)), shape=(net.num_nodes,) * 2)
        dist, pred = dijkstra(graph, indices=self.origins, return_predecessors=True)
        flow = np.zeros(net.num_links)
        for i in range(self.origins.shape[0]):
            node_load = self.demand[i].copy()
            for v in np.argsort(-dist[i]):
                u = pred[i, v]
                if u >= 0 and node_load[v] > 0:
                    flow[self.link_of[(int(u), int(v))]] += node_load[v]
                    node_load[u] += node_load[v]
        sptt = float(np.sum(self.demand * np.where(np.isfinite(dist), dist, 0)))
        return flow, sptt

    def solve(self, gap: float, max_iter: int):
        x, _ = self.load(bpr(self.net, np.zeros(self.net.num_links)))
        for _ in range(max_iter):
            cost = bpr(self.net, x)
            y, sptt = self.load(cost)
            tstt = float(np.sum(x * cost))
            relative_gap = (tstt - sptt) / tstt
            if relative_gap <= gap:
                break
            d = y - x
            step = minimize_scalar(
                lambda s, x=x, d=d: bpr_integral(self.net, x + s * d),
                bounds=(0, 1),
                method="bounded",
                options={"xatol": 1e-12},
            ).x
            x = x + step * d
        return x, relative_gap


@pytest.fixture(scope="module")
def grid():
    return make_grid_network(20, num_zones=40, trips_per_zone=1500.0, seed=7)


def test_grid_matches_independent_scipy_frank_wolfe(grid) -> None:
    assert grid.network.num_nodes == 400
    reference, reference_gap = ScipyFrankWolfe(grid).solve(gap=1e-3, max_iter=400)
    assert reference_gap <= 1e-3
    problem = single_class_problem(grid.network, grid.origins, grid.destinations, grid.volume)
    ours = solve_equilibrium(problem, gap=1e-7, max_iter=5000)
    assert ours.converged

    # Our evaluator scores the reference flows with the reference's own gap and objective.
    scored = evaluate_flows(
        problem, ClassFlows(link=reference[None, :], abstain=np.zeros(problem.num_pairs))
    )
    assert scored.relative_gap == pytest.approx(reference_gap, rel=1e-6)
    assert scored.objective == pytest.approx(bpr_integral(grid.network, reference), rel=1e-12)

    # Both objectives bracket the optimum: f(x) - gap * sum(x c) <= f* <= f(x).
    ours_lower = ours.objective - ours.relative_gap * float(
        np.sum(ours.link_flow * bpr(grid.network, ours.link_flow))
    )
    reference_lower = scored.objective - scored.relative_gap * scored.total_cost
    assert ours.objective >= reference_lower
    assert scored.objective >= ours_lower
    assert ours.objective <= scored.objective

    # Link flows agree as closely as the reference's gap allows (a gap of 1e-3 leaves a few
    # percent of error in link flows).
    congested = grid.network.b > 0
    error = np.abs(ours.link_flow - reference)[congested].sum() / reference[congested].sum()
    assert error < 5e-2
