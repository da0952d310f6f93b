"""``counterflow compare``, ``init`` and ``validate``: the scenario commands."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from counterflow.cli.app import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    app,
    progress_line,
    stderr_console,
    stdout_console,
    warn_ignored_levers,
    write_atomically,
)
from counterflow.cli.text import clean, safe
from counterflow.data import load_dataset
from counterflow.errors import InputError
from counterflow.legal import NOT_ADVICE, load_law
from counterflow.model import Results, assess_horizon, prepare
from counterflow.model.results import ENSEMBLE
from counterflow.outfolder import claim_out_folder
from counterflow.report import build_ensemble_report, build_report
from counterflow.run import Experiment, estimate_cost, report_files
from counterflow.run import compare as run_compare
from counterflow.run.evaluators import EvaluatorFactory, make_evaluator
from counterflow.scenario import (
    Scenario,
    ScenarioError,
    builtin_scenario_path,
    find_problems,
    load_scenario,
)

_SHORT_VERDICT = {
    "not engaged": "-",
    "permitted": "perm",
    "contested": "?",
    "prohibited": "NO",
}
TABLE_WIDTH = 100  # the terminal table fits 100 columns; long strategy ids wrap
ID_WIDTH = 19  # strategy ids wrap at hyphens to this width


def _wrap_id(strategy_id: str, width: int) -> str:
    """A strategy id wrapped at its hyphens (the hyphen stays at the end of the line)."""
    lines = [""]
    for part in strategy_id.split("-"):
        piece = part if not lines[-1] else f"-{part}"
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines[-1] += "-"
            lines.append(part)
        else:
            lines[-1] += piece
    return "\n".join(lines)


def _with_options(scenario: Scenario, options: dict[str, int | None]) -> Scenario:
    """The scenario with the command line's overrides, validated like the file."""
    changes = {key: value for key, value in options.items() if value is not None}
    if not changes:
        return scenario
    try:
        return scenario.with_overrides(**changes)
    except ScenarioError as error:
        problem = error.problems[0]
        raise InputError(problem.message, key=f"--{problem.key}") from None


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
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite a folder of results counterflow did not write."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON rows.")] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            help="Run even when the estimate passes 1 h, 4 GB of memory or 1 GB of output.",
        ),
    ] = False,
    executor: Annotated[
        str, typer.Option(help="serial (this process), processes or dask (the dask extra).")
    ] = "serial",
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (processes, dask; default: one per core).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a Dask scheduler to join (dask only; default: a local one)."),
    ] = None,
) -> None:
    """Compare the scenario's strategies: table, results/crossings/regions.csv, report.html."""
    evaluator = make_evaluator(executor, workers=workers, scheduler=scheduler)
    where = scenario_file if scenario_file is not None else builtin_scenario_path()
    scenario = _with_options(
        load_scenario(where), {"months": months, "replications": replications, "seed": seed}
    )
    err = stderr_console()
    warn_ignored_levers(scenario)
    if scenario.uncertainties:
        err.print(
            f"note: the {len(scenario.uncertainties)} ranges of [uncertainties] are used only by "
            "`counterflow explore`; compare runs the [parameters] values",
            markup=False,
            soft_wrap=True,
        )
    _confirm_cost(scenario, yes=yes, err=err)
    with claim_out_folder(out, force=force) as folder:
        results = _run(scenario, where, err, evaluator)
        folder.write({**results.files(), **report_files(results)}, manifest=results.manifest())
    if as_json:
        sys.stdout.write(results.json_rows() + "\n")
        return
    _print_table(results)
    stdout_console().print(f"wrote {clean(out)}/ (results.csv, report.html, ...)", markup=False)


def _confirm_cost(scenario: Scenario, *, yes: bool, err: Console) -> None:
    """Go on only if the run's estimate is within the limits, ``--yes`` or the user says so.

    On a terminal the estimate is printed and the user asked; when stdin is not a terminal
    (a script, cron, CI) the run is refused with one line naming ``--yes`` (exit 2).
    """
    cost = estimate_cost(scenario)
    passed = cost.over()
    if not passed:
        return
    size = (
        f"{len(scenario.strategy)} strategies × {scenario.replications} replications × "
        f"{scenario.months} months"
    )
    summary = (
        f"this run ({size}) is estimated at {cost.describe()}, more than {' or '.join(passed)}"
    )
    if yes:
        err.print(f"note: {summary}; running it (--yes)", markup=False, soft_wrap=True)
        return
    if sys.stdin is None or not sys.stdin.isatty():
        raise InputError(
            f"{summary}; pass --yes to run it anyway, or lower --replications or --months",
            key="--yes",
        )
    err.print(f"{summary}.", markup=False, soft_wrap=True)
    err.print("Run it? [y/N] ", markup=False, end="")
    answer = sys.stdin.readline()  # Ctrl-C here is an interrupt (exit 130), end of input a no
    if not answer.endswith("\n"):
        print(file=sys.stderr)  # end of input: the terminal echoed no line break
    if answer.strip().lower() not in ("y", "yes"):
        print("counterflow: not run; nothing was written", file=sys.stderr)
        raise typer.Exit(EXIT_FAILURE)


def _run(scenario: Scenario, where: Path, err: Console, evaluator: EvaluatorFactory) -> Results:
    """``counterflow.compare`` with progress on stderr: a bar on a terminal, else lines."""
    try:
        if not err.is_terminal:
            return run_compare(scenario, progress=_ProgressLines(scenario), evaluator=evaluator)
        return _run_with_bar(scenario, err, evaluator)
    except ScenarioError as error:
        if error.path is not None:
            raise
        raise ScenarioError(error.problems, path=where) from None


