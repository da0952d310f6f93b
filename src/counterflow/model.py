"""The one composition point: a scenario's world, and one strategy's run through it.

:func:`prepare` loads the dataset, resolves parameters, checks the scenario against the data
and solves the status quo with the calibrated supply fixed, which anchors elastic supply
(:func:`counterflow.traffic.elastic_terms`: the status quo then reproduces the data exactly).

:func:`simulate` runs one strategy for one replication, month by month (DESIGN.md,
"Dynamics"): the levers set enforcement, supply and costs; leadership removals are drawn per
organization (:mod:`counterflow.orgs.leadership`, common random numbers); a removal may split
an organization into factions that contest its ground (:mod:`counterflow.orgs.factions`);
flows re-equilibrate; violence and civilian harm follow (:mod:`counterflow.orgs.violence`,
:mod:`counterflow.orgs.harm`).

A month's equilibrium depends only on the strategy and on which organizations have split and
whether their ground is still contested (the *world key*). Each world is solved once, warm-
started from the routes of its predecessor key (the same world one change earlier: in a run,
last month's), so results never depend on the order in which replications run; a
:class:`WorldCache` shares solved worlds between the replications of a strategy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from counterflow.assign import (
    AssignmentProblem,
    AssignmentResult,
    PathFlows,
    class_costs,
    solve_equilibrium,
)
from counterflow.data import Dataset, load_dataset
from counterflow.errors import InputError, SolverError
from counterflow.orgs import (
    Factions,
    HomicideBaseline,
    OrgState,
    Removal,
    RemovalDraws,
    baseline_homicides,
    civilian_deaths,
    draw_removals,
    monthly_homicides,
    removal_effects,
    removal_probability,
)
from counterflow.scenario import BASELINE_ID, Levers, Problem, Scenario, ScenarioError, Strategy
from counterflow.scenario import check_against_dataset as check_scenario
from counterflow.scenario.parameters import resolve_parameters
from counterflow.traffic import (
    ClassKey,
    StateFlows,
    StrategyWorld,
    TraffickingNetwork,
    build_trafficking_network,
    build_world,
    control_shares,
    elastic_terms,
    enforcement_by_state,
    month_flows,
    state_flows,
)

__all__ = [
    "SOLVER_GAP",
    "Context",
    "RunResult",
    "WorldCache",
    "build_month_world",
    "prepare",
    "simulate",
]

WorldKey = tuple[tuple[str, bool], ...]

SOLVER_GAP = 1e-6  # relative gap of every monthly equilibrium (1e-4 leaves ~1% flow error)
# Gradient projection's inner-sweep share for this network: ~25 coupled classes on 600 links,
# where sweeps are cheap and a warm start after a split needs 4 iterations instead of 36
# (measured: benchmarks/warm_start.py; any value converges to SOLVER_GAP).
INNER_SHARE = 0.01
MAX_PATH_HAZARD = 0.5  # DESIGN.md: least-cost paths must keep sum q_a <= 0.5


@dataclass(frozen=True)
class Context:
    """What every strategy of a scenario shares."""

    scenario: Scenario
    dataset: Dataset
    network: TraffickingNetwork
    parameters: dict[str, float]
    elastic: dict[ClassKey, tuple[NDArray[np.float64], NDArray[np.float64]]]
    shares: dict[str, dict[str, float]] = field(default_factory=dict)
    roots: tuple[str, ...] = ()
    core: dict[str, tuple[str, ...]] = field(default_factory=dict)
    homicides: HomicideBaseline | None = None
    baseline_states: StateFlows | None = None
    baseline_paths: PathFlows | None = None
    baseline_world: StrategyWorld | None = None


@dataclass(frozen=True)
class RunResult:
    """One strategy's run in one replication.

    ``by_drug`` and ``crossings`` carry a ``month`` column (1-based); ``regions`` has per month
    and state ``homicides``, ``flow_kg`` and ``contested_flow_kg`` (empty when the dataset has
    no homicide counts); ``link_kg`` is the first month's flow per link (kg), for maps.
    """

    strategy: str
    by_drug: pd.DataFrame
    crossings: pd.DataFrame
    link_kg: NDArray[np.float64]
    relative_gap: float
    replication: int = 0
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)
    removals: tuple[Removal, ...] = ()
    strikes: int = 0
    civilian_harm: float = 0.0

    @property
    def fragmentation_events(self) -> int:
        """Organizations split over the horizon."""
        return sum(1 for removal in self.removals if removal.fragmented)


def prepare(scenario: Scenario) -> Context:
    """Load and check the scenario's world and anchor elastic supply on the status quo."""
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
    baseline = scenario.get_strategy(BASELINE_ID).levers
    world = build_world(network, dataset, parameters, baseline, dataset.supply)
    result = solve_equilibrium(world.problem, gap=SOLVER_GAP)
    if not result.converged:
        raise SolverError(f"the status quo did not reach gap {SOLVER_GAP:g}")
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
    terms = elastic_terms(world, result.pair_cost, parameters["traffic.supply_elasticity"])
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
    # The status quo with elastic supply (same flows as the anchor): the baseline of violence.
    status_quo = build_world(network, dataset, parameters, baseline, dataset.supply, elastic=terms)
    anchor = solve_equilibrium(status_quo.problem, gap=SOLVER_GAP, initial=result.paths)
    states = homicides.states if homicides is not None else tuple(dataset.states)
    return Context(
        scenario,
        dataset,
        network,
        parameters,
        terms,
        shares=shares,
        roots=roots,
        core=core,
        homicides=homicides,
        baseline_states=state_flows(network, status_quo, anchor, shares, states),
        baseline_paths=anchor.paths,
        baseline_world=status_quo,
    )


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


