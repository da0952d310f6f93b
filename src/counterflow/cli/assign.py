"""``counterflow assign``: the engine on TNTP networks."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from counterflow.assign import (
    ALGORITHMS,
    AssignmentProblem,
    AssignmentResult,
    ClassFlows,
    IterationRecord,
    SolverOptions,
    compile_kernels,
    evaluate_flows,
    single_class_problem,
    solve_equilibrium,
)
from counterflow.cli.app import app, stderr_console, stdout_console, write_atomically
from counterflow.errors import DisconnectedDemandError, InputError, NetworkFormatError
from counterflow.network import Network, TntpNetwork, read_tntp, read_tntp_flows
from counterflow.network.tntp import MAX_VALUE


def _read_warm_start(path: Path, folder: TntpNetwork) -> ClassFlows:
    """Read warm-start link flows: a ``--flows-out`` CSV or a ``*_flow.tntp`` file."""
    network = folder.network
    flows = (
        read_tntp_flows(path, network) if path.suffix == ".tntp" else _read_flow_csv(path, network)
    )
    return ClassFlows(
        link=np.array(flows, dtype=np.float64)[None, :],
        abstain=np.zeros(folder.trips.volume.shape[0]),
    )


def _read_flow_csv(path: Path, network: Network) -> NDArray[np.float64]:
    """Read a ``from,to,flow`` CSV (as written by ``--flows-out``)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError("file not found; pass a flows CSV from --flows-out", path=path) from None
    if not lines or lines[0].replace(" ", "").lower() != "from,to,flow":
        raise NetworkFormatError("the first line must be 'from,to,flow'", path=path, line=1)
    rows = lines[1:]
    if len(rows) != network.num_links:
        raise NetworkFormatError(
            f"{len(rows)} rows for {network.num_links} links; give one row per net-file link",
            path=path,
        )
    flows = np.empty(network.num_links)
    for link, text in enumerate(rows):
        parts = text.split(",")
        line = link + 2
        try:
            tail, head, value = int(parts[0]), int(parts[1]), float(parts[2])
        except (ValueError, IndexError):
            raise NetworkFormatError(
                f"malformed row {text!r}; write 'from,to,flow'", path=path, line=line
            ) from None
        if (
            tail != network.node_ids[network.tail[link]]
            or head != network.node_ids[network.head[link]]
        ):
            raise NetworkFormatError(
                f"row is link {tail}->{head} but link {link + 1} of the network is "
                f"{network.node_ids[network.tail[link]]}->{network.node_ids[network.head[link]]}",
                path=path,
                line=line,
            )
        if not math.isfinite(value) or not 0 <= value <= MAX_VALUE:
            raise NetworkFormatError(
                f"flow {parts[2]} must be a finite number in [0, {MAX_VALUE:g}]",
                path=path,
                line=line,
            )
        flows[link] = value
    return flows


def _convergence_table(history: Sequence[IterationRecord], *, rows: int = 16) -> Table:
    table = Table(
        title="Convergence (~: gap estimated during a Gauss-Seidel pass)", title_justify="left"
    )
    for name in ("iteration", "relative gap", "objective", "direction", "step", "seconds"):
        table.add_column(name, justify="right")
    if len(history) <= rows:
        shown = list(range(len(history)))
    else:
        picks = np.unique(np.geomspace(1, len(history), rows).astype(int) - 1)
        shown = sorted({0, *picks.tolist(), len(history) - 1})
    for index in shown:
        record = history[index]
        table.add_row(
            str(record.iteration),
            ("~" if record.gap_estimated else "") + f"{record.relative_gap:.3e}",
            f"{record.objective:,.6f}",
            record.direction or "-",
            "-" if math.isnan(record.step) else f"{record.step:.4g}",
            f"{record.seconds:.3f}",
        )
    return table


