"""Compiled kernels of the path-based solver (:mod:`counterflow.assign.gradient_projection`).

Paths live in one flat ``int32`` store of link ids, each path origin to destination; the path
table gives each path's offset and length in the store and its flow, and the paths of pair
``g`` are the table rows ``pair_path[g] .. pair_path[g + 1] - 1``. Pairs are flat over classes
(class ``k`` owns the pairs of :attr:`AssignmentProblem.pair_offsets`).

Two kinds of work run here. Column generation is one shortest-path tree per origin, in
parallel, at costs that stay fixed during the pass: each origin reads the shared arrays and
writes only its own pairs' entries, so results do not depend on the thread count. Flow shifts
(:func:`sweep`) run on one thread in the order the caller gives: every shift updates the link
flows and costs that the next shift reads (Gauss–Seidel), which is what makes the method
converge fast, and an order drawn from a seeded generator makes it reproducible.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from counterflow.assign._kernels import _power_term, tree_to_destinations

_INF = np.inf
# A move stops once the cost difference is within this share of where it started: each move
# is one of many in a sweep, so a near-exact one buys nothing (assumption, from the TNTP runs).
_SHIFT_TOLERANCE = 0.1
_SHIFT_EVALUATIONS = 20
# One Newton step (from the kept link slopes) is taken as the move when it shifts at most this
# share of the source's flow; a larger step runs the safeguarded search. Assumption, from the
# TNTP runs and the scale grid: where the step would move more, BPR power 4 makes the
# quadratic model unreliable (Winnipeg to 1e-6: 26 iterations with a share of 1, 21 with 0.5
# or 0), while on the 10,000-node grid the share hardly matters (121, 124 and 131 s for 1,
# 0.5 and 0, each 54 iterations).
_ONE_STEP_SHARE = 0.5


@nb.njit(cache=True)
def _stored_path_cost(store, start, length, cost):  # type: ignore[no-untyped-def]
    """Sum of ``cost`` along a stored path, origin first (the order Dijkstra adds them in)."""
    total = 0.0
    for i in range(start, start + length):
        total += cost[store[i]]
    return total


@nb.njit(cache=True)
def _origin_columns(  # type: ignore[no-untyped-def]
    origin,
    first,
    last,
    destination,
    cost,
    out_cost,
    out_start,
    out_links,
    tail,
    out_head,
    num_blocked,
    pair_path,
    path_start,
    path_length,
    path_flow,
    store,
    volume,
    abstain,
    abstain_base,
    abstain_slope,
    pred,
    pair_cost,
    pair_excess,
    pair_total,
    candidate_length,
):
    """One origin's tree: per pair its least cost, its gap terms and any new shortest route.

    A pair gets a candidate (``candidate_length > 0``) when its tree path is strictly cheaper
    than every stored path of the pair. Stored paths sum their costs in the order Dijkstra
    does, so a stored path that is the tree path has exactly the tree cost and is never added
    twice. ``pair_total`` is ``sum_j f_j c_j + e W(e)`` and ``pair_excess`` that minus
    ``volume * min(route, W(e))``: the pair's share of the relative gap at these costs.
    """
    dist, _, _ = tree_to_destinations(
        origin, first, last, destination, out_start, out_links, out_head, out_cost, num_blocked,
        pred,
    )  # fmt: skip
    for g in range(first, last):
        route = dist[destination[g]]
        pair_cost[g] = route
        best = _INF
        total = 0.0
        for j in range(pair_path[g], pair_path[g + 1]):
            if path_length[j] == 0:
                continue
            c = _stored_path_cost(store, path_start[j], path_length[j], cost)
            best = min(best, c)
            total += path_flow[j] * c
        least = route
        if abstain_base[g] < _INF:
            w = abstain_base[g] + abstain_slope[g] * abstain[g]
            total += abstain[g] * w
            least = min(least, w)
        pair_total[g] = total
        pair_excess[g] = total - volume[g] * least
        length = 0
        if route < best:
            v = destination[g]
            while v != origin:
                length += 1
                v = tail[pred[v]]
        candidate_length[g] = length


@nb.njit(cache=True, parallel=True)
def columns_parallel(  # type: ignore[no-untyped-def]
    origins,
    pair_start,
    destination,
    cost,
    out_cost,
    out_start,
    out_links,
    tail,
    out_head,
    num_blocked,
    pair_path,
    path_start,
    path_length,
    path_flow,
    store,
    volume,
    abstain,
    abstain_base,
    abstain_slope,
    pred_rows,
    pair_cost,
    pair_excess,
    pair_total,
    candidate_length,
):
    """:func:`_origin_columns` for a block of origins, one tree each, in parallel.

    Origin ``i`` owns the flat pairs ``pair_start[i] .. pair_start[i + 1] - 1`` and keeps its
    tree in ``pred_rows[i]`` for :func:`write_columns`.
    """
    for i in nb.prange(origins.shape[0]):
        _origin_columns(
            origins[i],
            pair_start[i],
            pair_start[i + 1],
            destination,
            cost,
            out_cost,
            out_start,
            out_links,
            tail,
            out_head,
            num_blocked,
            pair_path,
            path_start,
            path_length,
            path_flow,
            store,
            volume,
            abstain,
            abstain_base,
            abstain_slope,
            pred_rows[i],
            pair_cost,
            pair_excess,
            pair_total,
            candidate_length,
        )


@nb.njit(cache=True, nogil=True)
def columns_serial(  # type: ignore[no-untyped-def]
    origins,
    pair_start,
    destination,
    cost,
    out_cost,
    out_start,
    out_links,
    tail,
    out_head,
    num_blocked,
    pair_path,
    path_start,
    path_length,
    path_flow,
    store,
    volume,
    abstain,
    abstain_base,
    abstain_slope,
    pred_rows,
    pair_cost,
    pair_excess,
    pair_total,
    candidate_length,
):
    """:func:`columns_parallel` on one thread (for blocks too small to share)."""
    for i in range(origins.shape[0]):
        _origin_columns(
            origins[i],
            pair_start[i],
            pair_start[i + 1],
            destination,
            cost,
            out_cost,
            out_start,
            out_links,
            tail,
            out_head,
            num_blocked,
            pair_path,
            path_start,
            path_length,
            path_flow,
            store,
            volume,
            abstain,
            abstain_base,
            abstain_slope,
            pred_rows[i],
            pair_cost,
            pair_excess,
            pair_total,
            candidate_length,
        )


@nb.njit(cache=True, parallel=True)
def write_columns(  # type: ignore[no-untyped-def]
    origins,
    pair_start,
    destination,
    tail,
    pred_rows,
    candidate_length,
    candidate_start,
    store,
    pair_path,
    path_start,
    path_length,
    path_flow,
):
    """Write each candidate route (origin first) at ``store[candidate_start[g]:]``.

    The route takes its pair's reserved slot (the pair's last table row), with zero flow.
    """
    for i in nb.prange(origins.shape[0]):
        origin = origins[i]
        pred = pred_rows[i]
        for g in range(pair_start[i], pair_start[i + 1]):
            length = candidate_length[g]
            if length == 0:
                continue
            position = candidate_start[g] + length
            v = destination[g]
            while v != origin:
                link = pred[v]
                position -= 1
                store[position] = link
                v = tail[link]
            slot = pair_path[g + 1] - 1
            path_start[slot] = candidate_start[g]
            path_length[slot] = length
            path_flow[slot] = 0.0


@nb.njit(cache=True)
def rebuild_table(pair_path, path_start, path_length, path_flow):  # type: ignore[no-untyped-def]
    """Return the next path table: the routes worth keeping plus one empty slot per pair.

    A route without flow is dropped when another route of its pair carries flow (it lost a
    comparison in the last sweep; should it become shortest again, column generation brings it
    back). A pair whose routes all lack flow (an elastic pair that abstains entirely) keeps
    them. The slot (length 0) receives the pair's next new route.
    """
    num_pairs = pair_path.shape[0] - 1
    new_pair_path = np.empty(num_pairs + 1, dtype=np.int64)
    size = num_pairs
    for g in range(num_pairs):
        size += pair_path[g + 1] - pair_path[g]
    new_start = np.zeros(size, dtype=np.int64)
    new_length = np.zeros(size, dtype=np.int64)
    new_flow = np.zeros(size, dtype=np.float64)
    count = 0
    for g in range(num_pairs):
        new_pair_path[g] = count
        carried = False
        for j in range(pair_path[g], pair_path[g + 1]):
            if path_length[j] > 0 and path_flow[j] > 0.0:
                carried = True
        for j in range(pair_path[g], pair_path[g + 1]):
            if path_length[j] > 0 and (path_flow[j] > 0.0 or not carried):
                new_start[count] = path_start[j]
                new_length[count] = path_length[j]
                new_flow[count] = path_flow[j]
                count += 1
        count += 1  # the empty slot
    new_pair_path[num_pairs] = count
    return new_pair_path, new_start[:count].copy(), new_length[:count].copy(), new_flow[:count]


@nb.njit(cache=True)
def compact_store(path_start, path_length, store):  # type: ignore[no-untyped-def]
    """Move the table's paths to the front of ``store``, in store order; return the size used.

    Paths are moved in increasing offset order, each to an offset at or below its own, so no
    path is overwritten before it is moved.
    """
    order = np.argsort(path_start, kind="mergesort")
    used = 0
    for j in order:
        start = path_start[j]
        length = path_length[j]
        if start != used:
            for i in range(length):
                store[used + i] = store[start + i]
            path_start[j] = used
        used += length
    return used


@nb.njit(cache=True)
def load_paths(pair_class, pair_path, path_start, path_length, path_flow, store, class_flow):  # type: ignore[no-untyped-def]
    """Set ``class_flow`` to the sum of path flows, pair by pair in table order."""
    class_flow[:] = 0.0
    for g in range(pair_path.shape[0] - 1):
        row = class_flow[pair_class[g]]
        for j in range(pair_path[g], pair_path[g + 1]):
            f = path_flow[j]
            if f != 0.0:
                for i in range(path_start[j], path_start[j] + path_length[j]):
                    row[store[i]] += f


@nb.njit(cache=True, inline="always")
def _refresh_link(a, total, base, coef, capacity, power, shared, slope):  # type: ignore[no-untyped-def]
    """Recompute the shared cost ``t`` and its derivative ``t'`` of link ``a``."""
    x = total[a]
    term = _power_term(coef[a], capacity[a], power[a], x)
    shared[a] = base[a] + term
    p = power[a]
    if coef[a] == 0.0 or p == 0.0:
        slope[a] = 0.0
    elif x > 0.0:
        slope[a] = p * term / x
    elif p == 1.0:
        slope[a] = coef[a] / capacity[a]
    else:
        slope[a] = 0.0