def _run_with_bar(scenario: Scenario, err: Console, evaluator: EvaluatorFactory) -> Results:
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} runs"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )

    def advance(done: int, total: int, experiment: Experiment) -> None:
        progress.update(task, completed=done, total=total, description=safe(experiment.strategy))

    with progress:
        task = progress.add_task("compare", total=len(scenario.strategy) * scenario.replications)
        return run_compare(scenario, progress=advance, evaluator=evaluator)


class _ProgressLines:
    """Progress as plain lines on stderr, for runs whose stderr is a file or a pipe.

    One line after the first run, one when a strategy has run all its replications and one
    at every tenth of the runs, each with the time since the start, so that a log under nohup,
    cron or CI shows life. (Nothing before the first run: an error while preparing stays the
    only line.)
    """

    def __init__(self, scenario: Scenario) -> None:
        self.replications = scenario.replications
        self.finished: dict[str, int] = {}
        self.tenths = 0
        self.start = time.monotonic()

    def __call__(self, done: int, total: int, experiment: Experiment) -> None:
        """Record one finished run; print a line if a strategy or a tenth is complete."""
        count = self.finished.get(experiment.strategy, 0) + 1
        self.finished[experiment.strategy] = count
        tenths = done * 10 // max(total, 1)
        if done > 1 and count < self.replications and tenths == self.tenths:
            return
        self.tenths = tenths
        what = f"{clean(experiment.strategy)} done, " if count == self.replications else ""
        self._say(f"{what}{done}/{total} runs ({100 * done // max(total, 1)}%)")

    def _say(self, text: str) -> None:
        progress_line("compare", text, self.start)


def _print_table(results: Results) -> None:
    """The comparison as a Rich table (means over replications; n/c: not computed)."""
    scenario = results.scenario
    replications = scenario.replications
    table = Table(
        title=Text(
            f"{clean(scenario.name)}: {scenario.months} months, mean of {replications} "
            f"replication{'s' if replications > 1 else ''}"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 0),
    )
    titles = (
        "delivered",
        "chg %",
        "seized",
        "divert",
        "ports",
        "homic.",
        "splits",
        "civil.",
        "C end",
        "legal",
    )
    table.add_column("strategy", justify="left", no_wrap=True)
    for title in titles:
        table.add_column(title, justify="right", no_wrap=True)

    def number(value: Any, text: str) -> str:
        return "n/c" if value is None else text.format(value)

    for row in results.rows:
        crossings = row["active_crossings"]
        table.add_row(
            _wrap_id(clean(row["strategy"]), ID_WIDTH),
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
    screen = stdout_console()
    width = min(screen.width, TABLE_WIDTH) if screen.is_terminal else TABLE_WIDTH
    console = Console(highlight=False, width=width, markup=False)
    console.print(table)
    console.print(
        "delivered, seized: kg over the horizon; chg: delivered against the status quo; divert: "
        "diversion share; ports: active crossings; homic.: excess homicides over the status "
        "quo; splits: organizations split; civil.: expected civilian deaths from strikes; C end: "
        "cooperation index at the end; legal: worst verdict over the months, international/"
        "US/Mexico (perm permitted, ? contested, NO prohibited, - no rule engaged; counterflow "
        "legal explains)"
    )
    console.print(NOT_ADVICE)
    missing = sorted({key for row in results.rows for key in row["not_computed"]})
    if missing:
        console.print(f"n/c: not computed yet ({clean(', '.join(missing))})")


@app.command()
def report(
    results_dir: Annotated[
        Path, typer.Argument(metavar="RESULTS_DIR", help="A folder written by compare.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the page (default: RESULTS_DIR/report.html)."),
    ] = None,
) -> None:
    """Rebuild report.html from saved results (compare or explore), without running the model."""
    results = Results.from_folder(results_dir)
    if results.kind == ENSEMBLE:
        page = build_ensemble_report(results)
    else:
        page = build_report(results, load_dataset(results.scenario.network))
    target = out if out is not None else results_dir / "report.html"

    def write(temporary: Path) -> None:
        temporary.write_text(page, encoding="utf-8")

    write_atomically(target, write)
    stdout_console().print(f"wrote {clean(target)}", markup=False)


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
    stdout_console().print(
        f"wrote {clean(file)}; check your edits with: counterflow validate {clean(file)}",
        markup=False,
    )


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Scenario file to check.")],
) -> None:
    """Check that compare will start: the scenario, its dataset, network and status quo.

    Every problem of the scenario file is listed, one per line. A valid scenario then goes
    through compare's whole preparation without solving the strategies: the dataset (every
    file, the map layers), the trafficking network, the status quo's equilibrium and its
    checks, the law book and the dates of every month (about 2 s; measured 1.8 s warm).
    """
    scenario, problems = find_problems(file)
    if problems or scenario is None:
        for problem in problems:
            print(clean(f"{file}: {problem}"), file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT)
    _prepare(scenario, file)
    stdout_console().print(
        clean(
            f"{file}: OK ({len(scenario.strategy)} strategies, {scenario.months} months, "
            f"{scenario.replications} replications, network {scenario.network})"
        ),
        markup=False,
    )


def _prepare(scenario: Scenario, where: Path) -> None:
    """Everything ``compare`` does before the first strategy's run, and the verdicts' dates."""
    try:
        context = prepare(scenario)
    except ScenarioError as error:
        if error.path is not None:
            raise
        raise ScenarioError(error.problems, path=where) from None
    book = load_law()
    for strategy in scenario.strategy:
        assess_horizon(context, strategy, book)
