"""Scale benchmark: perturbed square grids of 10,000 to 1,000,000 nodes solved to gap 1e-4.

Each network is generated with a fixed seed: two-way links on a perturbed square grid,
BPR(0.15, 4), capacities uniform in [600, 1800], 500 random zones and gravity demand scaled so
that the mean volume/capacity ratio of an all-or-nothing load at free-flow times is 1.0. For
each size it reports solve time, iterations, peak memory (resident set, this process) and the
relative gap reached.

Usage:
    python benchmarks/scale.py                      # 10,000 and 100,000 nodes
    python benchmarks/scale.py --nodes 10000 100000 1000000 --max-seconds 600
    python benchmarks/scale.py --algorithm bfw      # the Frank-Wolfe baseline
    python benchmarks/scale.py --nodes 10000 --gauss-seidel-until 0   # Gauss-Seidel passes only
    python benchmarks/scale.py --nodes 100000 --progress   # each iteration's gap to stderr
    python benchmarks/scale.py --nodes 10000 --compact-routes yes  # one-byte route steps
    python benchmarks/scale.py --nodes 1000000 --gauss-seidel-until 0 --max-seconds 3000 \
        --save-routes benchmarks/results/grid_1m.npz          # a checkpoint when time is up
    python benchmarks/scale.py --nodes 1000000 --gauss-seidel-until 0 --max-seconds 3000 \
        --resume benchmarks/results/grid_1m.npz --save-routes benchmarks/results/grid_1m.npz

The routes column counts the routes the solver holds at the end and the memory of its route
store and path table (the solve returns no int32 copy of them).

A solve longer than one sitting runs in segments: ``--save-routes FILE`` lets the solver stop
by itself at ``--max-seconds`` (the iteration that begins after it evaluates the flows exactly)
and writes its routes and flows, with the segment's figures, to ``FILE``; ``--resume FILE``
warm-starts from them (the solver first evaluates them exactly) and reports the figures of all
segments together: seconds and iterations summed, peak memory the highest of any segment (with
``--progress``, each segment's own is printed too). The routes are saved as the solver holds
them on large networks, one-byte route steps (``PathFlows.compact``); older files of ``int32``
link ids still resume.
"""

from __future__ import annotations

import argparse
import json
import math
import mmap
import resource
import struct
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import TypeVar

import numpy as np

from counterflow.assign import (
    AssignmentProblem,
    AssignmentResult,
    IterationRecord,
    PathFlows,
    SolverOptions,
    all_or_nothing,
    compile_kernels,
    single_class_problem,
    solve_equilibrium,
)
from counterflow.network import GridNetwork, make_grid_network

ZONES = 500
SEED = 2026
T = TypeVar("T")


def scaled_grid(nodes: int) -> tuple[GridNetwork, AssignmentProblem]:
    """The grid of about ``nodes`` nodes with demand scaled to mean free-flow v/c = 1."""
    side = round(math.sqrt(nodes))
    grid = make_grid_network(side, num_zones=ZONES, trips_per_zone=1000.0, seed=SEED)
    problem = single_class_problem(grid.network, grid.origins, grid.destinations, grid.volume)
    free_flow = np.asarray(grid.network.free_flow_time)[None, :]
    loaded, _ = all_or_nothing(problem, free_flow, np.full(problem.num_pairs, np.inf))
    ratio = float(np.mean(loaded.total / np.asarray(grid.network.capacity)))
    volume = np.asarray(grid.volume) / ratio
    problem = single_class_problem(grid.network, grid.origins, grid.destinations, volume)
    return grid, problem


def check_nodes(parser: argparse.ArgumentParser, nodes: list[int]) -> None:
    """Exit 2 with a one-line message if a grid of ``nodes`` cannot hold the 500 zones."""
    least = math.ceil((math.ceil(math.sqrt(ZONES)) - 0.5) ** 2)  # the side rounds up to hold them
    for count in nodes:
        if count < least:
            parser.error(
                f"--nodes {count}: the grid must hold {ZONES} zones; give at least {least}"
            )


