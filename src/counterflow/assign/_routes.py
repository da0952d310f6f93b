"""The route store of gradient projection: how routes are coded, stored, checked and read back.

The solver (:mod:`counterflow.assign.gradient_projection`) keeps every route it has used in
one flat store; a path table gives each route's offset and length in it (the layout of
:class:`PathFlows`). This module holds everything about that store that is not the algorithm:

* **Coding.** A route step is an ``int32`` link id, or on networks of at least
  ``_COMPACT_NODES`` nodes (or with ``SolverOptions(compact_routes=True)``) one byte — the
  link's index among its tail node's out-links, read from the pair's origin (two bytes where
  a node has more than 256 out-links): a quarter of the memory for a slower read
  (:func:`route_coding`). Results are the same bit for bit either way.
* **Growth.** A store of ``_MAP_BYTES`` (64 MiB) or more lives in its own private anonymous
  memory map and grows in place (``mremap``), without a second copy while it grows
  (:class:`RouteStore`); routes dropped by the solver are squeezed out once they fill
  ``_COMPACT_SHARE`` of it.
* **Checks and decoding.** Warm-start routes are walked once in place (:func:`check_paths`);
  compact routes are read back as link ids by :func:`decode_paths`.
* **Checkpoints.** Warm-start routes already in the solver's coding are copied a slice at a
  time; where they lie in a read-only memory map of a file (a checkpoint:
  ``np.load(..., mmap_mode="r")``) each slice's pages are handed back once copied, and the
  check reads the copy, so they are never resident twice (:func:`warm_start_store`).

The routes a result returns (:class:`PathFlows`) are link ids, ``int32``, unless asked for as
the solver's own compact steps (``keep_paths="compact"``, :func:`result_store`). The
whole-store passes (check, code, decode, compact) are compiled:
:mod:`counterflow.assign._route_kernels`.
"""

from __future__ import annotations

import mmap
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from counterflow.assign import _route_kernels
from counterflow.assign.problem import AssignmentProblem, PathFlows
from counterflow.errors import InvalidParameterError
from counterflow.network.graph import Network

__all__ = [
    "RouteStore",
    "check_paths",
    "decode_paths",
    "new_store",
    "private_copy",
    "result_store",
    "route_coding",
    "store_dtype",
    "uses_compact_steps",
    "warm_start_store",
]

# Networks of at least this many nodes store route steps as one-byte out-link indices instead of
# int32 link ids (assumption, from the scale grids: reading a coded route is a chain of
# dependent loads, which made sweeps 1.07-1.24x slower at 10,000 nodes and 1.20x at 100,000,
# trees about 1.05x — benchmarks/experiments/route_store.py; the int32 store, 1.6 GB at
# 100,000 nodes, still fits a laptop, while at 1,000,000 it is projected at 5-11 GB; see the
# docs/performance.md (benchmarks/results/)).
_COMPACT_NODES = 250_000
_COMPACT_SHARE = 0.25  # compact the store when this share of it holds dropped routes
_MAP_BYTES = 1 << 26  # route stores of at least this many bytes live in an anonymous map
_COPY_SLICE = 1 << 26  # bytes copied at a time by private_copy (64 MiB)


# -- coding -----------------------------------------------------------------------------------


def uses_compact_steps(network: Network, compact: bool | None) -> bool:
    """Whether the solver stores one-byte steps: ``compact``, or by size where ``None``."""
    if compact is None:
        return network.num_nodes >= _COMPACT_NODES
    return compact


