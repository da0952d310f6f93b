"""The one composition point: a scenario's world, and one strategy's run through it.

:func:`prepare` loads the dataset, resolves parameters, checks the scenario against the data
and solves the status quo with the calibrated supply fixed, which anchors elastic supply
(:func:`counterflow.traffic.elastic_terms`: the status quo then reproduces the data exactly).
:func:`simulate` runs one strategy month by month. In this version the world is static from
month to month (no organizations in time yet), so each strategy is one equilibrium repeated
over the horizon; the monthly loop and warm starts arrive with the dynamics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from counterflow.assign import AssignmentProblem, AssignmentResult, class_costs, solve_equilibrium
from counterflow.data import Dataset, load_dataset
from counterflow.errors import InputError, SolverError
from counterflow.scenario import BASELINE_ID, Problem, Scenario, ScenarioError, Strategy
from counterflow.scenario import check_against_dataset as check_scenario
from counterflow.scenario.parameters import resolve_parameters
from counterflow.traffic import (
    ClassKey,
    TraffickingNetwork,
    build_trafficking_network,
    build_world,
    elastic_terms,
    month_flows,
)

__all__ = ["SOLVER_GAP", "Context", "RunResult", "prepare", "simulate"]

SOLVER_GAP = 1e-6  # relative gap of every monthly equilibrium (1e-4 leaves ~1% flow error)
MAX_PATH_HAZARD = 0.5  # DESIGN.md: least-cost paths must keep sum q_a <= 0.5


@dataclass(frozen=True)
class Context:
    """What every strategy of a scenario shares."""

    scenario: Scenario
    dataset: Dataset
    network: TraffickingNetwork
    parameters: dict[str, float]
    elastic: dict[ClassKey, tuple[NDArray[np.float64], NDArray[np.float64]]]


@dataclass(frozen=True)
class RunResult:
    """One strategy's run: per month, kg per drug and per crossing, and link flows.

    ``by_drug`` and ``crossings`` carry a ``month`` column (1-based); ``link_kg`` is the
    monthly flow per link of the network (kg), for maps.
    """

    strategy: str
    by_drug: pd.DataFrame
    crossings: pd.DataFrame
    link_kg: NDArray[np.float64]
    relative_gap: float


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
    return Context(scenario, dataset, network, parameters, terms)


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


def simulate(context: Context, strategy: Strategy) -> RunResult:
    """Run one strategy over the scenario's horizon."""
    world = build_world(
        context.network,
        context.dataset,
        context.parameters,
        strategy.levers,
        context.dataset.supply,
        elastic=context.elastic,
    )
    result = solve_equilibrium(world.problem, gap=SOLVER_GAP)
    if not result.converged:
        raise SolverError(f"strategy {strategy.id!r} did not reach gap {SOLVER_GAP:g}")
    month = month_flows(context.network, world, result)
    months = range(1, context.scenario.months + 1)
    by_drug = pd.concat([month.by_drug.assign(month=m) for m in months], ignore_index=True)
    crossings = pd.concat([month.crossings.assign(month=m) for m in months], ignore_index=True)
    return RunResult(strategy.id, by_drug, crossings, result.link_flow, result.relative_gap)
