"""Side-by-side benchmark on the TNTP networks: counterflow against AequilibraE's bfw.

For each TNTP folder given, solves the user equilibrium to each gap target with counterflow
and, in the same run, with AequilibraE's bi-conjugate Frank-Wolfe on 2 cores (when
``aequilibrae`` is importable: ``pip install -e '.[bench]'``). Both solutions are scored by
counterflow's own evaluator (``counterflow.assign.evaluate_flows``): relative gap, Beckmann
objective, excess over the best-known objective, and relative L1 error of link flows against
the best-known flows on the links whose cost depends on flow. Times are the median of
``--runs`` runs of the solve alone (reading files, building graphs and JIT compilation
excluded; the numba cache is warmed first).

Usage:
    python benchmarks/tntp.py ../shared/benchmarks/tntp/SiouxFalls ../shared/benchmarks/tntp/Anaheim
    python benchmarks/tntp.py ../shared/benchmarks/tntp/* --gaps 1e-4 1e-6 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from counterflow.assign import (
    AssignmentProblem,
    ClassFlows,
    compile_kernels,
    evaluate_flows,
    single_class_problem,
    solve_equilibrium,
)
from counterflow.network import TntpNetwork, read_tntp

# Generalized-cost weights per network, from each network's README (TNTP files do not carry
# them): cost = time + toll_factor * toll + distance_factor * length.
WEIGHTS = {"Chicago-Sketch": (0.02, 0.04), "chicago-regional": (0.1, 0.25)}
FFT_FLOOR = 1e-6  # minutes; only for the peer, which rejects zero free-flow times


@dataclass
class Row:
    network: str
    solver: str
    gap_target: float
    seconds: float
    iterations: int
    solver_gap: float
    relative_gap: float
    objective: float
    excess: float | None
    flow_error: float | None


def reference_flows(folder: Path, data: TntpNetwork) -> tuple[np.ndarray | None, str]:
    if data.best_flows is not None:
        return np.asarray(data.best_flows), "best-known"
    references = sorted((folder / "reference").glob("*refflow*"))
    if references:
        rows = np.loadtxt(references[0], skiprows=1, usecols=(0, 1, 2))
        if rows.shape[0] == data.network.num_links:
            return rows[:, 2], f"reference ({references[0].name})"
    return None, "none"


def score(
    problem: AssignmentProblem,
    flows: np.ndarray,
    best: float | None,
    best_flows: np.ndarray | None,
) -> tuple[float, float, float | None, float | None]:
    evaluation = evaluate_flows(
        problem, ClassFlows(link=flows[None, :], abstain=np.zeros(problem.num_pairs))
    )
    excess = None if best is None else (evaluation.objective - best) / best
    error = None
    if best_flows is not None:
        congestible = problem.costs.flow_dependent
        error = float(np.abs(flows - best_flows)[congestible].sum() / best_flows[congestible].sum())
    return evaluation.relative_gap, evaluation.objective, excess, error


class AequilibraePeer:
    """AequilibraE's traffic assignment built once per network from the same arrays."""

    def __init__(self, data: TntpNetwork, toll: float, distance: float) -> None:
        os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")
        import pandas as pd
        from aequilibrae.matrix import AequilibraeMatrix
        from aequilibrae.paths import Graph

        net = data.network
        links = net.num_links
        frame = pd.DataFrame(
            {
                "link_id": np.arange(1, links + 1),
                "a_node": net.tail + 1,
                "b_node": net.head + 1,
                "direction": np.ones(links, dtype=np.int64),
                # AequilibraE refuses zero free-flow times (Chicago-Sketch, Berlin-Center
                # connectors): it gets 1e-6 minutes there; its flows are scored on the
                # original costs.
                "free_flow_time": np.maximum(np.asarray(net.free_flow_time), FFT_FLOOR),
                "capacity": np.asarray(net.capacity),
                "b": np.asarray(net.b),
                # AequilibraE's BPR needs power >= 1; where b = 0 the power does not matter.
                "power": np.where(net.b > 0, net.power, 1.0),
                "fixed": toll * np.asarray(net.toll) + distance * np.asarray(net.length),
            }
        )
        if ((net.b > 0) & (net.power < 1)).any():
            sys.exit(
                f"{net.name}: AequilibraE's BPR cannot take powers below 1 on congestible links"
            )
        graph = Graph()
        graph.network = frame
        centroids = np.arange(1, net.num_zones + 1, dtype=np.int64)
        graph.prepare_graph(centroids)
        graph.set_graph("free_flow_time")
        graph.set_blocked_centroid_flows(not net.zones_passable)
        demand = np.zeros((net.num_zones, net.num_zones))
        demand[data.trips.origins, data.trips.destinations] = data.trips.volume
        matrix = AequilibraeMatrix()
        matrix.create_empty(zones=net.num_zones, matrix_names=["demand"], memory_only=True)
        matrix.index[:] = centroids
        matrix.matrices[:, :, 0] = demand
        matrix.computational_view(["demand"])
        self.graph, self.matrix, self.links, self.fixed = graph, matrix, links, toll or distance

    def solve(self, gap: float) -> tuple[float, int, float, np.ndarray]:
        from aequilibrae.paths import TrafficAssignment, TrafficClass

        assignment = TrafficAssignment()
        traffic_class = TrafficClass("all", self.graph, self.matrix)
        if self.fixed:
            traffic_class.set_fixed_cost("fixed")
        assignment.add_class(traffic_class)
        assignment.set_vdf("BPR")
        assignment.set_vdf_parameters({"alpha": "b", "beta": "power"})
        assignment.set_capacity_field("capacity")
        assignment.set_time_field("free_flow_time")
        assignment.set_algorithm("bfw")
        assignment.max_iter = 100_000
        assignment.rgap_target = gap
        assignment.set_cores(2)
        started = time.perf_counter()
        assignment.execute()
        seconds = time.perf_counter() - started
        results = assignment.results()
        flows = results["demand_tot"].reindex(np.arange(1, self.links + 1)).fillna(0.0).to_numpy()
        report = assignment.report()
        return seconds, len(report), float(report["rgap"].iloc[-1]), flows