@dataclass(frozen=True)
class SolvedWorld:
    """One world key's equilibrium and what it means in kg, per month."""

    world: StrategyWorld
    factions: Factions
    result: AssignmentResult
    by_drug: pd.DataFrame
    crossings: pd.DataFrame
    states: StateFlows
    seconds_warm: bool


@dataclass
class WorldCache:
    """Solved worlds of one strategy, shared by its replications (results do not depend on it)."""

    strategy: str
    worlds: dict[WorldKey, SolvedWorld] = field(default_factory=dict)


def _predecessor(key: WorldKey) -> WorldKey | None:
    """The same world one change earlier: the last split's ground still contested, or unsplit."""
    if not key:
        return None
    *rest, (root, fighting) = key
    if fighting:
        return tuple(rest)
    return tuple(sorted([*rest, (root, True)]))


def _supply_and_elastic(
    context: Context, factions: Factions
) -> tuple[pd.DataFrame, dict[ClassKey, tuple[NDArray[np.float64], NDArray[np.float64]]]]:
    """Supply rows and elastic terms of the active organizations (factions take a share)."""
    supply = context.dataset.supply
    rows = []
    elastic: dict[ClassKey, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    for org, weight in factions.weight.items():
        root = factions.root_of[org]
        own = supply[supply["org_id"] == root]
        if own.empty:
            continue
        rows.append(own.assign(org_id=org, kg_per_month=own["kg_per_month"] * weight))
        for (key_org, drug), (potential, slope) in (
            ((k.org, k.drug), v) for k, v in context.elastic.items() if k.org == root
        ):
            del key_org
            elastic[ClassKey(org, drug)] = (potential * weight, slope / weight)
    return pd.concat(rows, ignore_index=True), elastic


def build_month_world(context: Context, strategy: Strategy, factions: Factions) -> StrategyWorld:
    """The assignment problem of a strategy's month with these organizations."""
    supply, elastic = _supply_and_elastic(context, factions)
    return build_world(
        context.network,
        context.dataset,
        context.parameters,
        strategy.levers,
        supply,
        elastic=elastic,
        shares=factions.shares,
        root_of=factions.root_of,
    )


def _carry_paths(
    old: StrategyWorld,
    old_weight: dict[str, float],
    paths: PathFlows,
    new: StrategyWorld,
    new_factions: Factions,
) -> PathFlows | None:
    """The old solution's routes for the new world's pairs (a faction starts from its share)."""
    offsets = old.problem.pair_offsets
    where: dict[tuple[str, str, int], int] = {}
    for k, key in enumerate(old.classes):
        for i, origin in enumerate(old.problem.classes[k].demand.origin):
            where[(key.org, key.drug, int(origin))] = int(offsets[k]) + i
    pairs: list[int] = []
    scale: list[float] = []
    for k, key in enumerate(new.classes):
        root = new_factions.root_of.get(key.org, key.org)
        weight = new_factions.weight.get(key.org, 1.0)
        for origin in new.problem.classes[k].demand.origin:
            for source in (key.org, root):
                index = where.get((source, key.drug, int(origin)))
                if index is not None:
                    pairs.append(index)
                    scale.append(weight / old_weight.get(source, 1.0))
                    break
            else:
                return None
    return paths.take(np.array(pairs, dtype=np.int64), np.array(scale))


def _solve_world(
    context: Context, strategy: Strategy, key: WorldKey, factions: Factions, cache: WorldCache
) -> SolvedWorld:
    """The equilibrium of one world key, warm-started from its predecessor's routes."""
    if key in cache.worlds:
        return cache.worlds[key]
    world = build_month_world(context, strategy, factions)
    previous = _predecessor(key)
    if previous is None:
        source_world, source_weight = context.baseline_world, {}
        source_paths = context.baseline_paths
    else:
        before = _solve_world(context, strategy, previous, _factions_of(context, previous), cache)
        source_world, source_weight = before.world, before.factions.weight
        source_paths = before.result.paths
    initial = None
    if source_world is not None and source_paths is not None:
        initial = _carry_paths(source_world, source_weight, source_paths, world, factions)
    result = solve_equilibrium(
        world.problem, gap=SOLVER_GAP, initial=initial, inner_share=INNER_SHARE
    )
    if not result.converged:
        raise SolverError(f"strategy {strategy.id!r} did not reach gap {SOLVER_GAP:g}")
    month = month_flows(context.network, world, result)
    states = (
        context.homicides.states if context.homicides is not None else tuple(context.dataset.states)
    )
    solved = SolvedWorld(
        world,
        factions,
        result,
        month.by_drug,
        month.crossings,
        state_flows(context.network, world, result, factions.shares, states),
        initial is not None,
    )
    cache.worlds[key] = solved
    return solved


def _factions_of(context: Context, key: WorldKey) -> Factions:
    """The organizations of a world key (split months chosen to give the key's contest status)."""
    duration = context.parameters["orgs.contest_months"]
    month = 10**6
    split = {
        root: (month if fighting else month - int(np.ceil(duration))) for root, fighting in key
    }
    return OrgState(context.roots, split).factions(month, context.shares, context.parameters)


def _repeat_months(frames: list[tuple[pd.DataFrame, list[int]]]) -> pd.DataFrame:
    """Each frame repeated for its months, with a ``month`` column, sorted by month."""
    parts = []
    for frame, months in frames:
        rows = np.tile(np.arange(len(frame)), len(months))
        part = frame.iloc[rows].reset_index(drop=True)
        part.insert(0, "month", np.repeat(np.asarray(months, dtype=np.int64), len(frame)))
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values("month", kind="stable").reset_index(drop=True)


def simulate(
    context: Context,
    strategy: Strategy,
    *,
    replication: int = 0,
    future: int = 0,
    cache: WorldCache | None = None,
) -> RunResult:
    """Run one strategy over the scenario's horizon in one replication (module docstring)."""
    scenario = context.scenario
    params = context.parameters
    levers = strategy.levers
    months = scenario.months
    cache = (
        cache if cache is not None and cache.strategy == strategy.id else WorldCache(strategy.id)
    )
    removal = levers.leadership_removal
    active = removal is not None and removal.intensity > 0
    draws = None
    success = 0.0
    if active:
        assert removal is not None
        draws = RemovalDraws.spawn(
            scenario.seed,
            future=future,
            replication=replication,
            num_roots=len(context.roots),
            months=months,
        )
        success = removal_probability(
            removal.method, levers.isr_coverage, consent=levers.consent, params=params
        )
    slot = {root: 3 * i for i, root in enumerate(context.roots)}
    state = OrgState(context.roots)
    removals: list[Removal] = []
    strikes = 0
    by_month: list[SolvedWorld] = []
    for month in range(1, months + 1):
        if active:
            assert removal is not None
            assert draws is not None
            current = state.factions(month, context.shares, params)
            orgs = {}
            for org, root in current.root_of.items():
                offset = 0 if org == root else 1 + int(org.endswith("-b"))
                orgs[org] = (root, slot[root] + offset)
            events, attempts = draw_removals(
                month,
                orgs,
                draws,
                method=removal.method,
                intensity=removal.intensity,
                success=success,
                params=params,
                can_split={org: org == root for org, root in current.root_of.items()},
            )
            if removal.method == "strike":
                strikes += attempts
            for event in events:
                removals.append(event)
                if event.fragmented:
                    state = state.split(event.root, month)
        factions = state.factions(month, context.shares, params)
        by_month.append(_solve_world(context, strategy, factions.key, factions, cache))

    groups: dict[int, tuple[SolvedWorld, list[int]]] = {}
    for month, solved in enumerate(by_month, start=1):
        groups.setdefault(id(solved), (solved, []))[1].append(month)
    by_drug = _repeat_months([(s.by_drug, m) for s, m in groups.values()])
    crossings = _repeat_months([(s.crossings, m) for s, m in groups.values()])
    regions = _regions(context, levers, removals, by_month)
    harm = civilian_deaths(strikes, levers.isr_coverage, params)
    return RunResult(
        strategy.id,
        by_drug,
        crossings,
        by_month[0].result.link_flow,
        max(s.result.relative_gap for s in by_month),
        replication=replication,
        regions=regions,
        removals=tuple(removals),
        strikes=strikes,
        civilian_harm=harm,
    )


def _regions(
    context: Context, levers: Levers, removals: list[Removal], by_month: list[SolvedWorld]
) -> pd.DataFrame:
    """Homicides, kg and contested kg per month and state (empty without homicide data)."""
    baseline = context.homicides
    anchor = context.baseline_states
    if baseline is None or anchor is None:
        return pd.DataFrame()
    months = len(by_month)
    flow = np.stack([s.states.flow_kg for s in by_month])
    contested = np.stack([s.states.contested_kg for s in by_month])
    crackdown_of = enforcement_by_state(context.dataset, context.parameters, levers)
    crackdown = np.array([crackdown_of.get(s, 1.0) for s in baseline.states])
    effects = removal_effects(
        removals,
        states=baseline.states,
        core=context.core,
        neighbours=context.dataset.neighbours,
        months=months,
        params=context.parameters,
    )
    violence = monthly_homicides(
        baseline,
        flow0=anchor.flow_kg,
        contested0=anchor.contested_kg,
        contested=contested,
        removals=effects,
        crackdown=crackdown,
        params=context.parameters,
    )
    count = len(baseline.states)
    return pd.DataFrame(
        {
            "month": np.repeat(np.arange(1, months + 1), count),
            "state_code": np.tile(baseline.states, months),
            "state_name": np.tile(baseline.names, months),
            "homicides": violence.homicides.ravel(),
            "flow_kg": flow.ravel(),
            "contested_flow_kg": contested.ravel(),
        }
    )
