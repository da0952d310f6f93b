"""The trafficking graph: Mexico's corridors, the land ports, the US side and the US market.

Built from a :class:`~counterflow.data.Dataset` (DESIGN.md, "Network"):

* every highway segment of ``edges.csv`` in both directions (``road`` links), except that
  a production zone's segments only lead out of it, so that no route passes through it;
* each port of entry to its US-side node, northbound only (``border`` links: the crossing,
  where US inspection and volume visibility act);
* each US-side node to one super sink, the US market (``hub`` links), whose length is the
  road km from that port to its CBP field office's distribution hub (``port_hub_km.csv``,
  averaged over the crossings that share a US port name), so that an entry point is not free
  of consequence.

A link that joins two states counts half its km in each (DESIGN.md: split by km; the
dataset gives only the end points, so the split is even).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from counterflow.data import Dataset
from counterflow.errors import NetworkFormatError
from counterflow.network import Network

__all__ = ["DEFAULT_LANES", "TraffickingNetwork", "build_trafficking_network"]

DEFAULT_LANES = 4.0  # assumption for crossings without a published lane count
SINK_ID = "us-market"


@dataclass(frozen=True)
class TraffickingNetwork:
    """The graph and what each link is.

    Attributes:
        network: The directed graph (CSR); node ``i`` is ``node_ids[i]``; the last node is the
            US market sink.
        node_table: ``nodes.csv`` in node order (without the sink).
        kind: Per link, ``road``, ``border`` or ``hub``.
        road_km: Per link, km (border links: 0; hub links: km to the hub).
        state_a, state_b: Per link, the state codes of its ends (``""`` on the US side).
        crossing: Per link, the node index of the port of entry for border links, else -1.
        to_border_share: Per node, 1 - (road km to the nearest port) / (largest such km over
            origins): where a kg is on its way from origin (0) to border (1), for valuing it.
    """

    network: Network
    node_table: pd.DataFrame
    kind: NDArray[np.str_]
    road_km: NDArray[np.float64]
    state_a: NDArray[np.str_]
    state_b: NDArray[np.str_]
    crossing: NDArray[np.int64]
    to_border_share: NDArray[np.float64]

    @property
    def sink(self) -> int:
        """Index of the US-market node."""
        return self.network.num_nodes - 1

    @cached_property
    def node_index(self) -> dict[str, int]:
        """Per node id, its index."""
        return {str(node): i for i, node in enumerate(self.node_table["node_id"])}

    @cached_property
    def port_columns(self) -> dict[str, NDArray[np.object_]]:
        """Per border link (in link order), its crossing's id, name, state and field office."""
        ports = self.crossing[self.kind == "border"]
        columns = {
            "crossing_id": "node_id",
            "crossing_name": "name",
            "state_code": "state_code",
            "field_office": "cbp_field_office",
        }
        return {
            name: self.node_table[column].to_numpy(dtype=object)[ports]
            for name, column in columns.items()
        }


def build_trafficking_network(dataset: Dataset) -> TraffickingNetwork:
    """Build the directed trafficking graph of a dataset."""
    nodes = dataset.nodes.reset_index(drop=True)
    index = {node: i for i, node in enumerate(nodes["node_id"])}
    sink = len(nodes)
    kinds = nodes["kind"].to_numpy()
    state = nodes["state_code"].to_numpy()

    tail: list[int] = []
    head: list[int] = []
    kind: list[str] = []
    km: list[float] = []
    crossing: list[int] = []
    border_of: dict[int, int] = {}
    edges = dataset.edges
    for start, end, length in zip(
        edges["from_node"], edges["to_node"], edges["road_km"], strict=True
    ):
        a, b = index[str(start)], index[str(end)]
        pair = {kinds[a], kinds[b]}
        if "us_port" in pair:
            if pair != {"us_port", "port_of_entry"}:
                raise NetworkFormatError(
                    f"edge {start}-{end} joins a US-side node to something other "
                    "than its port of entry",
                    path=dataset.folder / "edges.csv",
                )
            port, us = (a, b) if kinds[a] == "port_of_entry" else (b, a)
            tail.append(port)
            head.append(us)
            kind.append("border")
            km.append(0.0)
            crossing.append(port)
            border_of[us] = port
            continue
        for u, v in ((a, b), (b, a)):
            if kinds[v] == "production_zone":
                continue  # a production zone is a source: roads leave it, none enter it
            tail.append(u)
            head.append(v)
            kind.append("road")
            km.append(float(length))
            crossing.append(-1)

    hub_km = dataset.port_hub_km.groupby("us_port_name")["road_km"].mean()
    for us_index in np.flatnonzero(kinds == "us_port"):
        us = int(us_index)
        name = nodes["us_port_name"].iloc[us]
        if name not in hub_km.index:
            raise NetworkFormatError(
                f"no distance to a hub for US port {name!r}; add it to port_hub_km.csv",
                path=dataset.folder / "port_hub_km.csv",
            )
        tail.append(us)
        head.append(sink)
        kind.append("hub")
        km.append(float(hub_km[name]))
        crossing.append(border_of.get(us, -1))

    tail_array = np.array(tail, dtype=np.int64)
    head_array = np.array(head, dtype=np.int64)
    links = tail_array.shape[0]
    network = Network(
        name="mexico",
        node_ids=np.arange(1, sink + 2, dtype=np.int64),
        num_zones=0,
        zones_passable=True,
        tail=tail_array,
        head=head_array,
        capacity=np.ones(links),
        length=np.array(km),
        free_flow_time=np.zeros(links),
        b=np.zeros(links),
        power=np.zeros(links),
        toll=np.zeros(links),
        link_type=np.zeros(links, dtype=np.int64),
    )
    state_a = np.array([state[t] if t < sink and kinds[t] != "us_port" else "" for t in tail])
    state_b = np.array([state[h] if h < sink and kinds[h] != "us_port" else "" for h in head])

    # How far along its way to the border each node is (for the value of a kg there).
    roads = np.array(kind) == "road"
    graph = csr_matrix(
        (np.array(km)[roads], (tail_array[roads], head_array[roads])), shape=(sink + 1, sink + 1)
    )
    ports = np.flatnonzero(kinds == "port_of_entry")
    to_port = dijkstra(graph.T, indices=ports, min_only=True)
    origins = np.isin(kinds, ["production_zone", "seaport", "southern_crossing"])
    stranded = np.flatnonzero(origins & ~np.isfinite(to_port[:sink]))
    if stranded.size:
        raise NetworkFormatError(
            f"node {nodes['node_id'].iloc[int(stranded[0])]!r} cannot reach any port of entry; "
            "the network is disconnected: add the missing highway segments",
            path=dataset.folder / "edges.csv",
        )
    longest = float(np.max(to_port[:sink][origins])) if origins.any() else 1.0
    share = np.clip(1.0 - to_port / max(longest, 1.0), 0.0, 1.0)
    share[sink] = 1.0
    return TraffickingNetwork(
        network=network,
        node_table=nodes,
        kind=np.array(kind),
        road_km=np.array(km),
        state_a=state_a,
        state_b=state_b,
        crossing=np.array(crossing, dtype=np.int64),
        to_border_share=share,
    )
