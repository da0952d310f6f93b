"""The graph as CSR arrays and its readers (TNTP; the built-in CSV layout comes with the data)."""

from counterflow.network.generate import GridNetwork, make_grid_network
from counterflow.network.graph import LinkCosts, Network, build_forward_star
from counterflow.network.tntp import (
    TntpFiles,
    TntpNetwork,
    TntpTrips,
    find_tntp_files,
    read_tntp,
    read_tntp_flows,
    read_tntp_net,
    read_tntp_nodes,
    read_tntp_trips,
    write_tntp,
)

__all__ = [
    "GridNetwork",
    "LinkCosts",
    "Network",
    "TntpFiles",
    "TntpNetwork",
    "TntpTrips",
    "build_forward_star",
    "find_tntp_files",
    "make_grid_network",
    "read_tntp",
    "read_tntp_flows",
    "read_tntp_net",
    "read_tntp_nodes",
    "read_tntp_trips",
    "write_tntp",
]
