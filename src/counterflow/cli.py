"""The ``counterflow`` command line (Typer + Rich).

Commands print results on stdout and progress on stderr. Bad input of any kind (files,
arguments, parameters) ends with one line on stderr naming the file, line or key and the fix,
and exit code 2; a failure inside a run exits 1.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from counterflow import __version__
from counterflow.assign import (
    ALGORITHMS,
    AssignmentProblem,
    AssignmentResult,
    ClassFlows,
    IterationRecord,
    compile_kernels,
    evaluate_flows,
    single_class_problem,
    solve_equilibrium,
)
from counterflow.data import load_dataset
from counterflow.errors import (
    CounterflowError,
    DisconnectedDemandError,
    InputError,
    NetworkFormatError,
)
from counterflow.legal import NOT_ADVICE, load_law
from counterflow.model import (
    RunResult,
    WorldCache,
    assess_horizon,
    assess_strategy,
    prepare,
    simulate,
)
from counterflow.network import (
    Network,
    TntpNetwork,
    make_grid_network,
    read_tntp,
    read_tntp_flows,
    write_tntp,
)
from counterflow.report import (
    RESULT_COLUMNS,
    build_report,
    crossing_rows,
    region_rows,
    result_rows,
)
from counterflow.scenario import (
    ScenarioError,
    builtin_scenario_path,
    check_against_dataset,
    load_scenario,
)

app = typer.Typer(
    name="counterflow",
    help="Evaluate strategies against drug-trafficking organizations before anyone acts.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True)
    ] = False,
) -> None:
    """Evaluate strategies against drug-trafficking organizations before anyone acts."""
    if version:
        typer.echo(f"counterflow {__version__}")
        raise typer.Exit
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then move it into place.

    A failure leaves nothing behind: neither a partial ``path`` nor the temporary file.
    """
    path = Path(path)
    if not path.parent.exists():
        raise InputError(
            "the folder does not exist; create it or choose another path", path=path.parent
        )
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
        if not math.isfinite(value) or value < 0:
            raise NetworkFormatError(
                f"flow {parts[2]} must be a finite number >= 0", path=path, line=line
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
    for key, value in (("--toll-factor", toll_factor), ("--distance-factor", distance_factor)):
        if not math.isfinite(value) or value < 0:
            raise InputError(f"{value!r} is not a number >= 0", key=key)

    folder = read_tntp(tntp)
    trips = folder.trips
    problem = single_class_problem(
        folder.network,
        trips.origins,
        trips.destinations,
        trips.volume,
        toll_factor=toll_factor,
        distance_factor=distance_factor,
    )
    initial = None if warm_start is None else _read_warm_start(warm_start, folder)
    compile_seconds = compile_kernels()

    err = _stderr()
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
        sys.stdout.write(json.dumps(summary, allow_nan=False) + "\n")
        return
    out = _stdout()
    out.print(_convergence_table(result.history))
    status = "converged" if result.converged else "not converged (--max-iter reached)"
    out.print(
        f"{summary['network']}: {summary['algorithm']} {status} after {result.iterations} "
        f"iterations in {result.seconds:.3f} s (compile/load {compile_seconds:.2f} s)\n"
        f"relative gap {result.relative_gap:.3e} (target {gap:.1e}), "
        f"Beckmann objective {result.objective:,.6f}"
    )
    if "best_known_objective" in summary:
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
        summary["objective_excess"] = (result.objective - best.objective) / best.objective
    return summary


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


@app.command("make-grid")
def make_grid(
    folder: Annotated[
        Path, typer.Argument(help="Folder to write <name>_net.tntp and _trips.tntp into.")
    ],
    side: Annotated[int, typer.Option(help="Nodes per side of the square grid.")] = 20,
    zones: Annotated[int, typer.Option(help="How many nodes are zones.")] = 40,
    trips_per_zone: Annotated[
        float, typer.Option("--trips-per-zone", help="Mean trips sent by each zone.")
    ] = 1500.0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same network).")] = 0,
) -> None:
    """Generate a perturbed grid network with gravity demand, in TNTP format."""
    if seed < 0:
        raise InputError(f"{seed} is negative; pass an integer >= 0", key="--seed")
    grid = make_grid_network(
        side, num_zones=zones, trips_per_zone=trips_per_zone, seed=seed, name=folder.name or "grid"
    )
    files = write_tntp(
        folder,
        grid.network,
        origins=grid.origins,
        destinations=grid.destinations,
        volume=grid.volume,
    )
    _stdout().print(
        f"wrote {files.net} and {files.trips}: {grid.network.num_nodes} nodes, "
        f"{grid.network.num_links} links, {grid.network.num_zones} zones, "
        f"{float(grid.volume.sum()):,.0f} trips"
    )


def _write_outputs(out: Path, files: dict[str, str]) -> None:
    """Write files into a temporary folder beside ``out``, then move them into place."""
    parent = out.resolve().parent
    if not parent.exists():
        raise InputError("the parent folder does not exist; create it first", path=parent)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder; choose another --out", path=out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    staging.chmod(0o755)
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if not out.exists():
            staging.replace(out)
            return
        for name in files:
            (staging / name).replace(out / name)
    finally:
        if staging.exists():
            for leftover in staging.iterdir():
                leftover.unlink()
            staging.rmdir()


