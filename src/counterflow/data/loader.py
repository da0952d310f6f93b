"""Read and check a network dataset in the built-in CSV layout.

Every file is checked when it is read: required columns, known ids, numbers where numbers are
expected. A problem raises :class:`~counterflow.errors.NetworkFormatError` naming the file, the
line (1-based, header = line 1), the column and the fix.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from counterflow.errors import InputFileNotFoundError, NetworkFormatError

__all__ = [
    "DATA_FILES",
    "OPTIONAL_FILES",
    "Dataset",
    "builtin_names",
    "builtin_path",
    "load_dataset",
]

NODE_KINDS = ("city", "port_of_entry", "us_port", "seaport", "southern_crossing", "production_zone")
DRUGS = ("fentanyl", "methamphetamine", "cocaine")

# file -> required columns (more columns are allowed and kept).
DATA_FILES: dict[str, tuple[str, ...]] = {
    "nodes.csv": (
        "node_id",
        "kind",
        "name",
        "state_code",
        "lat",
        "lon",
        "us_port_name",
        "cbp_field_office",
        "source",
    ),
    "edges.csv": ("from_node", "to_node", "highway", "road_km", "km_source", "source"),
    "organizations.csv": ("org_id", "name", "source"),
    "control_shares.csv": ("org_id", "state_code", "share", "basis", "source"),
    "prices.csv": ("drug", "stage", "usd_per_kg", "low", "high", "source"),
    "us_hubs.csv": ("cbp_field_office", "hub_city", "source"),
    "port_hub_km.csv": (
        "us_port_name",
        "cbp_field_office",
        "hub_city",
        "road_km",
        "km_source",
        "source",
    ),
}
# Optional until the calibration script writes it (see the data README).
OPTIONAL_FILES: dict[str, tuple[str, ...]] = {
    "supply.csv": ("drug", "origin", "org_id", "kg_per_month", "source"),
    "market_access.csv": ("cbp_field_office", "usd_per_kg", "source"),
    # Violence (counterflow.orgs): without them a dataset computes no homicides.
    "homicides.csv": ("year", "state_code", "state_name", "series", "homicides", "source"),
    "state_neighbours.csv": ("state_code", "neighbour_code", "source"),
}
HOMICIDE_SERIES = ("sesnsp", "inegi")
# Years a homicide count may have: those a scenario's homicide_year may name.
HOMICIDE_YEARS = (1990, 2100)

# Upper bounds of magnitudes. A value above one is a unit or typing error, not data: each bound
# lies far above the built-in data's largest value (in brackets) and far below what overflows
# the solver (supply of 1e160 kg makes its squared terms infinite, and a solve never ends).
MAX_KG_PER_MONTH = 1e9  # 10,000 times the built-in supply's total (1.0e5 kg/month)
MAX_USD_PER_KG = 1e8  # some 450 times the built-in highest price (220,000 USD/kg, retail)
MAX_ROAD_KM = 20_000.0  # half the Earth's circumference: no road between two places is longer
MAX_HOMICIDES = 1e6  # a state's count in a year; 250 times the built-in largest (4,035)
MAX_LANES = 1000  # inspection lanes at one crossing; 30 times the built-in largest (34)


@dataclass(frozen=True)
class Dataset:
    """The tables of one dataset (pandas DataFrames, one per file) and where they came from."""

    location: str
    folder: Path
    nodes: pd.DataFrame
    edges: pd.DataFrame
    organizations: pd.DataFrame
    control_shares: pd.DataFrame
    prices: pd.DataFrame
    us_hubs: pd.DataFrame
    port_hub_km: pd.DataFrame
    supply: pd.DataFrame
    market_access: dict[str, float]
    map_layers: dict[str, Any] | None
    homicides: pd.DataFrame
    neighbours: dict[str, tuple[str, ...]]

    @property
    def states(self) -> list[str]:
        """Mexican state codes that appear in the nodes (ISO 3166-2:MX without "MX-")."""
        return list(self._state_codes)

    @cached_property
    def _state_codes(self) -> tuple[str, ...]:
        mexican = self.nodes[self.nodes["kind"] != "us_port"]
        return tuple(sorted(mexican["state_code"].unique().tolist()))

    @property
    def field_offices(self) -> list[str]:
        """CBP field offices of the ports of entry."""
        ports = self.nodes[self.nodes["kind"] == "port_of_entry"]
        return sorted(ports["cbp_field_office"].dropna().unique().tolist())


def builtin_path(name: str = "mexico") -> Path:
    """Folder of a built-in dataset."""
    return Path(str(resources.files("counterflow.data") / name))


def builtin_names() -> tuple[str, ...]:
    """The datasets packaged with counterflow (``builtin:<name>``): folders with a nodes.csv."""
    root = resources.files("counterflow.data")
    return tuple(
        sorted(item.name for item in root.iterdir() if item.joinpath("nodes.csv").is_file())
    )


def _folder_of(source: str) -> Path:
    """The folder of ``builtin:<name>`` (a packaged dataset only) or of a path."""
    if not source.startswith("builtin:"):
        return Path(source)
    name = source.split(":", 1)[1]
    names = builtin_names()
    if name not in names:
        raise InputFileNotFoundError(
            f"no built-in dataset {name!r}; builtin: names one of {', '.join(names)} "
            "(for a folder of your own, give its path without builtin:)",
            key="network",
        )
    return builtin_path(name)


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    columns = DATA_FILES.get(name) or OPTIONAL_FILES[name]
    if name in OPTIONAL_FILES and not path.is_file():
        return pd.DataFrame({column: pd.Series(dtype=str) for column in columns})
    if not path.is_file():
        raise InputFileNotFoundError(
            f"missing data file {name}; a dataset folder needs {', '.join(DATA_FILES)}",
            path=path,
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except UnicodeDecodeError as error:
        raise NetworkFormatError(
            f"not UTF-8 text (byte offset {error.start}); save the file as UTF-8", path=path
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise NetworkFormatError(
            f"cannot parse the CSV ({' '.join(str(error).split())})", path=path
        ) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise NetworkFormatError(
            f"missing column(s) {', '.join(missing)}; the header needs {', '.join(columns)}",
            path=path,
            line=1,
        )
    empty = frame["source"].str.strip() == ""
    if empty.any():
        raise NetworkFormatError(
            "empty source; every row names its source or says 'estimated: <how>'",
            path=path,
            line=int(empty.to_numpy().nonzero()[0][0]) + 2,
            key="source",
        )
    return frame


def _numbers(
    frame: pd.DataFrame,
    path: Path,
    column: str,
    *,
    positive: bool,
    upper: float = math.inf,
    whole: bool = False,
) -> None:
    """Turn ``column`` into floats: finite, > 0 (``positive``) or >= 0, at most ``upper``."""
    values = pd.to_numeric(frame[column], errors="coerce")
    numbers = values.to_numpy(dtype=float)
    bad = ~np.isfinite(numbers) | (numbers <= 0 if positive else numbers < 0)
    if whole:
        bad |= np.isfinite(numbers) & (np.floor(numbers) != numbers)
    bad |= numbers > upper
    if bad.any():
        row = int(bad.nonzero()[0][0])
        rule = "a whole number" if whole else "a number"
        rule += " > 0" if positive else " >= 0"
        if upper < math.inf:
            rule += f" and at most {upper:g} (a larger one is a unit or typing error)"
        raise NetworkFormatError(
            f"{column} = {frame[column].iloc[row]!r}; give {rule}",
            path=path,
            line=row + 2,
            key=column,
        )
    frame[column] = numbers


def _known(
    frame: pd.DataFrame,
    path: Path,
    column: str,
    known: set[str],
    what: str,
    *,
    fix: str | None = None,
) -> None:
    bad = ~frame[column].isin(known)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        hint = fix or f"use one of the ids in the {what} file"
        raise NetworkFormatError(
            f"unknown {what} {frame[column].iloc[row]!r}; {hint}",
            path=path,
            line=row + 2,
            key=column,
        )


def _access_costs(access: pd.DataFrame) -> dict[str, float]:
    """Market-access costs keyed by field office, or by ``drug/office`` for one drug's."""
    drugs = access["drug"] if "drug" in access.columns else [""] * len(access)
    return {
        (f"{drug}/{office}" if isinstance(drug, str) and drug else str(office)): float(value)
        for drug, office, value in zip(
            drugs, access["cbp_field_office"], access["usd_per_kg"], strict=True
        )
    }


