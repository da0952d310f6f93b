"""Gradient projection, the path-based solver: it agrees with the Frank–Wolfe family on every
network of the engine's tests, its stored routes satisfy Wardrop's conditions, warm starts
resume exactly, and results do not depend on the thread count."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise

import numba
import numpy as np
import pytest

from _networks import affine_costs, braess, elastic_braess, network, travel_class
from counterflow.assign import (
    AssignmentProblem,
    PathFlows,
    SolverOptions,
    class_costs,
    evaluate_flows,
    gradient_projection,
    single_class_problem,
    solve_equilibrium,
)
from counterflow.assign.gradient_projection import _Solver
from counterflow.network import LinkCosts, make_grid_network
from test_path_optimality import small_network

SEIDEL = SolverOptions(gauss_seidel_until=0.0)  # Gauss-Seidel passes until the target


def two_routes() -> AssignmentProblem:
    return AssignmentProblem(
        network=network(2, [(0, 1), (0, 1)]),
        costs=affine_costs([10.0, 15.0], [1.0, 0.5]),
        classes=(travel_class(2, [(0, 1, 20.0)]),),
    )


def never_ships() -> AssignmentProblem:
    return AssignmentProblem(
        network=network(2, [(0, 1)]),
        costs=affine_costs([10.0], [1.0]),
        classes=(travel_class(1, [(0, 1, 100.0)], abstain_base=[0.0], abstain_slope=[0.05]),),
    )


def own_term_classes() -> AssignmentProblem:
    single = braess(bridge=True)
    return AssignmentProblem(
        network=single.network,
        costs=single.costs,
        classes=(
            travel_class(5, [(0, 3, 3.0)], name="a", own_cost=0.5),
            travel_class(5, [(0, 3, 3.0), (0, 1, 2.0)], name="b", own_cost=0.2),
        ),
    )


def fixed_cost_classes() -> AssignmentProblem:
    return AssignmentProblem(
        network=network(2, [(0, 1), (0, 1)]),
        costs=affine_costs([10.0, 10.0], [1.0, 1.0]),
        classes=(
            travel_class(2, [(0, 1, 10.0)], name="toll-averse", fixed=[100.0, 0.0]),
            travel_class(2, [(0, 1, 30.0)], name="indifferent"),
        ),
    )


def blocked_zones() -> AssignmentProblem:
    return AssignmentProblem(
        network=network(4, [(0, 1), (1, 2), (0, 3), (3, 2)], num_zones=3, zones_passable=False),
        costs=affine_costs([1.0, 1.0, 10.0, 10.0], [0.0, 0.0, 0.1, 0.1]),
        classes=(travel_class(4, [(0, 2, 5.0)]),),
    )


def grid(side: int = 10, zones: int = 12, seed: int = 3) -> AssignmentProblem:
    made = make_grid_network(side, num_zones=zones, trips_per_zone=3000.0, seed=seed)
    return single_class_problem(made.network, made.origins, made.destinations, made.volume)


def own_small_network(seed: int) -> AssignmentProblem:
    """:func:`small_network` with an own term in every class (class flows then unique)."""
    problem = small_network(seed)
    return replace(
        problem,
        classes=tuple(replace(c, own_cost=0.05 * (k + 1)) for k, c in enumerate(problem.classes)),
    )


# Every network the engine's own tests solve, and whether its class flows are unique (a single
# class with strictly increasing costs, or an own term in every class). Elsewhere only the
# total flows and the objective are determined.
PROBLEMS: dict[str, tuple[Callable[[], AssignmentProblem], bool]] = {
    "braess": (lambda: braess(bridge=False), True),
    "braess-bridge": (lambda: braess(bridge=True), True),
    "two-routes": (two_routes, True),
    "elastic-braess": (elastic_braess, True),
    "never-ships": (never_ships, True),
    "own-term": (own_term_classes, True),
    "class-fixed-costs": (fixed_cost_classes, False),
    "blocked-zones": (blocked_zones, True),
    "random-1": (lambda: small_network(1), False),
    "random-3": (lambda: small_network(3), False),
    "random-own-4": (lambda: own_small_network(4), True),
    "random-own-7": (lambda: own_small_network(7), True),
    # Larger grids are where the FW family stalls near gap 1e-7 (test_assign_grid checks the
    # default solver there against an independent SciPy Frank-Wolfe instead).
    "grid": (lambda: grid(6, 8, seed=3), True),
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_agrees_with_the_frank_wolfe_family(name: str) -> None:
    make, unique = PROBLEMS[name]
    problem = make()
    gp = solve_equilibrium(problem, algorithm="gp", gap=1e-11, max_iter=2000)
    bfw = solve_equilibrium(problem, algorithm="bfw", gap=1e-9, max_iter=50000)
    assert gp.algorithm == "gp"
    assert gp.converged
    assert bfw.converged
    assert gp.objective == pytest.approx(bfw.objective, rel=1e-8)
    scale = max(float(np.abs(bfw.flows.link).max()), 1.0)
    if unique:
        np.testing.assert_allclose(gp.flows.link, bfw.flows.link, rtol=1e-4, atol=1e-4 * scale)
    np.testing.assert_allclose(gp.link_flow, bfw.link_flow, rtol=1e-4, atol=1e-4 * scale)
    np.testing.assert_allclose(gp.flows.abstain, bfw.flows.abstain, rtol=1e-4, atol=1e-4 * scale)
    # The gap the solver reports is the one the independent evaluator finds.
    assert evaluate_flows(problem, gp.flows).relative_gap == pytest.approx(
        gp.relative_gap, rel=1e-6, abs=1e-13
    )


def test_closed_forms() -> None:
    result = solve_equilibrium(two_routes(), algorithm="gp", gap=1e-12)
    np.testing.assert_allclose(result.link_flow, [10.0, 10.0], rtol=1e-9)
    assert result.objective == pytest.approx(325.0, rel=1e-12)
    result = solve_equilibrium(never_ships(), algorithm="gp", gap=1e-12)
    assert result.flows.abstain[0] == pytest.approx(100.0)
    result = solve_equilibrium(fixed_cost_classes(), algorithm="gp", gap=1e-12)
    np.testing.assert_allclose(result.flows.link[0], [0.0, 10.0], atol=1e-9)
    np.testing.assert_allclose(result.flows.link[1], [20.0, 10.0], atol=1e-9)


@pytest.mark.parametrize("name", ["random-own-4", "elastic-braess", "grid", "own-term"])
def test_stored_routes_satisfy_wardrop(name: str) -> None:
    """Every route carrying flow costs the least for its pair; routes and abstention add up."""
    problem = PROBLEMS[name][0]()
    result = solve_equilibrium(problem, gap=1e-12, max_iter=2000)
    paths = result.paths
    assert paths is not None
    costs = class_costs(problem, result.flows)
    pair_class = np.repeat(np.arange(problem.num_classes), np.diff(problem.pair_offsets))
    volume, elastic, _, _ = problem.flat_pair_arrays()
    sent = np.zeros(problem.num_pairs)
    used = 0
    for g in range(problem.num_pairs):
        for j in range(int(paths.pair_path[g]), int(paths.pair_path[g + 1])):
            flow = float(paths.path_flow[j])
            sent[g] += flow
            if flow > 1e-6 * volume[g]:
                cost = float(costs[pair_class[g], paths.links(j)].sum())
                assert cost <= result.pair_cost[g] * (1 + 1e-6), (g, j, cost)
                used += 1
    np.testing.assert_allclose(sent + paths.abstain, volume, rtol=1e-12)
    assert np.all(paths.abstain[~elastic] == 0.0)
    assert used >= int(np.count_nonzero(sent > 1e-6 * volume))
    net = problem.network
    for j in range(paths.num_paths):
        links = paths.links(j)
        assert np.array_equal(net.head[links[:-1]], net.tail[links[1:]])


def test_warm_start_from_its_own_solution_stops_at_once() -> None:
    problem = own_small_network(4)
    solved = solve_equilibrium(problem, gap=1e-10)
    warm = solve_equilibrium(problem, gap=1e-10, initial=solved.paths)
    assert warm.iterations == 0
    assert np.array_equal(warm.flows.link, solved.flows.link)
    assert warm.relative_gap == solved.relative_gap
    from_links = solve_equilibrium(problem, gap=1e-10, initial=solved.flows)
    assert from_links.iterations == 0
    assert np.array_equal(from_links.flows.link, solved.flows.link)


def test_warm_start_after_a_change_resumes_faster() -> None:
    problem = grid(14, 20, seed=5)
    cold = solve_equilibrium(problem, gap=1e-8)
    # Next "month": demand up 5% and one corridor's capacity halved.
    demand = problem.classes[0].demand
    capacity = np.array(problem.costs.capacity)
    capacity[::7] *= 0.5
    changed = AssignmentProblem(
        network=problem.network,
        costs=replace(problem.costs, capacity=capacity),
        classes=(replace(problem.classes[0], demand=replace_volume(demand, 1.05 * demand.volume)),),
    )
    fresh = solve_equilibrium(changed, gap=1e-8)
    warm = solve_equilibrium(changed, gap=1e-8, initial=cold.paths)
    assert warm.converged
    assert warm.objective == pytest.approx(fresh.objective, rel=1e-7)
    assert warm.iterations < fresh.iterations
    # The Frank–Wolfe family takes the routes' link flows as its warm start.
    bfw = solve_equilibrium(changed, algorithm="bfw", gap=1e-3, initial=cold.paths)
    assert bfw.converged


def replace_volume(demand, volume):  # type: ignore[no-untyped-def]
    from counterflow.assign import ODPairs

    return ODPairs.from_arrays(demand.origin, demand.destination, volume)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_one_and_two_threads_give_identical_bits() -> None:
    # 60 zones x 900 nodes per block is above the parallel threshold: the second run really
    # builds its trees on two threads.
    problem = grid(30, 60, seed=11)
    one = solve_equilibrium(problem, algorithm="gp", gap=0.0, max_iter=8, threads=1)
    two = solve_equilibrium(problem, algorithm="gp", gap=0.0, max_iter=8, threads=2)
    assert np.array_equal(one.flows.link, two.flows.link)
    assert np.array_equal(one.pair_cost, two.pair_cost)
    assert [r.relative_gap for r in one.history] == [r.relative_gap for r in two.history]
    assert one.paths is not None
    assert two.paths is not None
    assert np.array_equal(one.paths.path_flow, two.paths.path_flow)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs NUMBA_NUM_THREADS >= 2")
def test_trees_built_on_a_worker_thread_during_the_shifts_give_identical_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With two threads, a Gauss-Seidel pass builds the next block's trees on a worker thread
    # while this thread shifts the current block; with one, the same steps run in turn.
    # 900 nodes are below the size where the worker pays: lower it to use it here.
    monkeypatch.setattr(gradient_projection, "_PIPELINE_NODES", 100)
    problem = grid(30, 40, seed=5)
    one = solve_equilibrium(problem, algorithm="gp", gap=0.0, max_iter=6, threads=1, options=SEIDEL)
    workers: set[str] = set()
    trees = _Solver.trees

    def record(
        self: _Solver, k: int, first: int, last: int, cost: np.ndarray, **options: object
    ) -> None:
        workers.add(threading.current_thread().name)
        trees(self, k, first, last, cost, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(_Solver, "trees", record)
    two = solve_equilibrium(problem, algorithm="gp", gap=0.0, max_iter=6, threads=2, options=SEIDEL)
    assert any(name.startswith("counterflow-trees") for name in workers)
    assert np.array_equal(one.flows.link, two.flows.link)
    assert [r.relative_gap for r in one.history] == [r.relative_gap for r in two.history]
    assert one.paths is not None
    assert two.paths is not None
    assert np.array_equal(one.paths.path_flow, two.paths.path_flow)


def test_pipelined_passes_never_sweep_pairs_whose_trees_are_being_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A pipelined pass folds the first inner sweep into its steps: after each block's shifts,
    # a slice of all pairs with a choice. The worker meanwhile builds the next block's trees,
    # which read that block's routes and flows, so no slice may hold that block's pairs (they
    # wait for the next slice). Recorded here on one thread, where the steps run in turn.
    monkeypatch.setattr(gradient_projection, "_PIPELINE_NODES", 100)
    building: list[range] = []
    swept: list[int] = []
    trees, store_columns, shifts = _Solver.trees, _Solver.store_columns, _Solver.shifts

    def record_trees(
        self: _Solver, k: int, first: int, last: int, cost: np.ndarray, **options: object
    ) -> None:
        _, starts = self.block(k, first, last)
        building.append(range(int(starts[0]), int(starts[-1])))
        trees(self, k, first, last, cost, **options)  # type: ignore[arg-type]

    def record_store(self: _Solver, k: int, first: int, last: int) -> slice:
        building.clear()
        return store_columns(self, k, first, last)

    def record_shifts(self: _Solver, order: np.ndarray) -> float:
        clash = [int(g) for g in order for block in building if g in block]
        assert not clash, f"pairs {clash[:5]} swept while their trees were being built"
        swept.append(len(order))
        return shifts(self, order)  # type: ignore[arg-type]

    monkeypatch.setattr(_Solver, "trees", record_trees)
    monkeypatch.setattr(_Solver, "store_columns", record_store)
    monkeypatch.setattr(_Solver, "shifts", record_shifts)
    result = solve_equilibrium(
        grid(30, 40, seed=5), algorithm="gp", gap=0.0, max_iter=4, threads=1,
        options=SEIDEL,
    )  # fmt: skip
    assert result.iterations == 4
    assert len(swept) > 4 * 2 * 10  # 10 blocks a pass: block shifts and slices


def test_the_folded_sweep_reaches_the_same_equilibrium(monkeypatch: pytest.MonkeyPatch) -> None:
    # Passes with the first inner sweep folded in (pipelined) and passes followed by it reach
    # the same equilibrium; the folded sweep counts as one of the pass's sweeps.
    problem = grid(30, 40, seed=5)
    after = solve_equilibrium(problem, algorithm="gp", gap=1e-9, options=SEIDEL)
    monkeypatch.setattr(gradient_projection, "_PIPELINE_NODES", 100)
    folded = solve_equilibrium(problem, algorithm="gp", gap=1e-9, options=SEIDEL)
    assert after.converged
    assert folded.converged
    assert folded.objective == pytest.approx(after.objective, rel=1e-9)
    np.testing.assert_allclose(folded.flows.link, after.flows.link, rtol=1e-3, atol=1e-3)
    assert all(
        int(record.direction.split(", ")[1].split()[0]) >= 2
        for record in folded.history
        if "gauss-seidel" in record.direction
    )


@pytest.mark.parametrize("algorithm", ["gp", "bfw"])
def test_max_seconds_stops_at_the_next_evaluation_and_gp_resumes_from_its_routes(
    algorithm: str,
) -> None:
    problem = grid()
    late = solve_equilibrium(
        problem, algorithm=algorithm, gap=0.0, options=SolverOptions(max_seconds=1e-9)
    )
    assert not late.converged
    assert late.iterations == 0
    assert not late.history[-1].gap_estimated
    assert late.relative_gap > 1e-3
    evaluation = evaluate_flows(problem, late.flows)
    assert late.relative_gap == pytest.approx(evaluation.relative_gap, rel=1e-9)
    if algorithm == "gp":
        assert late.paths is not None
        resumed = solve_equilibrium(problem, gap=1e-9, initial=late.paths)
        direct = solve_equilibrium(problem, gap=1e-9)
        assert resumed.converged
        assert resumed.objective == pytest.approx(direct.objective, rel=1e-9)


def test_auto_runs_gradient_projection() -> None:
    result = solve_equilibrium(grid(), gap=1e-6)
    assert result.algorithm == "gp"
    assert isinstance(result.paths, PathFlows)


def two_route_solver(problem: AssignmentProblem, flow: list[float]) -> _Solver:
    """A solver holding ``flow`` on the two one-link routes of ``problem``'s single pair."""
    solver = _Solver(problem)
    solver.load(
        PathFlows(
            pair_path=np.array([0, 2]),
            path_start=np.array([0, 1]),
            path_length=np.array([1, 1]),
            path_flow=np.array(flow),
            store=np.array([0, 1], dtype=np.int32),
            abstain=np.zeros(1),
            volume=np.array([sum(flow)]),
        )
    )
    solver.refresh()
    return solver


