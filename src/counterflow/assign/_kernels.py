"""Compiled kernels of the assignment engine: shortest paths, loading, link costs, line search.

Everything here is plain numba over flat arrays; the typed Python API lives in the other
modules of :mod:`counterflow.assign`. Kernels are compiled on first use and cached on disk
(``cache=True``). Results never depend on the number of threads: the only parallel loop runs
one shortest-path tree per origin into that origin's own row, and rows are summed afterwards in
origin order (:func:`accumulate_rows`), so every floating-point sum has a fixed order.

Link cost (shared, separable): ``t(x) = base + coef * (x / capacity) ** power``. Powers are
evaluated as ``exp(log(coef) + power * log(x / capacity))`` so that steep functions (Barcelona:
power 16.8, capacity 1, b near 1e-18) neither overflow in an intermediate nor lose the tiny
coefficient; ``power == 4`` (the BPR default) takes an exact multiply-only path.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_INF = np.inf


@nb.njit(cache=True, inline="always")
def _power_term(coef: float, capacity: float, power: float, x: float) -> float:
    """``coef * (x / capacity) ** power`` with 0 ** 0 = 1 (constant-cost links)."""
    if coef == 0.0:
        return 0.0
    if power == 0.0:
        return coef
    if x <= 0.0:
        return 0.0
    ratio = x / capacity
    if power == 4.0:
        r2 = ratio * ratio
        return coef * (r2 * r2)
    if power == 2.0:
        return coef * (ratio * ratio)
    return math.exp(math.log(coef) + power * math.log(ratio))


@nb.njit(cache=True)
def link_cost(base, coef, capacity, power, flow, out):  # type: ignore[no-untyped-def]
    """Write ``t(flow)`` per link into ``out``."""
    for a in range(flow.shape[0]):
        out[a] = base[a] + _power_term(coef[a], capacity[a], power[a], flow[a])


@nb.njit(cache=True)
def link_cost_derivative(base, coef, capacity, power, flow, out):  # type: ignore[no-untyped-def]  # noqa: ARG001
    """Write ``t'(flow)`` per link into ``out`` (0 where it is undefined or infinite)."""
    for a in range(flow.shape[0]):
        p = power[a]
        x = flow[a]
        if coef[a] == 0.0 or p == 0.0:
            out[a] = 0.0
        elif x > 0.0:
            out[a] = p * _power_term(coef[a], capacity[a], p, x) / x
        elif p == 1.0:
            out[a] = coef[a] / capacity[a]
        else:
            out[a] = 0.0  # p > 1: the slope is 0 at 0; p < 1: infinite, left out of conjugacy


@nb.njit(cache=True)
def link_cost_integral(base, coef, capacity, power, flow):  # type: ignore[no-untyped-def]
    """Return ``sum_a int_0^{x_a} t_a = sum x (base + coef r^p / (p + 1))``, in link order."""
    total = 0.0
    for a in range(flow.shape[0]):
        x = flow[a]
        if x <= 0.0:
            continue
        total += x * (base[a] + _power_term(coef[a], capacity[a], power[a], x) / (power[a] + 1.0))
    return total


@nb.njit(cache=True)
def _shared_slope(base, coef, capacity, power, flow, direction, step):  # type: ignore[no-untyped-def]
    """Return ``(sum t(x + s d) d, sum t'(x + s d) d^2)`` over links with ``d != 0``."""
    first = 0.0
    second = 0.0
    for a in range(flow.shape[0]):
        d = direction[a]
        if d == 0.0:
            continue
        x = flow[a] + step * d
        x = max(x, 0.0)
        term = _power_term(coef[a], capacity[a], power[a], x)
        first += (base[a] + term) * d
        p = power[a]
        if x > 0.0 and p != 0.0 and coef[a] != 0.0:
            second += p * term / x * d * d
    return first, second


