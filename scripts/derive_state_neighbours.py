"""Derive ``src/counterflow/data/mexico/state_neighbours.csv`` from a TopoJSON of Mexico's states.

Build time only; the package and the tests never import this script. Standard library only.

Input: a TopoJSON whose object (default ``states``) holds one Polygon or MultiPolygon per state,
each with a property ``state_code`` = INEGI ``CVE_ENT`` (1..32, int or zero-padded string). The
file used for the committed CSV is ``dist/mx_states.topo.json`` of github.com/josketres/topomex
(commit f333783), built from INEGI Marco Geoestadístico 2010 v5.0 state polygons:

    python3 scripts/derive_state_neighbours.py path/to/mx_states.topo.json \
        --out src/counterflow/data/mexico/state_neighbours.csv

Rule: two states are neighbours when their rings reference a common arc (arc index ``i`` and
``~i`` = ``-i-1`` are the same arc, walked in opposite directions) and the arcs they share have a
total length above ``--min-km`` (default 0, so a contact made only of zero-length arcs, i.e. at a
single point, is not a boundary). TopoJSON splits arcs at every junction, so states that touch
at a single point share no arc at all. Coastlines are arcs used by one state only, so states
facing each other across water (Baja California Sur and Sonora) never match.

Output: ``state_code,neighbour_code,source`` with every pair in both directions, sorted. A summary
(states, pairs, the shortest shared boundaries) goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Point = tuple[float, float]

# INEGI CVE_ENT (alphabetical INEGI order) -> ISO 3166-2:MX code without "MX-".
ISO_BY_INEGI_ORDER = (
    "AGU", "BCN", "BCS", "CAM", "COA", "COL", "CHP", "CHH", "CMX", "DUR", "GUA",
    "GRO", "HID", "JAL", "MEX", "MIC", "MOR", "NAY", "NLE", "OAX", "PUE", "QUE",
    "ROO", "SLP", "SIN", "SON", "TAB", "TAM", "TLA", "VER", "YUC", "ZAC",
)  # fmt: skip
INEGI_TO_ISO = dict(enumerate(ISO_BY_INEGI_ORDER, start=1))
SOURCE = (
    "derived: states sharing a boundary arc in INEGI Marco Geoestadístico 2010 (v5.0) state "
    "polygons (topojson via github.com/josketres/topomex@f333783)"
)
KM_PER_DEG_LAT = 110.57
KM_PER_DEG_LON_EQUATOR = 111.32
SHORTEST_SHOWN = 5


def arc_indices(arcs: object) -> Iterator[int]:
    """Yield every arc index of a (Multi)Polygon's nested ``arcs``, with ``~i`` folded to ``i``."""
    if isinstance(arcs, int):
        yield arcs if arcs >= 0 else ~arcs
    elif isinstance(arcs, list):
        for part in arcs:
            yield from arc_indices(part)


def arc_points(arc: list[list[float]], transform: dict[str, Any] | None) -> list[Point]:
    """Return an arc's points in lon/lat, undoing quantization and delta encoding if present."""
    if transform is None:
        return [(p[0], p[1]) for p in arc]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    x = y = 0.0
    points = []
    for dx, dy in arc:
        x += dx
        y += dy
        points.append((x * sx + tx, y * sy + ty))
    return points


def length_km(points: list[Point]) -> float:
    """Length of a lon/lat polyline in km (equirectangular; fine for short segments)."""
    total = 0.0
    for (lon0, lat0), (lon1, lat1) in itertools.pairwise(points):
        kx = KM_PER_DEG_LON_EQUATOR * math.cos(math.radians((lat0 + lat1) / 2))
        total += math.hypot((lon1 - lon0) * kx, (lat1 - lat0) * KM_PER_DEG_LAT)
    return total


def shared_boundaries(topology: dict[str, Any], object_name: str) -> dict[tuple[str, str], float]:
    """Return ``{(a, b): shared km}`` for every pair of states (a < b) that share an arc."""
    users: dict[int, set[str]] = defaultdict(set)
    for geometry in topology["objects"][object_name]["geometries"]:
        cve = int(geometry["properties"]["state_code"])
        if cve not in INEGI_TO_ISO:
            raise SystemExit(f"unknown INEGI state code {cve!r}")
        for index in arc_indices(geometry.get("arcs", [])):
            users[index].add(INEGI_TO_ISO[cve])
    missing = set(ISO_BY_INEGI_ORDER) - set().union(*users.values())
    if missing:
        raise SystemExit(f"states missing from the topology: {sorted(missing)}")
    shared: dict[tuple[str, str], float] = defaultdict(float)
    transform = topology.get("transform")
    for index, states in users.items():
        if len(states) > 2:
            raise SystemExit(f"arc {index} is used by more than two states: {sorted(states)}")
        if len(states) == 2:
            a, b = sorted(states)
            shared[a, b] += length_km(arc_points(topology["arcs"][index], transform))
    return dict(shared)


def main() -> None:
    """Parse arguments, derive the pairs and write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("topojson", type=Path, help="TopoJSON of Mexico's 32 states")
    parser.add_argument("--object", default="states", help="TopoJSON object name (default: states)")
    parser.add_argument("--out", type=Path, help="CSV to write (default: print to stdout)")
    parser.add_argument("--min-km", type=float, default=0.0, help="minimum shared length (km)")
    parser.add_argument("--source", default=SOURCE, help="text of the source column")
    args = parser.parse_args()

    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    shared = shared_boundaries(topology, args.object)
    kept = {pair: km for pair, km in shared.items() if km > args.min_km}
    for (a, b), km in sorted(shared.items()):
        if (a, b) not in kept:
            print(f"dropped {a}-{b}: shared boundary {km:.2f} km", file=sys.stderr)
    rows = sorted([(a, b) for a, b in kept] + [(b, a) for a, b in kept])

    out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["state_code", "neighbour_code", "source"])
        writer.writerows([a, b, args.source] for a, b in rows)
    finally:
        if args.out:
            out.close()

    print(f"{len(kept)} neighbour pairs, {len(rows)} rows", file=sys.stderr)
    shortest = sorted(kept.items(), key=lambda item: item[1])[:SHORTEST_SHOWN]
    listed = ", ".join(f"{a}-{b} {km:.1f} km" for (a, b), km in shortest)
    print(f"shortest shared boundaries: {listed}", file=sys.stderr)


if __name__ == "__main__":
    main()