PRICE_STAGES = ("origin", "border", "retail")


def _check_price_ladders(prices: pd.DataFrame, path: Path) -> None:
    """Each drug has one price per stage, rising from origin to border to retail."""
    _known(prices, path, "stage", set(PRICE_STAGES), "stage", fix="use origin, border or retail")
    repeated = prices.duplicated(["drug", "stage"])
    if repeated.any():
        row = int(repeated.to_numpy().nonzero()[0][0])
        raise NetworkFormatError(
            "a (drug, stage) appears twice; keep one price per drug and stage",
            path=path,
            line=row + 2,
            key="stage",
        )
    for drug in sorted(set(prices["drug"])):
        rows = prices[prices["drug"] == drug]
        found = dict(zip(rows["stage"], rows["usd_per_kg"].astype(float), strict=True))
        missing = [stage for stage in PRICE_STAGES if stage not in found]
        if missing:
            raise NetworkFormatError(
                f"{drug} has no {' or '.join(missing)} price; give one row per stage",
                path=path,
                key="stage",
            )
        for lower, upper in itertools.pairwise(PRICE_STAGES):
            if not found[lower] < found[upper]:
                line = int(rows.index[list(rows["stage"]).index(upper)]) + 2
                raise NetworkFormatError(
                    f"{drug}'s {upper} price {found[upper]:g} is not above its {lower} price "
                    f"{found[lower]:g}; prices must rise from origin to border to retail",
                    path=path,
                    line=line,
                    key="usd_per_kg",
                )


