"""Read and check a network dataset in the built-in CSV layout.

Every file is checked when it is read: required columns, known ids, numbers where numbers are
expected. A problem raises :class:`~counterflow.errors.NetworkFormatError` naming the file, the
line (1-based, header = line 1), the column and the fix.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from counterflow.errors import InputFileNotFoundError, NetworkFormatError

__all__ = ["DATA_FILES", "OPTIONAL_FILES", "Dataset", "builtin_path", "load_dataset"]

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
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise NetworkFormatError(f"cannot parse the CSV ({error})", path=path) from None
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


def _numbers(frame: pd.DataFrame, path: Path, column: str, *, positive: bool) -> None:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values <= 0 if positive else values < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        rule = "> 0" if positive else ">= 0"
        raise NetworkFormatError(
            f"{column} = {frame[column].iloc[row]!r}; give a number {rule}",
            path=path,
            line=row + 2,
            key=column,
        )
    frame[column] = values.astype(float)


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


def load_dataset(source: str | Path = "builtin:mexico") -> Dataset:
    """Read and check a dataset: ``"builtin:<name>"`` or a folder in the built-in layout."""
    text = str(source)
    folder = builtin_path(text.split(":", 1)[1]) if text.startswith("builtin:") else Path(text)
    if not folder.is_dir():
        raise InputFileNotFoundError(
            "dataset folder not found; use builtin:mexico or a folder with nodes.csv and edges.csv",
            path=folder,
        )
    tables = {name: _read(folder, name) for name in (*DATA_FILES, *OPTIONAL_FILES)}

    nodes = tables["nodes.csv"]
    path = folder / "nodes.csv"
    for column in ("lat", "lon"):
        nodes[column] = pd.to_numeric(nodes[column], errors="coerce")
        if nodes[column].isna().any():
            row = int(nodes[column].isna().to_numpy().nonzero()[0][0])
            raise NetworkFormatError(
                f"{column} is not a number", path=path, line=row + 2, key=column
            )
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
    _numbers(edges, path, "road_km", positive=True)

    organizations = tables["organizations.csv"]
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
        _numbers(prices, path, column, positive=True)
    _check_price_ladders(prices, path)

    hub_km = tables["port_hub_km.csv"]
    _numbers(hub_km, folder / "port_hub_km.csv", "road_km", positive=True)

    supply = tables["supply.csv"]
    path = folder / "supply.csv"
    _known(supply, path, "origin", node_ids, "node")
    _known(supply, path, "org_id", org_ids, "organization")
    _known(supply, path, "drug", set(DRUGS), "drug")
    _numbers(supply, path, "kg_per_month", positive=False)

    access = tables["market_access.csv"]
    _numbers(access, folder / "market_access.csv", "usd_per_kg", positive=False)

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
    _numbers(homicides, path, "homicides", positive=False)
    _numbers(homicides, path, "year", positive=True)
    homicides["year"] = homicides["year"].astype(int)
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

    map_path = folder / "map_layers.json"
    map_layers = json.loads(map_path.read_text(encoding="utf-8")) if map_path.is_file() else None
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