def test_a_sweep_skips_moves_below_its_threshold_and_makes_the_others() -> None:
    problem = two_routes()  # costs 10 + x and 15 + 0.5 x; equilibrium 10 / 10 at cost 20
    solver = two_route_solver(problem, [10.1, 9.9])  # costs 20.1 and 19.95: 0.75% apart
    solver.threshold = 0.01
    excess = solver.sweep(solver.all_pairs)
    assert excess == pytest.approx(10.1 * 0.15)  # counted in the restricted gap all the same
    assert np.array_equal(solver.path_flow, [10.1, 9.9])
    solver.threshold = 0.001
    solver.sweep(solver.all_pairs)
    np.testing.assert_allclose(solver.path_flow, [10.0, 10.0], rtol=1e-9)
    np.testing.assert_allclose(solver.total, [10.0, 10.0], rtol=1e-9)


def test_a_long_move_is_searched_not_taken_as_one_newton_step() -> None:
    # Costs 1 + x^4 and 7 + x^4, 1 unit on each: costs 2 and 8, slopes 4 and 4. One Newton
    # step would move 6 / 8 = 0.75 of route 1's unit and overshoot (costs 10.4 and 7.0); a
    # move above half the source's flow runs the search, which stops within 10% of the
    # starting difference.
    problem = AssignmentProblem(
        network=network(2, [(0, 1), (0, 1)]),
        costs=LinkCosts(
            base=np.array([1.0, 7.0]),
            coef=np.ones(2),
            capacity=np.ones(2),
            power=np.full(2, 4.0),
        ),
        classes=(travel_class(2, [(0, 1, 2.0)]),),
    )
    solver = two_route_solver(problem, [1.0, 1.0])
    solver.sweep(solver.all_pairs)
    cost = solver.refresh()[0]
    assert solver.path_flow.sum() == pytest.approx(2.0)
    assert abs(cost[0] - cost[1]) <= 0.1 * 6.0


