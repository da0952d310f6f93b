"""Compiled kernels of the route store (:mod:`counterflow.assign._routes`).

Whole-store passes over the routes gradient projection keeps (see
:mod:`counterflow.assign._path_kernels` for the layout of the store and its path table, and for
how a compact route step is read from its pair's origin): checking warm-start routes in place,
coding link ids as steps and back, and moving the live routes to the front of the store. None
of them touches a flow or a cost.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from counterflow.assign._path_kernels import _decode


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
def check_routes(  # type: ignore[no-untyped-def]
    pair_path, path_start, path_length, store, origin, destination, tail, head, out_start, forward
):  # fmt: skip
    """The first fault of a route table, walking each path once in place (no copies).

    Returns 0 when every path of pair ``g`` (table rows ``pair_path[g] ..``) lies in
    ``store``, names links of the network (``tail``/``head``) and runs from ``origin[g]`` to
    ``destination[g]`` link after link; else 1 (a link outside the network), 2 (a path outside
    the store), 3 (a path from or to another node) or 4 (two steps that do not join). With
    ``forward`` (from ``route_coding``) the store holds route steps: 1 is then a step beyond
    its node's out-links, and steps always join (each is read at the node the last reached).
    """
    num_links = tail.shape[0]
    size = store.shape[0]
    steps = forward.shape[0] > 0
    for g in range(pair_path.shape[0] - 1):
        for j in range(pair_path[g], pair_path[g + 1]):
            start = path_start[j]
            length = path_length[j]
            if length < 1 or start < 0 or start + length > size:
                return 2
            node = origin[g]
            for i in range(start, start + length):
                if steps:
                    step = store[i]
                    if step < 0 or step >= out_start[node + 1] - out_start[node]:
                        return 1
                    a = forward[out_start[node] + step, 0]
                else:
                    a = store[i]
                    if a < 0 or a >= num_links:
                        return 1
                    if tail[a] != node:
                        return 3 if i == start else 4
                node = head[a]
            if node != destination[g]:
                return 3
    return 0


@nb.njit(cache=True)
def encode_store(store, link_code, out):  # type: ignore[no-untyped-def]
    """``out[i] = link_code[store[i]]``: link ids to compact steps without an index copy."""
    for i in range(store.shape[0]):
        out[i] = link_code[store[i]]


@nb.njit(cache=True, parallel=True)
def decode_store(  # type: ignore[no-untyped-def]
    pair_origin, pair_path, path_start, path_length, store, out_start, forward, out
):  # fmt: skip
    """Write every path's link ids to ``out`` at the path's own offset (an ``int32`` store)."""
    for g in nb.prange(pair_path.shape[0] - 1):
        here = out_start[pair_origin[g]]
        for j in range(pair_path[g], pair_path[g + 1]):
            _decode(store, path_start[j], path_length[j], here, forward, out, path_start[j])