@app.command()
def assign(
    tntp: Annotated[
        Path,
        typer.Option(
            "--tntp",
            help="Folder of a TNTP network: *_net.tntp, *_trips.tntp (optional *_node.tntp, "
            "*_flow.tntp with best-known flows).",
        ),
    ],
    gap: Annotated[float, typer.Option(help="Target relative gap of the returned flows.")] = 1e-6,
    max_iter: Annotated[
        int | None,
        typer.Option("--max-iter", help="Stop after this many iterations (default: no limit)."),
    ] = None,
    algorithm: Annotated[
        str,
        typer.Option(help=f"One of {', '.join(ALGORITHMS)}; auto picks the fastest."),
    ] = "auto",
    toll_factor: Annotated[
        float,
        typer.Option("--toll-factor", help="Weight of the toll column in the generalized cost."),
    ] = 0.0,
    distance_factor: Annotated[
        float,
        typer.Option(
            "--distance-factor", help="Weight of the length column in the generalized cost."
        ),
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    flows_out: Annotated[
        Path | None,
        typer.Option("--flows-out", help="Write link flows as CSV from,to,flow (net-file order)."),
    ] = None,
    warm_start: Annotated[
        Path | None,
        typer.Option(
            "--warm-start",
            help="Start from these link flows (a --flows-out CSV or a *_flow.tntp file).",
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(help="Threads for shortest paths (results do not depend on it)."),
    ] = None,
    gauss_seidel_until: Annotated[
        float | None,
        typer.Option(
            "--gauss-seidel-until",
            help="gp: build trees a few origins at a time between shifts while the gap is "
            "above this (default 0.01; 0, until the target, is faster on large congested "
            "networks).",
        ),
    ] = None,
) -> None:
    """Solve the user-equilibrium traffic assignment of a TNTP network."""
    if not math.isfinite(gap) or gap < 0:
        raise InputError(f"{gap!r} is not a number >= 0; pass e.g. --gap 1e-6", key="--gap")
    if max_iter is not None and max_iter < 0:
        raise InputError(f"{max_iter} is negative; pass an integer >= 0", key="--max-iter")
    if algorithm not in ALGORITHMS:
        raise InputError(
            f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}",
            key="--algorithm",
        )
    if gauss_seidel_until is not None and not 0.0 <= gauss_seidel_until <= 1.0:
        raise InputError(
            f"{gauss_seidel_until!r} is not a gap in [0, 1]; pass e.g. --gauss-seidel-until 0",
            key="--gauss-seidel-until",
        )
    for key, value in (("--toll-factor", toll_factor), ("--distance-factor", distance_factor)):
        if not math.isfinite(value) or value < 0:
            raise InputError(f"{value!r} is not a number >= 0", key=key)

    folder = read_tntp(tntp)
    trips = folder.trips
    with np.errstate(over="ignore"):
        fixed = folder.network.fixed_cost(toll_factor=toll_factor, distance_factor=distance_factor)
    if not np.isfinite(fixed).all():
        raise InputError(
            f"{toll_factor!r} x toll + {distance_factor!r} x length overflows on a link of "
            f"{folder.files.net}; pass smaller factors",
            key="--toll-factor" if toll_factor else "--distance-factor",
        )
    problem = single_class_problem(
        folder.network,
        trips.origins,
        trips.destinations,
        trips.volume,
        toll_factor=toll_factor,
        distance_factor=distance_factor,
    )
    initial = None if warm_start is None else _read_warm_start(warm_start, folder)
    options = (
        SolverOptions()
        if gauss_seidel_until is None
        else SolverOptions(gauss_seidel_until=gauss_seidel_until)
    )
    compile_seconds = compile_kernels()

    err = stderr_console()
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("gap {task.fields[gap]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    target = -math.log10(gap) if gap > 0 else 12.0
    with progress:
        task = progress.add_task(f"assign {folder.network.name}", total=target, gap="-")

        def report(record: IterationRecord) -> None:
            done = -math.log10(record.relative_gap) if record.relative_gap > 0 else target
            progress.update(task, completed=min(done, target), gap=f"{record.relative_gap:.2e}")

        try:
            result = solve_equilibrium(
                problem,
                algorithm=algorithm,
                gap=gap,
                max_iter=max_iter,
                initial=initial,
                threads=threads,
                callback=report,
                options=options,
            )
        except DisconnectedDemandError as error:
            pairs = problem.classes[0].demand
            origin = pairs.origin[error.pair_index]
            destination = pairs.destination[error.pair_index]
            match = np.flatnonzero((trips.origins == origin) & (trips.destinations == destination))
            line = int(trips.line[match[0]]) if match.size else None
            raise DisconnectedDemandError(
                f"demand from zone {origin + 1} to zone {destination + 1} but no path connects "
                "them; remove the entry or add links to the net file",
                path=trips.path,
                line=line,
            ) from None

    if flows_out is not None:
        _write_flows(flows_out, folder.network, result)
    summary = _summary(
        folder,
        problem,
        result,
        compile_seconds=compile_seconds,
        gap=gap,
        max_iter=max_iter,
        toll_factor=toll_factor,
        distance_factor=distance_factor,
    )
    if as_json:
        summary["convergence"] = [
            {
                "iteration": r.iteration,
                "relative_gap": r.relative_gap,
                "gap_estimated": r.gap_estimated,
                "objective": r.objective,
                "direction": r.direction or None,
                "step": None if math.isnan(r.step) else r.step,
                "seconds": r.seconds,
            }
            for r in result.history
        ]
        sys.stdout.write(json.dumps(_finite_or_null(summary), allow_nan=False) + "\n")
        return
    out = stdout_console()
    out.print(_convergence_table(result.history))
    status = "converged" if result.converged else "not converged (--max-iter reached)"
    out.print(
        f"{summary['network']}: {summary['algorithm']} {status} after {result.iterations} "
        f"iterations in {result.seconds:.3f} s (compile/load {compile_seconds:.2f} s)\n"
        f"relative gap {result.relative_gap:.3e} (target {gap:.1e}), "
        f"Beckmann objective {result.objective:,.6f}"
    )
    if summary.get("objective_excess") is not None:
        out.print(
            f"best-known objective {summary['best_known_objective']:,.6f} "
            f"(ours minus best-known, relative: {summary['objective_excess']:+.3e})"
        )
    if flows_out is not None:
        out.print(f"link flows written to {flows_out}")


def _summary(
    folder: TntpNetwork,
    problem: AssignmentProblem,
    result: AssignmentResult,
    *,
    compile_seconds: float,
    gap: float,
    max_iter: int | None,
    toll_factor: float,
    distance_factor: float,
) -> dict[str, Any]:
    network = folder.network
    summary: dict[str, Any] = {
        "network": network.name,
        "algorithm": result.algorithm,
        "converged": result.converged,
        "relative_gap": result.relative_gap,
        "objective": result.objective,
        "iterations": result.iterations,
        "seconds": result.seconds,
        "compile_seconds": compile_seconds,
        "gap_target": gap,
        "max_iter": max_iter,
        "toll_factor": toll_factor,
        "distance_factor": distance_factor,
        "nodes": network.num_nodes,
        "links": network.num_links,
        "zones": network.num_zones,
        "total_demand": folder.trips.total_volume,
    }
    if folder.best_flows is not None:
        best = evaluate_flows(
            problem,
            ClassFlows(
                link=np.array(folder.best_flows)[None, :], abstain=np.zeros(problem.num_pairs)
            ),
        )
        summary["best_known_objective"] = best.objective
        excess = None
        if math.isfinite(best.objective) and best.objective != 0:
            excess = (result.objective - best.objective) / best.objective
        summary["objective_excess"] = excess
    return summary


def _finite_or_null(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by ``None`` (JSON ``null``).

    JSON has no NaN or infinity; a best-known objective out of range, for instance, is null.
    """
    if isinstance(value, dict):
        return {key: _finite_or_null(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite_or_null(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _write_flows(path: Path, network: Network, result: AssignmentResult) -> None:
    flow = result.link_flow
    ids = network.node_ids

    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write("from,to,flow\n")
            handle.writelines(
                f"{ids[network.tail[a]]},{ids[network.head[a]]},{float(flow[a])!r}\n"
                for a in range(network.num_links)
            )

    write_atomically(path, write)
