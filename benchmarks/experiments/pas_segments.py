# Experiment (2026-11-27): are the scale grids' alternatives local and shared (TAPAS)? No.
"""Diagnosis for the scale grids: are the alternatives local, and shared between origins?

TAPAS (Bar-Gera 2010) rests on two properties of a network: where an origin's flow uses a link
off its least-cost tree, the costlier and the cheapest way to that link's head part and meet
again a few links back (a *paired alternative segment*, PAS), and many origins use the same
segments, so one Newton step on a segment moves the flow of all of them at once. This script
measures both on the grids of ``scale.py`` with a small PAS solver (a prototype, not part of
the engine):

* Flows are kept per origin (a dense origins x links array: 158 MB at 10,000 nodes), loaded
  all-or-nothing at free flow.
* Each pass visits the origins in a random order: a shortest-path tree at the current costs,
  then for every link the origin uses off its tree whose reduced cost exceeds
  ``0.01 x gap x`` the distance to its head, a PAS ending in that link and the tree's link
  into the same node. Its costlier side goes back from the link over links the origin uses,
  to the first node on the tree path (``nearest``: breadth-first, the fewest links — the most
  local PAS the origin's flow allows; ``costliest``: into each node the used link with the
  highest cost to reach it over it). A PAS is kept once per (its two last links, the node
  where its sides part); the origins that found it are recorded, and every shift on it moves
  flow of each of them in proportion to its flow on the side it leaves, by a Newton step on
  the cost difference.
* After all origins, rounds over all PASs until one moves less than 5% of what the first
  moved (at most 20).
* The exact relative gap after every pass (its trees are not counted in the seconds).

At the end it reports how long the PASs are (links per side) against the length of the
least-cost routes, how many origins share each, and how many links each origin's flow uses.
Compare the passes with ``scale.py --gauss-seidel-until 0`` on the same grid. The figures are in
docs/performance.md and benchmarks/results/.

Usage (from the repository root; ``scale.py`` is imported from ``benchmarks/``):
    PYTHONPATH=benchmarks python benchmarks/experiments/pas_segments.py --nodes 2500 --passes 30
    PYTHONPATH=benchmarks python benchmarks/experiments/pas_segments.py --nodes 10000 \
        --merge nearest costliest --passes 3
"""

from __future__ import annotations

import argparse
import math
import time

import numba as nb
import numpy as np
from numpy.typing import NDArray

from counterflow.assign import AssignmentProblem, _kernels, _path_kernels, compile_kernels
from counterflow.assign._path_kernels import _refresh_link
from counterflow.assign.loading import evaluate_flows
from counterflow.assign.problem import ClassFlows
from scale import ZONES, check_nodes, scaled_grid

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MERGES = ["nearest", "costliest"]
_USED = 1e-9  # an origin uses a link when its flow there exceeds this (vehicles)
_THETA = 0.01  # PASs for reduced costs above this share of the gap times the distance
_ROUNDS = 20
_FLOW_LIMIT = 2 << 30  # bytes of the dense origin-flow array (a laptop's memory)


@nb.njit(cache=True)
def _tree(origin, net, cost, dist, pred, order):  # type: ignore[no-untyped-def]
    out_start, out_links, out_head = net
    out_cost = np.empty(out_links.shape[0])
    for k in range(out_links.shape[0]):
        out_cost[k] = cost[out_links[k]]
    target = np.zeros(dist.shape[0], dtype=np.bool_)
    _kernels.shortest_path_tree(origin, out_start, out_links, out_head, out_cost, 0, dist, pred,
                                order, target, 1)  # fmt: skip


@nb.njit(cache=True)
def _load_all_or_nothing(  # type: ignore[no-untyped-def]
    origins, pair_start, destination, volume, net, tail, cost, flow, x
):  # fmt: skip
    n = net[0].shape[0] - 1
    dist = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    for o in range(origins.shape[0]):
        _tree(origins[o], net, cost, dist, pred, order)
        for g in range(pair_start[o], pair_start[o + 1]):
            v = destination[g]
            while v != origins[o]:
                a = pred[v]
                flow[o, a] += volume[g]
                x[a] += volume[g]
                v = tail[a]