_SHORT_VERDICT = {"permitted": "ok", "contested": "?", "prohibited": "NO"}
_CSV_FLOAT = "%.10g"  # kg and homicides per month in the long tables: ten significant digits


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    return f'"{text}"' if ("," in text or '"' in text) else text


@app.command()
def compare(
    scenario_file: Annotated[
        Path | None,
        typer.Argument(metavar="[SCENARIO]", help="Scenario file (default: built-in mexico-2025)."),
    ] = None,
    months: Annotated[int | None, typer.Option(help="Months to simulate (1..600).")] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            help="Replications (>= 1; default: the scenario's), paired across strategies."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Scenario seed (>= 0).")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("counterflow-out"),
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON rows.")] = False,
) -> None:
    """Compare the scenario's strategies: table, results/crossings/regions.csv, report.html."""
    scenario = load_scenario(scenario_file)
    overrides: dict[str, Any] = {}
    for key, value, low, high in (
        ("months", months, 1, 600),
        ("replications", replications, 1, 100_000),
        ("seed", seed, 0, None),
    ):
        if value is None:
            continue
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f">= {low}"
            raise InputError(f"{value} is out of range; give an integer {bound}", key=f"--{key}")
        overrides[key] = value
    scenario = scenario.model_copy(update=overrides)
    err = _stderr()
    try:
        context = prepare(scenario)
    except ScenarioError as error:
        if error.path is not None:
            raise
        where = scenario_file if scenario_file is not None else builtin_scenario_path()
        raise ScenarioError(error.problems, path=where) from None
    runs: dict[str, list[RunResult]] = {}
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with progress:
        total = len(scenario.strategy) * scenario.replications
        task = progress.add_task("compare", total=total)
        for strategy in scenario.strategy:
            progress.update(task, description=f"compare: {strategy.id}")
            cache = WorldCache(strategy.id)
            runs[strategy.id] = []
            for replication in range(scenario.replications):
                run = simulate(context, strategy, replication=replication, cache=cache)
                runs[strategy.id].append(run)
                progress.advance(task)
    book = load_law()
    verdicts = {s.id: assess_horizon(context, s, book) for s in scenario.strategy}
    rows = result_rows(scenario, runs, verdicts)
    order = scenario.strategy_ids
    results_csv = ",".join(RESULT_COLUMNS) + "\n"
    results_csv += "".join(
        ",".join(_csv_value(row[column]) for column in RESULT_COLUMNS) + "\n" for row in rows
    )
    files = {
        "results.csv": results_csv,
        "crossings.csv": crossing_rows(runs, order).to_csv(
            index=False, lineterminator="\n", float_format=_CSV_FLOAT
        ),
        "report.html": build_report(context, rows, runs, verdicts),
    }
    regions = region_rows(runs, order)
    if not regions.empty:
        files["regions.csv"] = regions.to_csv(
            index=False, lineterminator="\n", float_format=_CSV_FLOAT
        )
    _write_outputs(out, files)
    if as_json:
        sys.stdout.write(json.dumps(rows, allow_nan=False) + "\n")
        return
    _print_table(scenario.name, scenario.months, scenario.replications, rows)
    written = ", ".join(f"{out}/{name}" for name in sorted(files))
    _stdout().print(f"wrote {written}")


def _print_table(name: str, months: int, replications: int, rows: list[dict[str, Any]]) -> None:
    """The comparison as a Rich table (means over replications; n/c: not computed)."""
    table = Table(
        title=f"{name}: {months} months, mean of {replications} replication"
        f"{'s' if replications > 1 else ''}",
        title_justify="left",
    )
    titles = (
        "strategy",
        "delivered",
        "change %",
        "seized",
        "diversion",
        "crossings",
        "homicides",
        "splits",
        "civilians",
        "C end",
        "legal intl/US/MX",
    )
    for title in titles:
        table.add_column(title, justify="left" if title == "strategy" else "right", no_wrap=True)

    def number(value: Any, text: str) -> str:
        return "n/c" if value is None else text.format(value)

    for row in rows:
        crossings = row["active_crossings"]
        table.add_row(
            row["strategy"],
            f"{row['delivered_kg']:,.0f}",
            f"{row['delivered_change_pct']:+.2f}",
            f"{row['seized_kg']:,.0f}",
            f"{row['diversion_share']:.3f}",
            str(crossings) if isinstance(crossings, int) else f"{crossings:.1f}",
            number(row["excess_homicides"], "{:+,.0f}"),
            number(row["fragmentation_events"], "{:.2f}"),
            number(row["civilian_harm"], "{:.1f}"),
            number(row["cooperation_end"], "{:.2f}"),
            "/".join(
                _SHORT_VERDICT.get(row[f"legal_{f}"], "n/c")
                for f in ("international", "us", "mexico")
            ),
        )
    console = Console(highlight=False, width=max(_stdout().width, 160))
    console.print(table)
    console.print(
        "kg over the horizon; homicides: excess over the status quo; splits: organizations "
        "split; civilians: expected civilian deaths from strikes; C end: cooperation index at "
        "the end; legal: worst verdict over the months (ok permitted, ? contested, NO "
        "prohibited; counterflow legal explains)"
    )
    missing = sorted({key for row in rows for key in row["not_computed"]})
    if missing:
        console.print(f"n/c: not computed yet ({', '.join(missing)})")


