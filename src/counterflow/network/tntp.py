"""Read and write networks in the TNTP format (Transportation Networks for Research).

The format (Bar-Gera's TNTP site, continued by the Transportation Networks for Research Core
Team, https://github.com/bstabler/TransportationNetworks): a metadata header of ``<KEY> value``
lines ended by ``<END OF METADATA>``, ``~`` comment lines, and ``;``-terminated records.

* ``*_net.tntp``: ``init_node term_node capacity length free_flow_time b power speed toll
  link_type ;`` per link. ``<FIRST THRU NODE> k`` with ``k > 1`` means the zones ``1..k-1``
  may not be passed through. Links with zero free-flow time, constant-cost links (``b = 0`` or
  ``power = 0``) and parallel links are all kept as they are.
* ``*_trips.tntp``: ``Origin o`` followed by ``d : volume;`` entries.
* ``*_flow.tntp``: a header line, then ``from to volume [cost]`` per link in net-file order.
* ``*_node.tntp``: a header line, then ``node x y ;``.

Toll and distance weights are not in the files; callers pass them explicitly.
Every malformed input raises a :class:`~counterflow.errors.NetworkFormatError` naming the file,
the line and the problem. Numbers out of scale are malformed too: every number above
``MAX_VALUE``, a ``<NUMBER OF NODES>`` that the links cannot back (checked before anything
is allocated per node), and, in :func:`read_tntp`, a link whose cost would overflow at the
file's total demand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from counterflow.errors import InputFileNotFoundError, NetworkFormatError
from counterflow.network.graph import Network, read_only

__all__ = [
    "MAX_VALUE",
    "TntpFiles",
    "TntpNetwork",
    "TntpTrips",
    "find_tntp_files",
    "read_tntp",
    "read_tntp_flows",
    "read_tntp_net",
    "read_tntp_nodes",
    "read_tntp_trips",
    "write_tntp",
]

_NET_FIELDS = ("init_node", "term_node", "capacity", "length", "free_flow_time", "b", "power")

# The largest number accepted in any column (capacity, length, time, b, power, toll, demand,
# flow). Assumption: float64 counts whole units exactly only up to 9e15, so sums of larger
# numbers lose them; the published TNTP networks stay below 1e7 in every column.
MAX_VALUE = 1e15
# A header may claim more nodes than twice its links (the most that links can touch; the rest
# carry no flow) only up to this many: a few isolated nodes cost nothing, while a claim of
# 2,000,000,000 would allocate gigabytes before any check (assumption: every published TNTP
# network has fewer nodes than twice its links).
_ISOLATED_NODES_ACCEPTED = 100_000
# At the file's total demand D on a link, the largest of its cost terms (t(D) D and the
# Beckmann integral, about fft b (D / c)^power D) must stay below 10 to this power: float64
# overflows at 1.8e308, and the gap sums such terms over every link and pair (assumption: a
# margin of 1e50 for those sums and for t'(x)).
_MAX_COST_LOG10 = 258.0


@dataclass(frozen=True, slots=True)
class TntpFiles:
    """The files of one TNTP folder (``node`` and ``flow`` are optional)."""

    net: Path
    trips: Path
    node: Path | None
    flow: Path | None


@dataclass(frozen=True, slots=True)
class TntpTrips:
    """Demand read from a trips file, as 0-based zone pairs with positive volume.

    Intrazonal entries (origin = destination) carry no link flow; their total is kept in
    ``intrazonal_volume``. Duplicate pairs are summed. ``line`` is the 1-based line of each
    pair's (first) entry, for error messages.
    """

    path: Path
    origins: NDArray[np.int64]
    destinations: NDArray[np.int64]
    volume: NDArray[np.float64]
    line: NDArray[np.int64]
    intrazonal_volume: float

    @property
    def total_volume(self) -> float:
        """Total volume of the pairs that load the network (intrazonal excluded)."""
        return float(self.volume.sum())


@dataclass(frozen=True, slots=True)
class TntpNetwork:
    """A TNTP folder read in full."""

    files: TntpFiles
    network: Network
    trips: TntpTrips
    best_flows: NDArray[np.float64] | None
    coordinates: NDArray[np.float64] | None


def _one_match(folder: Path, pattern: str, *, required: bool) -> Path | None:
    matches = sorted(folder.glob(pattern))
    if len(matches) > 1:
        names = ", ".join(m.name for m in matches)
        raise InputFileNotFoundError(
            f"several files match {pattern!r} ({names}); keep one per folder",
            path=folder,
        )
    if not matches:
        if required:
            raise InputFileNotFoundError(
                f"no file matches {pattern!r}; give a folder with a TNTP network",
                path=folder,
            )
        return None
    return matches[0]


def find_tntp_files(folder: str | Path) -> TntpFiles:
    """Find ``*_net.tntp``, ``*_trips.tntp`` and the optional ``*_node.tntp``, ``*_flow.tntp``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileNotFoundError(
            "is not a folder; pass the folder that holds the *_net.tntp file", path=folder
        )
    net = _one_match(folder, "*_net.tntp", required=True)
    trips = _one_match(folder, "*_trips.tntp", required=True)
    assert net is not None
    assert trips is not None
    return TntpFiles(
        net=net,
        trips=trips,
        node=_one_match(folder, "*_node.tntp", required=False),
        flow=_one_match(folder, "*_flow.tntp", required=False),
    )


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        raise InputFileNotFoundError("file not found", path=path) from None
    except OSError as exc:
        raise InputFileNotFoundError(f"cannot read the file ({exc.strerror})", path=path) from None