@nb.njit(cache=True)
def _shift(p, pas, flow, x, link_costs, cost, slope, share):  # type: ignore[no-untyped-def]
    """One Newton step on PAS ``p`` for all its origins; return the cost moved (flow x diff)."""
    seg, seg_start, origin_head, origin_of, origin_next = pas
    base, coef, capacity, power = link_costs
    s0, s1, s2 = seg_start[p, 0], seg_start[p, 1], seg_start[p, 2]
    c1 = 0.0
    c2 = 0.0
    d = 0.0
    for i in range(s0, s1):
        c1 += cost[seg[i]]
        d += slope[seg[i]]
    for i in range(s1, s2):
        c2 += cost[seg[i]]
        d += slope[seg[i]]
    if c2 > c1:
        src0, src1, dst0, dst1, diff = s1, s2, s0, s1, c2 - c1
    else:
        src0, src1, dst0, dst1, diff = s0, s1, s1, s2, c1 - c2
    if diff <= 1e-12 * (c1 + c2):
        return 0.0
    total = 0.0
    k = 0
    node = origin_head[p]
    while node >= 0:
        least = np.inf
        for i in range(src0, src1):
            least = min(least, flow[origin_of[node], seg[i]])
        share[k] = max(least, 0.0)
        total += share[k]
        k += 1
        node = origin_next[node]
    if total <= _USED:
        return 0.0
    delta = min(diff / d, total) if d > 0.0 else total
    k = 0
    node = origin_head[p]
    while node >= 0:
        part = delta * share[k] / total
        o = origin_of[node]
        for i in range(src0, src1):
            flow[o, seg[i]] -= part
        for i in range(dst0, dst1):
            flow[o, seg[i]] += part
        k += 1
        node = origin_next[node]
    for i in range(src0, src1):
        x[seg[i]] = max(x[seg[i]] - delta, 0.0)
        _refresh_link(seg[i], x, base, coef, capacity, power, cost, slope)
    for i in range(dst0, dst1):
        x[seg[i]] += delta
        _refresh_link(seg[i], x, base, coef, capacity, power, cost, slope)
    return delta * diff


@nb.njit(cache=True)
def _origin_pass(  # type: ignore[no-untyped-def]
    o, origin, costliest, theta, net, in_star, tail, head, flow, x, link_costs, cost, slope,
    pas, counts, known, work,
):  # fmt: skip
    """Tree of origin ``o``, PASs for its used off-tree links, a shift on each.

    ``counts`` = [PASs, segment entries, origin entries] in use. Returns False when an array
    of ``pas`` is full (the caller grows them and repeats the origin).
    """
    seg, seg_start, origin_head, origin_of, origin_next = pas
    in_start, in_links = in_star
    dist, pred, order, mark, seen, parent, queue, share = work
    n = dist.shape[0]
    num_links = x.shape[0]
    _tree(origin, net, cost, dist, pred, order)
    for a in range(num_links):
        if flow[o, a] <= _USED:
            continue
        i = tail[a]
        j = head[a]
        if pred[j] == a or dist[i] + cost[a] - dist[j] <= theta * dist[j]:
            continue
        s = counts[1]
        if s + 3 * n > seg.shape[0]:
            return False
        stamp = mark[n] + 1  # mark[n] holds the last stamp used
        mark[n] = stamp
        v = j
        while v != origin:
            mark[v] = stamp
            v = tail[pred[v]]
        mark[origin] = stamp
        # The costlier side, backwards from i over links the origin uses, into seg[s + 2n:]
        # (a first, then links towards the origin; clear of the PAS written at seg[s:]).
        m = -1
        back = s + 2 * n
        seg[back] = a
        steps = 1
        if costliest:
            v = i
            while mark[v] != stamp and steps < n:
                best = -1
                highest = -1.0
                for k in range(in_start[v], in_start[v + 1]):
                    b = in_links[k]
                    if flow[o, b] > _USED and dist[tail[b]] + cost[b] > highest:
                        highest = dist[tail[b]] + cost[b]
                        best = b
                if best < 0:
                    break
                seg[back + steps] = best
                steps += 1
                v = tail[best]
            if mark[v] == stamp:
                m = v
        else:
            seen[i] = stamp
            queue[0] = i
            first = 0
            last = 1
            while first < last:
                v = queue[first]
                first += 1
                if mark[v] == stamp:
                    m = v
                    break
                for k in range(in_start[v], in_start[v + 1]):
                    b = in_links[k]
                    u = tail[b]
                    if flow[o, b] > _USED and seen[u] != stamp:
                        seen[u] = stamp
                        parent[u] = b
                        queue[last] = u
                        last += 1
            if m >= 0:
                v = m
                while v != i:
                    seg[back + steps] = parent[v]
                    steps += 1
                    v = head[parent[v]]
                # seg[back + 1 :] holds m -> i forwards; turn it towards the origin like a's.
                seg[back + 1 : back + steps] = seg[back + 1 : back + steps][::-1].copy()
        if m < 0:
            continue
        # The tree side m -> j, then the costlier side m -> i -> j.
        length1 = 0
        v = j
        while v != m:
            length1 += 1
            v = tail[pred[v]]
        v = j
        for k in range(s + length1 - 1, s - 1, -1):
            seg[k] = pred[v]
            v = tail[pred[v]]
        for t in range(steps):
            seg[s + length1 + t] = seg[back + steps - 1 - t]
        key = (np.int64(a) * num_links + pred[j]) * n + m
        if key in known:
            p = known[key]
        else:
            p = counts[0]
            if p >= seg_start.shape[0]:
                return False
            seg_start[p, 0] = s
            seg_start[p, 1] = s + length1
            seg_start[p, 2] = s + length1 + steps
            origin_head[p] = -1
            counts[0] = p + 1
            counts[1] = s + length1 + steps
            known[key] = p
        node = origin_head[p]
        while node >= 0 and origin_of[node] != o:
            node = origin_next[node]
        if node < 0:
            node = counts[2]
            if node >= origin_of.shape[0]:
                return False
            origin_of[node] = o
            origin_next[node] = origin_head[p]
            origin_head[p] = node
            counts[2] = node + 1
        _shift(p, pas, flow, x, link_costs, cost, slope, share)
    return True


