"""Synthetic test networks: perturbed square grids with gravity demand.

Used by the demo (``make demo``), the tests and the benchmarks. Everything is drawn from a
``numpy.random.Generator`` seeded by the caller, so the same arguments give the same network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from counterflow.errors import InvalidParameterError
from counterflow.network.graph import Network, read_only

__all__ = ["MAX_GRID_SIDE", "GridNetwork", "make_grid_network"]

# The largest side accepted: 16 million nodes. Assumption: the largest grid benchmarked has
# side 1,000 (one million nodes, 5-11 GB while solved: benchmarks/results/); a side of 100,000
# would ask for 10 billion nodes and fail only after allocating for minutes.
MAX_GRID_SIDE = 4_000


@dataclass(frozen=True, slots=True)
class GridNetwork:
    """A generated network and its demand (0-based zone pairs)."""

    network: Network
    origins: NDArray[np.int64]
    destinations: NDArray[np.int64]
    volume: NDArray[np.float64]


def make_grid_network(
    side: int = 20,
    *,
    num_zones: int = 40,
    trips_per_zone: float = 1500.0,
    seed: int = 0,
    name: str = "grid",
) -> GridNetwork:
    """Return a ``side x side`` grid with two-way BPR(0.15, 4) links and gravity demand.

    Node positions are jittered by up to 0.3 of the spacing; link length is the Euclidean
    distance (km), free-flow time is length at 60 km/h (minutes) and capacity is uniform in
    [600, 1800] per link and direction. ``num_zones`` nodes drawn at random become zones and
    are numbered first, TNTP style; paths may pass through them. Demand between zones i and j
    is proportional to ``m_i m_j / d_ij`` with masses uniform in [0.5, 1.5], scaled so that each
    zone sends ``trips_per_zone`` on average.
    """
    if not 2 <= side <= MAX_GRID_SIDE:
        raise InvalidParameterError(
            f"side = {side}; a grid needs a side from 2 to {MAX_GRID_SIDE:,}", key="side"
        )
    num_nodes = side * side
    if not 2 <= num_zones <= num_nodes:
        raise InvalidParameterError(
            f"num_zones = {num_zones}; choose between 2 and {num_nodes}", key="num_zones"
        )
    if not np.isfinite(trips_per_zone) or trips_per_zone <= 0:
        raise InvalidParameterError(
            f"trips_per_zone = {trips_per_zone}; give a positive number", key="trips_per_zone"
        )
    rng = np.random.default_rng(seed)
    rows, cols = np.divmod(np.arange(num_nodes), side)
    position = np.column_stack([cols, rows]).astype(np.float64)
    position += rng.uniform(-0.3, 0.3, size=position.shape)

    # Zones first: node k of the grid gets the id permutation[k].
    zones = rng.choice(num_nodes, size=num_zones, replace=False)
    is_zone = np.zeros(num_nodes, dtype=bool)
    is_zone[zones] = True
    order = np.concatenate([zones, np.flatnonzero(~is_zone)])
    new_id = np.empty(num_nodes, dtype=np.int64)
    new_id[order] = np.arange(num_nodes)

    right = np.flatnonzero(cols < side - 1)
    down = np.flatnonzero(rows < side - 1)
    a = np.concatenate([right, down])
    b = np.concatenate([right + 1, down + side])
    tail = np.concatenate([a, b])
    head = np.concatenate([b, a])
    length_km: NDArray[np.float64] = np.sqrt(np.sum((position[tail] - position[head]) ** 2, axis=1))
    num_links = tail.shape[0]
    capacity = np.asarray(rng.uniform(600.0, 1800.0, size=num_links), dtype=np.float64)
    speed_kph = 60.0
    free_flow_min: NDArray[np.float64] = length_km / speed_kph * 60.0

    link_order = np.lexsort((new_id[head], new_id[tail]))
    network = Network(
        name=name,
        node_ids=read_only(np.arange(1, num_nodes + 1, dtype=np.int64)),
        num_zones=num_zones,
        zones_passable=True,
        tail=read_only(new_id[tail][link_order]),
        head=read_only(new_id[head][link_order]),
        capacity=read_only(capacity[link_order]),
        length=read_only(length_km[link_order]),
        free_flow_time=read_only(free_flow_min[link_order]),
        b=read_only(np.full(num_links, 0.15)),
        power=read_only(np.full(num_links, 4.0)),
        toll=read_only(np.zeros(num_links)),
        link_type=read_only(np.ones(num_links, dtype=np.int64)),
    )

    mass = rng.uniform(0.5, 1.5, size=num_zones)
    zone_position = position[order[:num_zones]]
    distance = np.linalg.norm(zone_position[:, None, :] - zone_position[None, :, :], axis=2)
    np.fill_diagonal(distance, np.inf)
    attraction = mass[:, None] * mass[None, :] / distance
    attraction *= trips_per_zone * num_zones / attraction.sum()
    origins, destinations = np.nonzero(attraction > 0)
    return GridNetwork(
        network=network,
        origins=read_only(origins.astype(np.int64)),
        destinations=read_only(destinations.astype(np.int64)),
        volume=read_only(attraction[origins, destinations]),
    )
