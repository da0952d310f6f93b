"""The directed graph as compressed sparse row (forward-star) arrays.

A :class:`Network` holds its links in input order (so results line up with the input file, one
row per link, parallel links kept apart) plus a forward star: for node ``n`` the ids of the
links leaving it are ``out_links[out_start[n]:out_start[n + 1]]``. Nodes are 0-based inside the
package; :attr:`Network.node_ids` maps them back to the ids users see.

Link performance follows the BPR form of the TNTP files (Bureau of Public Roads, *Traffic
Assignment Manual*, 1964): ``t(x) = fft * (1 + b * (x / capacity) ** power)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from counterflow.errors import InvalidParameterError

__all__ = ["LinkCosts", "Network", "build_forward_star", "frozen_array", "read_only"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_T = TypeVar("_T", bound=np.generic)


def read_only(array: NDArray[_T]) -> NDArray[_T]:
    """Return ``array`` with its write flag cleared (a view; the data are not copied)."""
    view = array.view()
    view.flags.writeable = False
    return view


def frozen_array(values: object, dtype: type[np.generic]) -> NDArray[Any]:
    """A read-only contiguous array of ``dtype`` (kernels then always see one array type)."""
    array = np.ascontiguousarray(values, dtype=dtype)
    if array.flags.writeable:
        array = read_only(array)
    return array


def build_forward_star(num_nodes: int, tail: IntArray) -> tuple[IntArray, IntArray]:
    """Return ``(out_start, out_links)``: the links leaving each node, in input order.

    The sort is stable, so parallel links keep their input order and every run sees the same
    adjacency order (which fixes tie-breaking in shortest paths).
    """
    out_links = np.argsort(tail, kind="stable").astype(np.int64)
    counts = np.bincount(tail, minlength=num_nodes)
    out_start = np.zeros(num_nodes + 1, dtype=np.int64)
    np.cumsum(counts, out=out_start[1:])
    return out_start, out_links


@dataclass(frozen=True, slots=True)
class LinkCosts:
    """Separable link cost ``t(x) = base + coef * (x / capacity) ** power`` per link.

    This is the shared, flow-dependent part of every class's cost. BPR is ``base = fft`` and
    ``coef = fft * b``; the trafficking model's volume-driven hazard has ``base = 0``. A link
    with ``coef == 0`` or ``power == 0`` has a constant cost.
    """

    base: FloatArray
    coef: FloatArray
    capacity: FloatArray
    power: FloatArray

    def __post_init__(self) -> None:
        for name in ("base", "coef", "capacity", "power"):
            object.__setattr__(self, name, frozen_array(getattr(self, name), np.float64))
        n = self.base.shape[0]
        for name in ("base", "coef", "capacity", "power"):
            values = getattr(self, name)
            if values.shape != (n,):
                raise InvalidParameterError(
                    f"{name} has shape {values.shape}, expected ({n},); give one value per link",
                    key=name,
                )
            bad = ~np.isfinite(values) | (values < 0)
            if name == "capacity":
                bad |= (values == 0) & (self.coef > 0) & (self.power > 0)
            if bad.any():
                link = int(np.flatnonzero(bad)[0])
                raise InvalidParameterError(
                    f"link {link} has {name} = {values[link]!r}; costs need finite values >= 0 "
                    "(and capacity > 0 where the cost depends on flow)",
                    key=name,
                )

    @property
    def num_links(self) -> int:
        """Number of links."""
        return int(self.base.shape[0])

    @property
    def flow_dependent(self) -> NDArray[np.bool_]:
        """Links whose cost depends on flow (``coef > 0`` and ``power > 0``)."""
        return (self.coef > 0) & (self.power > 0)


@dataclass(frozen=True, slots=True)
class Network:
    """A directed road network with BPR link attributes and a forward star.

    Attributes:
        name: A label (the TNTP folder name, for instance).
        node_ids: The user's id of each node (0-based index -> id).
        num_zones: Zones are the nodes ``0 .. num_zones - 1``.
        zones_passable: Whether paths may pass through zone nodes (TNTP ``<FIRST THRU NODE>``
            of 1); when false a zone is only an origin or a destination.
        tail, head: 0-based end nodes of each link, in input order.
        capacity, length, free_flow_time, b, power, toll: BPR attributes per link.
        link_type: The TNTP link type (informational).
    """

    name: str
    node_ids: IntArray
    num_zones: int
    zones_passable: bool
    tail: IntArray
    head: IntArray
    capacity: FloatArray
    length: FloatArray
    free_flow_time: FloatArray
    b: FloatArray
    power: FloatArray
    toll: FloatArray
    link_type: IntArray
    out_start: IntArray = field(init=False)
    out_links: IntArray = field(init=False)
    out_head: IntArray = field(init=False)

    def __post_init__(self) -> None:
        for name in ("node_ids", "tail", "head", "link_type"):
            object.__setattr__(self, name, frozen_array(getattr(self, name), np.int64))
        for name in ("capacity", "length", "free_flow_time", "b", "power", "toll"):
            object.__setattr__(self, name, frozen_array(getattr(self, name), np.float64))
        out_start, out_links = build_forward_star(self.num_nodes, self.tail)
        object.__setattr__(self, "out_start", read_only(out_start))
        object.__setattr__(self, "out_links", read_only(out_links))
        object.__setattr__(self, "out_head", read_only(self.head[out_links]))

    @property
    def num_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_ids.shape[0])

    @property
    def num_links(self) -> int:
        """Number of links (parallel links counted separately)."""
        return int(self.tail.shape[0])

    @property
    def num_blocked_zones(self) -> int:
        """How many leading nodes paths may not pass through (0 when zones are passable)."""
        return 0 if self.zones_passable else self.num_zones

    def bpr_costs(self) -> LinkCosts:
        """Return the BPR link costs ``fft * (1 + b * (x / capacity) ** power)``."""
        return LinkCosts(
            base=self.free_flow_time,
            coef=self.free_flow_time * self.b,
            capacity=self.capacity,
            power=self.power,
        )

    def fixed_cost(self, *, toll_factor: float = 0.0, distance_factor: float = 0.0) -> FloatArray:
        """Return the flow-independent cost ``toll_factor * toll + distance_factor * length``.

        The factors come from the caller (the CLI flags), never from a README: TNTP files do
        not carry them (Chicago-Sketch's README gives toll 0.02 and distance 0.04).
        """
        for key, value in (("toll_factor", toll_factor), ("distance_factor", distance_factor)):
            if not np.isfinite(value) or value < 0:
                raise InvalidParameterError(
                    f"{value!r} is not a finite number >= 0; pass a weight such as 0.02",
                    key=key,
                )
        return toll_factor * self.toll + distance_factor * self.length