@nb.njit(cache=True)
def _rounds(count, pas, flow, x, link_costs, cost, slope, share):  # type: ignore[no-untyped-def]
    """Shift every PAS once per round until a round moves under 5% of the first; rounds."""
    first = 0.0
    for r in range(_ROUNDS):
        moved = 0.0
        for p in range(count):
            moved += _shift(p, pas, flow, x, link_costs, cost, slope, share)
        if r == 0:
            first = moved
        if moved <= 0.05 * first:
            return r + 1
    return _ROUNDS


@nb.njit(cache=True)
def _route_links(origins, pair_start, destination, net, tail, cost):  # type: ignore[no-untyped-def]
    """Mean links of the least-cost routes of all pairs at ``cost``."""
    n = net[0].shape[0] - 1
    dist = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    hops = np.zeros(n, dtype=np.int64)
    total = 0
    for o in range(origins.shape[0]):
        _tree(origins[o], net, cost, dist, pred, order)
        hops[origins[o]] = 0
        for k in range(1, n):
            v = order[k]
            hops[v] = hops[tail[pred[v]]] + 1
        for g in range(pair_start[o], pair_start[o + 1]):
            total += hops[destination[g]]
    return total / destination.shape[0]


class _Pas:
    """Growable PAS arrays: segments, their bounds and the origins registered on each."""

    def __init__(self, links: int) -> None:
        self.seg = np.empty(max(1 << 20, 4 * links), dtype=np.int64)
        self.seg_start = np.empty((1 << 16, 3), dtype=np.int64)
        self.origin_head = np.empty(1 << 16, dtype=np.int64)
        self.origin_of = np.empty(1 << 17, dtype=np.int64)
        self.origin_next = np.empty(1 << 17, dtype=np.int64)
        self.counts = np.zeros(3, dtype=np.int64)

    def arrays(self) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        return self.seg, self.seg_start, self.origin_head, self.origin_of, self.origin_next

    def grow(self) -> None:
        """Double whichever array is nearly full (the kernel stopped before using it)."""
        self.seg = np.resize(self.seg, 2 * self.seg.shape[0])
        if self.counts[0] >= self.seg_start.shape[0] - 1:
            self.seg_start = np.resize(self.seg_start, (2 * self.seg_start.shape[0], 3))
            self.origin_head = np.resize(self.origin_head, 2 * self.origin_head.shape[0])
        if self.counts[2] >= self.origin_of.shape[0] - 1:
            self.origin_of = np.resize(self.origin_of, 2 * self.origin_of.shape[0])
            self.origin_next = np.resize(self.origin_next, 2 * self.origin_next.shape[0])


