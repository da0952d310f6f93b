"""``counterflow compare``, ``init`` and ``validate``: the scenario commands."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from counterflow.cli.app import (
    EXIT_BAD_INPUT,
    app,
    stderr_console,
    stdout_console,
    write_atomically,
)
from counterflow.data import load_dataset
from counterflow.errors import InputError
from counterflow.legal import load_law
from counterflow.model import RunResult, WorldCache, assess_horizon, prepare, simulate
from counterflow.report import RESULT_COLUMNS, build_report, crossing_rows, region_rows, result_rows
from counterflow.scenario import (
    ScenarioError,
    builtin_scenario_path,
    check_against_dataset,
    load_scenario,
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
    err = stderr_console()
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
    stdout_console().print(f"wrote {written}")


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
    console = Console(highlight=False, width=max(stdout_console().width, 160))
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
    stdout_console().print(f"wrote {file}; check your edits with: counterflow validate {file}")


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
    stdout_console().print(
        f"{file}: OK ({len(scenario.strategy)} strategies, {scenario.months} months, "
        f"{scenario.replications} replications, network {scenario.network})"
    )
