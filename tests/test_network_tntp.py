"""The TNTP reader: what it accepts, and one bad file per error kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from counterflow.errors import InputFileNotFoundError, InvalidParameterError, NetworkFormatError
from counterflow.network import (
    LinkCosts,
    find_tntp_files,
    make_grid_network,
    read_tntp,
    read_tntp_net,
    read_tntp_trips,
    write_tntp,
)

NET = """<NUMBER OF ZONES> 2
<NUMBER OF NODES> 4
<FIRST THRU NODE> 3
<NUMBER OF LINKS> 6
<END OF METADATA>

~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\tlink_type\t;
\t1\t3\t100\t1.5\t2\t0.15\t4\t0\t0\t1\t;
\t3\t4\t50\t2\t0\t0.15\t4\t0\t5\t1\t;
\t3\t4\t50\t2\t3\t0\t0\t0\t0\t1\t;
\t4\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;
\t1\t2\t1\t9\t20\t1e-18\t16.83\t0\t0\t2\t;
\t2\t1\t100\t1\t1\t0.15\t4\t0\t0\t1\t;
"""

TRIPS = """<NUMBER OF ZONES> 2
<TOTAL OD FLOW> 130.0
<END OF METADATA>

Origin 1
    1 :   30.0;     2 :    100.0;
Origin 2
    1 :   0.0;