@nb.njit(cache=True)
def refresh_links(total, base, coef, capacity, power, shared, slope):  # type: ignore[no-untyped-def]
    """:func:`_refresh_link` for every link."""
    for a in range(total.shape[0]):
        _refresh_link(a, total, base, coef, capacity, power, shared, slope)


@nb.njit(cache=True)
def _option_cost(j, store, path_start, path_length, fixed, own, flow, shared):  # type: ignore[no-untyped-def]
    """Current cost of table path ``j`` for a class with ``fixed``, ``own`` and ``flow``."""
    total = 0.0
    for i in range(path_start[j], path_start[j] + path_length[j]):
        a = store[i]
        total += fixed[a] + shared[a] + own * flow[a]
    return total


@nb.njit(cache=True)
def _shift_slope(  # type: ignore[no-untyped-def]
    step, source, target, stamp, mark, store, path_start, path_length, fixed, own, flow,
    total, base, coef, capacity, power, abstain_cost, abstain_slope,
):  # fmt: skip
    """``(c_source - c_target, its derivative)`` after moving ``step`` from source to target.

    Only the links of one path and not the other change: links on both carry
    ``mark[a] == -stamp`` and are skipped (their flow does not move).
    Index -1 is the abstain option, whose cost ``abstain_cost + abstain_slope * step`` enters
    with the sign of the move.
    """
    difference = 0.0
    curvature = 0.0
    if source < 0:
        difference += abstain_cost - abstain_slope * step
        curvature += abstain_slope
    else:
        for i in range(path_start[source], path_start[source] + path_length[source]):
            a = store[i]
            if mark[a] == -stamp:  # shared with the target
                continue
            x = total[a] - step
            term = _power_term(coef[a], capacity[a], power[a], x)
            difference += fixed[a] + base[a] + term + own * (flow[a] - step)
            curvature += own
            if x > 0.0 and power[a] != 0.0 and coef[a] != 0.0:
                curvature += power[a] * term / x
    if target < 0:
        difference -= abstain_cost + abstain_slope * step
        curvature += abstain_slope
    else:
        for i in range(path_start[target], path_start[target] + path_length[target]):
            a = store[i]
            if mark[a] == -stamp:  # shared with the source
                continue
            x = total[a] + step
            term = _power_term(coef[a], capacity[a], power[a], x)
            difference -= fixed[a] + base[a] + term + own * (flow[a] + step)
            curvature += own
            if x > 0.0 and power[a] != 0.0 and coef[a] != 0.0:
                curvature += power[a] * term / x
    return difference, curvature