def _check_coordinates(nodes: pd.DataFrame, path: Path) -> None:
    """Latitudes in [-90, 90] and longitudes in [-180, 180], degrees (WGS 84)."""
    for column, limit in (("lat", 90.0), ("lon", 180.0)):
        values = pd.to_numeric(nodes[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (np.abs(np.nan_to_num(values)) > limit)
        if bad.any():
            row = int(bad.nonzero()[0][0])
            raise NetworkFormatError(
                f"{column} = {nodes[column].iloc[row]!r}; give decimal degrees in "
                f"[{-limit:g}, {limit:g}]",
                path=path,
                line=row + 2,
                key=column,
            )
        nodes[column] = values


def _check_lanes(nodes: pd.DataFrame, path: Path) -> None:
    """``lanes`` (optional column): empty (the parameter registry's default) or a whole number."""
    if "lanes" not in nodes.columns:
        nodes["lanes"] = ""
        return
    given = nodes["lanes"].str.strip() != ""
    values = pd.to_numeric(nodes["lanes"].where(given, "1"), errors="coerce")
    numbers = values.to_numpy(dtype=float)
    bad = ~np.isfinite(numbers) | (numbers < 1) | (numbers > MAX_LANES)
    bad |= np.isfinite(numbers) & (np.floor(numbers) != numbers)
    if bad.any():
        row = int(bad.nonzero()[0][0])
        raise NetworkFormatError(
            f"lanes = {nodes['lanes'].iloc[row]!r}; give a whole number from 1 to {MAX_LANES} "
            "or leave it empty",
            path=path,
            line=row + 2,
            key="lanes",
        )


def _check_edge_pairs(edges: pd.DataFrame, path: Path) -> None:
    """No road from a node to itself, and one row per pair of nodes (either direction).

    Each row is a road both ways, and a link is named by its two ends
    (``counterflow.model.context``), so a second row for a pair would be a parallel link.
    """
    seen: dict[tuple[str, str], int] = {}
    for row, (start, end) in enumerate(zip(edges["from_node"], edges["to_node"], strict=True)):
        if start == end:
            raise NetworkFormatError(
                f"edge from {start!r} to itself; remove the row",
                path=path,
                line=row + 2,
                key="to_node",
            )
        pair = (start, end) if start < end else (end, start)
        if pair in seen:
            raise NetworkFormatError(
                f"the road between {start!r} and {end!r} is listed twice (first on line "
                f"{seen[pair] + 2}); keep one row per pair (each row is a road both ways)",
                path=path,
                line=row + 2,
                key="to_node",
            )
        seen[pair] = row


def _check_dates(frame: pd.DataFrame, path: Path, column: str) -> None:
    """An optional date column: empty or an ISO date (YYYY-MM-DD)."""
    if column not in frame.columns:
        return
    for row, text in enumerate(frame[column]):
        if not str(text).strip():
            continue
        try:
            dt.date.fromisoformat(str(text).strip())
        except ValueError:
            raise NetworkFormatError(
                f"{column} = {text!r}; give a date as YYYY-MM-DD or leave it empty",
                path=path,
                line=row + 2,
                key=column,
            ) from None


def _check_years(homicides: pd.DataFrame, path: Path) -> None:
    """Years are whole numbers in :data:`HOMICIDE_YEARS`."""
    first, last = HOMICIDE_YEARS
    _numbers(homicides, path, "year", positive=True, upper=last, whole=True)
    early = homicides["year"] < first
    if early.any():
        row = int(early.to_numpy().nonzero()[0][0])
        raise NetworkFormatError(
            f"year = {homicides['year'].iloc[row]:g}; give a year from {first} to {last}",
            path=path,
            line=row + 2,
            key="year",
        )
    homicides["year"] = homicides["year"].astype(int)


MAP_GEOMETRIES = ("LineString", "MultiLineString", "Polygon", "MultiPolygon")


def read_map_layers(path: Path) -> dict[str, Any] | None:
    """The report's map layers (GeoJSON lines and areas), checked; ``None`` when absent."""
    if not path.is_file():
        return None
    try:
        layers = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise NetworkFormatError(
            f"not UTF-8 text (byte offset {error.start}); save the file as UTF-8", path=path
        ) from None
    except json.JSONDecodeError as error:
        raise NetworkFormatError(
            f"not valid JSON (column {error.colno}: {error.msg})", path=path, line=error.lineno
        ) from None
    except RecursionError:
        raise NetworkFormatError("JSON nested too deeply to read", path=path) from None
    except OSError as error:
        raise NetworkFormatError(f"cannot read the file ({error.strerror})", path=path) from None
    _check_map_layers(layers, path)
    return layers  # type: ignore[no-any-return]


def _check_map_layers(layers: Any, path: Path) -> None:
    """A GeoJSON object with a ``features`` array of line or polygon features in degrees."""
    fix = (
        "a GeoJSON FeatureCollection of LineString, MultiLineString, Polygon or MultiPolygon "
        "features"
    )
    if not isinstance(layers, dict) or not isinstance(layers.get("features"), list):
        raise NetworkFormatError(f"no features array; give {fix}", path=path, key="features")
    for index, feature in enumerate(layers["features"]):
        key = f"features[{index}]"
        if not isinstance(feature, dict):
            raise NetworkFormatError(f"not an object; give {fix}", path=path, key=key)
        properties = feature.get("properties", {})
        if not isinstance(properties, dict) or not isinstance(properties.get("layer", ""), str):
            raise NetworkFormatError(
                "properties must be an object whose layer is a string",
                path=path,
                key=f"{key}.properties",
            )
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in MAP_GEOMETRIES:
            raise NetworkFormatError(
                f"geometry type must be one of {', '.join(MAP_GEOMETRIES)}",
                path=path,
                key=f"{key}.geometry",
            )
        _check_map_coordinates(geometry["type"], geometry.get("coordinates"), path, key)


def _check_map_coordinates(kind: str, coordinates: Any, path: Path, key: str) -> None:
    """Lines of ``[lon, lat]`` pairs; for polygons, rings closed on their first point."""
    key = f"{key}.geometry.coordinates"
    if kind in {"LineString", "MultiLineString"}:
        lines = [coordinates] if kind == "LineString" else coordinates
        if not isinstance(lines, list) or not all(_is_line(line) for line in lines):
            raise NetworkFormatError(
                "coordinates must be lines of [lon, lat] pairs in degrees "
                "(lon in [-180, 180], lat in [-90, 90])",
                path=path,
                key=key,
            )
        return
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not (
        isinstance(polygons, list)
        and all(isinstance(rings, list) and rings for rings in polygons)
        and all(_is_ring(ring) for rings in polygons for ring in rings)
    ):
        raise NetworkFormatError(
            f"{kind} coordinates must be rings of at least 4 [lon, lat] pairs in degrees "
            "(lon in [-180, 180], lat in [-90, 90]), each ending on its first point",
            path=path,
            key=key,
        )


def _is_ring(ring: Any) -> bool:
    """Whether ``ring`` is a closed line of at least four points (a GeoJSON linear ring)."""
    return _is_line(ring) and len(ring) >= 4 and ring[0] == ring[-1]


def _is_line(line: Any) -> bool:
    """Whether ``line`` is a list of finite ``[lon, lat]`` pairs within the globe."""
    if not isinstance(line, list):
        return False
    for point in line:
        if not (isinstance(point, list) and len(point) == 2):
            return False
        if not all(type(x) in (int, float) and math.isfinite(x) for x in point):
            return False
        lon, lat = point
        if abs(lon) > 180 or abs(lat) > 90:
            return False
    return True


def load_dataset(source: str | Path = "builtin:mexico") -> Dataset:
    """Read and check a dataset: ``"builtin:<name>"`` or a folder in the built-in layout."""
    text = str(source)
    folder = _folder_of(text)
    if not folder.is_dir():
        raise InputFileNotFoundError(
            "dataset folder not found; use builtin:mexico or a folder with nodes.csv and edges.csv",
            path=folder,
        )
    tables = {name: _read(folder, name) for name in (*DATA_FILES, *OPTIONAL_FILES)}

    nodes = tables["nodes.csv"]
    path = folder / "nodes.csv"
    _check_coordinates(nodes, path)
    _check_lanes(nodes, path)
    duplicated = nodes["node_id"].duplicated()
    if duplicated.any():
        row = int(duplicated.to_numpy().nonzero()[0][0])
        raise NetworkFormatError(
            f"node_id {nodes['node_id'].iloc[row]!r} appears twice; ids must be unique",
            path=path,
            line=row + 2,
            key="node_id",
        )
    _known(nodes, path, "kind", set(NODE_KINDS), "kind (one of " + ", ".join(NODE_KINDS) + ")")
    node_ids = set(nodes["node_id"])

    edges = tables["edges.csv"]
    path = folder / "edges.csv"
    _known(edges, path, "from_node", node_ids, "node")
    _known(edges, path, "to_node", node_ids, "node")
    _check_edge_pairs(edges, path)
    _numbers(edges, path, "road_km", positive=True, upper=MAX_ROAD_KM)

    organizations = tables["organizations.csv"]
    _check_dates(organizations, folder / "organizations.csv", "fto_designation_date")
    org_ids = set(organizations["org_id"])
    shares = tables["control_shares.csv"]
    path = folder / "control_shares.csv"
    _known(shares, path, "org_id", org_ids, "organization")
    _numbers(shares, path, "share", positive=False)
    over = shares.groupby("state_code")["share"].sum()
    if (over > 1 + 1e-9).any():
        state = over[over > 1 + 1e-9].index[0]
        raise NetworkFormatError(
            f"shares in state {state} sum to {over[state]:.3f}; they must sum to at most 1",
            path=path,
            key="share",
        )
    if (shares["share"] > 1).any():
        raise NetworkFormatError("a share is above 1", path=path, key="share")

    prices = tables["prices.csv"]
    path = folder / "prices.csv"
    _known(prices, path, "drug", set(DRUGS), "drug")
    for column in ("usd_per_kg", "low", "high"):
        _numbers(prices, path, column, positive=True, upper=MAX_USD_PER_KG)
    _check_price_ladders(prices, path)

    hub_km = tables["port_hub_km.csv"]
    _numbers(hub_km, folder / "port_hub_km.csv", "road_km", positive=True, upper=MAX_ROAD_KM)

    supply = tables["supply.csv"]
    path = folder / "supply.csv"
    _known(supply, path, "origin", node_ids, "node")
    _known(supply, path, "org_id", org_ids, "organization")
    _known(supply, path, "drug", set(DRUGS), "drug")
    _numbers(supply, path, "kg_per_month", positive=False, upper=MAX_KG_PER_MONTH)

    access = tables["market_access.csv"]
    _numbers(
        access, folder / "market_access.csv", "usd_per_kg", positive=False, upper=MAX_USD_PER_KG
    )

    homicides = tables["homicides.csv"]
    path = folder / "homicides.csv"
    _known(
        homicides,
        path,
        "series",
        set(HOMICIDE_SERIES),
        "series",
        fix=f"use one of {', '.join(HOMICIDE_SERIES)}",
    )
    _numbers(homicides, path, "homicides", positive=False, upper=MAX_HOMICIDES)
    _check_years(homicides, path)
    repeated = homicides.duplicated(["year", "state_code", "series"])
    if repeated.any():
        row = int(repeated.to_numpy().nonzero()[0][0])
        raise NetworkFormatError(
            "a (year, state_code, series) appears twice; keep one count per state and year",
            path=path,
            line=row + 2,
            key="state_code",
        )

    pairs = tables["state_neighbours.csv"]
    path = folder / "state_neighbours.csv"
    itself = pairs["state_code"] == pairs["neighbour_code"]
    if itself.any():
        row = int(itself.to_numpy().nonzero()[0][0])
        raise NetworkFormatError(
            f"state {pairs['state_code'].iloc[row]} is listed as its own neighbour; remove the row",
            path=path,
            line=row + 2,
            key="neighbour_code",
        )
    edges_between = set(zip(pairs["state_code"], pairs["neighbour_code"], strict=True))
    one_way = [(a, b) for a, b in sorted(edges_between) if (b, a) not in edges_between]
    if one_way:
        a, b = one_way[0]
        raise NetworkFormatError(
            f"{a} borders {b} but not the other way round; list every pair in both directions",
            path=path,
            key="neighbour_code",
        )
    neighbours: dict[str, list[str]] = {}
    for a, b in sorted(edges_between):
        neighbours.setdefault(a, []).append(b)

    map_layers = read_map_layers(folder / "map_layers.json")
    return Dataset(
        location=text,
        folder=folder,
        nodes=nodes,
        edges=edges,
        organizations=organizations,
        control_shares=shares,
        prices=prices,
        us_hubs=tables["us_hubs.csv"],
        port_hub_km=hub_km,
        supply=supply,
        market_access=_access_costs(access),
        map_layers=map_layers,
        homicides=homicides,
        neighbours={state: tuple(near) for state, near in neighbours.items()},
    )