@nb.njit(cache=True)
def line_search(base, coef, capacity, power, flow, direction, linear, quadratic):  # type: ignore[no-untyped-def]
    """Minimize the convex objective along ``x + s d`` over ``s`` in [0, 1].

    The directional derivative is ``phi'(s) = S(s) + linear + quadratic * s``: ``S`` is the
    shared separable part computed here, ``linear`` and ``quadratic`` gather the class-fixed,
    class-own and abstain terms (precomputed by the caller). Safeguarded Newton on the
    bracket: a Newton step where it stays inside the bracket, bisection otherwise; stops when
    the bracket is below 1e-15 or the slope is below 1e-13 of its value at 0. Returns
    ``(step, evaluations)``.
    """
    s0, h0 = _shared_slope(base, coef, capacity, power, flow, direction, 0.0)
    g0 = s0 + linear
    if g0 >= 0.0:
        return 0.0, 1
    s1, _h1 = _shared_slope(base, coef, capacity, power, flow, direction, 1.0)
    g1 = s1 + linear + quadratic
    if g1 <= 0.0:
        return 1.0, 2
    lo = 0.0
    hi = 1.0
    step = 0.0
    g = g0
    h = h0 + quadratic
    evaluations = 2
    tolerance = 1e-13 * (-g0)
    for _ in range(200):
        candidate = step - g / h if h > 0.0 else -1.0
        if not lo < candidate < hi:
            candidate = 0.5 * (lo + hi)
        step = candidate
        s, hs = _shared_slope(base, coef, capacity, power, flow, direction, step)
        evaluations += 1
        g = s + linear + quadratic * step
        h = hs + quadratic
        if g > 0.0:
            hi = step
        elif g < 0.0:
            lo = step
        else:
            break
        if abs(g) <= tolerance or hi - lo <= 1e-15:
            break
    return step, evaluations


@nb.njit(cache=True)
def shortest_path_tree(  # type: ignore[no-untyped-def]
    origin, out_start, out_links, out_head, out_cost, num_blocked, dist, pred, order, target,
    num_targets,
):  # fmt: skip
    """Dijkstra's algorithm with an indexed binary heap (Dijkstra 1959).

    The graph is the forward star with heads and costs laid out in its order (``out_head[k]``
    and ``out_cost[k]`` belong to link ``out_links[k]``), so scanning a node's links reads
    contiguous memory.

    Fills ``dist`` (inf where unreachable), ``pred`` (the link into each node on its tree path,
    -1 for the origin and unreachable nodes) and ``order`` (nodes in the order they were
    settled, nondecreasing distance). Nodes ``0 .. num_blocked - 1`` (zones that may not be
    passed through) are settled but not expanded, except the origin. The search stops once
    the ``num_targets`` distinct nodes flagged in ``target`` are settled (their distances and
    tree paths are then final; other nodes may keep tentative values). Returns how many nodes
    were settled. Costs must be >= 0. The heap keeps each entry's key beside its node, so
    sifting compares contiguous keys instead of looking distances up node by node.
    """
    n = dist.shape[0]
    for v in range(n):
        dist[v] = _INF
        pred[v] = -1
    position = np.full(n, -1, dtype=np.int64)  # -1 never seen, -2 settled, else heap slot
    heap_node = np.empty(n, dtype=np.int64)
    heap_key = np.empty(n, dtype=np.float64)
    dist[origin] = 0.0
    heap_node[0] = origin
    heap_key[0] = 0.0
    position[origin] = 0
    size = 1
    settled = 0
    while size > 0:
        u = heap_node[0]
        du = heap_key[0]
        position[u] = -2
        order[settled] = u
        settled += 1
        if target[u]:
            num_targets -= 1
            if num_targets == 0:
                break
        size -= 1
        if size > 0:
            # Move the last entry to the root and sift it down.
            last = heap_node[size]
            key = heap_key[size]
            i = 0
            while True:
                child = 2 * i + 1
                if child >= size:
                    break
                right = child + 1
                if right < size and heap_key[right] < heap_key[child]:
                    child = right
                if heap_key[child] < key:
                    heap_node[i] = heap_node[child]
                    heap_key[i] = heap_key[child]
                    position[heap_node[i]] = i
                    i = child
                else:
                    break
            heap_node[i] = last
            heap_key[i] = key
            position[last] = i
        if u < num_blocked and u != origin:
            continue
        for k in range(out_start[u], out_start[u + 1]):
            v = out_head[k]
            if position[v] == -2:
                continue
            candidate = du + out_cost[k]
            if candidate < dist[v]:
                dist[v] = candidate
                pred[v] = out_links[k]
                i = position[v]
                if i == -1:
                    i = size
                    size += 1
                # Sift up from slot i.
                while i > 0:
                    parent = (i - 1) // 2
                    if heap_key[parent] > candidate:
                        heap_node[i] = heap_node[parent]
                        heap_key[i] = heap_key[parent]
                        position[heap_node[i]] = i
                        i = parent
                    else:
                        break
                heap_node[i] = v
                heap_key[i] = candidate
                position[v] = i
    return settled