def check_counts(
    parser: argparse.ArgumentParser, args: argparse.Namespace, least: dict[str, int]
) -> None:
    """Exit 2 with a one-line message if an integer option is below its ``least`` value."""
    for name, bound in least.items():
        value = getattr(args, name)
        if value < bound:
            parser.error(f"--{name} {value}: give an integer >= {bound}")


def counted_variant(variant: str, key: str, named: dict[str, int]) -> int:
    """The ``N`` of a diagnosis variant ``key=N`` (``N >= 1``), or the value of a named one.

    Raises ``ValueError`` naming the choices, which :func:`start_diagnosis` turns into exit 2.
    """
    if variant in named:
        return named[variant]
    prefix = f"{key}="
    try:
        count = int(variant.removeprefix(prefix))
    except ValueError:
        count = 0
    if not variant.startswith(prefix) or count < 1:
        raise ValueError(
            f"--variants: {variant!r} is not a variant; give {' or '.join(named)} or "
            f"{key}=N with N >= 1"
        )
    return count


def start_diagnosis(
    description: str, variants: list[str], check: Callable[[str], T], first_column: str
) -> tuple[argparse.Namespace, list[T], AssignmentProblem]:
    """Command line, grid and table header shared by the diagnosis benchmarks.

    Reads ``--nodes``, ``--gap`` and ``--variants``; ``check`` turns each variant into its
    setting or raises ``ValueError`` with the fix, which exits 2 before any work is done.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument("--variants", nargs="+", default=variants)
    args = parser.parse_args()
    check_nodes(parser, [args.nodes])
    try:
        settings = [check(variant) for variant in args.variants]
    except ValueError as error:
        parser.error(str(error))
    compile_kernels()
    _, problem = scaled_grid(args.nodes)
    print(f"| {first_column} | iterations | sweeps | seconds | relative gap |")
    print("|---|---:|---:|---:|---:|")
    return args, settings, problem


def print_variant(variant: str, result: AssignmentResult) -> None:
    """One row of a diagnosis table: iterations, sweeps, seconds and gap of a gp solve."""
    sweeps = sum(
        int(record.direction.split(", ")[1].split()[0])
        for record in result.history
        if record.direction
    )
    print(
        f"| {variant} | {result.iterations} | {sweeps} | {result.seconds:.1f} | "
        f"{result.relative_gap:.2e} |",
        flush=True,
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass(frozen=True)
class Segments:
    """What the earlier segments of a solve took, saved beside its routes."""

    nodes: int
    segments: int = 0
    seconds: float = 0.0
    iterations: int = 0
    peak_rss_mib: float = 0.0
    peaks_mib: tuple[float, ...] = ()  # each segment's own peak (files before 2026-11-27: none)


def save_routes(path: Path, paths: PathFlows, done: Segments) -> None:
    """Write ``paths`` and ``done`` to ``path`` (``.npz``) whole or not at all."""
    part = path.with_name(path.name + ".part")
    arrays = {field.name: getattr(paths, field.name) for field in fields(PathFlows)}
    try:
        with part.open("wb") as out:
            np.savez(out, segments=np.array(json.dumps(asdict(done))), **arrays)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


class MappedStore:
    """The ``store`` member of an uncompressed ``.npz``, mapped read-only instead of read.

    At 1,000,000 nodes the saved routes are gigabytes (2.1 GB of one-byte steps after 101
    passes; 4.7 GB as the ``int32`` link ids of older files), which the solver reads once, into
    its own store, before its first pass. Mapped, they stay in the file: the solver copies
    steps a slice at a time and hands each slice's pages back as it goes, so the resumed
    segment's peak memory is the solver's, not this harness's copy too. :meth:`release` hands
    back what an older file of link ids left resident (the solver encodes those in place,
    reading the map) once the first record is made (pages are read again from the file if
    anything touches the array later).
    """

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("store.npy")
        if info.compress_type != zipfile.ZIP_STORED:
            raise ValueError("store.npy is compressed")
        with path.open("rb") as file:
            file.seek(info.header_offset)
            local = file.read(30)
            if local[:4] != b"PK\x03\x04":
                raise ValueError("store.npy has no local header")
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            file.seek(info.header_offset + 30 + name_length + extra_length)
            version = np.lib.format.read_magic(file)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(file)
            offset = file.tell()
            if (
                fortran
                or len(shape) != 1
                or offset + shape[0] * dtype.itemsize > path.stat().st_size
            ):
                raise ValueError("store.npy is not a flat array inside the file")
            self.map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        self.released = False
        self.array: np.ndarray = np.frombuffer(self.map, dtype=dtype, count=shape[0], offset=offset)

    def release(self) -> None:
        """Drop the mapped pages from this process's memory, once (they remain in the file)."""
        if not self.released and hasattr(mmap, "MADV_DONTNEED"):
            self.map.madvise(mmap.MADV_DONTNEED)
        self.released = True