def solve(problem: AssignmentProblem, merge: str, passes: int, gap_target: float) -> None:
    """Run the PAS solver from an all-or-nothing load; print a line per pass and a summary."""
    network = problem.network
    costs = problem.costs
    demand = problem.classes[0].demand
    n, num_links = network.num_nodes, network.num_links
    tail = np.asarray(network.tail, dtype=np.int64)
    head = np.asarray(network.head, dtype=np.int64)
    net = (
        np.asarray(network.out_start, dtype=np.int64),
        np.asarray(network.out_links, dtype=np.int64),
        np.asarray(network.out_head, dtype=np.int64),
    )
    in_links = np.argsort(head, kind="stable").astype(np.int64)
    in_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(head, minlength=n), out=in_start[1:])
    link_costs = (
        np.asarray(costs.base) + np.asarray(problem.classes[0].fixed_cost),
        np.asarray(costs.coef),
        np.asarray(costs.capacity),
        np.asarray(costs.power),
    )
    origins = np.asarray(demand.origins, dtype=np.int64)
    pair_start = np.asarray(demand.pair_start, dtype=np.int64)
    destination = np.asarray(demand.destination, dtype=np.int64)
    flow = np.zeros((origins.shape[0], num_links))
    x = np.zeros(num_links)
    cost = np.empty(num_links)
    slope = np.empty(num_links)
    started = time.perf_counter()
    _path_kernels.refresh_links(x, *link_costs, cost, slope)
    volume = np.asarray(demand.volume, dtype=np.float64)
    _load_all_or_nothing(origins, pair_start, destination, volume, net, tail, cost, flow, x)
    _path_kernels.refresh_links(x, *link_costs, cost, slope)
    pas = _Pas(num_links)
    known = nb.typed.Dict.empty(key_type=nb.types.int64, value_type=nb.types.int64)
    work = (
        np.empty(n),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.zeros(n + 1, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(origins.shape[0]),
    )
    rng = np.random.default_rng(2010)
    gap = 1.0
    evaluating = 0.0
    for number in range(1, passes + 1):
        theta = _THETA * gap
        for o in rng.permutation(origins.shape[0]):
            while not _origin_pass(
                o, origins[o], merge == "costliest", theta, net, (in_start, in_links), tail,
                head, flow, x, link_costs, cost, slope, pas.arrays(), pas.counts, known, work,
            ):  # fmt: skip
                pas.grow()
        rounds = _rounds(int(pas.counts[0]), pas.arrays(), flow, x, link_costs, cost, slope,
                         work[-1])  # fmt: skip
        _path_kernels.refresh_links(
            x, *link_costs, cost, slope
        )  # the same costs, free of rounding drift
        before = time.perf_counter()
        gap = evaluate_flows(
            problem, ClassFlows(link=x[None, :].copy(), abstain=np.zeros(destination.shape[0]))
        ).relative_gap
        evaluating += time.perf_counter() - before
        print(
            f"| {merge} | {number} | {gap:.2e} | {time.perf_counter() - started - evaluating:.1f} "
            f"| {pas.counts[0]:,} | {rounds} |",
            flush=True,
        )
        if gap <= gap_target:
            break
    summarize(merge, pas, flow, _route_links(origins, pair_start, destination, net, tail, cost))


def summarize(merge: str, pas: _Pas, flow: FloatArray, route_links: float) -> None:
    """Print how long the PASs are, how many origins share each, how many links origins use."""
    count = int(pas.counts[0])
    sides = np.diff(pas.seg_start[:count], axis=1)
    shares = np.zeros(count, dtype=np.int64)
    for p in range(count):
        node = pas.origin_head[p]
        while node >= 0:
            shares[p] += 1
            node = pas.origin_next[node]
    p10, p50, p90 = np.percentile(sides, [10, 50, 90])
    used = float(np.count_nonzero(flow > _USED)) / flow.shape[0]
    print(
        f"\n{merge}: links per PAS side 10/50/90th percentile {p10:.0f} / {p50:.0f} / {p90:.0f} "
        f"(mean {sides.mean():.1f}) against {route_links:.1f} per least-cost route; origins "
        f"per PAS mean {shares.mean():.2f}, 90th percentile {np.percentile(shares, 90):.0f}; "
        f"links used per origin {used:,.0f} of {flow.shape[1]:,}\n",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--passes", type=int, default=30, help="stop after this many passes")
    parser.add_argument("--merge", nargs="+", default=["nearest"], help=" or ".join(MERGES))
    args = parser.parse_args()
    check_nodes(parser, [args.nodes])
    for merge in args.merge:
        if merge not in MERGES:
            parser.error(f"--merge {merge!r} is not a rule; give {' or '.join(MERGES)}")
    if args.passes < 1:
        parser.error(f"--passes {args.passes}: give an integer >= 1")
    if not 0.0 < args.gap < 1.0:
        parser.error(f"--gap {args.gap}: give a relative gap in (0, 1) such as 1e-4")
    side = round(math.sqrt(args.nodes))
    size = 8 * ZONES * 4 * side * (side - 1)  # origins x the grid's two-way links, float64
    if size > _FLOW_LIMIT:
        parser.error(
            f"--nodes {args.nodes}: the dense origin flows would take {size / 2**30:.1f} GiB; "
            "give a grid of at most about 130,000 nodes"
        )
    compile_kernels()
    _, problem = scaled_grid(args.nodes)
    print("| merge | pass | relative gap | seconds | PASs | rounds |")
    print("|---|---:|---:|---:|---:|---:|")
    for merge in args.merge:
        solve(problem, merge, args.passes, args.gap)


if __name__ == "__main__":
    main()
