"""Check the built-in Mexico network (``nodes.csv`` + ``edges.csv``); exit non-zero on a problem.

Standard library only. Usage, from the repository root::

    python3 scripts/check_network.py [DATA_DIR]

DATA_DIR defaults to ``src/counterflow/data/mexico``. The script checks:

- node ids are unique lowercase slugs, kinds are known, coordinates are valid WGS84 degrees,
  every row has a source;
- every edge joins two known, distinct nodes, appears once (edges are undirected), has a
  highway, a positive ``road_km``, ``km_source`` ``published``, ``published-weak`` (a road
  distance read in a blog, forum, hotel or company page) or ``estimated``, and a source;
- every ``us_port`` is tied by exactly one ``border`` edge (1 km) to the ``port_of_entry`` of
  the same suffix, and every ``port_of_entry`` also has a link into Mexico;
- every ``production_zone`` is joined only by ``local`` links to cities (the trafficking graph
  lets traffic leave a zone but never enter it, so a zone is a source, not a through road);
- the graph is connected, and every ``port_of_entry`` is reachable from every
  ``production_zone``, ``seaport`` and ``southern_crossing`` without passing through a US node;
- at least 30 % of the edges are published (``published`` or ``published-weak``), and no
  published road distance is shorter than the great-circle distance between its end points;
- the detour factor (median of road_km / great-circle km over all published pairs, weak ones
  included, at least 10
  pairs) is recomputed, printed, and matches the factor written into the estimated rows, whose
  ``road_km`` must equal great-circle km x factor (to 0.1 km).
"""

from __future__ import annotations

import csv
import math
import re
import statistics
import sys
from collections import defaultdict, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "src" / "counterflow" / "data" / "mexico"

KINDS = {"city", "port_of_entry", "us_port", "seaport", "southern_crossing", "production_zone"}
ORIGIN_KINDS = ("production_zone", "seaport", "southern_crossing")
PUBLISHED = ("published", "published-weak")
KM_SOURCES = (*PUBLISHED, "estimated")
MIN_PUBLISHED_SHARE = 0.30
MIN_PUBLISHED_PAIRS = 10
EARTH_RADIUS_KM = 6371.0088
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ESTIMATE = re.compile(
    r"^estimated: great-circle (?P<gc>[0-9.]+) km x detour (?P<f>[0-9.]+) "
    r"\(median of (?P<n>\d+) published pairs\)$"
)


