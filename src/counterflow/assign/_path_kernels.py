"""Compiled kernels of the path-based solver (:mod:`counterflow.assign.gradient_projection`).

Paths live in one flat store, each path origin to destination; the path table gives each
path's offset and length in the store and its flow, and the paths of pair ``g`` are the table
rows ``pair_path[g] .. pair_path[g + 1] - 1``. Pairs are flat over classes (class ``k`` owns the
pairs of :attr:`AssignmentProblem.pair_offsets`).

On large networks the store is compact: a step of a path is not its link id but the link's
index among the out-links of the node the path has reached (``link_code``), one byte wherever
no node has more than 256 out-links, so a route costs a quarter of an ``int32`` store. A coded
path is read from its pair's origin: at forward-star position ``p = here + code`` the link is
``forward[p, 0]`` and the next node's first position ``forward[p, 1]``. Reading is a chain of
dependent loads, slower than reading link ids, so where memory does not bind the store holds
``int32`` link ids and ``forward`` is empty (``link_code`` too). :func:`sweep` decodes a pair's
paths into link ids once per visit and works on those.

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
def _stored_path_costs(  # type: ignore[no-untyped-def]
    store, path_start, path_length, first, count, here, cost, out_cost, forward, costs, position
):  # fmt: skip
    """``costs[j]``: the cost of table path ``first + j`` for ``j < count``, origin first.

    Links are added in the order Dijkstra adds them in. Coded paths are read from forward-star
    position ``here`` (their origin's first) and summed from ``out_cost`` (``cost`` in
    forward-star order), side by side, one step of each in turn (see :func:`_decode_pair`);
    link ids sum ``cost`` directly.
    """
    if forward.shape[0] == 0:
        for j in range(count):
            total = 0.0
            for i in range(path_start[first + j], path_start[first + j] + path_length[first + j]):
                total += cost[store[i]]
            costs[j] = total
        return
    longest = 0
    for j in range(count):
        costs[j] = 0.0
        position[j] = here
        longest = max(longest, path_length[first + j])
    for i in range(longest):
        for j in range(count):
            if i < path_length[first + j]:
                p = position[j] + store[path_start[first + j] + i]
                costs[j] += out_cost[p]
                position[j] = forward[p, 1]


@nb.njit(cache=True)
def _decode(store, start, length, here, forward, out, at):  # type: ignore[no-untyped-def]
    """Write the link ids of a stored path (read from position ``here``) to ``out[at:]``."""
    if forward.shape[0] == 0:
        for i in range(length):
            out[at + i] = store[start + i]
        return
    for i in range(length):
        p = here + store[start + i]
        out[at + i] = forward[p, 0]
        here = forward[p, 1]


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
    forward,
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
    costs = np.empty(16)
    position = np.empty(16, dtype=np.int64)
    for g in range(first, last):
        route = dist[destination[g]]
        pair_cost[g] = route
        best = _INF
        total = 0.0
        count = pair_path[g + 1] - pair_path[g]
        if count > costs.shape[0]:
            costs = np.empty(2 * count)
            position = np.empty(2 * count, dtype=np.int64)
        _stored_path_costs(
            store, path_start, path_length, pair_path[g], count, out_start[origin], cost,
            out_cost, forward, costs, position,
        )  # fmt: skip
        for j in range(pair_path[g], pair_path[g + 1]):
            if path_length[j] == 0:
                continue
            c = costs[j - pair_path[g]]
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
    forward,
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
            forward,
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
    forward,
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
            forward,
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
    link_code,
    pred_rows,
    candidate_length,
    candidate_start,
    store,
    pair_path,
    path_start,
    path_length,
    path_flow,
):
    """Write each candidate route (origin first) at ``store[candidate_start[g]:]``, as codes.

    The route takes its pair's reserved slot (the pair's last table row), with zero flow.
    """
    coded = link_code.shape[0] > 0
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
                store[position] = link_code[link] if coded else link
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
def load_paths(  # type: ignore[no-untyped-def]
    pair_class, pair_origin, pair_path, path_start, path_length, path_flow, store, out_start,
    forward, class_flow,
):  # fmt: skip
    """Set ``class_flow`` to the sum of path flows, pair by pair in table order."""
    class_flow[:] = 0.0
    for g in range(pair_path.shape[0] - 1):
        row = class_flow[pair_class[g]]
        for j in range(pair_path[g], pair_path[g + 1]):
            f = path_flow[j]
            if f == 0.0:
                continue
            if forward.shape[0] == 0:
                for i in range(path_start[j], path_start[j] + path_length[j]):
                    row[store[i]] += f
                continue
            here = out_start[pair_origin[g]]
            for i in range(path_start[j], path_start[j] + path_length[j]):
                p = here + store[i]
                row[forward[p, 0]] += f
                here = forward[p, 1]


@nb.njit(cache=True)
def _decode_pair(  # type: ignore[no-untyped-def]
    store, path_start, first, count, start, length, here, forward, route, position
):  # fmt: skip
    """Decode the ``count`` paths of table rows ``first ..`` into ``route[start[j]:]``.

    Coded paths are read side by side, one step of each in turn: each path is a chain of
    dependent loads, and interleaving lets the processor overlap the chains.
    """
    if forward.shape[0] == 0 or count == 1:
        for j in range(count):
            _decode(store, path_start[first + j], length[j], here, forward, route, start[j])
        return
    longest = 0
    for j in range(count):
        position[j] = here
        longest = max(longest, length[j])
    for i in range(longest):
        for j in range(count):
            if i < length[j]:
                p = position[j] + store[path_start[first + j] + i]
                route[start[j] + i] = forward[p, 0]
                position[j] = forward[p, 1]


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
def _option_cost(j, store, path_start, path_length, fixed, own, flow, shared, bare):  # type: ignore[no-untyped-def]
    """Current cost of table path ``j`` for a class with ``fixed``, ``own`` and ``flow``.

    ``bare``: the class has no fixed costs and no own term, so only ``shared`` is read (the
    same sum bit for bit: adding the zero terms changes no finite cost).
    """
    total = 0.0
    if bare:
        for i in range(path_start[j], path_start[j] + path_length[j]):
            total += shared[store[i]]
        return total
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
    slope, abstain_cost, abstain_slope, bare,
):  # fmt: skip
    """:func:`_shift_slope` at step 0, from the link costs and slopes kept up to date.

    ``bare`` as in :func:`_option_cost`: ``fixed`` and ``flow`` are not read.
    """
    difference = 0.0
    curvature = 0.0
    if source < 0:
        difference += abstain_cost
        curvature += abstain_slope
    else:
        for i in range(path_start[source], path_start[source] + path_length[source]):
            a = store[i]
            if mark[a] != -stamp:
                if bare:
                    difference += shared[a]
                    curvature += slope[a]
                else:
                    difference += fixed[a] + shared[a] + own * flow[a]
                    curvature += slope[a] + own
    if target < 0:
        difference -= abstain_cost
        curvature += abstain_slope
    else:
        for i in range(path_start[target], path_start[target] + path_length[target]):
            a = store[i]
            if mark[a] != -stamp:
                if bare:
                    difference -= shared[a]
                    curvature += slope[a]
                else:
                    difference -= fixed[a] + shared[a] + own * flow[a]
                    curvature += slope[a] + own
    return difference, curvature


@nb.njit(cache=True, nogil=True)
def sweep(  # type: ignore[no-untyped-def]
    pairs,
    pair_class,
    pair_origin,
    volume,
    abstain_base,
    abstain_slope,
    abstain,
    pair_path,
    path_start,
    path_length,
    path_flow,
    store,
    out_start,
    forward,
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
    bare,
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
    ``bare[k]``: class ``k`` has no fixed costs and no own term (see :func:`_option_cost`).

    A pair's paths are decoded once per visit into ``route`` (link ids); option ``j`` of the
    pair is ``route[start[j] : start[j] + length[j]]`` with flow ``flows[j]``.
    """
    excess = 0.0
    route = np.empty(1 << 12, dtype=np.int64)
    start = np.empty(16, dtype=np.int64)
    length = np.empty(16, dtype=np.int64)
    position = np.empty(16, dtype=np.int64)
    for g in pairs:
        k = pair_class[g]
        fix = fixed[k]
        own_k = own[k]
        bare_k = bare[k]
        flow = class_flow[k]
        first = pair_path[g]
        count = pair_path[g + 1] - first
        flows = path_flow[first : first + count]
        elastic = abstain_base[g] < _INF
        # A pair with one route and all its volume on it has nothing to move: skip its reading.
        live = 0
        size = 0
        assigned = abstain[g]
        for j in range(count):
            if path_length[first + j] > 0:
                live += 1
                size += path_length[first + j]
                assigned += flows[j]
        if not elastic and live <= 1 and volume[g] - assigned <= 1e-14 * volume[g]:
            continue
        # Decode the pair's paths.
        if size > route.shape[0]:
            route = np.empty(max(size, 2 * route.shape[0]), dtype=np.int64)
        if count > start.shape[0]:
            start = np.empty(max(count, 2 * start.shape[0]), dtype=np.int64)
            length = np.empty(start.shape[0], dtype=np.int64)
            position = np.empty(start.shape[0], dtype=np.int64)
        at = 0
        for j in range(count):
            start[j] = at
            length[j] = path_length[first + j]
            at += length[j]
        _decode_pair(store, path_start, first, count, start, length, out_start[pair_origin[g]],
                     forward, route, position)  # fmt: skip
        # Cheapest option.
        best = -1
        best_cost = abstain_base[g] + abstain_slope[g] * abstain[g] if elastic else _INF
        for j in range(count):
            if length[j] == 0:
                continue
            c = _option_cost(j, route, start, length, fix, own_k, flow, shared, bare_k)
            if c < best_cost:
                best_cost = c
                best = j
        if best < 0 and not elastic:
            continue  # no route (only for a pair the caller has already rejected)
        missing = volume[g] - assigned
        if missing > 1e-14 * volume[g]:
            _move(-2, best, missing, g, 0, mark, route, start, length, flows, abstain, flow,
                  total, base, coef, capacity, power, shared, slope)  # fmt: skip
        # Mark the target's links once; each source then marks the links it shares with it.
        stamp += 1
        target_stamp = stamp
        if best >= 0:
            for i in range(start[best], start[best] + length[best]):
                mark[route[i]] = target_stamp
        options_end = count if not elastic else count + 1
        for j in range(options_end):
            source = j if j < count else -1
            if source == best or (source >= 0 and length[source] == 0):
                continue
            available = flows[source] if source >= 0 else abstain[g]
            if available <= 0.0:
                continue
            # Links shared by source and target are marked -target_stamp for this move.
            if source >= 0 and best >= 0:
                for i in range(start[source], start[source] + length[source]):
                    a = route[i]
                    if mark[a] == target_stamp:
                        mark[a] = -target_stamp
            w_cost = abstain_base[g] + abstain_slope[g] * abstain[g]
            difference, curvature = _cached_slope(
                source, best, target_stamp, mark, route, start, length, fix, own_k, flow,
                shared, slope, w_cost, abstain_slope[g], bare_k,
            )  # fmt: skip
            if difference > 0.0:
                excess += available * difference
            if difference > threshold * best_cost:
                step = difference / curvature if curvature > 0.0 else _INF
                if step > _ONE_STEP_SHARE * available:
                    step = _newton_shift(
                        difference, curvature, available, source, best, target_stamp, mark,
                        route, start, length, fix, own_k, flow, total, base, coef, capacity,
                        power, w_cost, abstain_slope[g],
                    )  # fmt: skip
                if step > 0.0:
                    _move(source, best, step, g, target_stamp, mark, route, start, length,
                          flows, abstain, flow, total, base, coef, capacity, power, shared,
                          slope)  # fmt: skip
            if source >= 0 and best >= 0:
                for i in range(start[source], start[source] + length[source]):
                    a = route[i]
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