def run_network(
    folder: Path, gaps: list[float], runs: int, use_peer: bool, algorithm: str = "auto"
) -> list[Row]:
    data = read_tntp(folder)
    name = data.network.name
    toll, distance = WEIGHTS.get(name, (0.0, 0.0))
    trips = data.trips
    problem = single_class_problem(
        data.network,
        trips.origins,
        trips.destinations,
        trips.volume,
        toll_factor=toll,
        distance_factor=distance,
    )
    best_flows, source = reference_flows(folder, data)
    best = None
    if best_flows is not None:
        best = evaluate_flows(
            problem, ClassFlows(link=best_flows[None, :], abstain=np.zeros(problem.num_pairs))
        ).objective
    print(
        f"# {name}: {data.network.num_nodes} nodes, {data.network.num_links} links, "
        f"{data.network.num_zones} zones; flows compared with: {source}",
        file=sys.stderr,
    )
    peer = None
    if use_peer:
        try:
            peer = AequilibraePeer(data, toll, distance)
        except ImportError:
            print("# aequilibrae is not importable: pip install -e '.[bench]'", file=sys.stderr)
    rows = []
    for gap in gaps:
        times, result = [], None
        for _ in range(runs):
            result = solve_equilibrium(problem, algorithm=algorithm, gap=gap)
            times.append(result.seconds)
        assert result is not None
        measured = score(problem, result.link_flow, best, best_flows)
        rows.append(
            Row(
                name,
                f"counterflow {result.algorithm}",
                gap,
                statistics.median(times),
                result.iterations,
                result.relative_gap,
                *measured,
            )
        )
        print(f"  counterflow gap {gap:g}: {statistics.median(times):.2f} s", file=sys.stderr)
        if peer is not None:
            outcomes = [peer.solve(gap) for _ in range(runs)]
            _, iterations, own_gap, flows = outcomes[-1]
            measured = score(problem, flows, best, best_flows)
            rows.append(
                Row(
                    name,
                    "aequilibrae bfw",
                    gap,
                    statistics.median(o[0] for o in outcomes),
                    iterations,
                    own_gap,
                    *measured,
                )
            )
            print(f"  aequilibrae gap {gap:g}: {rows[-1].seconds:.2f} s", file=sys.stderr)
    return rows


def markdown(rows: list[Row]) -> str:
    lines = [
        (
            "| network | gap target | solver | seconds | time ratio (peer / ours) | iterations "
            "| gap (our evaluator) | objective excess over best | flow error (rel. L1) |"
        ),
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    ours = {(r.network, r.gap_target): r for r in rows if r.solver.startswith("counterflow")}
    for r in rows:
        ratio = ""
        if not r.solver.startswith("counterflow"):
            mine = ours[(r.network, r.gap_target)]
            ratio = f"{r.seconds / mine.seconds:.2f}"
        excess = "" if r.excess is None else f"{r.excess:.1e}"
        error = "" if r.flow_error is None else f"{r.flow_error:.1e}"
        lines.append(
            f"| {r.network} | {r.gap_target:g} | {r.solver} | {r.seconds:.2f} | {ratio} | "
            f"{r.iterations} | {r.relative_gap:.2e} | {excess} | {error} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="TNTP folders")
    parser.add_argument("--gaps", nargs="+", type=float, default=[1e-4, 1e-6])
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per solve; the median is reported"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip AequilibraE")
    parser.add_argument("--algorithm", default="auto", help="counterflow's algorithm (auto: gp)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "tntp.json")
    args = parser.parse_args()
    compile_seconds = compile_kernels()
    rows: list[Row] = []
    for folder in args.folders:
        if not (folder.is_dir() and list(folder.glob("*_trips.tntp"))):
            print(f"# skipping {folder}: no *_trips.tntp", file=sys.stderr)
            continue
        rows.extend(run_network(folder, args.gaps, args.runs, not args.no_peer, args.algorithm))
        save(args.out, rows, compile_seconds)  # after each network: a crash loses nothing
    print(markdown(rows))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MiB")


def save(path: Path, rows: list[Row], compile_seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "command": " ".join(sys.argv),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "compile_seconds": compile_seconds,
        # Peak resident memory of the whole run (ours and the peer's, when it runs).
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "rows": [asdict(r) for r in rows],
        "table": markdown(rows),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
