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


# --- state areas in the map layers (polygonized from the state lines; scripts/build_map_layers.py)

CROSSING_KINDS = ("port_of_entry", "seaport", "southern_crossing")  # on the border or the coast


def state_areas(dataset) -> dict[str, list[list[np.ndarray]]]:
    """Each state's polygons, each a list of (n, 2) lon/lat rings, exterior first."""
    areas: dict[str, list[list[np.ndarray]]] = {}
    for feature in dataset.map_layers["features"]:
        if feature["properties"]["layer"] != "state_areas":
            continue
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        code = feature["properties"]["state_code"]
        assert code not in areas, f"{code} has two state_areas features"
        areas[code] = [[np.asarray(ring, dtype=float) for ring in rings] for rings in polygons]
    return areas


def inside(lon: np.ndarray, lat: np.ndarray, polygons: list[list[np.ndarray]]) -> np.ndarray:
    """Even–odd ray casting: whether each point lies inside any of the polygons."""
    result = np.zeros(lon.shape, dtype=bool)
    for rings in polygons:
        odd = np.zeros(lon.shape, dtype=bool)
        for ring in rings:
            x1, y1 = ring[:-1, 0], ring[:-1, 1]
            x2, y2 = ring[1:, 0], ring[1:, 1]
            py, px = lat[:, None], lon[:, None]
            straddles = (y1 > py) != (y2 > py)
            with np.errstate(divide="ignore", invalid="ignore"):
                x_cross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
            odd ^= (straddles & (px < x_cross)).sum(axis=1) % 2 == 1
        result |= odd
    return result


def km_to_boundary(lon: np.ndarray, lat: np.ndarray, polygons) -> np.ndarray:
    """Distance from each point to the nearest ring of the polygons (km, locally flat)."""
    scale = np.cos(np.radians(lat))[:, None] * 111.32
    best = np.full(lon.shape, np.inf)
    for ring in (ring for rings in polygons for ring in rings):
        ax, ay, bx, by = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
        dx, dy = (bx - ax) * scale, (by - ay) * 110.57
        px, py = (lon[:, None] - ax) * scale, (lat[:, None] - ay) * 110.57
        length2 = np.where(dx * dx + dy * dy == 0, 1.0, dx * dx + dy * dy)
        t = np.clip((px * dx + py * dy) / length2, 0.0, 1.0)
        best = np.minimum(best, np.hypot(px - t * dx, py - t * dy).min(axis=1))
    return best


def test_inside_by_ray_casting_on_a_square_with_a_hole() -> None:
    square = np.array([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], dtype=float)
    hole = np.array([[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]], dtype=float)
    lon, lat = np.array([0.5, 1.5, 3.0, 5.0]), np.array([0.5, 1.5, 3.0, 1.0])
    assert inside(lon, lat, [[square, hole]]).tolist() == [True, False, True, False]
    assert km_to_boundary(np.array([5.0]), np.array([0.0]), [[square]])[0] == pytest.approx(111.32)


def test_every_state_of_the_nodes_has_an_area(dataset) -> None:
    mexican = dataset.nodes[dataset.nodes["kind"] != "us_port"]
    assert sorted(state_areas(dataset)) == sorted(set(mexican["state_code"]))
    assert len(set(mexican["state_code"])) == 32


def test_nodes_lie_inside_their_own_state_area(dataset) -> None:
    mexican = dataset.nodes[dataset.nodes["kind"] != "us_port"]
    areas = state_areas(dataset)
    own = np.zeros(len(mexican), dtype=bool)
    km = np.zeros(len(mexican))
    for code, polygons in areas.items():
        mine = (mexican["state_code"] == code).to_numpy()
        lon, lat = mexican["lon"].to_numpy()[mine], mexican["lat"].to_numpy()[mine]
        own[mine] = inside(lon, lat, polygons)
        km[mine] = km_to_boundary(lon, lat, polygons)
    inland = ~mexican["kind"].isin(CROSSING_KINDS).to_numpy()
    # Cities and production zones: almost all inside (three coastal or border towns are not).
    assert own[inland].mean() >= 0.95, mexican.loc[inland & ~own, "node_id"].tolist()
    # Crossings sit on the border or the coast, often a few hundred metres outside the area
    # (the 10m lines are simplified to about 1 km); none lies farther than 3 km from it.
    assert (own | (km < 3.0)).all(), mexican.loc[~own & (km >= 3.0), "node_id"].tolist()
    # Overall 189 of 220 at this build; a drop means the areas moved.
    assert own.mean() >= 0.85


def test_state_areas_do_not_overlap(dataset) -> None:
    areas = state_areas(dataset)
    mexican = dataset.nodes[dataset.nodes["kind"] != "us_port"]
    grid_lon, grid_lat = np.meshgrid(np.arange(-117.9, -86.5, 0.25), np.arange(14.5, 32.8, 0.25))
    lon = np.concatenate([mexican["lon"].to_numpy(), grid_lon.ravel()])
    lat = np.concatenate([mexican["lat"].to_numpy(), grid_lat.ravel()])
    hits = sum(inside(lon, lat, polygons).astype(int) for polygons in areas.values())
    assert hits.max() == 1
    assert (hits[len(mexican) :] == 1).sum() > 2600  # Mexico is about 1.96 million km2


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