def route_coding(
    network: Network, compact: bool
) -> tuple[NDArray[np.unsignedinteger], NDArray[np.integer]]:
    """``(link_code, forward)``: how the solver stores a route step and reads it back.

    ``link_code[a]`` is link ``a``'s index among its tail node's out-links, in the smallest
    unsigned type that holds every node's out-degree (``uint8`` on road networks).
    ``forward[p]`` is, for forward-star position ``p`` (``network.out_links[p]``), the link and
    the first forward-star position of its head node: a route starts at its origin's first
    position and each step adds its code. Without ``compact`` both are empty: the store holds
    link ids.
    """
    if not compact:
        return np.zeros(0, dtype=np.uint8), np.zeros((0, 2), dtype=np.int32)
    out_start = network.out_start
    position = np.empty(network.num_links, dtype=np.int64)
    position[network.out_links] = np.arange(network.num_links)
    code = position - out_start[network.tail]
    degree = int(np.diff(out_start).max(initial=0))
    kind = np.uint8 if degree <= 1 << 8 else np.uint16 if degree <= 1 << 16 else np.uint32
    wide = network.num_links >= np.iinfo(np.int32).max
    forward = np.empty((network.num_links, 2), dtype=np.int64 if wide else np.int32)
    forward[:, 0] = network.out_links
    forward[:, 1] = out_start[network.out_head]
    return code.astype(kind), forward


def store_dtype(link_code: NDArray[np.unsignedinteger], compact: bool) -> np.dtype:
    """The type of a store entry: ``link_code``'s with compact steps, else ``int32`` link ids."""
    return link_code.dtype if compact else np.dtype(np.int32)


# -- the growable store -------------------------------------------------------------------------


def new_store(size: int, dtype: np.dtype) -> NDArray[np.integer]:
    """A zeroed route store of ``size`` entries; from ``_MAP_BYTES`` on, in its own memory map.

    numpy's ``resize`` grows an array by ``realloc``, which here copies a large block (the old
    and the new store both resident for a moment: measured at 1,000,000 nodes, 2.4 GB more at
    the first growth after a resume); a private anonymous map grows by ``mremap`` instead
    (:meth:`RouteStore.reserve`; where the platform has no ``mremap`` it is copied as before).
    """
    nbytes = size * np.dtype(dtype).itemsize
    if nbytes < _MAP_BYTES or not hasattr(mmap, "MAP_PRIVATE"):
        return np.zeros(size, dtype=dtype)
    memory = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(memory, dtype=dtype)


class RouteStore:
    """A flat array of route steps whose first ``used`` entries are taken; it grows in place.

    The store is the only reference to its array that lasts (the solver reads ``steps`` afresh
    for every kernel call), so that :meth:`reserve` can grow its memory map without a copy.

    Attributes:
        steps: The store (link ids or compact steps; see :func:`route_coding`).
        used: How many entries, from the front, hold routes (live or dropped).
    """

    def __init__(self, steps: NDArray[np.integer], used: int = 0) -> None:
        self.steps = steps
        self.used = used

    @classmethod
    def empty(cls, size: int, dtype: np.dtype) -> RouteStore:
        """A store of ``size`` free entries (:func:`new_store`)."""
        return cls(new_store(size, dtype))

    def reserve(self, need: int) -> None:
        """Make room for ``need`` more entries (grow by at least a quarter)."""
        if self.used + need <= self.steps.shape[0]:
            return
        capacity = max(self.used + need, int(self.steps.shape[0] * 1.25))
        dtype = self.steps.dtype
        memory = _map_under(self.steps, read_only=False)
        if memory is not None:
            # In place: the kernel moves the pages of an anonymous map to a larger range
            # (mremap) without copying them, so the old and the grown store are never both
            # resident (at 1,000,000 nodes the store is gigabytes). It refuses while any view
            # of the store lives on (e.g. the routes of a result handed out): then a copy.
            self.steps = np.zeros(0, dtype=dtype)  # no export of the map of our own
            try:
                memory.resize(capacity * dtype.itemsize)
                grew = True
            except (BufferError, OSError, SystemError, ValueError):
                grew = False
            self.steps = np.frombuffer(memory, dtype=dtype)
            if grew:
                return
        grown = new_store(capacity, dtype)
        grown[: self.used] = self.steps[: self.used]
        self.steps = grown

    def compact(self, path_start: NDArray[np.int64], path_length: NDArray[np.int64]) -> None:
        """Move the table's routes to the front, in store order (``path_start`` is updated)."""
        self.used = int(_route_kernels.compact_store(path_start, path_length, self.steps))

    def compact_if_sparse(
        self, path_start: NDArray[np.int64], path_length: NDArray[np.int64]
    ) -> None:
        """:meth:`compact` once dropped routes fill ``_COMPACT_SHARE`` of the used entries."""
        live = int(path_length.sum())
        if self.used - live > _COMPACT_SHARE * self.used:
            self.compact(path_start, path_length)


