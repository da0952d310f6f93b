"""A scenario's shared world: data, parameters, the status-quo anchor (:func:`prepare`).

:func:`prepare` loads the dataset, resolves parameters, checks the scenario against the data
and solves the status quo with the calibrated supply fixed, which anchors the market
(:func:`counterflow.traffic.market_baseline`: the status quo then reproduces the data exactly).
It also fixes what violence is measured against: the status quo's kg and contested kg per
state, and the baseline homicides.

Every equilibrium of a run is solved by :func:`solve_within_budget`: to its gap within the
budget ``solver.max_iterations`` and ``solver.max_seconds``, or not at all (an error that
names what was solved and the gap it reached).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from counterflow.assign import (
    AssignmentProblem,
    AssignmentResult,
    PathFlows,
    SolverOptions,
    class_costs,
    solve_equilibrium,
)
from counterflow.data import Dataset, load_dataset
from counterflow.errors import InputError, SolverError
from counterflow.orgs import HomicideBaseline, baseline_homicides
from counterflow.policy import resolve_month_policy
from counterflow.scenario import BASELINE_ID, Problem, Scenario, ScenarioError
from counterflow.scenario import check_against_dataset as check_scenario
from counterflow.scenario.parameters import resolve_parameters
from counterflow.traffic import (
    ClassKey,
    PairMarket,
    StateFlows,
    StrategyWorld,
    TraffickingNetwork,
    build_trafficking_network,
    build_world,
    class_loss_shares,
    control_shares,
    market_baseline,
    state_flows,
)

__all__ = [
    "INNER_SHARE",
    "MAX_PATH_HAZARD",
    "SOLVER_GAP",
    "Context",
    "prepare",
    "solve_within_budget",
]

SOLVER_GAP = 1e-6  # relative gap of every monthly equilibrium (1e-4 leaves ~1% flow error)
# Gradient projection's inner-sweep share for the month solves: ~25 coupled classes on 600
# links, where sweeps are cheap. Measured 2026-12-06 on the built-in comparison (months warm-
# started from their strategy's anchor): 0.1 runs it in 8.3 s, 0.01 in 10.0 s, 0.3 slower
# again; the engine's default (0.25) suits large networks. Any value converges to the gap.
INNER_SHARE = 0.1
MAX_PATH_HAZARD = 0.5  # DESIGN.md: least-cost paths must keep sum q_a <= 0.5


@dataclass(frozen=True)
class Context:
    """What every strategy of a scenario shares."""

    scenario: Scenario
    dataset: Dataset
    network: TraffickingNetwork
    parameters: dict[str, float]
    markets: dict[ClassKey, PairMarket]
    shares: dict[str, dict[str, float]] = field(default_factory=dict)
    roots: tuple[str, ...] = ()
    core: dict[str, tuple[str, ...]] = field(default_factory=dict)
    homicides: HomicideBaseline | None = None
    baseline_states: StateFlows | None = None
    baseline_paths: PathFlows | None = None
    baseline_world: StrategyWorld | None = None

    @property
    def states(self) -> tuple[str, ...]:
        """The states that regions are reported for."""
        if self.homicides is not None:
            return self.homicides.states
        return tuple(self.dataset.states)


def prepare(scenario: Scenario) -> Context:
    """Load and check the scenario's world and anchor the market on the status quo."""
    dataset = load_dataset(scenario.network)
    problems = check_scenario(scenario, dataset)
    if problems:
        raise ScenarioError(problems, path=None)
    if dataset.supply.empty:
        raise InputError(
            "the dataset has no supply.csv; run scripts/calibrate.py or add one",
            path=dataset.location,
        )
    parameters = resolve_parameters(scenario.parameters)
    network = build_trafficking_network(dataset)
    # The status quo as it acts with consent at the initial cooperation (every factor 1).
    baseline = resolve_month_policy(
        scenario.get_strategy(BASELINE_ID).levers, consented_this_month=True
    )
    world = build_world(network, dataset, parameters, baseline, dataset.supply)
    result = solve_within_budget(
        world.problem, parameters, what="the status quo (calibration)", inner_share=None
    )
    borders = network.kind == "border"
    visibility = np.where(
        borders, world.alpha * (result.link_flow / world.capacity_kg) ** world.beta, 0.0
    )
    port = np.max(list(world.port_hazard.values()), axis=0) * (1.0 + visibility)
    hazard = world.road_hazard + np.minimum(world.q_max, port)
    worst = _least_path_hazard(network, world.problem, result, hazard)
    if worst > MAX_PATH_HAZARD:
        raise ScenarioError(
            [
                Problem(
                    "parameters",
                    f"a least-cost path has a seizure hazard sum of {worst:.2f} > "
                    f"{MAX_PATH_HAZARD}; lower traffic.road_hazard_per_km or the port rates",
                )
            ],
            path=None,
        )
    markets = market_baseline(
        world, result.pair_cost, class_loss_shares(world, result), parameters, dataset
    )
    shares = control_shares(dataset)
    roots = tuple(sorted(dataset.organizations["org_id"]))
    threshold = parameters["orgs.core_share_threshold"]
    core = {}
    for root in roots:
        own = shares.get(root, {})
        home = tuple(sorted(s for s, v in own.items() if v >= threshold))
        core[root] = home or ((max(own, key=own.__getitem__),) if own else ())
    homicides = None
    if not dataset.homicides.empty:
        homicides = baseline_homicides(
            dataset.homicides, series=scenario.homicide_series, year=scenario.homicide_year
        )
    # The status quo in its market (same flows as the anchor): the baseline of violence.
    status_quo = build_world(
        network, dataset, parameters, baseline, dataset.supply, markets=markets
    )
    anchor = solve_within_budget(
        status_quo.problem,
        parameters,
        what="the status quo in its market",
        initial=result.paths,
        inner_share=None,
    )
    states = homicides.states if homicides is not None else tuple(dataset.states)
    return Context(
        scenario,
        dataset,
        network,
        parameters,
        markets,
        shares=shares,
        roots=roots,
        core=core,
        homicides=homicides,
        baseline_states=state_flows(network, status_quo, anchor, shares, states),
        baseline_paths=anchor.paths,
        baseline_world=status_quo,
    )