@nb.njit(cache=True)
def _cached_slope(  # type: ignore[no-untyped-def]
    source, target, stamp, mark, store, path_start, path_length, fixed, own, flow, shared,
    slope, abstain_cost, abstain_slope,
):  # fmt: skip
    """:func:`_shift_slope` at step 0, from the link costs and slopes kept up to date."""
    difference = 0.0
    curvature = 0.0
    if source < 0:
        difference += abstain_cost
        curvature += abstain_slope
    else:
        for i in range(path_start[source], path_start[source] + path_length[source]):
            a = store[i]
            if mark[a] != -stamp:
                difference += fixed[a] + shared[a] + own * flow[a]
                curvature += slope[a] + own
    if target < 0:
        difference -= abstain_cost
        curvature += abstain_slope
    else:
        for i in range(path_start[target], path_start[target] + path_length[target]):
            a = store[i]
            if mark[a] != -stamp:
                difference -= fixed[a] + shared[a] + own * flow[a]
                curvature += slope[a] + own
    return difference, curvature


@nb.njit(cache=True, nogil=True)
def sweep(  # type: ignore[no-untyped-def]
    pairs,
    pair_class,
    volume,
    abstain_base,
    abstain_slope,
    abstain,
    pair_path,
    path_start,
    path_length,
    path_flow,
    store,
    fixed,
    own,
    class_flow,
    total,
    base,
    coef,
    capacity,
    power,
    shared,
    slope,
    mark,
    stamp,
    threshold,
):
    """Equilibrate each pair of ``pairs`` over its stored paths and abstain option, in turn.

    Per pair (gradient projection, Jayakrishnan et al. 1994): volume not yet on any option
    (a new pair) goes to the cheapest one; then flow moves from each costlier option to the
    cheapest, by the exact minimizer of the objective along that move, found by safeguarded
    Newton steps on the cost difference over the links the two options do not share — or one
    Newton step from the kept link slopes when it moves at most ``_ONE_STEP_SHARE`` of the
    source's flow, which saves a pass over both routes per move. A move is skipped when the
    cost difference is at most ``threshold`` times the cheapest option's cost: such a pair
    adds at most ``threshold`` to the relative gap (the caller keeps it a small share of the
    current gap). Link flows and costs are updated after every move. Returns
    ``(excess, stamp)``: ``excess`` is ``sum f_j (c_j - c_min)`` over the options before the
    moves (the gap of the restricted problem) and ``stamp`` the next free marker value.
    """
    excess = 0.0
    for g in pairs:
        k = pair_class[g]
        fix = fixed[k]
        own_k = own[k]
        flow = class_flow[k]
        first = pair_path[g]
        last = pair_path[g + 1]
        elastic = abstain_base[g] < _INF
        # Cheapest option.
        best = -1
        best_cost = abstain_base[g] + abstain_slope[g] * abstain[g] if elastic else _INF
        assigned = abstain[g]
        for j in range(first, last):
            if path_length[j] == 0:
                continue
            assigned += path_flow[j]
            c = _option_cost(j, store, path_start, path_length, fix, own_k, flow, shared)
            if c < best_cost:
                best_cost = c
                best = j
        if best < 0 and not elastic:
            continue  # no route (only for a pair the caller has already rejected)
        missing = volume[g] - assigned
        if missing > 1e-14 * volume[g]:
            _move(-2, best, missing, g, 0, mark, store, path_start, path_length, path_flow,
                  abstain, flow, total, base, coef, capacity, power, shared, slope)  # fmt: skip
        # Mark the target's links once; each source then marks the links it shares with it.
        stamp += 1
        target_stamp = stamp
        if best >= 0:
            for i in range(path_start[best], path_start[best] + path_length[best]):
                mark[store[i]] = target_stamp
        options_end = last if not elastic else last + 1
        for j in range(first, options_end):
            source = j if j < last else -1
            if source == best or (source >= 0 and path_length[source] == 0):
                continue
            available = path_flow[source] if source >= 0 else abstain[g]
            if available <= 0.0:
                continue
            # Links shared by source and target are marked -target_stamp for this move.
            if source >= 0 and best >= 0:
                for i in range(path_start[source], path_start[source] + path_length[source]):
                    a = store[i]
                    if mark[a] == target_stamp:
                        mark[a] = -target_stamp
            w_cost = abstain_base[g] + abstain_slope[g] * abstain[g]
            difference, curvature = _cached_slope(
                source, best, target_stamp, mark, store, path_start, path_length, fix, own_k,
                flow, shared, slope, w_cost, abstain_slope[g],
            )  # fmt: skip
            if difference > 0.0:
                excess += available * difference
            if difference > threshold * best_cost:
                step = difference / curvature if curvature > 0.0 else _INF
                if step > _ONE_STEP_SHARE * available:
                    step = _newton_shift(
                        difference, curvature, available, source, best, target_stamp, mark,
                        store, path_start, path_length, fix, own_k, flow, total, base, coef,
                        capacity, power, w_cost, abstain_slope[g],
                    )  # fmt: skip
                if step > 0.0:
                    _move(source, best, step, g, target_stamp, mark, store, path_start,
                          path_length, path_flow, abstain, flow, total, base, coef, capacity,
                          power, shared, slope)  # fmt: skip
            if source >= 0 and best >= 0:
                for i in range(path_start[source], path_start[source] + path_length[source]):
                    a = store[i]
                    if mark[a] == -target_stamp:
                        mark[a] = target_stamp
    return excess, stamp


