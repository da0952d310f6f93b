"""Path-based user equilibrium by gradient projection.

R. Jayakrishnan, W. K. Tsai, J. N. Prashker and S. Rajadhyaksha (1994), "A faster path-based
algorithm for traffic assignment", *Transportation Research Record* 1443, 75–83; with the
column generation and inner iterations as compared in A. Chen, D.-H. Lee and R. Jayakrishnan
(2002), "Computational study of state-of-the-art path-based traffic assignment algorithms",
*Mathematics and Computers in Simulation* 59(6), 509–518 (see also M. Patriksson, *The Traffic
Assignment Problem*, 1994).

Every pair keeps the set of routes it has used. One iteration:

1. **Evaluate and generate columns.** One shortest-path tree per origin and class at the
   current costs (in parallel): the least route cost of every pair gives the relative gap of
   the current flows (the DESIGN.md definition, as :func:`evaluate_flows` computes it), and a
   tree path strictly cheaper than all the pair's stored routes joins its set. The solve stops
   here once the gap is reached, so the reported gap is that of the returned flows.
2. **Shift flow** pair by pair (Gauss–Seidel, one thread, in a random order drawn afresh for
   every sweep from a fixed seed, so the solve is reproducible): from every costlier
   route, and from the abstain option of an elastic pair (the excess-demand link of Gartner
   1980), to the cheapest, by the exact minimizer of the Beckmann objective along that move
   (safeguarded Newton on the cost difference over the links the two routes do not share;
   one Newton step when it moves at most half the source's flow). A pair whose routes are within a
   small share (``_SKIP_SHARE``) of the current gap of each other is left as it is: it adds
   at most that share to the gap. Routes that lose all their flow and are not shortest are
   dropped at the next iteration.
3. **Inner sweeps** repeat step 2 over the pairs with more than one option, without new
   trees, while the restricted problem's gap is above a share of the full one: shifting on
   known routes is much cheaper than a tree per origin.

While the gap is above ``gauss_seidel_until`` (:class:`SolverOptions`) the trees of step 1 are
instead built a few origins at a time, the blocks in a fresh random order, between the shifts
of step 2, so that each block sees the costs the earlier blocks left; the gap of such a pass
is an estimate, and the solve stops only on an exact one. On large networks such a
pass is pipelined: a worker thread builds the next block's trees while this thread shifts the
current block's pairs (the shifts are sequential; the trees are not), and the first inner sweep
of step 3 is folded into the pass, one slice of the pairs after each block's shifts, so that
this thread sweeps while the worker finishes its trees.

Everything the Frank–Wolfe family supports carries over: multi-class fixed costs and the
class-own term (the cost of class ``k`` on link ``a`` is ``fixed + t(X_a) + own_k x_a^k`` and
the Newton curvature ``t'(X_a) + own_k``), abstain links, and warm starts — exactly from the
:class:`PathFlows` of an earlier result, or from link flows (which are checked first and, when
they do not yet meet the gap, only seed the first routes, since link flows do not say which
routes carry them).

Memory: one ``int32`` link id per link of every stored route (one byte on large networks), plus
per path three numbers; no origins-by-links array is ever formed. Trees are built in blocks of
origins sized to a fixed budget. How routes are stored, grown in place, checked, decoded and
read from checkpoints is the route store's business (:mod:`counterflow.assign._routes`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from queue import Empty, SimpleQueue

import numba
import numpy as np
from numpy.typing import NDArray

from counterflow.assign import _path_kernels
from counterflow.assign._routes import (
    RouteStore,
    result_store,
    route_coding,
    store_dtype,
    uses_compact_steps,
    warm_start_store,
)
from counterflow.assign.frank_wolfe import (
    AssignmentResult,
    IterationRecord,
    check_initial,
)
from counterflow.assign.loading import (
    beckmann_objective,
    check_finite,
    evaluate_flows,
    numba_threads,
    raise_if_stranded,
    relative_gap,
)
from counterflow.assign.options import INNER_SHARE, SolverOptions
from counterflow.assign.problem import AssignmentProblem, ClassFlows, PathFlows
from counterflow.errors import InvalidParameterError

__all__ = ["path_link_flows", "solve_gradient_projection"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_INNER_MAX = 20
_PRED_BUDGET = 1 << 24  # int32 entries of the per-block tree buffer (64 MiB)
_PARALLEL_WORK = 20_000  # below this many (origins x nodes) per block, one thread is faster
_GS_BLOCK = 4  # origins per block of the Gauss-Seidel pass (fixed: results ignore threads)
# A pair whose costlier routes cost at most (1 + this share x the current relative gap) times
# its cheapest is not moved (assumption: on the 10,000-node scale grid, a fixed 1e-6 cut the
# time to gap 1e-4 by 17% at the same iterations; a pair so skipped adds at most this share
# of the gap, so the target gap stays reachable).
_SKIP_SHARE = 0.01
# Every sweep visits the pairs in runs of this many consecutive pairs (pairs are numbered origin
# by origin), the runs in a random order drawn afresh from a generator seeded with
# ``_ORDER_SEED`` (assumption: measured on the 10,000-node scale grid to gap 1e-4 with
# benchmarks/experiments/sweep_order.py — pairs in index order, one origin after another, took
# 54 iterations; runs of 8, 35; of 64, 36; of 256, 40; every pair on its own, 34 but 1.2x the
# time of runs of 8. A fixed order lets the same origins always move first onto the routes
# cheap at that moment; consecutive pairs share an origin and the links near it, so runs keep
# memory access local).
_ORDER_RUN = 8
_ORDER_SEED = 1994
# Gauss-Seidel passes on networks of at least this many nodes build the next block's trees while
# the current block's pairs are shifted (assumption, from the scale grids on 2 cores: at 100,000
# nodes, where a block's trees and shifts take comparable time, the Gauss-Seidel passes took 26%
# less time; at 10,000 nodes, where a block's trees take twice its shifts and the two threads
# slow each other down, 6% more; see docs/performance.md and benchmarks/results/).
_PIPELINE_NODES = 50_000


class _Solver:
    """The working state of one solve: paths, link flows and the costs that follow them."""

    def __init__(self, problem: AssignmentProblem, compact: bool | None = None) -> None:
        self.problem = problem
        network = problem.network
        self.volume, elastic, self.abstain_base, self.abstain_slope = problem.flat_pair_arrays()
        self.elastic = elastic
        self.pair_class = np.repeat(
            np.arange(problem.num_classes, dtype=np.int64),
            np.diff(problem.pair_offsets),
        )
        self.destination = np.concatenate([c.demand.destination for c in problem.classes])
        self.pair_origin = np.concatenate([c.demand.origin for c in problem.classes])
        compact = uses_compact_steps(network, compact)
        self.link_code, self.forward = route_coding(network, compact)
        self.fixed = np.stack([c.fixed_cost for c in problem.classes])
        self.own = np.array([c.own_cost for c in problem.classes])
        # Classes whose route cost is the shared cost alone: their shifts read one link array
        # where others read three (the same sums, bit for bit; see _path_kernels._option_cost).
        self.bare = (self.own == 0.0) & ~self.fixed.any(axis=1)
        num_pairs = problem.num_pairs
        self.pair_path = np.zeros(num_pairs + 1, dtype=np.int64)
        self.path_start = np.zeros(0, dtype=np.int64)
        self.path_length = np.zeros(0, dtype=np.int64)
        self.path_flow = np.zeros(0)
        self.routes = RouteStore.empty(
            max(1024, 4 * num_pairs), store_dtype(self.link_code, compact)
        )
        self.abstain = np.zeros(num_pairs)
        num_links = network.num_links
        self.class_flow = np.zeros((problem.num_classes, num_links))
        self.total = np.zeros(num_links)
        self.shared = np.zeros(num_links)
        self.slope = np.zeros(num_links)
        self.mark = np.zeros(num_links, dtype=np.int64)
        self.stamp = 0
        self.threshold = 0.0  # moves below this relative cost difference are skipped
        self.pair_cost = np.full(num_pairs, np.inf)
        self.pair_excess = np.zeros(num_pairs)
        self.pair_total = np.zeros(num_pairs)
        block = int(max(_GS_BLOCK, min(1024, _PRED_BUDGET // max(network.num_nodes, 1))))
        self.pred_rows = np.empty((block, network.num_nodes), dtype=np.int32)
        self.candidate_length = np.zeros(num_pairs, dtype=np.int64)
        self.candidate_start = np.zeros(num_pairs, dtype=np.int64)
        self.all_pairs = np.arange(num_pairs, dtype=np.int64)
        self.rng = np.random.default_rng(_ORDER_SEED)
        self.pipelined = network.num_nodes >= _PIPELINE_NODES
        self.folded: float | None = None  # see gauss_seidel

    # -- state ------------------------------------------------------------------------------

    def load(self, paths: PathFlows) -> None:
        """Take the routes of an earlier solution, scaled to this problem's demand."""
        problem = self.problem
        num_pairs = problem.num_pairs
        if paths.pair_path.shape != (num_pairs + 1,):
            raise InvalidParameterError(
                f"warm-start paths are for {paths.pair_path.shape[0] - 1} pairs; this problem "
                f"has {num_pairs}: pass the paths of a solve of the same demand pairs",
                key="initial",
            )
        steps = warm_start_store(
            problem, paths, self.link_code, compact=bool(self.forward.shape[0])
        )
        self.routes = RouteStore(steps, used=int(steps.shape[0]))
        self.pair_path = paths.pair_path.astype(np.int64)
        self.path_start = paths.path_start.astype(np.int64)
        self.path_length = paths.path_length.astype(np.int64)
        # Keep each pair's split between routes and abstaining; scale it to the new volume.
        old = np.where(paths.volume > 0, paths.volume, 1.0)
        ratio = self.volume / old
        self.abstain = np.where(self.elastic, paths.abstain * ratio, 0.0)
        per_path = np.repeat(ratio, np.diff(self.pair_path))
        self.path_flow = paths.path_flow * per_path

    def refresh(self) -> FloatArray:
        """Recompute link flows from path flows, then shared costs; return class link costs."""
        _path_kernels.load_paths(
            self.pair_class,
            self.pair_origin,
            self.pair_path,
            self.path_start,
            self.path_length,
            self.path_flow,
            self.routes.steps,
            self.problem.network.out_start,
            self.forward,
            self.class_flow,
        )
        np.sum(self.class_flow, axis=0, out=self.total)
        return self.class_costs()

    def class_costs(self) -> FloatArray:
        costs = self.problem.costs
        _path_kernels.refresh_links(
            self.total,
            costs.base,
            costs.coef,
            costs.capacity,
            costs.power,
            self.shared,
            self.slope,
        )
        class_cost: FloatArray = self.fixed + self.shared[None, :]
        class_cost += self.own[:, None] * self.class_flow
        return class_cost

    # -- column generation --------------------------------------------------------------------

    def blocks(self, size: int) -> list[tuple[int, int, int]]:
        """``(class, first origin, last origin)`` of each block of at most ``size`` origins."""
        out: list[tuple[int, int, int]] = []
        for k, travel_class in enumerate(self.problem.classes):
            count = int(travel_class.demand.origins.shape[0])
            out.extend((k, first, min(first + size, count)) for first in range(0, count, size))
        return out

    def block(self, k: int, first: int, last: int) -> tuple[IntArray, IntArray]:
        """Origins ``first .. last - 1`` of class ``k`` and their flat pair starts (one more)."""
        demand = self.problem.classes[k].demand
        starts = demand.pair_start[first : last + 1] + int(self.problem.pair_offsets[k])
        return demand.origins[first:last], starts

    def columns(self, k: int, first: int, last: int, cost: FloatArray) -> slice:
        """Trees of origins ``first .. last - 1`` of class ``k`` at ``cost``; new routes stored.

        Returns the slice of flat pairs the block owns.
        """
        self.trees(k, first, last, cost)
        return self.store_columns(k, first, last)

    def trees(
        self,
        k: int,
        first: int,
        last: int,
        cost: FloatArray,
        *,
        parallel: bool | None = None,
        row: int = 0,
        out_cost: FloatArray | None = None,
    ) -> None:
        """The trees of origins ``first .. last - 1`` at ``cost``: least costs, gap terms, routes.

        Their tree paths go to ``pred_rows[row:]`` (``out_cost``: ``cost`` in forward-star
        order, if already at hand); ``parallel`` defaults to whether the block is large enough
        to share between threads (``_PARALLEL_WORK``). Touches only these origins' pairs and
        rows (it reads their stored routes and flows), so it may run while other pairs are
        swept.
        """
        network = self.problem.network
        origins, starts = self.block(k, first, last)
        if parallel is None:
            parallel = (last - first) * network.num_nodes >= _PARALLEL_WORK
        find = _path_kernels.columns_parallel if parallel else _path_kernels.columns_serial
        find(
            origins,
            starts,
            self.destination,
            cost,
            cost[network.out_links] if out_cost is None else out_cost,
            network.out_start,
            network.out_links,
            network.tail,
            network.out_head,
            self.forward,
            network.num_blocked_zones,
            self.pair_path,
            self.path_start,
            self.path_length,
            self.path_flow,
            self.routes.steps,
            self.volume,
            self.abstain,
            self.abstain_base,
            self.abstain_slope,
            self.pred_rows[row : row + last - first],
            self.pair_cost,
            self.pair_excess,
            self.pair_total,
            self.candidate_length,
        )

    def shared_trees(
        self, k: int, first: int, cost: FloatArray, out_cost: FloatArray, tasks: SimpleQueue[int]
    ) -> None:
        """Trees of origin ``first + i`` for each ``i`` taken from ``tasks`` until it is empty.

        Both threads of a pipelined Gauss–Seidel pass draw from the same queue, so neither
        waits while trees remain; each tree writes only its own row and pairs.
        """
        while True:
            try:
                i = tasks.get_nowait()
            except Empty:
                return
            origin = first + i
            self.trees(k, origin, origin + 1, cost, parallel=False, row=i, out_cost=out_cost)

    def store_columns(self, k: int, first: int, last: int) -> slice:
        """Store the candidate routes the block's last :meth:`trees` found; its pair slice."""
        origins, starts = self.block(k, first, last)
        pairs = slice(int(starts[0]), int(starts[-1]))
        lengths = self.candidate_length[pairs]
        need = int(lengths.sum())
        if need:
            self.routes.reserve(need)
            self.candidate_start[pairs] = self.routes.used + np.cumsum(lengths) - lengths
            _path_kernels.write_columns(
                origins,
                starts,
                self.destination,
                self.problem.network.tail,
                self.link_code,
                self.pred_rows[: last - first],
                self.candidate_length,
                self.candidate_start,
                self.routes.steps,
                self.pair_path,
                self.path_start,
                self.path_length,
                self.path_flow,
            )
            self.routes.used += need
        return pairs

    def evaluate(self, class_cost: FloatArray) -> None:
        """Column generation for every origin at fixed costs (``pair_cost`` is then exact)."""
        for k, first, last in self.blocks(self.pred_rows.shape[0]):
            self.columns(k, first, last, np.ascontiguousarray(class_cost[k]))
        raise_if_stranded(self.problem, self.pair_cost, class_cost)

    def first_routes(self) -> None:
        """The trees at the current costs (free flow, or a warm start's), all volume on them.

        An all-or-nothing load from empty links; elastic pairs split at once.
        """
        self.rebuild()
        self.evaluate(self.class_costs())
        self.class_flow[:] = 0.0
        self.total[:] = 0.0
        self.class_costs()
        self.sweep(self.all_pairs)

    def gauss_seidel(self, pool: ThreadPoolExecutor | None = None) -> None:
        """Column generation origin block by origin block, each block's pairs shifted at once.

        Every block's trees see the costs left by the shifts of the blocks before it, which
        matters most while the flows are far from equilibrium. The blocks come in a random
        order drawn afresh for every pass (from the solver's seeded generator; in a fixed order
        the same origins would always move first, the bias :meth:`shuffled` removes from the
        sweeps). Blocks have a fixed size, so the result does not depend on the thread count.

        On networks of at least ``_PIPELINE_NODES`` nodes the pass is pipelined: the next
        block's trees are built at the costs as they stand when the current block's shifts
        begin (one block older), so that the worker thread of ``pool`` can start on them while
        this thread shifts, and this thread joins in once its shifts are done. The first inner
        sweep is folded into such a pass: after each block's shifts and its share of the trees
        this thread sweeps a slice of the pairs that had a choice when the pass began (shuffled
        as by :meth:`shuffled`; never a pair of the block whose trees are being built), while
        the worker finishes its last tree; the pairs that gained a choice during the pass are
        swept at its end. ``self.folded`` is then that sweep's restricted gap numerator
        (``None`` after a pass without it). Without a pool
        the same steps run one after the other, with the same result.
        """
        blocks = self.blocks(_GS_BLOCK)
        order = [blocks[index] for index in self.rng.permutation(len(blocks))]
        self.folded = None
        if not self.pipelined:
            for k, first, last in order:
                pairs = self.columns(k, first, last, self.block_cost(k))
                self.sweep(self.all_pairs[pairs])
            raise_if_stranded(self.problem, self.pair_cost, self.shared)
            return
        start = self.busy()
        slices = np.array_split(self.shuffled(start), len(order))
        folded = 0.0
        deferred = np.zeros(0, dtype=np.int64)
        k, first, last = order[0]
        pairs = self.columns(k, first, last, self.block_cost(k))
        for step, (k, first, last) in enumerate(order[1:]):
            cost = self.block_cost(k)  # a copy: the shifts below do not change it
            # The slice may not touch the pairs whose trees are being built (they read those
            # pairs' routes and flows): those wait for the next slice.
            _, starts = self.block(k, first, last)
            todo = np.concatenate([deferred, slices[step]])
            busy = (todo >= starts[0]) & (todo < starts[-1])
            deferred = todo[busy]
            todo = todo[~busy]
            if pool is None:
                self.trees(k, first, last, cost)
                self.sweep(self.all_pairs[pairs])
                folded += self.shifts(todo)
            else:
                tasks: SimpleQueue[int] = SimpleQueue()
                for i in range(last - first):
                    tasks.put(i)
                out_cost = cost[self.problem.network.out_links]
                future = pool.submit(self.shared_trees, k, first, cost, out_cost, tasks)
                self.sweep(self.all_pairs[pairs])
                self.shared_trees(k, first, cost, out_cost, tasks)
                folded += self.shifts(todo)
                future.result()
            pairs = self.store_columns(k, first, last)
        self.sweep(self.all_pairs[pairs])  # the last block's shifts
        folded += self.shifts(np.concatenate([deferred, slices[-1]]))
        # Pairs that gained their second option during the pass (all of them after the first
        # routes) get their sweep now, as after a pass without folding.
        late = np.setdiff1d(self.busy(), start, assume_unique=True)
        self.folded = folded + (self.sweep(late) if late.shape[0] else 0.0)
        raise_if_stranded(self.problem, self.pair_cost, self.shared)

    def busy(self) -> IntArray:
        """The pairs with more than one option (routes, or a route and abstaining)."""
        pair = np.repeat(self.all_pairs, np.diff(self.pair_path))
        options = np.bincount(pair[self.path_length > 0], minlength=self.problem.num_pairs)
        busy: IntArray = np.flatnonzero(options + self.elastic > 1).astype(np.int64)
        return busy

    def block_cost(self, k: int) -> FloatArray:
        """Class ``k``'s link costs at the current flows (a new array)."""
        cost: FloatArray = self.fixed[k] + self.shared
        if self.own[k]:
            cost += self.own[k] * self.class_flow[k]
        return cost

    def rebuild(self) -> None:
        """Drop routes that lost their flow, give every pair an empty slot; compact the store."""
        (
            self.pair_path,
            self.path_start,
            self.path_length,
            self.path_flow,
        ) = _path_kernels.rebuild_table(
            self.pair_path, self.path_start, self.path_length, self.path_flow
        )
        self.routes.compact_if_sparse(self.path_start, self.path_length)

    # -- flow shifts --------------------------------------------------------------------------

    def shuffled(self, pairs: IntArray) -> IntArray:
        """``pairs`` cut in runs of ``_ORDER_RUN``, the runs in a fresh random order."""
        count = pairs.shape[0]
        run = max(1, min(_ORDER_RUN, count))
        runs = self.rng.permutation(-(-count // run))
        index = (runs[:, None] * run + np.arange(run)).ravel()
        order: IntArray = pairs[index[index < count]]
        return order

    def sweep(self, pairs: IntArray) -> float:
        """Equilibrate ``pairs`` over their routes (see :meth:`shuffled` for the order).

        Returns the restricted gap's numerator.
        """
        return self.shifts(self.shuffled(pairs))

    def shifts(self, order: IntArray) -> float:
        """Equilibrate the pairs of ``order`` over their routes, in that order (:meth:`sweep`)."""
        costs = self.problem.costs
        excess, self.stamp = _path_kernels.sweep(
            order,
            self.pair_class,
            self.pair_origin,
            self.volume,
            self.abstain_base,
            self.abstain_slope,
            self.abstain,
            self.pair_path,
            self.path_start,
            self.path_length,
            self.path_flow,
            self.routes.steps,
            self.problem.network.out_start,
            self.forward,
            self.fixed,
            self.own,
            self.class_flow,
            self.total,
            costs.base,
            costs.coef,
            costs.capacity,
            costs.power,
            self.shared,
            self.slope,
            self.mark,
            self.stamp,
            self.threshold,
            self.bare,
        )
        return float(excess)

    def inner(
        self, gap_numerator: float, share: float = INNER_SHARE, folded: float | None = None
    ) -> int:
        """Sweeps over the pairs with several options, without new routes; return how many.

        Sweeps stop once the restricted gap is at most ``share`` of the full gap's numerator
        (at most ``_INNER_MAX / share x INNER_SHARE`` sweeps). ``folded``: the restricted gap
        numerator of a sweep already made during the pass (:meth:`gauss_seidel`), counted as
        the first.
        """
        limit = max(_INNER_MAX, int(_INNER_MAX * INNER_SHARE / share))
        sweeps = 0
        if folded is not None:
            sweeps = 1
            if folded <= share * gap_numerator:
                return sweeps
        busy = self.busy()
        if busy.shape[0] == 0:
            return sweeps
        while sweeps < limit:
            excess = self.sweep(busy)
            sweeps += 1
            if excess <= share * gap_numerator:
                break
        return sweeps

    # -- results ------------------------------------------------------------------------------

    def flows(self) -> ClassFlows:
        return ClassFlows(link=self.class_flow.copy(), abstain=self.abstain.copy())

    def current(self) -> ClassFlows:
        """The working flows (not copied)."""
        return ClassFlows(link=self.class_flow, abstain=self.abstain)

    def route_use(self) -> tuple[int, int]:
        """Routes held (not counting empty slots) and the bytes of their store and table."""
        live = self.path_length > 0
        table = sum(
            int(a.nbytes)
            for a in (self.pair_path, self.path_start, self.path_length, self.path_flow)
        )
        steps = int(self.path_length.sum())
        return int(live.sum()), steps * self.routes.steps.itemsize + table

    def paths(self, compact: bool = False) -> PathFlows:
        """The routes with flow, link ids or (``compact``) steps; the solver's store is shared."""
        keep = self.path_length > 0
        pair = np.repeat(np.arange(self.problem.num_pairs), np.diff(self.pair_path))
        self.path_start = self.path_start[keep]
        self.path_length = self.path_length[keep]
        self.path_flow = self.path_flow[keep]
        counts = np.bincount(pair[keep], minlength=self.problem.num_pairs)
        self.pair_path = np.r_[0, np.cumsum(counts)].astype(np.int64)
        self.routes.compact(self.path_start, self.path_length)
        links = result_store(
            self.routes,
            network=self.problem.network,
            pair_origin=self.pair_origin,
            pair_path=self.pair_path,
            path_start=self.path_start,
            path_length=self.path_length,
            forward=self.forward,
            compact=compact,
        )
        return PathFlows(
            pair_path=self.pair_path.copy(),
            path_start=self.path_start.copy(),
            path_length=self.path_length.copy(),
            path_flow=self.path_flow.copy(),
            store=links,
            abstain=self.abstain.copy(),
            volume=np.array(self.volume),
            compact=compact,
        )


@contextmanager
def _tree_thread(pipelined: bool) -> Iterator[ThreadPoolExecutor | None]:
    """A worker thread for the trees of pipelined Gauss–Seidel passes, if two threads are allowed.

    Results are the same with or without it.
    """
    if not pipelined or numba.get_num_threads() < 2:
        yield None
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="counterflow-trees") as pool:
        yield pool


def solve_gradient_projection(
    problem: AssignmentProblem,
    *,
    gap: float = 1e-6,
    max_iter: int | None = None,
    initial: ClassFlows | PathFlows | None = None,
    threads: int | None = None,
    callback: Callable[[IterationRecord], None] | None = None,
    options: SolverOptions | None = None,
) -> AssignmentResult:
    """Solve the assignment by path-based gradient projection (see the module docstring).

    Args:
        problem: What to assign.
        gap: Stop when the relative gap of the current flows is at most this.
        max_iter: Stop after this many iterations (tree passes after the first).
        initial: Warm start: the :class:`PathFlows` of an earlier result (exact; volumes are
            rescaled per pair if the demand changed), or link flows (checked first; if they
            do not meet ``gap``, their costs seed the first routes).
        threads: numba threads for the shortest paths (results do not depend on it).
        callback: Called with each convergence record as it is made.
        options: Tuning, route store and time limit (:class:`SolverOptions`; ``None``: the
            defaults). ``max_seconds`` stops the solve once an iteration begins after that
            long: that iteration evaluates the flows exactly and the result returns them with
            their routes (unless ``keep_paths`` is ``False``), a checkpoint to warm-start from.

    Returns:
        The flows, their gap and objective, the convergence table and the routes.
    """
    if not np.isfinite(gap) or gap < 0:
        raise InvalidParameterError(f"gap = {gap!r}; give a number >= 0 such as 1e-6", key="gap")
    if max_iter is not None and max_iter < 0:
        raise InvalidParameterError(f"max_iter = {max_iter}; give an integer >= 0", key="max_iter")
    if options is None:
        options = SolverOptions()
    max_seconds = options.max_seconds
    solver = _Solver(problem, options.compact_routes)
    with numba_threads(threads), _tree_thread(solver.pipelined) as pool:
        started = time.perf_counter()
        if isinstance(initial, ClassFlows):
            check_initial(problem, initial)
            evaluation = evaluate_flows(problem, initial)
            if evaluation.relative_gap <= gap:
                record = IterationRecord(
                    0, evaluation.relative_gap, evaluation.objective, "", float("nan"), 0.0
                )
                if callback is not None:
                    callback(record)
                return AssignmentResult(
                    flows=initial,
                    relative_gap=evaluation.relative_gap,
                    objective=evaluation.objective,
                    iterations=0,
                    converged=True,
                    algorithm="gp",
                    seconds=time.perf_counter() - started,
                    history=(record,),
                    pair_cost=evaluation.pair_cost,
                )
            solver.class_flow[:] = initial.link
            np.sum(solver.class_flow, axis=0, out=solver.total)
        if isinstance(initial, PathFlows):
            solver.load(initial)
        else:
            solver.first_routes()
        history: list[IterationRecord] = []
        iteration = 0
        # A warm start may already be an equilibrium: judge it exactly before anything moves.
        exact = isinstance(initial, PathFlows)
        while True:
            class_cost = solver.refresh()
            objective = beckmann_objective(problem, solver.current())
            solver.rebuild()
            last = (max_iter is not None and iteration >= max_iter) or (
                max_seconds is not None and time.perf_counter() - started >= max_seconds
            )
            if last:
                exact = True
            if exact:
                solver.evaluate(class_cost)
                gap_now, total, least = relative_gap(
                    problem, solver.current(), class_cost, solver.pair_cost
                )
                numerator = total - least
                stop = gap_now <= gap or last
            else:
                solver.gauss_seidel(pool)  # its sweeps use the previous iteration's threshold
                numerator = float(solver.pair_excess.sum())
                gap_now = numerator / max(float(solver.pair_total.sum()), 1e-300)
                stop = False
            check_finite(objective, gap_now, iteration=iteration, algorithm="gp")
            solver.threshold = _SKIP_SHARE * gap_now
            if exact and not stop:
                solver.sweep(solver.all_pairs)
            folded = None if exact else solver.folded
            sweeps = 0 if stop else 1 + solver.inner(numerator, options.inner_share, folded)
            history.append(
                IterationRecord(
                    iteration,
                    gap_now,
                    objective,
                    "" if stop else f"gp {'exact' if exact else 'gauss-seidel'}, {sweeps} sweeps",
                    float("nan"),
                    time.perf_counter() - started,
                    gap_estimated=not exact,
                )
            )
            if callback is not None:
                callback(history[-1])
            if stop:
                break
            # Gauss-Seidel passes pay while flows are far from equilibrium (on congested grids,
            # all the way); later, exact passes (trees in parallel at fixed costs) certify the gap.
            exact = gap_now <= max(gap, options.gauss_seidel_until)
            iteration += 1
        pair_cost = solver.pair_cost.copy()
        seconds = time.perf_counter() - started
    route_count, route_bytes = solver.route_use()
    keep_paths = options.keep_paths
    paths = solver.paths(compact=keep_paths == "compact") if keep_paths else None
    return AssignmentResult(
        flows=solver.flows(),
        relative_gap=gap_now,
        objective=objective,
        iterations=iteration,
        converged=bool(gap_now <= gap),
        algorithm="gp",
        seconds=seconds,
        history=tuple(history),
        pair_cost=pair_cost,
        paths=paths,
        route_count=route_count,
        route_bytes=route_bytes,
    )


def path_link_flows(problem: AssignmentProblem, paths: PathFlows) -> ClassFlows:
    """Return the class link flows of ``paths`` (checked against ``problem``)."""
    solver = _Solver(problem)
    solver.load(paths)
    solver.refresh()
    return solver.flows()