def great_circle_km(a: dict[str, str], b: dict[str, str]) -> float:
    """Haversine distance in km between two node rows."""
    lat1, lon1, lat2, lon2 = map(
        math.radians, (float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"]))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file into a list of row dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def check_nodes(nodes: list[dict[str, str]], problems: list[str]) -> dict[str, dict[str, str]]:
    """Validate node rows; return them keyed by node_id."""
    by_id: dict[str, dict[str, str]] = {}
    for row in nodes:
        nid = row["node_id"]
        if not SLUG.match(nid):
            problems.append(f"node {nid!r}: node_id is not a lowercase slug")
        if nid in by_id:
            problems.append(f"node {nid}: duplicate node_id")
        by_id[nid] = row
        if row["kind"] not in KINDS:
            problems.append(f"node {nid}: unknown kind {row['kind']!r}")
        if not row["source"].strip():
            problems.append(f"node {nid}: empty source")
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            problems.append(f"node {nid}: lat/lon missing or not numbers")
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems.append(f"node {nid}: lat/lon out of range")
    return by_id


def check_edges(
    edges: list[dict[str, str]], by_id: dict[str, dict[str, str]], problems: list[str]
) -> dict[str, set[str]]:
    """Validate edge rows; return the undirected adjacency."""
    adjacency: dict[str, set[str]] = defaultdict(set)
    seen: set[frozenset[str]] = set()
    for line_no, row in enumerate(edges, start=2):
        a, b = row["from_node"], row["to_node"]
        where = f"edges.csv line {line_no} ({a} - {b})"
        if a not in by_id or b not in by_id:
            problems.append(f"{where}: unknown node id")
            continue
        if a == b:
            problems.append(f"{where}: self-loop")
        pair = frozenset((a, b))
        if pair in seen:
            problems.append(f"{where}: duplicate edge")
        seen.add(pair)
        if not row["highway"].strip():
            problems.append(f"{where}: empty highway")
        if row["km_source"] not in KM_SOURCES:
            problems.append(f"{where}: km_source must be one of {', '.join(KM_SOURCES)}")
        if not row["source"].strip():
            problems.append(f"{where}: empty source")
        try:
            if float(row["road_km"]) <= 0:
                problems.append(f"{where}: road_km must be positive")
        except ValueError:
            problems.append(f"{where}: road_km is not a number")
        kinds = {by_id[a]["kind"], by_id[b]["kind"]}
        border_pair = row["highway"] == "border" and kinds == {"us_port", "port_of_entry"}
        if ("us_port" in kinds or row["highway"] == "border") and not border_pair:
            problems.append(f"{where}: border edges must join a us_port to a port_of_entry")
        if row["highway"] == "border":
            us = a if by_id[a]["kind"] == "us_port" else b
            poe = b if us == a else a
            if us.removeprefix("us-") != poe.removeprefix("poe-"):
                problems.append(f"{where}: border edge joins non-matching ports")
            if row["road_km"] not in ("1", "1.0"):
                problems.append(f"{where}: border edge must have road_km 1")
        adjacency[a].add(b)
        adjacency[b].add(a)
    return adjacency


def reachable(start: str, adjacency: dict[str, set[str]], blocked: set[str]) -> set[str]:
    """Breadth-first search from start, never entering blocked nodes."""
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in adjacency[node]:
            if nxt not in seen and nxt not in blocked:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def check_graph(
    by_id: dict[str, dict[str, str]], adjacency: dict[str, set[str]], problems: list[str]
) -> None:
    """Check connectivity, port ties and reachability of the ports."""
    ids = sorted(by_id)
    if len(reachable(ids[0], adjacency, set())) != len(ids):
        problems.append("graph is not connected")
    us_nodes = {n for n, r in by_id.items() if r["kind"] == "us_port"}
    ports = sorted(n for n, r in by_id.items() if r["kind"] == "port_of_entry")
    problems.extend(
        f"{us}: a us_port must have exactly one (border) edge"
        for us in sorted(us_nodes)
        if len(adjacency[us]) != 1
    )
    for poe in ports:
        if f"us-{poe.removeprefix('poe-')}" not in adjacency[poe]:
            problems.append(f"{poe}: no border edge to its us_port")
        if not adjacency[poe] - us_nodes:
            problems.append(f"{poe}: no link into the Mexican network")
    for zone in sorted(n for n, r in by_id.items() if r["kind"] == "production_zone"):
        problems.extend(
            f"{zone}: a production zone links only to cities, not to {other}"
            for other in sorted(adjacency[zone])
            if by_id[other]["kind"] != "city"
        )
    for origin in sorted(n for n, r in by_id.items() if r["kind"] in ORIGIN_KINDS):
        missing = set(ports) - reachable(origin, adjacency, us_nodes)
        if missing:
            problems.append(f"{origin}: cannot reach {len(missing)} port(s), e.g. {min(missing)}")


def check_distances(
    edges: list[dict[str, str]], by_id: dict[str, dict[str, str]], problems: list[str]
) -> tuple[float, int, float]:
    """Check the published share and the detour factor; return (factor, pairs, share)."""
    ratios: list[float] = []
    for row in edges:
        if row["km_source"] not in PUBLISHED:
            continue
        gc = great_circle_km(by_id[row["from_node"]], by_id[row["to_node"]])
        ratio = float(row["road_km"]) / gc
        if ratio < 1.0:
            problems.append(
                f"published {row['from_node']} - {row['to_node']}: {row['road_km']} km is "
                f"shorter than the great-circle distance {gc:.1f} km"
            )
        ratios.append(ratio)
    share = len(ratios) / len(edges) if edges else 0.0
    if share < MIN_PUBLISHED_SHARE:
        problems.append(f"published share {share:.1%} is below {MIN_PUBLISHED_SHARE:.0%}")
    if len(ratios) < MIN_PUBLISHED_PAIRS:
        problems.append(f"only {len(ratios)} published pairs (need {MIN_PUBLISHED_PAIRS})")
        return math.nan, len(ratios), share
    factor = round(statistics.median(ratios), 2)
    for row in edges:
        if row["km_source"] != "estimated" or row["highway"] == "border":
            continue
        where = f"estimated {row['from_node']} - {row['to_node']}"
        match = ESTIMATE.match(row["source"])
        if match is None:
            problems.append(f"{where}: source does not state great-circle km and detour factor")
            continue
        if float(match["f"]) != factor or int(match["n"]) != len(ratios):
            problems.append(
                f"{where}: states detour {match['f']} over {match['n']} pairs, "
                f"recomputed {factor:.2f} over {len(ratios)}"
            )
        gc = great_circle_km(by_id[row["from_node"]], by_id[row["to_node"]])
        if abs(float(match["gc"]) - gc) > 0.06:
            problems.append(f"{where}: states great-circle {match['gc']} km, recomputed {gc:.1f}")
        if abs(float(row["road_km"]) - max(gc * factor, 0.1)) > 0.06:
            problems.append(f"{where}: road_km {row['road_km']} != {gc:.1f} x {factor:.2f}")
    return factor, len(ratios), share


def main(argv: list[str]) -> int:
    """Run all checks; print a summary and return the exit status."""
    data_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    nodes = read_csv(data_dir / "nodes.csv")
    edges = read_csv(data_dir / "edges.csv")
    problems: list[str] = []
    by_id = check_nodes(nodes, problems)
    adjacency = check_edges(edges, by_id, problems)
    factor, pairs, share = math.nan, 0, 0.0
    if not problems:  # graph and distance checks need valid ids and coordinates
        check_graph(by_id, adjacency, problems)
        factor, pairs, share = check_distances(edges, by_id, problems)
    counts = defaultdict(int)
    for row in nodes:
        counts[row["kind"]] += 1
    print(f"check_network: {len(nodes)} nodes {dict(sorted(counts.items()))}, {len(edges)} edges")
    if pairs:
        weak = sum(row["km_source"] == "published-weak" for row in edges)
        print(
            f"check_network: published share {share:.1%} ({round(share * len(edges))} edges, "
            f"{weak} of them published-weak)"
        )
        print(f"check_network: detour factor {factor:.2f} (median of {pairs} published pairs)")
    for problem in problems:
        print(f"check_network: PROBLEM: {problem}", file=sys.stderr)
    if problems:
        print(f"check_network: FAILED with {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_network: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
