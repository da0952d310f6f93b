"""The built-in Mexico dataset: counts, sources, connectivity, the detour factor, bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, dijkstra

from counterflow.data import builtin_path, load_dataset
from counterflow.errors import InputFileNotFoundError, NetworkFormatError
from counterflow.traffic.network import build_trafficking_network


@pytest.fixture(scope="module")
def dataset():
    return load_dataset("builtin:mexico")


def great_circle_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


def test_counts_and_sources(dataset) -> None:
    kinds = dataset.nodes["kind"].value_counts()
    assert kinds["city"] >= 150
    assert 40 <= kinds["port_of_entry"] <= 50
    assert kinds["us_port"] == kinds["port_of_entry"]
    assert kinds["seaport"] >= 8
    assert kinds["southern_crossing"] >= 3
    assert kinds["production_zone"] >= 3
    assert len(dataset.edges) >= 250
    published = dataset.edges["km_source"].isin(["published", "published-weak"])
    assert published.mean() >= 0.30
    assert set(dataset.edges["km_source"]) == {"published", "published-weak", "estimated"}
    cities = dataset.nodes[dataset.nodes["kind"] == "city"]
    assert (cities["geonames_id"] != "").all()
    assert cities["geonames_id"].is_unique
    assert set(dataset.field_offices) == {"San Diego", "Tucson", "El Paso", "Laredo"}
    assert set(dataset.organizations["org_id"]) == {
        "sinaloa",
        "cjng",
        "noreste",
        "golfo",
        "familia-michoacana",
        "carteles-unidos",
    }
    for table in (dataset.nodes, dataset.edges, dataset.control_shares, dataset.prices):
        assert (table["source"].str.strip() != "").all()


def test_network_is_connected_and_every_port_reachable(dataset) -> None:
    ids = {node: i for i, node in enumerate(dataset.nodes["node_id"])}
    a = dataset.edges["from_node"].map(ids).to_numpy()
    b = dataset.edges["to_node"].map(ids).to_numpy()
    n = len(ids)
    graph = csr_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    count, _ = connected_components(graph, directed=False)
    assert count == 1
    kinds = dataset.nodes["kind"].to_numpy()
    ports = np.flatnonzero(kinds == "port_of_entry")
    for origin in np.flatnonzero(
        np.isin(kinds, ["production_zone", "seaport", "southern_crossing"])
    ):
        reached = breadth_first_order(graph, origin, directed=False, return_predecessors=False)
        assert np.isin(ports, reached).all()


def test_production_zones_carry_no_through_traffic(dataset) -> None:
    # A production zone is a source: no road enters it, so no shortest path between two other
    # nodes can pass through it (the Golden Triangle once joined Culiacan to Chihuahua).
    net = build_trafficking_network(dataset)
    roads = net.kind == "road"
    tail, head = net.network.tail[roads], net.network.head[roads]
    n = net.network.num_nodes
    zones = np.flatnonzero(net.node_table["kind"].to_numpy() == "production_zone")
    assert zones.size >= 3
    assert not np.isin(head, zones).any()
    others = np.setdiff1d(np.arange(n - 1), zones)
    with_zones = csr_matrix((net.road_km[roads], (tail, head)), shape=(n, n))
    keep = ~np.isin(tail, zones)
    without = csr_matrix((net.road_km[roads][keep], (tail[keep], head[keep])), shape=(n, n))
    np.testing.assert_array_equal(
        dijkstra(with_zones, indices=others)[:, others],
        dijkstra(without, indices=others)[:, others],
    )
    # Every zone still reaches a port of entry.
    ports = np.flatnonzero(net.node_table["kind"].to_numpy() == "port_of_entry")
    assert np.isfinite(dijkstra(with_zones, indices=zones)[:, ports]).any(axis=1).all()


def test_detour_factor_recomputed_from_published_pairs(dataset) -> None:
    nodes = dataset.nodes.set_index("node_id")
    edges = dataset.edges[~dataset.edges["highway"].isin(["border"])]
    start, end = nodes.loc[edges["from_node"]], nodes.loc[edges["to_node"]]
    km = great_circle_km(
        start["lat"].to_numpy(),
        start["lon"].to_numpy(),
        end["lat"].to_numpy(),
        end["lon"].to_numpy(),
    )
    published = edges["km_source"].isin(["published", "published-weak"]).to_numpy() & (km > 5)
    assert published.sum() >= 10
    factor = float(np.median(edges["road_km"].to_numpy()[published] / km[published]))
    assert 1.05 < factor < 1.6
    estimated = (edges["km_source"] == "estimated").to_numpy()
    # Every estimated segment is its great-circle length times the same factor (to rounding).
    np.testing.assert_allclose(
        edges["road_km"].to_numpy()[estimated], km[estimated] * factor, rtol=0.02, atol=0.6
    )


def test_control_shares_sum_to_at_most_one(dataset) -> None:
    totals = dataset.control_shares.groupby("state_code")["share"].sum()
    assert (totals <= 1 + 1e-9).all()
    assert set(totals.index) <= set(dataset.states)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "mexico"
    shutil.copytree(builtin_path("mexico"), target)
    return target


def edit_csv(path: Path, change) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    changed = change(frame)
    (frame if changed is None else changed).to_csv(path, index=False)


def test_missing_file(copy: Path) -> None:
    (copy / "edges.csv").unlink()
    with pytest.raises(InputFileNotFoundError, match=r"edges.csv: missing data file edges.csv"):
        load_dataset(copy)


def test_missing_column(copy: Path) -> None:
    edit_csv(copy / "edges.csv", lambda f: f.drop(columns=["road_km"]))
    with pytest.raises(NetworkFormatError, match=r"edges.csv:1: missing column\(s\) road_km"):
        load_dataset(copy)


def test_unknown_node_in_edges(copy: Path) -> None:
    edit_csv(copy / "edges.csv", lambda f: f.loc.__setitem__((3, "to_node"), "atlantis"))
    with pytest.raises(NetworkFormatError, match=r"edges.csv:5: to_node: unknown node 'atlantis'"):
        load_dataset(copy)


def test_negative_road_km(copy: Path) -> None:
    edit_csv(copy / "edges.csv", lambda f: f.loc.__setitem__((0, "road_km"), "-4"))
    with pytest.raises(
        NetworkFormatError, match=r"edges.csv:2: road_km: road_km = '-4'; give a number > 0"
    ):
        load_dataset(copy)


def test_shares_over_one_in_a_state(copy: Path) -> None:
    edit_csv(copy / "control_shares.csv", lambda f: f.loc.__setitem__((0, "share"), "0.99"))
    with pytest.raises(NetworkFormatError, match=r"sum to .*at most 1"):
        load_dataset(copy)


def test_row_without_source(copy: Path) -> None:
    edit_csv(copy / "prices.csv", lambda f: f.loc.__setitem__((2, "source"), " "))
    with pytest.raises(NetworkFormatError, match=r"prices.csv:4: source: empty source"):
        load_dataset(copy)


def test_dataset_folder_missing(tmp_path: Path) -> None:
    with pytest.raises(InputFileNotFoundError, match="dataset folder not found"):
        load_dataset(tmp_path / "nowhere")