@nb.njit(cache=True)
def _newton_shift(  # type: ignore[no-untyped-def]
    difference, curvature, available, source, target, stamp, mark, store, path_start,
    path_length, fixed, own, flow, total, base, coef, capacity, power, abstain_cost,
    abstain_slope,
):  # fmt: skip
    """The move in [0, available] where the two options' costs meet (or all of it).

    Safeguarded Newton on the cost difference, which falls as the move grows: Newton steps
    inside the bracket, bisection otherwise, until the difference is within
    ``_SHIFT_TOLERANCE`` of where it started.
    """
    start = difference
    lo = 0.0
    hi = available
    step = 0.0
    for _ in range(_SHIFT_EVALUATIONS):
        candidate = step + difference / curvature if curvature > 0.0 else _INF
        if candidate >= hi:
            candidate = hi if hi == available else 0.5 * (lo + hi)
        elif candidate <= lo:
            candidate = 0.5 * (lo + hi)
        step = candidate
        difference, curvature = _shift_slope(
            step, source, target, stamp, mark, store, path_start, path_length, fixed, own,
            flow, total, base, coef, capacity, power, abstain_cost, abstain_slope,
        )  # fmt: skip
        if difference >= 0.0:
            if step >= available:
                return available
            lo = step
        else:
            hi = step
        if abs(difference) <= _SHIFT_TOLERANCE * start:
            return step
    return lo