def _map_under(array: NDArray[np.integer], *, read_only: bool) -> mmap.mmap | None:
    """The ``mmap.mmap`` whose memory ``array`` views, if it has one and is ``read_only`` or not.

    Writable: the solver's own anonymous map (:func:`new_store`); read-only: a file mapped for
    reading (a checkpoint), which :func:`private_copy` may hand back.
    """
    owner: object = array
    while owner is not None and not isinstance(owner, mmap.mmap):
        owner = owner.obj if isinstance(owner, memoryview) else getattr(owner, "base", None)
    if owner is None:
        return None
    with memoryview(owner) as view:
        return owner if view.readonly == read_only else None


# -- warm starts and results --------------------------------------------------------------------


def private_copy(source: NDArray[np.integer]) -> NDArray[np.integer]:
    """A copy of ``source`` that the solver owns, made ``_COPY_SLICE`` bytes at a time.

    Where ``source`` lies in a read-only memory map of a file (``np.load(..., mmap_mode="r")``,
    or ``np.frombuffer`` of an ``mmap.mmap``; a checkpoint of a very large network), each
    slice's pages are handed back to the operating system once copied (``MADV_DONTNEED``:
    they stay in the file and are read again if touched), so the routes are not resident twice
    — at 1,000,000 nodes they are gigabytes. Copy-on-write maps, whose pages may hold changes
    of their own, are left as they are.
    """
    copy = new_store(source.shape[0], source.dtype)
    mapped = (
        _map_under(source, read_only=True)
        if hasattr(mmap, "MADV_DONTNEED") and source.flags.c_contiguous
        else None
    )
    if mapped is None or source.shape[0] == 0:
        copy[:] = source
        return copy
    page = mmap.PAGESIZE
    with memoryview(mapped) as view:
        base = np.frombuffer(view, dtype=np.uint8, count=1).ctypes.data
    begin = source.ctypes.data - base  # where the array starts in the map (bytes)
    step = max(1, _COPY_SLICE // source.dtype.itemsize)
    for first in range(0, source.shape[0], step):
        last = min(first + step, source.shape[0])
        copy[first:last] = source[first:last]
        low = (begin + first * source.dtype.itemsize) // page * page
        high = begin + last * source.dtype.itemsize
        mapped.madvise(mmap.MADV_DONTNEED, low, high - low)
    return copy


def warm_start_store(
    problem: AssignmentProblem,
    paths: PathFlows,
    link_code: NDArray[np.unsignedinteger],
    *,
    compact: bool,
) -> NDArray[np.integer]:
    """The store of warm-start ``paths`` in the solver's coding, checked.

    The solver holds ``compact`` steps coded by ``link_code`` (:func:`route_coding`), or link
    ids. Routes already in that coding (a resumed solve) are copied, then the copy is checked, so
    that routes mapped from a file are read once and never resident twice
    (:func:`private_copy`); others are checked, then decoded, encoded or widened.
    """
    kind = store_dtype(link_code, compact)
    store = np.asarray(paths.store)
    if paths.compact == compact and store.dtype == kind:
        copy = private_copy(store)
        check_paths(problem, replace(paths, store=copy))
        return copy
    check_paths(problem, paths)
    if paths.compact and not compact:
        return decoded_store(problem, paths)
    out = new_store(store.shape[0], kind)
    if paths.compact or not compact:  # steps of another width, or link ids
        out[:] = store  # (checked above: they fit)
    else:
        # Checked above: every path is a chain. (Indexing link_code by the store would first
        # copy it as int64 indices: 5 GB at a million nodes.)
        _route_kernels.encode_store(store, link_code, out)
    return out


def result_store(
    store: RouteStore,
    *,
    network: Network,
    pair_origin: NDArray[np.int64],
    pair_path: NDArray[np.int64],
    path_start: NDArray[np.int64],
    path_length: NDArray[np.int64],
    forward: NDArray[np.integer],
    compact: bool,
) -> NDArray[np.integer]:
    """The used entries of a compacted ``store`` as a result holds them: steps or link ids.

    The solver's own store is shared where it already holds what is asked for (``forward``
    says whether it holds steps, :func:`route_coding`).
    """
    links: NDArray[np.integer] = store.steps[: store.used]
    if compact and not forward.shape[0]:
        link_code, _ = route_coding(network, compact=True)
        links = np.empty(store.used, dtype=link_code.dtype)
        _route_kernels.encode_store(store.steps[: store.used], link_code, links)
    elif forward.shape[0] and not compact:
        links = np.empty(store.used, dtype=np.int32)
        _route_kernels.decode_store(
            pair_origin,
            pair_path,
            path_start,
            path_length,
            store.steps,
            network.out_start,
            forward,
            links,
        )
    return links


def decoded_store(problem: AssignmentProblem, paths: PathFlows) -> NDArray[np.int32]:
    """The link ids (``int32``) of compact ``paths`` (that :func:`check_paths` accepted)."""
    network = problem.network
    _, forward = route_coding(network, compact=True)
    links = np.zeros(paths.store.shape[0], dtype=np.int32)
    _route_kernels.decode_store(
        np.concatenate([c.demand.origin for c in problem.classes]),
        np.asarray(paths.pair_path, dtype=np.int64),
        np.asarray(paths.path_start, dtype=np.int64),
        np.asarray(paths.path_length, dtype=np.int64),
        np.asarray(paths.store),
        network.out_start,
        forward,
        links,
    )
    return links


def decode_paths(problem: AssignmentProblem, paths: PathFlows) -> PathFlows:
    """``paths`` with link ids (``int32``) in the store; ``paths`` itself if it holds them.

    Compact steps are checked (:func:`check_paths`) and read from each pair's origin in
    ``problem``, the problem they were solved for.
    """
    if not paths.compact:
        return paths
    check_paths(problem, paths)
    return replace(paths, store=decoded_store(problem, paths), compact=False)


def check_paths(problem: AssignmentProblem, paths: PathFlows) -> None:
    """Check that warm-start paths are routes of this network between their pairs' nodes.

    Each path is walked once in place (:func:`_route_kernels.check_routes`, link ids or
    compact steps): a route table of a million-node network holds billions of bytes, and no
    copy of it is made.
    """
    network = problem.network
    pair_path = np.asarray(paths.pair_path, dtype=np.int64)
    faults = {
        1: "a path names a link outside this network"
        if not paths.compact
        else "a route step names no out-link of its node",
        2: "a path lies outside the link store",
        3: "a path does not join its pair's origin and destination",
        4: "a path is not a chain of consecutive links",
    }
    bad = ""
    if paths.path_flow.shape != paths.path_start.shape or (
        paths.path_length.shape != paths.path_start.shape
    ):
        bad = "path arrays differ in length"
    elif not np.issubdtype(np.asarray(paths.store).dtype, np.integer):
        bad = "the store must hold integers (link ids or route steps)"
    elif pair_path[0] != 0 or pair_path[-1] != paths.num_paths or (np.diff(pair_path) < 0).any():
        bad = "pair_path is not a running count of the paths from 0 to their number"
    elif (paths.path_flow < 0).any() or not np.isfinite(paths.path_flow).all():
        bad = "path flows must be finite and >= 0"
    elif paths.num_paths:
        fault = _route_kernels.check_routes(
            pair_path,
            np.asarray(paths.path_start, dtype=np.int64),
            np.asarray(paths.path_length, dtype=np.int64),
            np.asarray(paths.store),
            np.concatenate([c.demand.origin for c in problem.classes]),
            np.concatenate([c.demand.destination for c in problem.classes]),
            network.tail,
            network.head,
            network.out_start,
            route_coding(network, compact=paths.compact)[1],
        )
        bad = faults.get(int(fault), "")
    if bad:
        raise InvalidParameterError(
            f"warm-start paths do not fit this problem: {bad}; pass the paths of a solve on "
            "the same network",
            key="initial",
        )