@nb.njit(cache=True)
def tree_to_destinations(  # type: ignore[no-untyped-def]
    origin, first, last, destination, out_start, out_links, out_head, out_cost, num_blocked, pred,
):  # fmt: skip
    """Grow the tree of ``origin`` until the destinations of pairs ``first .. last - 1`` settle.

    Runs :func:`shortest_path_tree` into ``pred``; returns ``(dist, order, settled)``.
    """
    n = out_start.shape[0] - 1
    dist = np.empty(n, dtype=np.float64)
    order = np.empty(n, dtype=np.int64)
    target = np.zeros(n, dtype=np.bool_)
    num_targets = 0
    for p in range(first, last):
        if not target[destination[p]]:
            target[destination[p]] = True
            num_targets += 1
    settled = shortest_path_tree(
        origin, out_start, out_links, out_head, out_cost, num_blocked, dist, pred, order, target,
        num_targets,
    )  # fmt: skip
    return dist, order, settled


@nb.njit(cache=True)
def _load_origin(  # type: ignore[no-untyped-def]
    origin,
    first_pair,
    last_pair,
    destination,
    volume,
    elastic,
    abstain_cost,
    out_start,
    out_links,
    tail,
    out_head,
    out_cost,
    num_blocked,
    row,
    pair_cost,
    to_network,
):
    """All-or-nothing load of one origin's pairs ``first_pair .. last_pair - 1`` into ``row``.

    For each pair, ``pair_cost`` receives the least route cost and ``to_network`` the volume
    sent over the network: all of it, or none for an elastic pair whose current abstain cost
    is below the route cost (the excess-demand transform of Gartner 1980).
    """
    n = out_start.shape[0] - 1
    for a in range(row.shape[0]):
        row[a] = 0.0
    pred = np.empty(n, dtype=np.int64)
    dist, order, settled = tree_to_destinations(
        origin, first_pair, last_pair, destination, out_start, out_links, out_head, out_cost,
        num_blocked, pred,
    )  # fmt: skip
    node_load = np.zeros(n, dtype=np.float64)
    for p in range(first_pair, last_pair):
        d = destination[p]
        route = dist[d]
        pair_cost[p] = route
        if elastic[p] and abstain_cost[p] < route:
            to_network[p] = 0.0
        else:
            to_network[p] = volume[p]
            node_load[d] += volume[p]
    for j in range(settled - 1, 0, -1):
        v = order[j]
        load = node_load[v]
        if load != 0.0:
            link = pred[v]
            row[link] += load
            node_load[tail[link]] += load


@nb.njit(cache=True, parallel=True)
def load_origins_parallel(  # type: ignore[no-untyped-def]
    origins,
    pair_start,
    destination,
    volume,
    elastic,
    abstain_cost,
    out_start,
    out_links,
    tail,
    out_head,
    out_cost,
    num_blocked,
    rows,
    pair_cost,
    to_network,
):
    """Load a block of origins, one shortest-path tree each, in parallel.

    Origin ``i`` (node ``origins[i]``) owns the pairs ``pair_start[i] .. pair_start[i + 1] - 1``
    and writes its link loads into ``rows[i]`` only, so the threads share no output.
    """
    for i in nb.prange(origins.shape[0]):
        _load_origin(
            origins[i],
            pair_start[i],
            pair_start[i + 1],
            destination,
            volume,
            elastic,
            abstain_cost,
            out_start,
            out_links,
            tail,
            out_head,
            out_cost,
            num_blocked,
            rows[i],
            pair_cost,
            to_network,
        )


@nb.njit(cache=True)
def load_origins_serial(  # type: ignore[no-untyped-def]
    origins,
    pair_start,
    destination,
    volume,
    elastic,
    abstain_cost,
    out_start,
    out_links,
    tail,
    out_head,
    out_cost,
    num_blocked,
    rows,
    pair_cost,
    to_network,
):
    """:func:`load_origins_parallel` on one thread (for blocks too small to share)."""
    for i in range(origins.shape[0]):
        _load_origin(
            origins[i],
            pair_start[i],
            pair_start[i + 1],
            destination,
            volume,
            elastic,
            abstain_cost,
            out_start,
            out_links,
            tail,
            out_head,
            out_cost,
            num_blocked,
            rows[i],
            pair_cost,
            to_network,
        )


@nb.njit(cache=True)
def accumulate_rows(rows, count, out):  # type: ignore[no-untyped-def]
    """``out += rows[0] + rows[1] + ... + rows[count - 1]``, each link summed in row order."""
    for i in range(count):
        row = rows[i]
        for a in range(out.shape[0]):
            out[a] += row[a]