@nb.njit(cache=True)
def _move(  # type: ignore[no-untyped-def]
    source, target, step, g, stamp, mark, store, path_start, path_length, path_flow, abstain,
    flow, total, base, coef, capacity, power, shared, slope,
):  # fmt: skip
    """Move ``step`` of pair ``g`` from ``source`` to ``target`` and refresh the links touched.

    ``source`` -2 is volume not yet assigned, -1 the abstain option; links marked
    ``-stamp`` are on both paths and keep their flow.
    """
    if source == -1:
        abstain[g] = max(abstain[g] - step, 0.0)
    elif source >= 0:
        remaining = path_flow[source] - step
        path_flow[source] = max(0.0, remaining)
        for i in range(path_start[source], path_start[source] + path_length[source]):
            a = store[i]
            if stamp != 0 and mark[a] == -stamp:
                continue
            flow[a] -= step
            total[a] -= step
            _refresh_link(a, total, base, coef, capacity, power, shared, slope)
    if target == -1:
        abstain[g] += step
    else:
        path_flow[target] += step
        for i in range(path_start[target], path_start[target] + path_length[target]):
            a = store[i]
            if stamp != 0 and mark[a] == -stamp:
                continue
            flow[a] += step
            total[a] += step
            _refresh_link(a, total, base, coef, capacity, power, shared, slope)