def _split_metadata(path: Path, lines: list[str]) -> tuple[dict[str, str], int]:
    """Return the metadata and the index of the first line after ``<END OF METADATA>``."""
    metadata: dict[str, str] = {}
    for index, raw in enumerate(lines):
        text = raw.strip()
        if not text.startswith("<"):
            continue
        key, _, value = text[1:].partition(">")
        key = key.strip().upper()
        if key == "END OF METADATA":
            return metadata, index + 1
        metadata[key] = value.strip()
    raise NetworkFormatError(
        "no '<END OF METADATA>' line; a TNTP file starts with a metadata header", path=path
    )


def _metadata_int(path: Path, metadata: dict[str, str], key: str, *, required: bool) -> int | None:
    if key not in metadata:
        if required:
            raise NetworkFormatError(f"the header has no '<{key}>' line; add it", path=path)
        return None
    text = metadata[key].split()[0] if metadata[key].split() else ""
    try:
        value = float(text)
    except ValueError:
        raise NetworkFormatError(
            f"'<{key}> {metadata[key]}' is not a number; write an integer", path=path
        ) from None
    if not value.is_integer() or value < 0:
        raise NetworkFormatError(f"'<{key}> {metadata[key]}' is not an integer >= 0", path=path)
    return int(value)


def _record_fields(text: str) -> list[str]:
    """Fields of one record: whitespace separated, up to the first ';'."""
    return text.split(";", 1)[0].split()


