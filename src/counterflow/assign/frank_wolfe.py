"""The Frank–Wolfe family: all-or-nothing, Frank–Wolfe, conjugate and bi-conjugate FW.

* Frank–Wolfe: M. Frank and P. Wolfe (1956), "An algorithm for quadratic programming", *Naval
  Research Logistics Quarterly* 3(1–2), 95–110; for traffic assignment L. J. LeBlanc, E. K.
  Morlok and W. P. Pierskalla (1975), *Transportation Research* 9(5), 309–318.
* Conjugate (CFW) and bi-conjugate (BFW) Frank–Wolfe: M. Mitradjieva and P. O. Lindberg
  (2013), "The stiff is moving — conjugate direction Frank–Wolfe methods with applications to
  traffic assignment", *Transportation Science* 47(2), 280–293.

Each iteration loads every class all-or-nothing at the current costs (which also yields the
relative gap of the current flows, see :mod:`counterflow.assign.loading`), builds a target
``s``, and takes the exact line-search step ``x <- x + step (s - x)``. CFW picks ``s`` on the
segment between the previous target and the all-or-nothing flows so that ``s - x`` is conjugate
to the previous direction with respect to the Hessian at ``x``; BFW picks ``s`` in the convex
hull of the all-or-nothing flows and the last two targets so that it is conjugate to the last
two directions. Where conjugacy would need weights outside [0, 1] (the target would leave the
feasible set) BFW falls back to CFW and CFW to FW, and a direction that does not descend is
replaced by the FW one. The Hessian of the Beckmann program has the shared block ``t'(X)``, the
class-own diagonal ``own_k`` and the abstain slopes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from counterflow.assign import _kernels
from counterflow.assign.loading import (
    Evaluation,
    abstain_costs,
    all_or_nothing,
    check_finite,
    class_costs,
    evaluate_flows,
    numba_threads,
)
from counterflow.assign.problem import AssignmentProblem, ClassFlows, PathFlows
from counterflow.errors import InvalidParameterError

__all__ = [
    "FW_ALGORITHMS",
    "AssignmentResult",
    "IterationRecord",
    "check_initial",
    "solve_frank_wolfe",
]

FloatArray = NDArray[np.float64]
Algorithm = Literal["aon", "fw", "cfw", "bfw"]
FW_ALGORITHMS: tuple[str, ...] = ("aon", "fw", "cfw", "bfw")

_CFW_MAX_WEIGHT = 0.99  # CFW weight kept in [0, 1 - delta]; delta = 0.01, see _target


@dataclass(frozen=True, slots=True)
class IterationRecord:
    """One row of the convergence table.

    ``relative_gap`` and ``objective`` belong to the flows at the start of iteration
    ``iteration``; ``direction`` and ``step`` describe the move made from them (``step`` is
    NaN for the last row and for gradient projection). ``seconds`` counts from the start of
    the solve. ``gap_estimated`` marks a gap measured while the flows moved (gradient
    projection's Gauss–Seidel passes); the last row's gap is always exact.
    """

    iteration: int
    relative_gap: float
    objective: float
    direction: str
    step: float
    seconds: float
    gap_estimated: bool = False


@dataclass(frozen=True, slots=True)
class AssignmentResult:
    """The solution of an assignment and how it was reached.

    Attributes:
        flows: Class link flows and abstained volume.
        relative_gap: Relative gap of ``flows`` (DESIGN.md definition).
        objective: Beckmann objective of ``flows``.
        iterations: Line-search updates made.
        converged: Whether ``relative_gap <= gap`` was reached.
        algorithm: The algorithm that ran.
        seconds: Wall time of the solve (after compilation).
        history: The convergence table, one record per evaluated iterate.
        pair_cost: Least route cost per pair at ``flows`` (flat over classes).
        paths: The routes behind ``flows`` (path-based solver only; ``None`` otherwise): pass
            them as ``initial`` to warm-start the next solve exactly.
        route_count: Routes the path-based solver held at the end (``None`` for the FW
            family), whether or not ``paths`` was kept.
        route_bytes: Bytes the path-based solver's routes take at the end: their steps in its
            store (4 bytes each, or 1 with compact routes) and its path table.
    """

    flows: ClassFlows
    relative_gap: float
    objective: float
    iterations: int
    converged: bool
    algorithm: str
    seconds: float
    history: tuple[IterationRecord, ...]
    pair_cost: FloatArray
    paths: PathFlows | None = None
    route_count: int | None = None
    route_bytes: int | None = None

    @property
    def link_flow(self) -> FloatArray:
        """Total flow per link."""
        return self.flows.total


class _Space:
    """Flat vectors ``[class link flows..., abstained volume...]`` and their Hessian products."""

    def __init__(self, problem: AssignmentProblem) -> None:
        self.problem = problem
        self.num_classes = problem.num_classes
        self.num_links = problem.network.num_links
        self.split = self.num_classes * self.num_links
        _, self.elastic, base, slope = problem.flat_pair_arrays()
        self.base = base[self.elastic]
        self.slope = slope[self.elastic]
        self.own = np.array([c.own_cost for c in problem.classes])
        self.fixed = np.stack([c.fixed_cost for c in problem.classes])

    def pack(self, flows: ClassFlows) -> FloatArray:
        return np.concatenate([flows.link.ravel(), flows.abstain])

    def unpack(self, z: FloatArray) -> ClassFlows:
        return ClassFlows(
            link=z[: self.split].reshape(self.num_classes, self.num_links),
            abstain=z[self.split :],
        )

    def links(self, z: FloatArray) -> FloatArray:
        return z[: self.split].reshape(self.num_classes, self.num_links)

    def total(self, z: FloatArray) -> FloatArray:
        total: FloatArray = np.sum(self.links(z), axis=0)
        return total

    def abstained(self, z: FloatArray) -> FloatArray:
        return z[self.split :][self.elastic]

    def hessian_dot(self, hessian: FloatArray, u: FloatArray, v: FloatArray) -> float:
        """``u' H v`` for the Beckmann Hessian at the point where ``hessian = t'(X)``."""
        value = float(np.sum(hessian * self.total(u) * self.total(v)))
        if self.own.any():
            value += float(np.sum(self.own[:, None] * self.links(u) * self.links(v)))
        if self.slope.shape[0]:
            value += float(np.sum(self.slope * self.abstained(u) * self.abstained(v)))
        return value

    def line_search(self, z: FloatArray, d: FloatArray) -> float:
        x, dx = self.links(z), self.links(d)
        linear = float(np.sum((self.fixed + self.own[:, None] * x) * dx))
        quadratic = float(np.sum(self.own[:, None] * dx * dx))
        e, de = self.abstained(z), self.abstained(d)
        if e.shape[0]:
            linear += float(np.sum((self.base + self.slope * e) * de))
            quadratic += float(np.sum(self.slope * de * de))
        costs = self.problem.costs
        step, _ = _kernels.line_search(
            costs.base,
            costs.coef,
            costs.capacity,
            costs.power,
            self.total(z),
            self.total(d),
            linear,
            quadratic,
        )
        return float(step)


def check_initial(problem: AssignmentProblem, initial: ClassFlows) -> None:
    """Check shape, sign and per-class node conservation of a warm start."""
    shape = (problem.num_classes, problem.network.num_links)
    if initial.link.shape != shape or initial.abstain.shape != (problem.num_pairs,):
        raise InvalidParameterError(
            f"warm-start flows have shape {initial.link.shape} and {initial.abstain.shape}; "
            f"expected {shape} and ({problem.num_pairs},)",
            key="initial",
        )
    if not (np.isfinite(initial.link).all() and np.isfinite(initial.abstain).all()):
        raise InvalidParameterError("warm-start flows must be finite", key="initial")
    volume, _, _, _ = problem.flat_pair_arrays()
    scale = max(float(volume.sum()), 1.0)
    tolerance = 1e-6 * scale
    if (initial.link < -tolerance).any() or (initial.abstain < -tolerance).any():
        raise InvalidParameterError("warm-start flows must be >= 0", key="initial")
    if (initial.abstain > volume + tolerance).any():
        raise InvalidParameterError(
            "warm-start abstained volume exceeds a pair's demand", key="initial"
        )
    network = problem.network
    offsets = problem.pair_offsets
    for k, travel_class in enumerate(problem.classes):
        demand = travel_class.demand
        sent = demand.volume - initial.abstain[offsets[k] : offsets[k + 1]]
        balance = np.bincount(network.head, initial.link[k], network.num_nodes)
        balance -= np.bincount(network.tail, initial.link[k], network.num_nodes)
        balance -= np.bincount(demand.destination, sent, network.num_nodes)
        balance += np.bincount(demand.origin, sent, network.num_nodes)
        worst = float(np.abs(balance).max()) if balance.size else 0.0
        if worst > tolerance:
            node = int(np.abs(balance).argmax())
            raise InvalidParameterError(
                f"warm-start flows of class {travel_class.name!r} are not conserved at node "
                f"{network.node_ids[node]} (imbalance {worst:g}); pass flows of a solution "
                "for the same demand",
                key="initial",
            )


def check_max_seconds(max_seconds: float | None) -> None:
    """Raise :class:`InvalidParameterError` unless ``max_seconds`` is ``None`` or > 0."""
    if max_seconds is not None and not (np.isfinite(max_seconds) and max_seconds > 0):
        raise InvalidParameterError(
            f"max_seconds = {max_seconds!r}; give a number of seconds > 0 such as 600, or None",
            key="max_seconds",
        )


def solve_frank_wolfe(
    problem: AssignmentProblem,
    *,
    algorithm: Algorithm = "bfw",
    gap: float = 1e-6,
    max_iter: int | None = None,
    initial: ClassFlows | None = None,
    threads: int | None = None,
    callback: Callable[[IterationRecord], None] | None = None,
    max_seconds: float | None = None,
) -> AssignmentResult:
    """Solve the assignment with a Frank–Wolfe-family algorithm.

    Args:
        problem: What to assign.
        algorithm: ``"aon"`` (one all-or-nothing load at free-flow costs), ``"fw"``, ``"cfw"``
            or ``"bfw"``.
        gap: Stop when the relative gap of the current flows is at most this.
        max_iter: Stop after this many updates (``None``: no limit).
        initial: Warm-start flows (a solution for the same demand); default: all-or-nothing
            at free-flow costs.
        threads: numba threads for the shortest paths (results do not depend on it).
        callback: Called with each convergence record as it is made.
        max_seconds: Stop at the first evaluation after this many seconds (``None``: no limit);
            the result then reports the gap of the flows it returns and is not converged
            unless that gap meets ``gap``.

    Returns:
        The flows, their relative gap and objective, and the convergence table.
    """
    if algorithm not in FW_ALGORITHMS:
        raise InvalidParameterError(
            f"unknown algorithm {algorithm!r}; choose one of {', '.join(FW_ALGORITHMS)}",
            key="algorithm",
        )
    if not np.isfinite(gap) or gap < 0:
        raise InvalidParameterError(f"gap = {gap!r}; give a number >= 0 such as 1e-6", key="gap")
    if max_iter is not None and max_iter < 0:
        raise InvalidParameterError(f"max_iter = {max_iter}; give an integer >= 0", key="max_iter")
    check_max_seconds(max_seconds)
    space = _Space(problem)
    with numba_threads(threads):
        started = time.perf_counter()
        if initial is None:
            zero = ClassFlows(
                link=np.zeros((problem.num_classes, problem.network.num_links)),
                abstain=np.zeros(problem.num_pairs),
            )
            z = space.pack(all_or_nothing_at(problem, zero))
        else:
            check_initial(problem, initial)
            z = space.pack(initial)
            z = np.maximum(z, 0.0)
        history: list[IterationRecord] = []
        previous: list[FloatArray] = []  # the last two targets, newest first
        steps: list[float] = []
        iteration = 0
        while True:
            evaluation = evaluate_flows(problem, space.unpack(z))
            check_finite(
                evaluation.objective,
                evaluation.relative_gap,
                iteration=iteration,
                algorithm=algorithm,
            )
            done = evaluation.relative_gap <= gap
            stop = (
                done
                or algorithm == "aon"
                or (max_iter is not None and iteration >= max_iter)
                or (max_seconds is not None and time.perf_counter() - started >= max_seconds)
            )
            if stop:
                history.append(
                    IterationRecord(
                        iteration,
                        evaluation.relative_gap,
                        evaluation.objective,
                        "",
                        float("nan"),
                        time.perf_counter() - started,
                    )
                )
                if callback is not None:
                    callback(history[-1])
                break
            target, kind = _target(
                space,
                algorithm=algorithm,
                z=z,
                evaluation=evaluation,
                previous=previous,
                steps=steps,
            )
            direction = target - z
            step = space.line_search(z, direction)
            z = z + step * direction
            previous = [target, *previous[:1]]
            steps = [step, *steps[:1]]
            history.append(
                IterationRecord(
                    iteration,
                    evaluation.relative_gap,
                    evaluation.objective,
                    kind,
                    step,
                    time.perf_counter() - started,
                )
            )
            if callback is not None:
                callback(history[-1])
            iteration += 1
        seconds = time.perf_counter() - started
    return AssignmentResult(
        flows=space.unpack(z.copy()),
        relative_gap=evaluation.relative_gap,
        objective=evaluation.objective,
        iterations=iteration,
        converged=bool(evaluation.relative_gap <= gap),
        algorithm=algorithm,
        seconds=seconds,
        history=tuple(history),
        pair_cost=evaluation.pair_cost,
    )


def all_or_nothing_at(problem: AssignmentProblem, flows: ClassFlows) -> ClassFlows:
    """Return the all-or-nothing flows at the costs of ``flows``."""
    loaded, _ = all_or_nothing(
        problem, class_costs(problem, flows), abstain_costs(problem, flows.abstain)
    )
    return loaded


def _target(
    space: _Space,
    *,
    algorithm: str,
    z: FloatArray,
    evaluation: Evaluation,
    previous: list[FloatArray],
    steps: list[float],
) -> tuple[FloatArray, str]:
    """Return the target ``s`` of this iteration and which rule produced it."""
    y = space.pack(evaluation.descent)
    if algorithm == "fw" or not previous:
        return y, "fw"
    costs = space.problem.costs
    hessian = np.empty(space.num_links)
    _kernels.link_cost_derivative(
        costs.base, costs.coef, costs.capacity, costs.power, space.total(z), hessian
    )
    a = y - z
    b = previous[0] - z
    if algorithm == "bfw" and len(previous) == 2 and steps[0] < 1.0:
        target = _bfw_target(
            space, hessian=hessian, z=z, y=y, previous=previous, last_step=steps[0]
        )
        if target is not None and _descends(space, z, evaluation, target):
            return target, "bfw"
    hab = space.hessian_dot(hessian, a, b)
    hbb = space.hessian_dot(hessian, b, b)
    denominator = hab - hbb
    weight = hab / denominator if denominator != 0.0 else 0.0
    weight = min(max(weight, 0.0), _CFW_MAX_WEIGHT)
    if weight > 0.0:
        target = weight * previous[0] + (1.0 - weight) * y
        if _descends(space, z, evaluation, target):
            return target, "cfw"
    return y, "fw"


def _bfw_target(
    space: _Space,
    *,
    hessian: FloatArray,
    z: FloatArray,
    y: FloatArray,
    previous: list[FloatArray],
    last_step: float,
) -> FloatArray | None:
    """The BFW target ``b0 y + b1 s1 + b2 s2``, conjugate to the last two directions.

    ``s1 - x`` is parallel to the last direction and ``last_step s1 - x + (1 - last_step) s2``
    to the one before (Mitradjieva & Lindberg 2013, section 3.2). Solves the two conjugacy
    conditions with ``b0 + b1 + b2 = 1``; returns ``None`` where the system is singular or a
    weight is negative (the target would leave the feasible set).
    """
    s1, s2 = previous
    a, b, c = y - z, s1 - z, s2 - z
    p1 = b
    p2 = last_step * s1 - z + (1.0 - last_step) * s2
    m11 = space.hessian_dot(hessian, b - a, p1)
    m12 = space.hessian_dot(hessian, c - a, p1)
    m21 = space.hessian_dot(hessian, b - a, p2)
    m22 = space.hessian_dot(hessian, c - a, p2)
    r1 = -space.hessian_dot(hessian, a, p1)
    r2 = -space.hessian_dot(hessian, a, p2)
    determinant = m11 * m22 - m12 * m21
    scale = abs(m11 * m22) + abs(m12 * m21)
    if scale == 0.0 or abs(determinant) <= 1e-12 * scale:
        return None
    beta1 = (r1 * m22 - m12 * r2) / determinant
    beta2 = (m11 * r2 - m21 * r1) / determinant
    beta0 = 1.0 - beta1 - beta2
    if beta1 < 0.0 or beta2 < 0.0 or beta0 <= 0.0:
        return None
    return beta0 * y + beta1 * s1 + beta2 * s2


def _descends(space: _Space, z: FloatArray, evaluation: Evaluation, target: FloatArray) -> bool:
    """Whether ``target - z`` is a strict descent direction of the objective at ``z``."""
    d = target - z
    slope = float(np.sum(evaluation.class_cost * space.links(d)))
    if space.slope.shape[0]:
        slope += float(np.sum(evaluation.abstain_cost[space.elastic] * space.abstained(d)))
    return slope < 0.0