"""


def make_folder(tmp_path: Path, net: str = NET, trips: str = TRIPS, name: str = "Tiny") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}_net.tntp").write_text(net)
    (folder / f"{name}_trips.tntp").write_text(trips)
    return folder


def test_reads_net_and_trips(tmp_path: Path) -> None:
    data = read_tntp(make_folder(tmp_path))
    net = data.network
    assert (net.num_nodes, net.num_links, net.num_zones) == (4, 6, 2)
    assert not net.zones_passable
    assert net.num_blocked_zones == 2
    np.testing.assert_array_equal(net.tail, [0, 2, 2, 3, 0, 1])
    np.testing.assert_array_equal(net.head, [2, 3, 3, 1, 1, 0])
    # Parallel links 3->4 are kept apart; zero free-flow time and constant cost are accepted.
    assert net.free_flow_time[1] == 0.0
    assert net.b[2] == 0.0
    assert net.power[2] == 0.0
    np.testing.assert_array_equal(net.toll, [0, 5, 0, 0, 0, 0])
    # Forward star: links leaving node 3 (index 2) in input order.
    np.testing.assert_array_equal(net.out_links[net.out_start[2] : net.out_start[3]], [1, 2])
    trips = data.trips
    np.testing.assert_array_equal(trips.origins, [0])
    np.testing.assert_array_equal(trips.destinations, [1])
    np.testing.assert_array_equal(trips.volume, [100.0])
    assert trips.intrazonal_volume == 30.0
    assert data.best_flows is None


def test_generalized_cost_weights_come_from_arguments(tmp_path: Path) -> None:
    net = read_tntp(make_folder(tmp_path)).network
    np.testing.assert_allclose(
        net.fixed_cost(toll_factor=0.5, distance_factor=2.0), 0.5 * net.toll + 2.0 * net.length
    )
    np.testing.assert_array_equal(net.fixed_cost(), np.zeros(6))
    with pytest.raises(InvalidParameterError, match="toll_factor"):
        net.fixed_cost(toll_factor=-1)


def test_steep_cost_functions_keep_their_precision(tmp_path: Path) -> None:
    # Barcelona-style link: capacity 1, b = 1e-18, power 16.83.
    net = read_tntp(make_folder(tmp_path)).network
    costs = net.bpr_costs()
    from counterflow.assign import _kernels

    flow = np.array([0.0, 0.0, 0.0, 0.0, 3000.0, 0.0])
    out = np.empty(6)
    _kernels.link_cost(costs.base, costs.coef, costs.capacity, costs.power, flow, out)
    expected = 20.0 * (1 + 1e-18 * 3000.0**16.83)
    assert out[4] == pytest.approx(expected, rel=1e-13)
    huge = np.array([0.0, 0.0, 0.0, 0.0, 1e18, 0.0])
    _kernels.link_cost(costs.base, costs.coef, costs.capacity, costs.power, huge, out)
    assert np.isfinite(out[4])
    integral = _kernels.link_cost_integral(
        costs.base, costs.coef, costs.capacity, costs.power, flow
    )
    assert integral == pytest.approx(20.0 * (3000.0 + 1e-18 * 3000.0**17.83 / 17.83), rel=1e-13)


def test_round_trip_through_writer(tmp_path: Path) -> None:
    grid = make_grid_network(5, num_zones=6, seed=2, name="g")
    files = write_tntp(
        tmp_path / "g",
        grid.network,
        origins=grid.origins,
        destinations=grid.destinations,
        volume=grid.volume,
    )
    assert find_tntp_files(tmp_path / "g") == files
    back = read_tntp(tmp_path / "g")
    for name in ("tail", "head", "capacity", "length", "free_flow_time", "b", "power", "toll"):
        np.testing.assert_array_equal(getattr(back.network, name), getattr(grid.network, name))
    order = np.lexsort((grid.destinations, grid.origins))
    np.testing.assert_array_equal(back.trips.volume, grid.volume[order])


BAD_NETS = {
    "not a number": (
        "\t1\t3\t100\t1.5\t2\t0.15\t4\t0\t0\t1\t;",
        "\t1\t3\tlots\t1.5\t2\t0.15\t4\t0\t0\t1\t;",
        8,
        "capacity 'lots' is not a number",
    ),
    "too few fields": (
        "\t1\t3\t100\t1.5\t2\t0.15\t4\t0\t0\t1\t;",
        "\t1\t3\t100\t;",
        8,
        "at least 7 fields",
    ),
    "unknown node": (
        "\t4\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;",
        "\t4\t9\t100\t1\t1\t0.15\t4\t0\t0\t1\t;",
        11,
        "unknown node id 9",
    ),
    "negative capacity": (
        "\t4\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;",
        "\t4\t2\t-100\t1\t1\t0.15\t4\t0\t0\t1\t;",
        11,
        "capacity = -100.0",
    ),
    "NaN capacity": (
        "\t4\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;",
        "\t4\t2\tnan\t1\t1\t0.15\t4\t0\t0\t1\t;",
        11,
        "capacity is NaN",
    ),
    "zero capacity on a congestible link": (
        "\t4\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;",
        "\t4\t2\t0\t1\t1\t0.15\t4\t0\t0\t1\t;",
        11,
        "capacity is 0",
    ),
    "negative power": (
        "\t4\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;",
        "\t4\t2\t100\t1\t1\t0.15\t-4\t0\t0\t1\t;",
        11,
        "power = -4.0",
    ),
    "infinite b": (
        "\t4\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;",
        "\t4\t2\t100\t1\t1\tinf\t4\t0\t0\t1\t;",
        11,
        "b = inf",
    ),
    "link count": ("<NUMBER OF LINKS> 6", "<NUMBER OF LINKS> 7", None, "says 7 but the file has 6"),
    "no metadata end": ("<END OF METADATA>", "", None, "END OF METADATA"),
    "missing node count": ("<NUMBER OF NODES> 4\n", "", None, "NUMBER OF NODES"),
}


@pytest.mark.parametrize("kind", sorted(BAD_NETS))
def test_bad_net_file(tmp_path: Path, kind: str) -> None:
    old, new, line, message = BAD_NETS[kind]
    assert old in NET
    folder = make_folder(tmp_path, net=NET.replace(old, new, 1))
    with pytest.raises(NetworkFormatError) as caught:
        read_tntp(folder)
    text = str(caught.value)
    assert "Tiny_net.tntp" in text
    assert message in text
    if line is not None:
        assert f"Tiny_net.tntp:{line}:" in text
    assert "\n" not in text


BAD_TRIPS = {
    "entry before origin": ("Origin 1\n", "", 5, "before any 'Origin' line"),
    "malformed entry": ("2 :    100.0;", "2     100.0;", 6, "malformed demand entry"),
    "unknown zone": ("2 :    100.0;", "3 :    100.0;", 6, "unknown zone id 3"),
    "negative volume": ("2 :    100.0;", "2 :    -100.0;", 6, "must be a finite number >= 0"),
    "NaN volume": ("2 :    100.0;", "2 :    nan;", 6, "volume is NaN"),
}


@pytest.mark.parametrize("kind", sorted(BAD_TRIPS))
def test_bad_trips_file(tmp_path: Path, kind: str) -> None:
    old, new, line, message = BAD_TRIPS[kind]
    assert old in TRIPS
    folder = make_folder(tmp_path, trips=TRIPS.replace(old, new, 1))
    with pytest.raises(NetworkFormatError) as caught:
        read_tntp(folder)
    assert f"Tiny_trips.tntp:{line}:" in str(caught.value)
    assert message in str(caught.value)


def test_missing_and_ambiguous_files(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    (folder / "Tiny_trips.tntp").unlink()
    with pytest.raises(InputFileNotFoundError, match=r"no file matches '\*_trips.tntp'"):
        find_tntp_files(folder)
    (folder / "a_trips.tntp").write_text(TRIPS)
    (folder / "b_trips.tntp").write_text(TRIPS)
    with pytest.raises(InputFileNotFoundError, match="several files match"):
        find_tntp_files(folder)
    with pytest.raises(InputFileNotFoundError, match="is not a folder"):
        find_tntp_files(tmp_path / "absent")


def test_flow_file_must_follow_net_order(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    rows = [
        "From\tTo\tVolume\tCost",
        "1 3 1 1",
        "3 4 1 1",
        "3 4 1 1",
        "4 2 1 1",
        "2 1 1 1",
        "1 2 1 1",
    ]
    (folder / "Tiny_flow.tntp").write_text("\n".join(rows) + "\n")
    with pytest.raises(NetworkFormatError, match=r"Tiny_flow.tntp:6: .*keep the net-file order"):
        read_tntp(folder)


def test_reader_rejects_zone_count_above_node_count(tmp_path: Path) -> None:
    path = tmp_path / "x_net.tntp"
    path.write_text(NET.replace("<NUMBER OF ZONES> 2", "<NUMBER OF ZONES> 5"))
    with pytest.raises(NetworkFormatError, match="exceeds"):
        read_tntp_net(path)
    trips = tmp_path / "x_trips.tntp"
    trips.write_text(TRIPS)
    assert read_tntp_trips(trips, num_zones=2).total_volume == 100.0


def test_link_costs_reject_values_that_break_the_cost_function() -> None:
    ones = np.ones(2)
    with pytest.raises(InvalidParameterError, match="capacity"):
        LinkCosts(base=ones, coef=ones, capacity=np.array([1.0, 0.0]), power=ones)
    with pytest.raises(InvalidParameterError, match="coef"):
        LinkCosts(base=ones, coef=np.array([1.0, np.nan]), capacity=ones, power=ones)