def solve_within_budget(
    problem: AssignmentProblem,
    parameters: dict[str, float],
    *,
    what: str,
    gap: float = SOLVER_GAP,
    initial: PathFlows | None = None,
    inner_share: float | None = INNER_SHARE,
) -> AssignmentResult:
    """Solve ``problem`` to ``gap`` within ``solver.max_iterations`` and ``solver.max_seconds``.

    Args:
        problem: The month's (or the status quo's) assignment problem.
        parameters: Resolved parameters; the budget is read from them.
        what: What is solved, for the error (``"strategy 'x', month 3"``).
        gap: The target relative gap.
        initial: Routes to warm-start from.
        inner_share: Gradient projection's inner-sweep share (``None``: the engine's default).

    Raises:
        SolverError: The budget ran out before the gap was reached, or the solve failed
            (costs not finite, say); one line that starts with ``what``.
    """
    max_iterations = int(parameters["solver.max_iterations"])
    max_seconds = parameters["solver.max_seconds"]
    options = SolverOptions(max_seconds=max_seconds)
    if inner_share is not None:
        options = SolverOptions(inner_share=inner_share, max_seconds=max_seconds)
    try:
        result = solve_equilibrium(
            problem, gap=gap, max_iter=max_iterations, initial=initial, options=options
        )
    except SolverError as error:
        raise type(error)(f"{what}: {error}") from None
    if not result.converged:
        spent = (
            f"solver.max_iterations = {max_iterations}"
            if result.iterations >= max_iterations
            else f"solver.max_seconds = {max_seconds:g}"
        )
        raise SolverError(
            f"{what}: the solve stopped at relative gap {result.relative_gap:.3g} (target "
            f"{gap:g}) after {result.iterations} iterations and {result.seconds:.3g} s, its "
            f"budget {spent}; raise it in the scenario's [parameters] or check its inputs"
        )
    return result


def _least_path_hazard(
    network: TraffickingNetwork,
    problem: AssignmentProblem,
    result: AssignmentResult,
    hazard: NDArray[np.float64],
) -> float:
    """Largest hazard sum over the classes' least-cost paths at the solution's costs."""
    graph = network.network
    costs = class_costs(problem, result.flows)
    worst = 0.0
    n = graph.num_nodes
    # Parallel links do not occur in the trafficking graph: (tail, head) names a link.
    link_of = {
        (int(t), int(h)): a for a, (t, h) in enumerate(zip(graph.tail, graph.head, strict=True))
    }
    for k, travel_class in enumerate(problem.classes):
        matrix = csr_matrix((costs[k] + 1e-12, (graph.tail, graph.head)), shape=(n, n))
        _, predecessors = dijkstra(
            matrix, indices=travel_class.demand.origins, return_predecessors=True
        )
        for row in range(predecessors.shape[0]):
            total, node = 0.0, network.sink
            while predecessors[row, node] >= 0:
                parent = int(predecessors[row, node])
                total += float(hazard[link_of[(parent, node)]])
                node = parent
            worst = max(worst, total)
    return worst