def load_routes(path: Path, nodes: int) -> tuple[PathFlows, Segments, MappedStore]:
    """Read a file of :func:`save_routes`; ``ValueError`` with the fix if it does not fit.

    The routes' store stays in the file (:class:`MappedStore`); the rest is read. Files
    written before route steps were saved (no ``compact`` member) hold link ids.
    """
    try:
        mapped = MappedStore(path)
        with np.load(path, allow_pickle=False) as saved:
            record = json.loads(str(saved["segments"]))
            done = Segments(**{**record, "peaks_mib": tuple(record.get("peaks_mib", ()))})
            arrays = {
                field.name: saved[field.name]
                for field in fields(PathFlows)
                if field.name not in ("store", "compact")
            }
            compact = "compact" in saved.files and bool(saved["compact"])
            paths = PathFlows(**arrays, store=mapped.array, compact=compact)
    except FileNotFoundError:
        raise ValueError(
            f"--resume {path}: no such file; give a file --save-routes wrote"
        ) from None
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"--resume {path}: not a file --save-routes wrote ({error}); give one it wrote"
        ) from None
    if done.nodes != nodes:
        raise ValueError(
            f"--resume {path}: saved for {done.nodes:,} nodes, not {nodes:,}; pass --nodes "
            f"{done.nodes}"
        )
    return paths, done, mapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--gap", type=float, default=1e-4)
    parser.add_argument(
        "--max-seconds", type=float, default=600.0, help="stop a solve after this long"
    )
    parser.add_argument("--algorithm", default="auto", help="auto (= gp), gp, bfw, cfw, fw")
    parser.add_argument(
        "--gauss-seidel-until",
        type=float,
        default=None,
        help="gp: Gauss-Seidel passes while the gap is above this (default: the solver's; 0: "
        "until the target)",
    )
    parser.add_argument(
        "--compact-routes",
        choices=("auto", "yes", "no"),
        default="auto",
        help="gp: store route steps as one-byte out-link indices (auto: on networks of at "
        "least 250,000 nodes)",
    )
    parser.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help="stop after this many iterations (with an exact gap and the routes counted)",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="print each iteration's gap and elapsed seconds to stderr as the solve runs",
    )
    parser.add_argument(
        "--save-routes",
        type=Path,
        default=None,
        help="gp, one size: stop cleanly at --max-seconds and write the routes to this file",
    )
    parser.add_argument(
        "--resume",
        type=Path,
        default=None,
        help="gp, one size: warm-start from a file --save-routes wrote and add up the segments",
    )
    args = parser.parse_args()
    check_nodes(parser, args.nodes)
    segmented = args.save_routes is not None or args.resume is not None
    if segmented and (len(args.nodes) != 1 or args.algorithm not in ("auto", "gp")):
        parser.error("--save-routes and --resume: give one --nodes size and the gp algorithm")
    if args.save_routes is not None and not args.save_routes.parent.is_dir():
        parser.error(f"--save-routes {args.save_routes}: no folder {args.save_routes.parent}")
    initial: PathFlows | None = None
    mapped: MappedStore | None = None
    done = Segments(nodes=args.nodes[0])
    if args.resume is not None:
        try:
            initial, done, mapped = load_routes(args.resume, args.nodes[0])
        except ValueError as error:
            parser.error(str(error))
    if args.max_iter is not None and args.max_iter < 0:
        parser.error(f"--max-iter {args.max_iter}: give an integer >= 0")
    if args.gauss_seidel_until is not None and not 0.0 <= args.gauss_seidel_until <= 1.0:
        parser.error(f"--gauss-seidel-until {args.gauss_seidel_until}: give a gap in [0, 1]")
    options = SolverOptions(
        # Flows only, unless saved, and then the solver's own one-byte steps: no int32 copy of
        # the routes at the end (4.7 GB after 50 passes at 1,000,000 nodes).
        keep_paths="compact" if args.save_routes is not None else False,
        compact_routes={"auto": None, "yes": True, "no": False}[args.compact_routes],
        max_seconds=args.max_seconds if segmented else None,
    )
    if args.gauss_seidel_until is not None:
        options = replace(options, gauss_seidel_until=args.gauss_seidel_until)
    compile_kernels()
    print(
        "| nodes | links | zones | pairs | algorithm | seconds | iterations | relative gap "
        "| routes stored | peak memory MiB |"
    )
    print("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for nodes in args.nodes:
        grid, problem = scaled_grid(nodes)
        started = time.perf_counter()
        last: list[IterationRecord] = []

        def stop_when_late(
            record: IterationRecord,
            started: float = started,
            last: list[IterationRecord] = last,
            nodes: int = nodes,
        ) -> None:
            last[:] = [record]
            if mapped is not None:
                mapped.release()  # the solver has read the saved routes (a no-op after once)
            if args.progress:
                estimated = " (estimated)" if record.gap_estimated else ""
                move = f", then {record.direction}" if record.direction else ""
                print(
                    f"{nodes:,} nodes: iteration {record.iteration}, gap "
                    f"{record.relative_gap:.3e}{estimated}, {record.seconds:.1f} s, peak "
                    f"{peak_rss_mib():,.0f} MiB{move}",
                    file=sys.stderr,
                    flush=True,
                )
            if not segmented and time.perf_counter() - started > args.max_seconds:
                raise TimeoutError(record.iteration)

        routes = "-"
        try:
            result = solve_equilibrium(
                problem,
                algorithm=args.algorithm,
                gap=args.gap,
                max_iter=args.max_iter,
                callback=stop_when_late,
                initial=initial,
                options=options,
            )
            seconds, iterations, gap = result.seconds, result.iterations, result.relative_gap
            algorithm = result.algorithm
            if not result.converged:
                late = segmented and seconds >= args.max_seconds
                algorithm += (
                    ", stopped at --max-seconds"
                    if late
                    else ", stopped at --max-iter"
                    if args.max_iter is not None
                    else ", not converged"
                )
            if result.route_count is not None and result.route_bytes is not None:
                routes = f"{result.route_count:,} ({result.route_bytes / 2**20:,.0f} MiB)"
            if segmented:
                done = Segments(
                    nodes=done.nodes,
                    segments=done.segments + 1,
                    seconds=done.seconds + seconds,
                    iterations=done.iterations + iterations,
                    peak_rss_mib=max(done.peak_rss_mib, peak_rss_mib()),
                    peaks_mib=(*done.peaks_mib, peak_rss_mib()),
                )
                if done.segments > 1:
                    algorithm += f", {done.segments} segments"
                seconds, iterations = done.seconds, done.iterations
                if args.save_routes is not None and result.paths is not None:
                    save_routes(args.save_routes, result.paths, done)
                if args.progress:
                    print(
                        "peak memory of each segment's solve: "
                        + " / ".join(f"{peak:,.0f}" for peak in done.peaks_mib)
                        + f" MiB; this process {peak_rss_mib():,.0f} MiB",
                        file=sys.stderr,
                        flush=True,
                    )
        except TimeoutError:
            record = last[0]
            seconds, iterations, gap = record.seconds, record.iteration, record.relative_gap
            estimated = ", gap estimated" if record.gap_estimated else ""
            name = "gp" if args.algorithm == "auto" else args.algorithm
            algorithm = f"{name}, stopped at --max-seconds{estimated}"
        network = grid.network
        print(
            f"| {network.num_nodes:,} | {network.num_links:,} | {network.num_zones} | "
            f"{problem.num_pairs:,} | {algorithm} | {seconds:.1f} | {iterations} | {gap:.2e} | "
            f"{routes} | {max(done.peak_rss_mib, peak_rss_mib()):,.0f} |"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
