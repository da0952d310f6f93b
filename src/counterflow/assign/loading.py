"""All-or-nothing loading and the relative gap of a solution.

:func:`all_or_nothing` loads every class on its least-cost routes at given costs; the same
pass yields the least route cost of every pair, which is what the relative gap needs:

    relative gap = (sum x . c - sum_pairs demand * least cost) / sum x . c

on the flows being judged (DESIGN.md, "Solver"), where for an elastic pair the least cost is
``min(route, W(e))`` and ``x . c`` includes the abstained volume at ``W(e)``. For a convex
Beckmann program the numerator bounds the objective's distance to the optimum from above
(the Frank–Wolfe duality gap), so the gap is a certificate, not a heuristic.

A gap or objective that is not a finite number (costs that overflowed, or NaN) is no
certificate and compares false with every target: :func:`check_finite` stops a solve on it
with a :class:`~counterflow.errors.NumericalError`, and :func:`raise_if_stranded` blames costs
that are not finite rather than a missing path.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from counterflow.assign import _kernels
from counterflow.assign.problem import AssignmentProblem, ClassFlows
from counterflow.errors import DisconnectedDemandError, InvalidParameterError, NumericalError

__all__ = [
    "Evaluation",
    "abstain_costs",
    "all_or_nothing",
    "beckmann_objective",
    "check_finite",
    "class_costs",
    "evaluate_flows",
    "numba_threads",
    "raise_if_stranded",
    "relative_gap",
    "shared_cost",
]

FloatArray = NDArray[np.float64]

_ROW_BUDGET = 1 << 22  # floats in the per-origin row buffer of one block (32 MiB)
# Below this many (origins x nodes) per block, thread start-up costs more than it saves.
_PARALLEL_WORK = 20_000
# What every NumericalError suggests: the usual cause is a number out of scale in the inputs.
_SCALE_HINT = (
    "a number is out of scale (a capacity near 0, a huge demand, power, toll or weight): "
    "check the magnitudes of the inputs"
)


@contextlib.contextmanager
def numba_threads(threads: int | None) -> Iterator[None]:
    """Run the block with ``threads`` numba threads (``None``: leave the setting as it is)."""
    if threads is None:
        yield
        return
    available = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
    if not 1 <= threads <= available:
        raise InvalidParameterError(
            f"threads = {threads}; choose between 1 and {available} (NUMBA_NUM_THREADS)",
            key="threads",
        )
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def shared_cost(problem: AssignmentProblem, link_flow: FloatArray) -> FloatArray:
    """Return the shared cost ``t(X)`` per link."""
    costs = problem.costs
    out = np.empty(problem.network.num_links)
    _kernels.link_cost(costs.base, costs.coef, costs.capacity, costs.power, link_flow, out)
    return out


def class_costs(problem: AssignmentProblem, flows: ClassFlows) -> FloatArray:
    """Return ``c^k = fixed^k + t(X) + own_k x^k`` as an array ``(num_classes, num_links)``."""
    shared = shared_cost(problem, flows.total)
    out = np.empty_like(flows.link)
    for k, travel_class in enumerate(problem.classes):
        out[k] = travel_class.fixed_cost + shared
        if travel_class.own_cost:
            out[k] += travel_class.own_cost * flows.link[k]
    return out


def all_or_nothing(
    problem: AssignmentProblem,
    costs: FloatArray,
    abstain_cost: FloatArray,
) -> tuple[ClassFlows, FloatArray]:
    """Load every pair on its least-cost route, or on its abstain link where that is cheaper.

    Args:
        problem: The assignment problem.
        costs: Class link costs, ``(num_classes, num_links)``.
        abstain_cost: Per pair (flat over classes), the current abstain cost ``W(e)``; ignored
            for inelastic pairs.

    Returns:
        The all-or-nothing flows and, per pair, the least route cost over the network.

    Raises:
        DisconnectedDemandError: An inelastic pair with positive volume has no route.
    """
    network = problem.network
    num_links = network.num_links
    offsets = problem.pair_offsets
    volume, elastic, _, _ = problem.flat_pair_arrays()
    link = np.zeros((problem.num_classes, num_links))
    pair_cost = np.empty(problem.num_pairs)
    to_network = np.empty(problem.num_pairs)
    block = int(max(2, min(64, _ROW_BUDGET // max(num_links, 1))))  # 2: both cores busy
    rows = np.empty((block, num_links))
    for k, travel_class in enumerate(problem.classes):
        demand = travel_class.demand
        lo = int(offsets[k])
        class_cost = costs[k][network.out_links]  # in forward-star order
        for first in range(0, demand.origins.shape[0], block):
            last = min(first + block, demand.origins.shape[0])
            start = demand.pair_start[first : last + 1]
            pairs = slice(lo + int(start[0]), lo + int(start[-1]))
            load = (
                _kernels.load_origins_parallel
                if (last - first) * network.num_nodes >= _PARALLEL_WORK
                else _kernels.load_origins_serial
            )
            load(
                demand.origins[first:last],
                start - start[0],
                demand.destination[start[0] : start[-1]],
                volume[pairs],
                elastic[pairs],
                abstain_cost[pairs],
                network.out_start,
                network.out_links,
                network.tail,
                network.out_head,
                class_cost,
                network.num_blocked_zones,
                rows,
                pair_cost[pairs],
                to_network[pairs],
            )
            _kernels.accumulate_rows(rows, last - first, link[k])
    raise_if_stranded(problem, pair_cost, costs)
    return ClassFlows(link=link, abstain=np.where(elastic, volume - to_network, 0.0)), pair_cost


def raise_if_stranded(
    problem: AssignmentProblem, pair_cost: FloatArray, link_cost: FloatArray | None = None
) -> None:
    """Raise :class:`DisconnectedDemandError` for the first inelastic pair with no route.

    ``link_cost`` (any shape, links last): the costs the routes were sought at. Where one of
    them is not finite, a pair without a finite route may well be connected: the costs
    overflowed, and :class:`NumericalError` says so instead.
    """
    _, elastic, _, _ = problem.flat_pair_arrays()
    stranded = ~elastic & ~np.isfinite(pair_cost)
    if not stranded.any():
        return
    if link_cost is not None:
        _raise_if_costs_not_finite(problem, link_cost)
    flat = int(np.flatnonzero(stranded)[0])
    k = int(np.searchsorted(problem.pair_offsets, flat, side="right")) - 1
    p = flat - int(problem.pair_offsets[k])
    travel_class = problem.classes[k]
    demand = travel_class.demand
    ids = problem.network.node_ids
    error = DisconnectedDemandError(
        f"class {travel_class.name!r}: demand of {demand.volume[p]:g} from node "
        f"{ids[int(demand.origin[p])]} to node {ids[int(demand.destination[p])]} but no path "
        "connects them; remove the demand or add links",
    )
    error.class_index = k
    error.pair_index = p
    raise error


def _raise_if_costs_not_finite(problem: AssignmentProblem, link_cost: FloatArray) -> None:
    """Raise :class:`NumericalError` naming the first link whose cost is not finite."""
    rows = link_cost.reshape(-1, link_cost.shape[-1])
    bad = ~np.isfinite(rows)
    if not bad.any():
        return
    row, link = (int(i[0]) for i in np.nonzero(bad))
    network = problem.network
    ids = network.node_ids
    raise NumericalError(
        f"the cost of link {link + 1} (node {ids[network.tail[link]]} to node "
        f"{ids[network.head[link]]}) is {float(rows[row, link])!r}; {_SCALE_HINT}"
    )


def check_finite(objective: float, gap: float, *, iteration: int, algorithm: str) -> None:
    """Raise :class:`NumericalError` unless ``objective`` and ``gap`` are finite numbers.

    A NaN gap compares false with every target, so a solve that went on would never end.
    """
    if not math.isfinite(objective):
        what, value = "Beckmann objective", objective
    elif not math.isfinite(gap):
        what, value = "relative gap", gap
    else:
        return
    raise NumericalError(
        f"{algorithm}: the {what} is {value!r} at iteration {iteration}; {_SCALE_HINT}"
    )


def abstain_costs(problem: AssignmentProblem, abstain: FloatArray) -> FloatArray:
    """Return ``W(e)`` per pair (``inf`` for inelastic pairs)."""
    _, elastic, base, slope = problem.flat_pair_arrays()
    out = np.full(problem.num_pairs, np.inf)
    out[elastic] = base[elastic] + slope[elastic] * abstain[elastic]
    return out


def beckmann_objective(problem: AssignmentProblem, flows: ClassFlows) -> float:
    """Return the Beckmann objective (fixed, class-own and abstain terms included)."""
    costs = problem.costs
    value = float(
        _kernels.link_cost_integral(
            costs.base, costs.coef, costs.capacity, costs.power, flows.total
        )
    )
    for k, travel_class in enumerate(problem.classes):
        x = flows.link[k]
        value += float(np.sum(travel_class.fixed_cost * x))
        if travel_class.own_cost:
            value += 0.5 * travel_class.own_cost * float(np.sum(x * x))
    _, elastic, base, slope = problem.flat_pair_arrays()
    e = flows.abstain[elastic]
    value += float(np.sum(base[elastic] * e + 0.5 * slope[elastic] * e * e))
    return value


@dataclass(frozen=True, slots=True)
class Evaluation:
    """How good a solution is.

    Attributes:
        relative_gap: ``(total_cost - least_cost) / total_cost`` (0 when both are 0).
        objective: Beckmann objective of the flows.
        total_cost: ``sum x . c`` over classes, links and abstained volume.
        least_cost: ``sum demand * least cost`` over pairs.
        pair_cost: Least route cost per pair over the network (flat over classes).
        descent: All-or-nothing flows at the solution's costs (a Frank–Wolfe target).
        class_cost: Class link costs at the flows, ``(num_classes, num_links)``.
        abstain_cost: Abstain cost ``W(e)`` per pair at the flows (``inf`` if inelastic).
    """

    relative_gap: float
    objective: float
    total_cost: float
    least_cost: float
    pair_cost: FloatArray
    descent: ClassFlows
    class_cost: FloatArray
    abstain_cost: FloatArray


def evaluate_flows(problem: AssignmentProblem, flows: ClassFlows) -> Evaluation:
    """Return the relative gap and objective of ``flows`` (one all-or-nothing pass)."""
    costs = class_costs(problem, flows)
    abstain = abstain_costs(problem, flows.abstain)
    descent, pair_cost = all_or_nothing(problem, costs, abstain)
    gap, total, least_total = relative_gap(problem, flows, costs, pair_cost)
    return Evaluation(
        relative_gap=gap,
        objective=beckmann_objective(problem, flows),
        total_cost=total,
        least_cost=least_total,
        pair_cost=pair_cost,
        descent=descent,
        class_cost=costs,
        abstain_cost=abstain,
    )


def relative_gap(
    problem: AssignmentProblem,
    flows: ClassFlows,
    class_cost: FloatArray,
    pair_cost: FloatArray,
) -> tuple[float, float, float]:
    """Return ``(relative gap, total cost, least cost)`` of ``flows``.

    ``class_cost`` are the class link costs at ``flows`` and ``pair_cost`` the least route
    cost of every pair at those costs.
    """
    volume, elastic, _, _ = problem.flat_pair_arrays()
    abstain = abstain_costs(problem, flows.abstain)
    total = float(np.sum(flows.link * class_cost))
    total += float(np.sum(flows.abstain[elastic] * abstain[elastic]))
    least = np.where(elastic, np.minimum(pair_cost, abstain), pair_cost)
    least_total = float(np.sum(volume * least))
    if not (math.isfinite(total) and math.isfinite(least_total)):
        return math.nan, total, least_total  # no certificate: check_finite stops the solve
    gap = (total - least_total) / total if total > 0 else 0.0
    return gap, total, least_total