@app.command()
def legal(
    strategy_id: Annotated[
        str | None,
        typer.Argument(metavar="[STRATEGY]", help="Strategy id (default: every strategy)."),
    ] = None,
    scenario_file: Annotated[
        Path | None,
        typer.Option("--scenario", help="Scenario file (default: built-in mexico-2025)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date YYYY-MM-DD (default: the scenario's start_date)."),
    ] = None,
    law: Annotated[
        Path | None, typer.Option("--law", help="Folder of rules files (default: built-in).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON list.")] = False,
) -> None:
    """Assess strategies under international, US and Mexican law, with reasons and sources."""
    scenario = load_scenario(scenario_file)
    day = scenario.start_date
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError(
                f"{as_of!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-01",
                key="--as-of",
            ) from None
    if strategy_id is not None and strategy_id not in scenario.strategy_ids:
        raise InputError(
            f"unknown strategy {strategy_id!r}; use one of {', '.join(scenario.strategy_ids)}",
            key="STRATEGY",
        )
    book = load_law(law)
    dataset = load_dataset(scenario.network)
    chosen = [s for s in scenario.strategy if strategy_id in (None, s.id)]
    assessments = [(s, assess_strategy(dataset, s, day, book)) for s in chosen]
    if as_json:
        items = [
            {
                "strategy": s.id,
                "as_of": a.as_of.isoformat(),
                **a.verdicts,
                "trace": [step.as_dict() for step in a.trace],
                "note": NOT_ADVICE,
            }
            for s, a in assessments
        ]
        sys.stdout.write(json.dumps(items, ensure_ascii=False) + "\n")
        return
    console = Console(highlight=False, width=max(_stdout().width, 120))
    for strategy, assessment in assessments:
        verdicts = ", ".join(f"{f}: {v}" for f, v in assessment.verdicts.items())
        console.print(f"[bold]{strategy.id}[/bold] as of {day}: {verdicts}")
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for title in ("framework", "rule", "finding", "citation"):
            table.add_column(title, overflow="fold")
        for step in assessment.trace:
            marker = {"permits": "+", "contests": "?", "prohibits": "x"}.get(step.effect, " ")
            table.add_row(step.framework, f"{marker} {step.rule}", step.finding, step.citation)
        console.print(table)
        console.print()
    console.print(
        f"{NOT_ADVICE} Verdicts are the mainstream reading; contested claims are shown as "
        "asserted. + permits, ? contested, x prohibits."
    )


@app.command()
def init(
    file: Annotated[Path, typer.Argument(help="Where to write the scenario copy (.toml).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a copy of the built-in scenario mexico-2025 to edit."""
    if file.exists() and not force:
        raise InputError("already exists; choose another name or pass --force", path=file)
    text = builtin_scenario_path().read_text(encoding="utf-8")

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8")

    write_atomically(file, write)
    _stdout().print(f"wrote {file}; check your edits with: counterflow validate {file}")


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Scenario file to check.")],
) -> None:
    """Check a scenario file and its dataset; list every problem with its key path."""
    try:
        scenario = load_scenario(file)
    except ScenarioError as error:
        for line in error.lines():
            print(line, file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    dataset = load_dataset(scenario.network)
    problems = check_against_dataset(scenario, dataset)
    if problems:
        for problem in problems:
            print(f"{file}: {problem}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    _stdout().print(
        f"{file}: OK ({len(scenario.strategy)} strategies, {scenario.months} months, "
        f"{scenario.replications} replications, network {scenario.network})"
    )


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 (one return per outcome)
    """Run the command line; return the exit code (0 ok, 1 failure in a run, 2 bad input)."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        result = app(args=args or ["--help"], prog_name="counterflow", standalone_mode=False)
    except typer.Abort:
        print("counterflow: aborted", file=sys.stderr)
        return EXIT_FAILURE
    except typer.TyperException as error:  # usage errors: bad option, missing argument, ...
        format_message = getattr(error, "format_message", None)
        text = format_message() if callable(format_message) else str(error)
        message = " ".join(str(text).split())
        print(f"counterflow: error: {message} (see counterflow --help)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScenarioError as error:
        print(f"counterflow: error: {error.lines()[0]}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InputError as error:
        print(f"counterflow: error: {error.one_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CounterflowError as error:
        print(f"counterflow: failed: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if isinstance(result, int):
        return result
    return 0


if __name__ == "__main__":
    sys.exit(main())