def test_sweeps_visit_every_pair_once_in_fresh_reproducible_runs() -> None:
    problem = grid(12, 30, seed=3)
    run = gradient_projection._ORDER_RUN
    pairs = np.arange(5, problem.num_pairs, dtype=np.int64)  # a count not a multiple of run
    first, second = _Solver(problem), _Solver(problem)
    orders = [first.shuffled(pairs) for _ in range(2)]
    for order in orders:
        assert np.array_equal(np.sort(order), pairs)
        starts = np.flatnonzero(np.diff(order) != 1) + 1  # where a run begins
        lengths = np.diff(np.r_[0, starts, order.shape[0]])
        assert (lengths % run == 0).sum() >= lengths.shape[0] - 1  # only the last is short
    assert not np.array_equal(orders[0], orders[1])  # drawn afresh for every sweep
    assert not np.array_equal(orders[0], pairs)
    assert np.array_equal(second.shuffled(pairs), orders[0])  # the same seed, the same orders


@pytest.mark.parametrize("name", ["grid", "random-own-4", "elastic-braess"])
def test_gauss_seidel_passes_to_the_target_reach_the_same_certified_equilibrium(
    name: str,
) -> None:
    problem = PROBLEMS[name][0]()
    default = solve_equilibrium(problem, algorithm="gp", gap=1e-10, max_iter=2000)
    seidel = solve_equilibrium(problem, algorithm="gp", gap=1e-10, max_iter=2000, options=SEIDEL)
    assert seidel.converged
    assert not seidel.history[-1].gap_estimated  # the stop is certified by an exact pass
    assert evaluate_flows(problem, seidel.flows).relative_gap <= 1e-10
    assert seidel.objective == pytest.approx(default.objective, rel=1e-8)
    # Every pass is Gauss-Seidel (an estimated gap) except the one after an estimate that met
    # the target.
    history = seidel.history
    for before, after in pairwise(history):
        assert after.gap_estimated == (before.relative_gap > 1e-10)


