"""Hostile and absurd inputs (issue 32): one bad file per error kind, each one line and exit 2.

``validate`` runs compare's preparation, so what it passes compare starts on; what it refuses,
compare refuses too, before the run and without touching the output folder. Every bad file is
made here, from a copy of the built-in dataset or a small scenario.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from counterflow.cli import main
from counterflow.data import builtin_path, load_dataset
from counterflow.errors import NetworkFormatError
from counterflow.scenario import load_scenario

SCENARIO = """\
name = "hardening"
network = "{network}"
replications = 1
{top}
[[strategy]]
id = "status-quo"
label = "Status quo"
{levers}
"""


def write_scenario(
    folder: Path, *, network: str = "net", top: str = "", levers: str = "", name: str = "s.toml"
) -> Path:
    """A two-month scenario file in ``folder`` (its dataset ``network``, relative to it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not top.startswith("months"):
        top = f"months = 2\n{top}"
    path.write_text(SCENARIO.format(network=network, top=top, levers=levers), encoding="utf-8")
    return path


def copy_dataset(tmp_path: Path) -> Path:
    """A copy of the built-in dataset in ``tmp_path / "net"``."""
    return Path(shutil.copytree(builtin_path(), tmp_path / "net"))


def edit_csv(folder: Path, name: str, change: Callable[[list[list[str]]], None]) -> None:
    """Rewrite ``folder / name`` after ``change`` edits its rows (row 0 is the header)."""
    path = folder / name
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def set_cell(name: str, line: int, column: str, value: str) -> Callable[[Path], None]:
    """An edit of one cell: ``line`` as an editor counts it (the header is line 1)."""

    def change(folder: Path) -> None:
        def edit(rows: list[list[str]]) -> None:
            rows[line - 1][rows[0].index(column)] = value

        edit_csv(folder, name, edit)

    return change


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The only line on stderr, checked to be a counterflow error without a traceback."""
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def refused(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *, compare: bool = True
) -> str:
    """Check that validate (and compare) refuse ``scenario`` in one line; return validate's."""
    assert main(["validate", str(scenario)]) == 2
    line = one_error_line(capsys)
    if compare:
        out = tmp_path / "out"
        before = sorted(tmp_path.iterdir())
        assert main(["compare", str(scenario), "--out", str(out)]) == 2
        assert one_error_line(capsys).startswith("counterflow: error: ")
        assert not out.exists()
        assert sorted(tmp_path.iterdir()) == before  # no staging folder left behind
    return line


# --- the dataset: every file that compare reads, refused when validate runs --------------------

ROW = 3  # the data row edited (line 3: the second row)


def _neighbours_self(folder: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows.append([rows[1][0], rows[1][0], "test"])

    edit_csv(folder, "state_neighbours.csv", edit)


def _edge_twice_reversed(folder: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        header = rows[0]
        twin = list(rows[2])
        a, b = header.index("from_node"), header.index("to_node")
        twin[a], twin[b] = twin[b], twin[a]
        rows.append(twin)

    edit_csv(folder, "edges.csv", edit)


def _edge_self_loop(folder: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        header = rows[0]
        rows[ROW - 1][header.index("to_node")] = rows[ROW - 1][header.index("from_node")]

    edit_csv(folder, "edges.csv", edit)


def _map_text(text: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (folder / "map_layers.json").write_text(text, encoding="utf-8")

    return change


def _map_feature(feature: object) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        path = folder / "map_layers.json"
        layers = json.loads(path.read_text(encoding="utf-8"))
        layers["features"][1] = feature
        path.write_text(json.dumps(layers), encoding="utf-8")

    return change


def _no_supply(folder: Path) -> None:
    (folder / "supply.csv").unlink()


BAD_DATA = {
    "lat-inf": (set_cell("nodes.csv", ROW, "lat", "inf"), "nodes.csv:3: lat: lat = 'inf'"),
    "lat-out-of-range": (set_cell("nodes.csv", ROW, "lat", "95"), "nodes.csv:3: lat: lat = '95'"),
    "lon-out-of-range": (set_cell("nodes.csv", ROW, "lon", "-200"), "nodes.csv:3: lon"),
    "road-km-inf": (set_cell("edges.csv", ROW, "road_km", "inf"), "edges.csv:3: road_km"),
    "price-inf": (set_cell("prices.csv", 8, "usd_per_kg", "inf"), "prices.csv:8: usd_per_kg"),
    "supply-1e160": (
        set_cell("supply.csv", ROW, "kg_per_month", "1e160"),
        "supply.csv:3: kg_per_month: kg_per_month = '1e160'; give a number >= 0 and at most 1e+09",
    ),
    "supply-1e300": (set_cell("supply.csv", ROW, "kg_per_month", "1e300"), "at most 1e+09"),
    "access-inf": (
        set_cell("market_access.csv", ROW, "usd_per_kg", "inf"),
        "market_access.csv:3: usd_per_kg",
    ),
    "homicides-inf": (
        set_cell("homicides.csv", ROW, "homicides", "inf"),
        "homicides.csv:3: homicides",
    ),
    "year-fraction": (
        set_cell("homicides.csv", ROW, "year", "2024.5"),
        "homicides.csv:3: year: year = '2024.5'; give a whole number",
    ),
    "year-overflow": (set_cell("homicides.csv", ROW, "year", "1e30"), "homicides.csv:3: year"),
    "year-early": (set_cell("homicides.csv", ROW, "year", "5"), "from 1990 to 2100"),
    "lanes-word": (set_cell("nodes.csv", 154, "lanes", "many"), "nodes.csv:154: lanes"),
    "lanes-huge": (set_cell("nodes.csv", 154, "lanes", "1e300"), "nodes.csv:154: lanes"),
    "designation-date": (
        set_cell("organizations.csv", 2, "fto_designation_date", "2025-02-30"),
        "organizations.csv:2: fto_designation_date",
    ),
    "edge-twice": (_edge_twice_reversed, "edges.csv:"),
    "edge-self-loop": (_edge_self_loop, "edges.csv:3: to_node: edge from"),
    "neighbour-self": (_neighbours_self, "is listed as its own neighbour"),
    "map-not-json": (_map_text('{"features": [\n'), "map_layers.json:2: not valid JSON"),
    "map-no-features": (_map_text('{"type": "FeatureCollection"}'), "map_layers.json: features"),
    "map-features-table": (_map_text('{"features": {"a": 1}}'), "map_layers.json: features"),
    "map-point": (
        _map_feature({"geometry": {"type": "Point", "coordinates": [0, 0]}}),
        "features[1].geometry",
    ),
    "map-coordinates": (
        _map_feature({"geometry": {"type": "LineString", "coordinates": [["a", "b"]]}}),
        "features[1].geometry.coordinates",
    ),
    "map-latitude": (
        _map_feature({"geometry": {"type": "LineString", "coordinates": [[-100, 91]]}}),
        "features[1].geometry.coordinates",
    ),
    "map-polygon-open": (
        _map_feature(
            {"geometry": {"type": "Polygon", "coordinates": [[[-100, 20], [-99, 20], [-99, 21]]]}}
        ),
        "features[1].geometry.coordinates: Polygon coordinates must be rings",
    ),
    "map-nested-deep": (_map_text("[" * 100_000 + "]" * 100_000), "map_layers.json: JSON nested"),
    "no-supply": (_no_supply, "the dataset has no supply.csv"),
}


@pytest.mark.parametrize("kind", sorted(BAD_DATA))
def test_a_bad_dataset_is_refused_by_validate_and_compare(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, expected = BAD_DATA[kind]
    change(copy_dataset(tmp_path))
    line = refused(write_scenario(tmp_path), tmp_path, capsys)
    assert line.startswith("counterflow: error: "), line
    assert expected in line, line


def test_each_road_is_listed_once_whichever_way_round(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path)
    _edge_twice_reversed(folder)
    with pytest.raises(NetworkFormatError) as caught:
        load_dataset(folder)
    lines = len((folder / "edges.csv").read_text(encoding="utf-8").splitlines())
    assert caught.value.line == lines
    assert "(first on line 3)" in caught.value.message


def test_the_builtin_data_passes_the_new_checks() -> None:
    dataset = load_dataset()
    assert dataset.map_layers is not None
    assert dataset.homicides["year"].between(1990, 2100).all()


# --- scenario files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "levers", "expected"),
    [
        ("start_date = 9999-12-01", "", "start_date: 9999-12-01 with months = 2 runs from"),
        ("start_date = 2100-12-01", "", "start_date: 2100-12-01 with months = 2"),
        ("start_date = 1900-01-01", "", "start_date: 1900-01-01"),
        ('start_date = "2025-06-01"', "", "start_date: Input should be a valid date"),
        ("months = true", "", "months: Input should be a valid integer"),
        ('months = "2"', "", "months: Input should be a valid integer"),
        ("months = 2.0", "", "months: Input should be a valid integer"),
        ('seed = "7"', "", "seed: Input should be a valid integer"),
        ('[parameters]\n"traffic.q_max" = "0.4"', "", "traffic.q_max: Input should be a valid"),
        (
            "",
            '[strategy.levers]\nconsent = "no"',
            "strategy['status-quo'].levers.consent: Input should be a valid boolean",
        ),
        (
            "",
            (
                "[strategy.levers]\nconsent = 0\n"
                'joint_operations = { organizations = ["cjng"], intensity = "2" }'
            ),
            "levers.consent: Input should be a valid boolean",
        ),
        ("", '[strategy.levers]\nisr_coverage = "0.5"\nconsent = true', "isr_coverage"),
        ('network = "builtin:../x"', "", "network: builtin: names a dataset packaged"),
        ('network = "builtin:/etc"', "", "one of builtin:mexico"),
    ],
)
def test_a_bad_scenario_value_is_refused(
    top: str, levers: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if top.startswith("network"):
        text = SCENARIO.replace('network = "{network}"\n', "").format(top=top, levers=levers)
        scenario = tmp_path / "s.toml"
        scenario.write_text(text, encoding="utf-8")
    else:
        scenario = write_scenario(tmp_path, network="builtin:mexico", top=top, levers=levers)
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert expected in err, err
    assert all(line.startswith(f"{scenario}: ") for line in err.strip().splitlines())
    out = tmp_path / "out"
    assert main(["compare", str(scenario), "--out", str(out)]) == 2
    assert one_error_line(capsys).startswith(f"counterflow: error: {scenario}: ")
    assert not out.exists()


def test_strict_types_list_every_problem_one_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = write_scenario(
        tmp_path,
        network="builtin:mexico",
        top='months = true\nseed = "1"',
        levers='[strategy.levers]\nconsent = "no"',
    )
    assert main(["validate", str(scenario)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "months",
        "seed",
        "strategy['status-quo'].levers.consent",
    ]


def test_an_integer_is_fine_where_a_number_is_expected(tmp_path: Path) -> None:
    scenario = write_scenario(
        tmp_path,
        network="builtin:mexico",
        top='[parameters]\n"traffic.port_beta" = 2',
        levers='[strategy.levers]\nconsent = true\njoint_operations = { organizations = ["cjng"],'
        " intensity = 1 }\nisr_coverage = 0",
    )
    loaded = load_scenario(scenario)
    assert loaded.parameters["traffic.port_beta"] == 2.0
    assert loaded.strategy[0].levers.joint_operations is not None
    assert loaded.strategy[0].levers.joint_operations.intensity == 1.0


def test_the_last_month_may_begin_in_december_2100(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, network="builtin:mexico", top="start_date = 2100-11-15")
    assert load_scenario(scenario).month_date(2).isoformat() == "2100-12-15"


def test_a_latin1_scenario_names_the_byte_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "latin1.toml"
    text = SCENARIO.format(network="builtin:mexico", top="", levers="").replace(
        'name = "hardening"', 'name = "México"'
    )
    scenario.write_bytes(text.encode("latin-1"))
    line = refused(scenario, tmp_path, capsys)
    assert f"{scenario}:1: not UTF-8 text: byte 0xE9 at offset 9" in line


def test_a_utf16_scenario_says_utf16(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = tmp_path / "utf16.toml"
    scenario.write_bytes(
        SCENARIO.format(network="builtin:mexico", top="", levers="").encode("utf-16")
    )
    line = refused(scenario, tmp_path, capsys)
    assert "the file is UTF-16 text" in line


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    scenario = tmp_path / "bom.toml"
    text = SCENARIO.format(network="builtin:mexico", top="", levers="")
    scenario.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_scenario(scenario).name == "hardening"


@pytest.mark.parametrize(
    "value", ["[" * 100_000 + "]" * 100_000, "{a = " * 100_000 + "1" + "}" * 100_000]
)
def test_deeply_nested_toml_is_one_line(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "deep.toml"
    scenario.write_text(f"x = {value}\n", encoding="utf-8")
    line = refused(scenario, tmp_path, capsys)
    assert f"{scenario}: arrays or tables nested too deeply" in line


# --- paths --------------------------------------------------------------------------------------


def test_the_network_folder_is_relative_to_the_scenario_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_dataset(tmp_path / "data")
    scenario = write_scenario(tmp_path / "scenarios", network="../data/net")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["validate", str(scenario)]) == 0, capsys.readouterr().err
    assert load_scenario(scenario).network == str(tmp_path / "data" / "net")
    # A relative path to the scenario gives a network path relative to here, as written.
    monkeypatch.chdir(tmp_path)
    assert load_scenario(Path("scenarios/s.toml")).network == "data/net"


def test_a_missing_relative_network_names_the_folder_beside_the_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = write_scenario(tmp_path / "scenarios", network="net")
    line = refused(scenario, tmp_path, capsys)
    assert str(tmp_path / "scenarios" / "net") in line
