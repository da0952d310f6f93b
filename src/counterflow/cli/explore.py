"""``counterflow explore``: every strategy in many sampled futures (issue 33)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from counterflow.cli.app import (
    Interrupted,
    app,
    progress_line,
    stderr_console,
    stdout_console,
    warn_ignored_levers,
)
from counterflow.cli.text import clean, safe
from counterflow.errors import InputError
from counterflow.exploration.ensemble import Ensemble, EnsembleSpec, plan_ensemble, run_ensemble
from counterflow.exploration.samplers import SAMPLERS
from counterflow.run import Experiment
from counterflow.run.evaluators import EXECUTORS, EvaluatorFactory, make_evaluator
from counterflow.scenario import Scenario, ScenarioError, builtin_scenario_path, load_scenario

DEFAULT_OUT = Path("counterflow-explore")


def _folder(out: Path | None, resume: Path | None) -> Path:
    if resume is not None and out is not None and out.absolute() != resume.absolute():
        msg = (
            f"--resume continues the ensemble in {resume}; leave --out out or give the same folder"
        )
        raise InputError(msg, key="--out")
    if resume is not None:
        return resume
    return out if out is not None else DEFAULT_OUT


def _with_months(scenario: Scenario, months: int | None) -> Scenario:
    if months is None:
        return scenario
    try:
        return scenario.with_overrides(months=months)
    except ScenarioError as error:
        raise InputError(error.problems[0].message, key="--months") from None


@app.command()
def explore(
    scenario_file: Annotated[
        Path | None,
        typer.Argument(metavar="[SCENARIO]", help="Scenario file (default: built-in mexico-2025)."),
    ] = None,
    futures: Annotated[int, typer.Option(help="Futures to sample (>= 1).")] = 100,
    sampler: Annotated[str, typer.Option(help=f"One of {', '.join(SAMPLERS)}.")] = "lhs",
    replications: Annotated[
        int | None, typer.Option(help="Replications per future (default: the scenario's).")
    ] = None,
    executor: Annotated[str, typer.Option(help=f"One of {', '.join(EXECUTORS)}.")] = "serial",
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (processes, dask; default: one per core).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a Dask scheduler to join (dask only; default: a local one)."),
    ] = None,
    resume: Annotated[
        Path | None, typer.Option(help="Continue the interrupted ensemble in this folder.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder.")] = None,
    satisfice: Annotated[
        str | None,
        typer.Option(help='Thresholds, e.g. "delivered_change_pct<=-5,excess_homicides<=0".'),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    months: Annotated[int | None, typer.Option(help="Months to simulate (1..600).")] = None,
    precision: Annotated[
        str,
        typer.Option(
            help="ensemble: months to gap 1e-5, supply step 0.01; full: compare's 1e-6, 0.001 "
            "(the scenario's solver.gap and solver.supply_step win)."
        ),
    ] = "ensemble",
) -> None:
    """Run every strategy in sampled futures; write experiments.parquet, report.html, ..."""
    evaluator = make_evaluator(executor, workers=workers, scheduler=scheduler)
    folder = _folder(out, resume)
    where = scenario_file if scenario_file is not None else builtin_scenario_path()
    scenario = _with_months(load_scenario(where), months)
    spec = plan_ensemble(
        scenario,
        futures=futures,
        sampler=sampler,
        seed=seed,
        replications=replications,
        satisfice=satisfice,
        precision=precision,
    )
    err = stderr_console()
    if spec.futures.note:
        err.print(f"note: {clean(spec.futures.note)}", markup=False, soft_wrap=True)

    if executor == "serial" and workers is not None and workers > 1:
        err.print("note: --workers applies to processes and dask; serial runs one", markup=False)
    warn_ignored_levers(spec.scenario)
    try:
        ensemble = _run(spec, folder, resume=resume is not None, err=err, evaluator=evaluator)
    except KeyboardInterrupt:
        raise Interrupted(
            f"finished parts are kept in {folder}/parts; continue with --resume {folder} and "
            "the same options"
        ) from None
    _print_statistics(ensemble, folder, evaluator)
    gap, step = spec.parameters["solver.gap"], spec.parameters["solver.supply_step"]
    stdout_console().print(
        f"months solved to relative gap {gap:g}, supply step {step:g} (--precision "
        f"{precision}; compare uses 1e-06 and 0.001)",
        markup=False,
        soft_wrap=True,
    )


def _run(
    spec: EnsembleSpec, folder: Path, *, resume: bool, err: Console, evaluator: EvaluatorFactory
) -> Ensemble:
    """:func:`run_ensemble` with progress on stderr: a bar on a terminal, else lines."""
    if not err.is_terminal:
        return run_ensemble(
            spec, out=folder, resume=resume, progress=_ProgressLines(), evaluator=evaluator
        )
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("experiments"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )

    def advance(done: int, total: int, experiment: Experiment) -> None:
        progress.update(task, completed=done, total=total, description=safe(experiment.strategy))

    with progress:
        task = progress.add_task("explore", total=None)
        return run_ensemble(spec, out=folder, resume=resume, progress=advance, evaluator=evaluator)


class _ProgressLines:
    """Progress as plain lines on stderr: after the first experiment and every tenth."""

    def __init__(self) -> None:
        self.tenths = -1
        self.start = time.monotonic()

    def __call__(self, done: int, total: int, experiment: Experiment) -> None:  # noqa: ARG002
        """Print a line when a tenth of the experiments is complete."""
        tenths = done * 10 // max(total, 1)
        if tenths == self.tenths:
            return
        self.tenths = tenths
        percent = 100 * done // max(total, 1)
        progress_line("explore", f"{done}/{total} experiments ({percent}%)", self.start)


def _print_statistics(ensemble: Ensemble, folder: Path, evaluator: EvaluatorFactory) -> None:
    stats = ensemble.statistics
    failed = int(ensemble.experiments["error"].notna().sum())
    per = stats.seconds_per_experiment
    resumed = f", {stats.resumed} found done (--resume)" if stats.resumed else ""
    screen = stdout_console()
    screen.print(
        f"{stats.experiments} experiments ({ensemble.futures.n} futures × "
        f"{ensemble.scenario.replications} replications × {len(ensemble.scenario.strategy)} "
        f"strategies){resumed}; ran {stats.run} on {_where(evaluator)} in {stats.elapsed_s:.1f} s, "
        f"{per:.3f} s per experiment; {failed} failed",
        markup=False,
    )
    written = ensemble.files()
    files = sorted(name for name in written if not name.startswith(("prim/", "tables/")))
    boxes = sum(name.startswith("prim/") for name in written)
    if boxes:
        files.append(f"prim/ ({boxes} boxes)")
    files.append("tables/")
    names = ", ".join(files)
    screen.print(f"wrote {clean(folder)}/ ({names}, manifest.json)", markup=False)


def _where(evaluator: EvaluatorFactory) -> str:
    """``1 worker (serial)``, ``2 workers (processes)``, ``a Dask cluster at ADDRESS``."""
    if evaluator.kind == "serial":
        return "1 worker (serial)"
    if evaluator.scheduler is not None:
        return f"the Dask cluster at {clean(evaluator.scheduler)}"
    count = evaluator.workers if evaluator.workers is not None else os.cpu_count() or 1
    return f"{count} workers ({evaluator.kind})"