def _parse_number(path: Path, line: int, name: str, token: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise NetworkFormatError(
            f"{name} {token!r} is not a number", path=path, line=line
        ) from None
    if math.isnan(value):
        raise NetworkFormatError(f"{name} is NaN; give a number", path=path, line=line)
    return value


def _parse_node(path: Path, line: int, name: str, token: str, num_nodes: int) -> int:
    value = _parse_number(path, line, name, token)
    if not value.is_integer() or not 1 <= value <= num_nodes:
        raise NetworkFormatError(
            f"unknown node id {token} in {name}; node ids run from 1 to {num_nodes} "
            "(<NUMBER OF NODES>)",
            path=path,
            line=line,
        )
    return int(value) - 1


def read_tntp_net(path: str | Path, *, name: str | None = None) -> Network:
    """Read a ``*_net.tntp`` file into a :class:`Network`.

    Checks every link: known node ids, finite capacity, length, free-flow time, b and power,
    none negative or above :data:`MAX_VALUE`, and capacity > 0 wherever the cost depends on
    flow (``b > 0`` and ``power > 0``); and that the links can back ``<NUMBER OF NODES>``.
    """
    network, _ = _read_net(Path(path), name=name)
    return network


def _read_net(path: Path, *, name: str | None) -> tuple[Network, list[int]]:
    """:func:`read_tntp_net`, and the line of every link."""
    lines = _read_lines(path)
    metadata, start = _split_metadata(path, lines)
    num_nodes = _metadata_int(path, metadata, "NUMBER OF NODES", required=True)
    num_zones = _metadata_int(path, metadata, "NUMBER OF ZONES", required=True)
    first_thru = _metadata_int(path, metadata, "FIRST THRU NODE", required=False)
    num_links = _metadata_int(path, metadata, "NUMBER OF LINKS", required=False)
    assert num_nodes is not None
    assert num_zones is not None
    if num_zones > num_nodes:
        raise NetworkFormatError(
            f"<NUMBER OF ZONES> {num_zones} exceeds <NUMBER OF NODES> {num_nodes}", path=path
        )
    first_thru = 1 if first_thru is None else first_thru

    rows: list[list[float]] = []
    line_numbers: list[int] = []
    for index in range(start, len(lines)):
        text = lines[index].strip()
        if not text or text.startswith("~"):
            continue
        line = index + 1
        fields = _record_fields(text)
        if not fields:
            continue
        if len(fields) < len(_NET_FIELDS):
            raise NetworkFormatError(
                f"a link needs at least {len(_NET_FIELDS)} fields "
                f"({' '.join(_NET_FIELDS)}), found {len(fields)}",
                path=path,
                line=line,
            )
        tail = _parse_node(path, line, "init_node", fields[0], num_nodes)
        head = _parse_node(path, line, "term_node", fields[1], num_nodes)
        values = [
            _parse_number(path, line, field, token)
            for field, token in zip(_NET_FIELDS[2:], fields[2:7], strict=True)
        ]
        extra = [_parse_number(path, line, "column", token) for token in fields[7:10]]
        speed, toll, link_type = ([*extra, 0.0, 0.0, 0.0])[:3]
        capacity, length, fft, b, power = values
        for field, value in (*zip(_NET_FIELDS[2:], values, strict=True), ("toll", toll)):
            if not math.isfinite(value) or value < 0:
                raise NetworkFormatError(
                    f"{field} = {value!r}; it must be a finite number >= 0",
                    path=path,
                    line=line,
                )
            _check_scale(path, line, field, value)
        if capacity == 0 and fft * b > 0 and power > 0:
            raise NetworkFormatError(
                "capacity is 0 but the cost depends on flow (b > 0, power > 0); "
                "give a positive capacity or b = 0",
                path=path,
                line=line,
            )
        del speed
        rows.append([tail, head, capacity, length, fft, b, power, toll, link_type])
        line_numbers.append(line)

    if not rows:
        raise NetworkFormatError("no links found after the metadata header", path=path)
    if num_links is not None and num_links != len(rows):
        raise NetworkFormatError(
            f"<NUMBER OF LINKS> says {num_links} but the file has {len(rows)} links; "
            "fix the header or the link lines",
            path=path,
        )
    touched = 2 * len(rows)
    if num_nodes > max(touched, _ISOLATED_NODES_ACCEPTED):
        raise NetworkFormatError(
            f"<NUMBER OF NODES> says {num_nodes} but the {len(rows)} links touch at most "
            f"{touched} nodes; fix the header (nodes are numbered 1 to the largest id)",
            path=path,
            line=_header_line(lines, start, "NUMBER OF NODES"),
        )
    table = np.asarray(rows, dtype=np.float64)
    network = Network(
        name=name if name is not None else path.parent.name,
        node_ids=read_only(np.arange(1, num_nodes + 1, dtype=np.int64)),
        num_zones=num_zones,
        zones_passable=first_thru <= 1,
        tail=read_only(table[:, 0].astype(np.int64)),
        head=read_only(table[:, 1].astype(np.int64)),
        capacity=read_only(table[:, 2].copy()),
        length=read_only(table[:, 3].copy()),
        free_flow_time=read_only(table[:, 4].copy()),
        b=read_only(table[:, 5].copy()),
        power=read_only(table[:, 6].copy()),
        toll=read_only(table[:, 7].copy()),
        link_type=read_only(table[:, 8].astype(np.int64)),
    )
    return network, line_numbers


def _header_line(lines: list[str], start: int, key: str) -> int | None:
    """The 1-based line of ``<key>`` among the first ``start`` lines (the header)."""
    for index in range(start):
        text = lines[index].strip()
        if text.startswith("<") and text[1:].partition(">")[0].strip().upper() == key:
            return index + 1
    return None


def _check_scale(path: Path, line: int, name: str, value: float) -> None:
    """Refuse a number above :data:`MAX_VALUE` (out of scale for any network)."""
    if abs(value) > MAX_VALUE:
        raise NetworkFormatError(
            f"{name} = {value!r} is out of scale; give a number up to {MAX_VALUE:g} "
            "(change the unit if need be)",
            path=path,
            line=line,
        )


def _check_cost_scale(path: Path, network: Network, lines: list[int], demand: float) -> None:
    """Refuse a link whose cost terms would overflow at the total ``demand`` on it.

    ``lines`` are the links' lines in ``path``. Names the first such link; constant-cost links
    (``b = 0``, ``power = 0`` or zero free-flow time) never overflow.
    """
    if demand <= 0:
        return
    fft, b, power, capacity = (
        network.free_flow_time,
        network.b,
        network.power,
        network.capacity,
    )
    varies = (fft * b > 0) & (power > 0) & (capacity > 0)
    with np.errstate(divide="ignore"):
        size = np.where(
            varies,
            np.log10(np.where(varies, fft * b, 1.0))
            + power * (math.log10(demand) - np.log10(np.where(varies, capacity, 1.0)))
            + max(math.log10(demand), 0.0),
            -np.inf,
        )
    over = np.flatnonzero(size > _MAX_COST_LOG10)
    if over.size:
        link = int(over[0])
        raise NetworkFormatError(
            f"at the total demand of {demand:g} this link's cost would reach about "
            f"1e{size[link]:.0f} and overflow (capacity {float(capacity[link])!r}, power "
            f"{float(power[link])!r}); give a capacity in the demand's unit, a smaller power or "
            "less demand",
            path=path,
            line=lines[link],
        )


def read_tntp_trips(path: str | Path, *, num_zones: int) -> TntpTrips:
    """Read a ``*_trips.tntp`` file; zones must lie in ``1..num_zones``."""
    path = Path(path)
    lines = _read_lines(path)
    _, start = _split_metadata(path, lines)
    volume_of: dict[tuple[int, int], float] = {}
    line_of: dict[tuple[int, int], int] = {}
    intrazonal = 0.0
    origin: int | None = None
    for index in range(start, len(lines)):
        text = lines[index].strip()
        if not text or text.startswith("~"):
            continue
        line = index + 1
        if text.lower().startswith("origin"):
            parts = text.split()
            if len(parts) < 2:
                raise NetworkFormatError("'Origin' without a zone id", path=path, line=line)
            origin = _parse_zone(path, line, "origin", parts[1], num_zones)
            continue
        if origin is None:
            raise NetworkFormatError(
                "demand entry before any 'Origin' line; start each block with 'Origin <zone>'",
                path=path,
                line=line,
            )
        for raw_entry in text.split(";"):
            entry = raw_entry.strip()
            if not entry:
                continue
            dest_text, colon, volume_text = entry.partition(":")
            if not colon or not volume_text.strip():
                raise NetworkFormatError(
                    f"malformed demand entry {entry!r}; write 'destination : volume;'",
                    path=path,
                    line=line,
                )
            dest = _parse_zone(path, line, "destination", dest_text.strip(), num_zones)
            volume = _parse_number(path, line, "volume", volume_text.strip())
            if not math.isfinite(volume) or volume < 0:
                raise NetworkFormatError(
                    f"volume {volume_text.strip()} from zone {origin + 1} to zone {dest + 1} "
                    "must be a finite number >= 0",
                    path=path,
                    line=line,
                )
            _check_scale(path, line, "volume", volume)
            if volume == 0:
                continue
            if dest == origin:
                intrazonal += volume
                continue
            key = (origin, dest)
            volume_of[key] = volume_of.get(key, 0.0) + volume
            line_of.setdefault(key, line)
    keys = sorted(volume_of)
    origins = np.array([k[0] for k in keys], dtype=np.int64)
    destinations = np.array([k[1] for k in keys], dtype=np.int64)
    return TntpTrips(
        path=path,
        origins=read_only(origins),
        destinations=read_only(destinations),
        volume=read_only(np.array([volume_of[k] for k in keys], dtype=np.float64)),
        line=read_only(np.array([line_of[k] for k in keys], dtype=np.int64)),
        intrazonal_volume=intrazonal,
    )


def _parse_zone(path: Path, line: int, name: str, token: str, num_zones: int) -> int:
    value = _parse_number(path, line, name, token)
    if not value.is_integer() or not 1 <= value <= num_zones:
        raise NetworkFormatError(
            f"unknown zone id {token} as {name}; zones run from 1 to {num_zones} "
            "(<NUMBER OF ZONES>)",
            path=path,
            line=line,
        )
    return int(value) - 1


def _data_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Rows of a table file with one header line (flow and node files)."""
    lines = _read_lines(path)
    rows: list[tuple[int, list[str]]] = []
    header_seen = False
    for index, raw in enumerate(lines):
        text = raw.strip()
        if not text or text.startswith("~"):
            continue
        fields = _record_fields(text)
        if not fields:
            continue
        if not header_seen:
            header_seen = True
            try:
                float(fields[0])
            except ValueError:
                continue  # the header line
        rows.append((index + 1, fields))
    return rows


def read_tntp_flows(path: str | Path, network: Network) -> NDArray[np.float64]:
    """Read link flows (``from to volume [cost]``), one row per net-file link in its order."""
    path = Path(path)
    rows = _data_rows(path)
    if len(rows) != network.num_links:
        raise NetworkFormatError(
            f"{len(rows)} flow rows for {network.num_links} links; "
            "give one row per net-file link, in its order",
            path=path,
        )
    flows = np.empty(network.num_links, dtype=np.float64)
    for link, (line, fields) in enumerate(rows):
        if len(fields) < 3:
            raise NetworkFormatError("a flow row needs 'from to volume'", path=path, line=line)
        tail = _parse_node(path, line, "from", fields[0], network.num_nodes)
        head = _parse_node(path, line, "to", fields[1], network.num_nodes)
        if tail != network.tail[link] or head != network.head[link]:
            raise NetworkFormatError(
                f"row is link {fields[0]}->{fields[1]} but net-file link {link + 1} is "
                f"{network.tail[link] + 1}->{network.head[link] + 1}; keep the net-file order",
                path=path,
                line=line,
            )
        value = _parse_number(path, line, "volume", fields[2])
        if not math.isfinite(value) or value < 0:
            raise NetworkFormatError(
                f"volume {fields[2]} must be a finite number >= 0", path=path, line=line
            )
        _check_scale(path, line, "volume", value)
        flows[link] = value
    return read_only(flows)


def read_tntp_nodes(path: str | Path, network: Network) -> NDArray[np.float64]:
    """Read node coordinates; returns an array ``(num_nodes, 2)`` with NaN where absent."""
    path = Path(path)
    coordinates = np.full((network.num_nodes, 2), np.nan)
    for line, fields in _data_rows(path):
        if len(fields) < 3:
            raise NetworkFormatError("a node row needs 'node x y'", path=path, line=line)
        node = _parse_node(path, line, "node", fields[0], network.num_nodes)
        coordinates[node] = [
            _parse_number(path, line, "x", fields[1]),
            _parse_number(path, line, "y", fields[2]),
        ]
    return read_only(coordinates)


def read_tntp(folder: str | Path) -> TntpNetwork:
    """Read a TNTP folder: network, trips and, where present, best-known flows and nodes."""
    files = find_tntp_files(folder)
    network, lines = _read_net(files.net, name=Path(folder).resolve().name)
    trips = read_tntp_trips(files.trips, num_zones=network.num_zones)
    _check_cost_scale(files.net, network, lines, trips.total_volume)
    best = None if files.flow is None else read_tntp_flows(files.flow, network)
    coordinates = None if files.node is None else read_tntp_nodes(files.node, network)
    return TntpNetwork(
        files=files, network=network, trips=trips, best_flows=best, coordinates=coordinates
    )


def write_tntp(
    folder: str | Path,
    network: Network,
    *,
    origins: NDArray[np.int64],
    destinations: NDArray[np.int64],
    volume: NDArray[np.float64],
) -> TntpFiles:
    """Write ``<name>_net.tntp`` and ``<name>_trips.tntp`` into ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = network.name
    first_thru = 1 if network.zones_passable else network.num_zones + 1
    net_lines = [
        f"<NUMBER OF ZONES> {network.num_zones}",
        f"<NUMBER OF NODES> {network.num_nodes}",
        f"<FIRST THRU NODE> {first_thru}",
        f"<NUMBER OF LINKS> {network.num_links}",
        "<END OF METADATA>",
        "",
        "~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\tlink_type\t;",
    ]
    net_lines.extend(
        f"\t{network.tail[a] + 1}\t{network.head[a] + 1}\t{float(network.capacity[a])!r}"
        f"\t{float(network.length[a])!r}\t{float(network.free_flow_time[a])!r}\t{float(network.b[a])!r}"
        f"\t{float(network.power[a])!r}\t0\t{float(network.toll[a])!r}\t{network.link_type[a]}\t;"
        for a in range(network.num_links)
    )
    net_path = folder / f"{stem}_net.tntp"
    net_path.write_text("\n".join(net_lines) + "\n", encoding="utf-8")

    trip_lines = [
        f"<NUMBER OF ZONES> {network.num_zones}",
        f"<TOTAL OD FLOW> {float(np.sum(volume))!r}",
        "<END OF METADATA>",
        "",
    ]
    order = np.lexsort((destinations, origins))
    current = -1
    for index in order:
        if origins[index] != current:
            current = int(origins[index])
            trip_lines.append(f"Origin {current + 1}")
        trip_lines.append(f"    {destinations[index] + 1} : {float(volume[index])!r};")
    trips_path = folder / f"{stem}_trips.tntp"
    trips_path.write_text("\n".join(trip_lines) + "\n", encoding="utf-8")
    return TntpFiles(net=net_path, trips=trips_path, node=None, flow=None)