def test_gauss_seidel_passes_visit_the_origin_blocks_in_a_fresh_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = grid(12, 30, seed=3)  # 30 origins: 8 blocks of at most 4
    visited: list[int] = []
    trees = _Solver.trees

    def record(
        self: _Solver, k: int, first: int, last: int, cost: np.ndarray, **options: object
    ) -> None:
        visited.append(first)
        trees(self, k, first, last, cost, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(_Solver, "trees", record)
    solve_equilibrium(problem, algorithm="gp", gap=0.0, max_iter=2, options=SEIDEL)
    blocks = list(range(0, 30, gradient_projection._GS_BLOCK))
    # The first routes' trees come in one block (first origin 0), then two Gauss-Seidel
    # passes of every block, then the exact pass that ends the solve at max_iter.
    count = len(blocks)
    assert len(visited) == 2 + 2 * count
    passes = [visited[1 : 1 + count], visited[1 + count : 1 + 2 * count]]
    for order in passes:
        assert sorted(order) == blocks
    assert passes[0] != blocks
    assert passes[0] != passes[1]


def test_classes_without_fixed_costs_or_own_term_shift_the_same_bits_on_less_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Such a class's shifts read only the shared link costs (``bare``); reading the zero fixed
    # costs and own terms as well must change no bit.
    problem = grid(side=12, zones=16)
    # A class with an own term (or a fixed cost) is not bare.
    owned = replace(problem, classes=(replace(problem.classes[0], own_cost=0.1),))
    assert _Solver(problem).bare.all()
    assert not _Solver(owned).bare.any()
    fast = solve_equilibrium(problem, algorithm="gp", gap=1e-9)
    made = _Solver.__init__

    def full_reads(self: _Solver, *args: object, **kwargs: object) -> None:
        made(self, *args, **kwargs)  # type: ignore[arg-type]
        self.bare[:] = False

    monkeypatch.setattr(_Solver, "__init__", full_reads)
    full = solve_equilibrium(problem, algorithm="gp", gap=1e-9)
    assert np.array_equal(fast.flows.link, full.flows.link)
    assert [r.relative_gap for r in fast.history] == [r.relative_gap for r in full.history]
