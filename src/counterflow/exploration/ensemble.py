"""Run every strategy in every sampled future: the ensemble behind ``counterflow explore``.

An *experiment* is one strategy in one future and one replication. A future is the
scenario with its ``[parameters]`` overridden by that future's uncertainty values
(:meth:`FutureModel.scenario_of`); each future needs its own prepared
:class:`~counterflow.model.Context` (the status quo is calibrated under the future's
parameters), which the model caches per worker (the last :data:`CONTEXTS_PER_WORKER`).

The evaluator (``counterflow.run.Evaluator``) runs one experiment at a time and returns its
run's summary (:func:`counterflow.model.outcomes.summarize`). The outcomes of ``results.csv``
pair a strategy's run with the status quo's run of the same future and replication (common
random numbers: the draws depend on ``(future, replication)``, never on the strategy), so the
driver builds a future's rows once every strategy of that *group* (future, replication) has
arrived. Experiments are issued group by group, strategies in scenario order, so that a
worker's context cache serves a whole group; this keeps the one-experiment interface of
``run/`` (a process pool or Dask cluster may hand a group's strategies to different workers,
at the price of preparing that future in each).

Groups are cut into chunks of ``groups_per_part``; each finished chunk is written as a part
file (:mod:`counterflow.exploration.parts`), so an interrupted ensemble loses at most the chunks in
flight and ``--resume`` recomputes only the missing ones. The driver holds the rows of the
chunks in flight only; at the end the parts are read back for the analysis
(:mod:`counterflow.exploration.robustness`, :mod:`counterflow.exploration.sensitivity`).

An experiment that raises is recorded with its error text (one line) and the ensemble goes on.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow._version import __version__
from counterflow.errors import InputError
from counterflow.exploration.parts import (
    KIND,
    Schema,
    ensemble_hash,
    experiment_schema,
    read_parts,
    remove_parts,
    start_folder,
    write_part,
)
from counterflow.exploration.prim import PrimBox, find_box
from counterflow.exploration.robustness import (
    SENSE,
    Rule,
    parse_rules,
    regret,
    robustness,
    satisficing,
)
from counterflow.exploration.samplers import Futures, sample_futures
from counterflow.exploration.sensitivity import sobol_indices
from counterflow.model import Context, WorldCache, prepare, simulate
from counterflow.model.outcomes import OUTCOMES, RunSummary, summarize
from counterflow.model.results import ENSEMBLE, ENSEMBLE_NAMES, Results, Writer
from counterflow.outfolder import claim_out_folder
from counterflow.report import build_ensemble_report
from counterflow.run.evaluators import Evaluator, Experiment, SerialEvaluator, make_evaluator
from counterflow.scenario import BASELINE_ID, Scenario, ScenarioError
from counterflow.scenario.parameters import resolve_parameters

__all__ = [
    "CONTEXTS_PER_WORKER",
    "DEFAULT_GROUPS_PER_PART",
    "ENSEMBLE_FILES",
    "OUTCOME_COLUMNS",
    "PRECISIONS",
    "PRIM_KEYS",
    "Ensemble",
    "EnsembleSpec",
    "Failed",
    "FutureModel",
    "Plan",
    "RunStatistics",
    "explore",
    "folder_files",
    "plan_ensemble",
    "run_ensemble",
    "write_folder",
]

CONTEXTS_PER_WORKER = 4  # prepared futures kept per worker (each holds one solved status quo)
DEFAULT_GROUPS_PER_PART = 4  # (future, replication) groups per part file (assumption)
# How precisely an ensemble solves its months, unless the scenario's [parameters] say:
# "full" is compare's precision (the registry's defaults); "ensemble" solves each month to
# gap 1e-5 and lets supply states within 1% share a world. Measured on 50 futures of the
# built-in scenario: the same ranking of strategies per future as at "full" (docs/explore.md,
# "Precision"), 2 times fewer seconds per experiment (docs/performance.md).
PRECISIONS: dict[str, dict[str, float]] = {
    "ensemble": {"solver.gap": 1e-5, "solver.supply_step": 1e-2},
    "full": {},
}
OUTCOME_COLUMNS = tuple(o.name for o in OUTCOMES)
ENSEMBLE_FILES = ENSEMBLE_NAMES
PRIM_KEYS = ("strategy", "outcome")  # the first columns of the PRIM table
_ERROR_CHARS = 500

Progress = Callable[[int, int, Experiment], None]
"""``progress(done, total, experiment)``, called after each finished experiment."""


@dataclass(frozen=True)
class Failed:
    """An experiment that raised: its error as one line."""

    error: str


ExperimentOutput = RunSummary | Failed
EvaluatorFactory = Callable[["FutureModel"], Evaluator[ExperimentOutput]]


def one_line(error: BaseException) -> str:
    """``Kind: message`` on one line, at most 500 characters."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= _ERROR_CHARS else text[: _ERROR_CHARS - 3] + "..."


@dataclass
class FutureModel:
    """The model as a function of an experiment: one strategy in one future and replication.

    Picklable (the cache stays behind), so process-pool and Dask workers get their own copy.

    Attributes:
        scenario: The scenario whose ``[parameters]`` each future overrides.
        keys: The uncertain parameters, in the order of ``values``' columns.
        values: Row ``f``: future ``f``'s values.
        contexts: Prepared futures kept (least recently used dropped first).
    """

    scenario: Scenario
    keys: tuple[str, ...]
    values: NDArray[np.float64]
    contexts: int = CONTEXTS_PER_WORKER
    _cache: OrderedDict[int, tuple[Context, dict[str, WorldCache]] | Failed] = field(
        default_factory=OrderedDict, init=False, repr=False, compare=False
    )

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the cache (worker-local state)."""
        return {**self.__dict__, "_cache": OrderedDict()}

    def chunk_key(self, experiment: Experiment) -> int:
        """Parallel evaluators chunk by future: a worker prepares each future once."""
        return experiment.future

    @property
    def chunk_size(self) -> int:
        """A future's experiments: every strategy in every replication."""
        return len(self.scenario.strategy) * self.scenario.replications

    def scenario_of(self, future: int) -> Scenario:
        """The scenario of one future: ``[parameters]`` plus the future's values."""
        overrides = {k: float(v) for k, v in zip(self.keys, self.values[future], strict=True)}
        return self.scenario.with_overrides(parameters={**self.scenario.parameters, **overrides})

    def __call__(self, experiment: Experiment) -> ExperimentOutput:
        """Run the experiment; an error becomes :class:`Failed` (the ensemble goes on)."""
        prepared = self._prepared(experiment.future)
        if isinstance(prepared, Failed):
            return Failed(f"preparing future {experiment.future} failed: {prepared.error}")
        context, caches = prepared
        try:
            strategy = context.scenario.get_strategy(experiment.strategy)
            cache = caches.setdefault(strategy.id, WorldCache(strategy.id))
            run = simulate(
                context,
                strategy,
                replication=experiment.replication,
                future=experiment.future,
                cache=cache,
            )
            return summarize(run)
        except Exception as error:  # noqa: BLE001 (recorded; the ensemble goes on)
            return Failed(one_line(error))

    def _prepared(self, future: int) -> tuple[Context, dict[str, WorldCache]] | Failed:
        found = self._cache.get(future)
        if found is not None:
            self._cache.move_to_end(future)
            return found
        entry: tuple[Context, dict[str, WorldCache]] | Failed
        try:
            entry = (prepare(self.scenario_of(future)), {})
        except ScenarioError as error:
            entry = Failed(" ".join(" ".join(error.lines()).split())[:_ERROR_CHARS])
        except Exception as error:  # noqa: BLE001 (recorded; the ensemble goes on)
            entry = Failed(one_line(error))
        self._cache[future] = entry
        while len(self._cache) > max(self.contexts, 1):
            self._cache.popitem(last=False)
        return entry


@dataclass(frozen=True)
class Plan:
    """Which experiments make the ensemble and how they are cut into parts.

    Group ``g = future * replications + replication``; part ``k`` holds groups
    ``k * groups_per_part`` up to the next part's first; ``experiment_id = g * S + i`` for
    the ``i``-th of the ``S`` strategies.
    """

    strategies: tuple[str, ...]
    futures: int
    replications: int
    groups_per_part: int

    @property
    def groups(self) -> int:
        """(future, replication) pairs."""
        return self.futures * self.replications

    @property
    def parts(self) -> int:
        """Part files of the whole ensemble."""
        return math.ceil(self.groups / self.groups_per_part)

    @property
    def experiments(self) -> int:
        """Experiments of the whole ensemble."""
        return self.groups * len(self.strategies)

    def group_of(self, experiment: Experiment) -> int:
        """The experiment's group."""
        return experiment.future * self.replications + experiment.replication

    def part_of(self, group: int) -> int:
        """The part that holds ``group``."""
        return group // self.groups_per_part

    def groups_in(self, part: int) -> range:
        """The groups of ``part``."""
        first = part * self.groups_per_part
        return range(first, min(first + self.groups_per_part, self.groups))

    def experiments_of(self, parts: Iterable[int]) -> Iterator[Experiment]:
        """The experiments of ``parts``, group by group, strategies in scenario order."""
        for part in parts:
            for group in self.groups_in(part):
                future, replication = divmod(group, self.replications)
                for strategy in self.strategies:
                    yield Experiment(strategy, replication, future)


@dataclass(frozen=True)
class EnsembleSpec:
    """A checked ensemble, before it runs: the scenario, its futures and the rules.

    Built by :func:`plan_ensemble`, which raises on every bad input before anything is
    written.
    """

    scenario: Scenario
    futures: Futures
    rules: tuple[Rule, ...] = ()

    @property
    def parameters(self) -> dict[str, float]:
        """The scenario's resolved parameters (before any future's values)."""
        return resolve_parameters(self.scenario.parameters)

    @property
    def digest(self) -> str:
        """The hash ``--resume`` checks (:func:`counterflow.exploration.parts.ensemble_hash`)."""
        return ensemble_hash(self.scenario, self.futures)

    @property
    def schema(self) -> Schema:
        """The columns of the experiments table."""
        return experiment_schema(self.futures.columns, OUTCOME_COLUMNS)

    def record(self) -> dict[str, Any]:
        """What the manifest records besides the file list."""
        parameters = self.parameters
        return {
            "kind": KIND,
            "counterflow_version": __version__,
            "scenario": self.scenario.name,
            "ensemble_hash": self.digest,
            "sampler": self.futures.sampler,
            "futures_requested": self.futures.requested,
            "futures": self.futures.n,
            "seed": self.futures.seed,
            "replications": self.scenario.replications,
            "months": self.scenario.months,
            "strategies": list(self.scenario.strategy_ids),
            "uncertainties": {key: [low, high] for key, low, high in self.futures.ranges},
            "satisfice": ",".join(str(rule) for rule in self.rules),
            "solver_gap": parameters["solver.gap"],
            "supply_step": parameters["solver.supply_step"],
        }


@dataclass(frozen=True)
class RunStatistics:
    """How an ensemble ran: experiments in all, run now, found done; seconds."""

    experiments: int
    run: int
    resumed: int
    elapsed_s: float

    @property
    def seconds_per_experiment(self) -> float:
        """Elapsed seconds per experiment run now (NaN when none ran)."""
        return self.elapsed_s / self.run if self.run else math.nan


@dataclass(frozen=True)
class Ensemble:
    """An ensemble's results: the experiments table, the futures and the analysis.

    Attributes:
        spec: The scenario, futures and satisficing rules it ran with.
        experiments: One row per experiment (``experiments.parquet``; module docstring).
        robustness: Per strategy and outcome: statistics over the futures, regret for the
            outcomes with a sense, the satisficing share when rules were given.
        sobol: Sobol' indices per strategy and ranked outcome (``saltelli`` only).
        statistics: How it ran.
        prim: Per strategy and outcome (columns ``strategy, outcome``), the PRIM trade-off and
            chosen box of the futures where the strategy fails the satisficing rules on that
            outcome (:func:`discover`; no rows without rules).

    The public result is :meth:`to_results` (what :func:`explore` returns); this object adds
    how the run went (``statistics``) for the command line.
    """

    spec: EnsembleSpec
    experiments: pd.DataFrame
    robustness: pd.DataFrame
    sobol: pd.DataFrame | None
    statistics: RunStatistics
    prim: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(PRIM_KEYS)))

    @property
    def scenario(self) -> Scenario:
        """The scenario (after the overrides it ran with)."""
        return self.spec.scenario

    @property
    def futures(self) -> Futures:
        """The sampled futures."""
        return self.spec.futures

    def to_results(self) -> Results:
        """The ensemble as :class:`~counterflow.model.Results` (``kind = "ensemble"``)."""
        tables = {
            "experiments": self.spec.schema.typed(self.experiments),
            "robustness": self.robustness,
            "prim": self.prim,
        }
        if self.sobol is not None:
            tables["sobol"] = self.sobol
        record = {
            k: v for k, v in self.spec.record().items() if k not in ("kind", "counterflow_version")
        }
        return Results(
            scenario=self.scenario,
            parameters=resolve_parameters(dict(self.scenario.parameters)),
            rows=(),
            tables=tables,
            version=__version__,
            kind=ENSEMBLE,
            ensemble=record,
        )

    def files(self) -> dict[str, Writer]:
        """The files of an ensemble folder (:meth:`Results.files` and ``report.html``)."""
        return folder_files(self.to_results())

    def manifest(self) -> dict[str, Any]:
        """What ``manifest.json`` records besides the file list."""
        return self.to_results().manifest()

    def to_folder(self, path: str | Path, *, force: bool = False) -> Path:
        """Write the files into ``path`` atomically (:mod:`counterflow.outfolder`)."""
        return write_folder(self.to_results(), path, force=force)


def folder_files(results: Results) -> dict[str, Writer]:
    """An ensemble folder's files: those of ``results`` and its ``report.html``."""
    page = build_ensemble_report(results)

    def write_report(path: Path) -> None:
        path.write_text(page, encoding="utf-8")

    return {**results.files(), "report.html": write_report}


def write_folder(results: Results, path: str | Path, *, force: bool = False) -> Path:
    """Write an ensemble's folder atomically, ``report.html`` included."""
    with claim_out_folder(path, force=force, names=ENSEMBLE_FILES) as folder:
        folder.write(folder_files(results), manifest=results.manifest())
    return Path(path)


def plan_ensemble(
    scenario: Scenario,
    *,
    futures: int,
    sampler: str = "lhs",
    seed: int | None = None,
    replications: int | None = None,
    satisfice: str | None = None,
    precision: str = "ensemble",
) -> EnsembleSpec:
    """Check an ensemble's input and sample its futures; nothing runs or is written.

    ``precision`` (one of :data:`PRECISIONS`) sets ``solver.gap`` and ``solver.supply_step``
    where the scenario's ``[parameters]`` do not; the spec's scenario carries the values, so
    the manifest and the ``--resume`` hash record them.

    Raises:
        InputError: An unknown sampler or precision, ``futures < 1``, no ``[uncertainties]``,
            a range of zero width, a bad seed or replication count, a satisficing rule that is
            malformed or names an unknown outcome.
    """
    if precision not in PRECISIONS:
        known = ", ".join(PRECISIONS)
        raise InputError(f"unknown precision {precision!r}; use one of {known}", key="precision")
    rules = parse_rules(satisfice, outcomes=OUTCOME_COLUMNS) if satisfice is not None else ()
    changes: dict[str, Any] = {"seed": seed, "replications": replications}
    changes = {key: value for key, value in changes.items() if value is not None}
    loosened = {k: v for k, v in PRECISIONS[precision].items() if k not in scenario.parameters}
    if loosened:
        changes["parameters"] = {**scenario.parameters, **loosened}
    if changes:
        try:
            scenario = scenario.with_overrides(**changes)
        except ScenarioError as error:
            problem = error.problems[0]
            raise InputError(problem.message, key=problem.key) from None
    sampled = sample_futures(scenario.uncertainties, futures, sampler=sampler, seed=scenario.seed)
    return EnsembleSpec(scenario=scenario, futures=sampled, rules=rules)


def run_ensemble(
    spec: EnsembleSpec,
    *,
    out: str | Path | None = None,
    resume: bool = False,
    evaluator: EvaluatorFactory | None = None,
    progress: Progress | None = None,
    groups_per_part: int = DEFAULT_GROUPS_PER_PART,
) -> Ensemble:
    """Run a checked ensemble, writing parts as it goes; analyse and write the results.

    Args:
        spec: From :func:`plan_ensemble`.
        out: The ensemble folder (parts while it runs; ``experiments.parquet``,
            ``robustness.csv``, ``sobol.csv`` and ``manifest.json`` at the end). Without it
            the parts go to a temporary folder and nothing stays on disk.
        resume: Continue the interrupted ensemble in ``out`` (the same ``spec``).
        evaluator: Makes the evaluator from the model (default: serial, in this process).
        progress: Called as ``progress(done, total, experiment)`` after each experiment.
        groups_per_part: (future, replication) groups per part file (a new ensemble only).

    Raises:
        InputError: ``resume`` without ``out``; ``out`` not writable or locked; a folder to
            resume that is not an unfinished ensemble of the same hash.
    """
    if groups_per_part < 1:
        raise InputError(f"must be at least 1, not {groups_per_part}", key="groups_per_part")
    if out is None:
        if resume:
            raise InputError("resuming needs the folder of the interrupted ensemble", key="out")
        with tempfile.TemporaryDirectory(prefix="counterflow-explore-") as temporary:
            where = _Where(Path(temporary), Path(temporary), resume=False)
            return _run_in(spec, where, evaluator, progress, groups_per_part)
    shown = Path(out)
    with claim_out_folder(out, names=ENSEMBLE_FILES) as claimed:
        where = _Where(shown.absolute(), shown, resume=resume)
        ensemble = _run_in(spec, where, evaluator, progress, groups_per_part)
        results = ensemble.to_results()
        claimed.write(folder_files(results), manifest=results.manifest())
        remove_parts(shown.absolute())
    return ensemble


@dataclass(frozen=True)
class _Where:
    """The folder the parts go to, as written on disk and as shown in messages."""

    folder: Path
    shown: Path
    resume: bool


def _run_in(
    spec: EnsembleSpec,
    where: _Where,
    evaluator: EvaluatorFactory | None,
    progress: Progress | None,
    groups_per_part: int,
) -> Ensemble:
    """Run the missing parts in ``folder`` and analyse every part."""
    record = {**spec.record(), "groups_per_part": groups_per_part}
    folder = where.folder
    done_parts, groups_per_part = start_folder(
        folder, where.shown, digest=spec.digest, resume=where.resume, record=record
    )
    scenario, futures = spec.scenario, spec.futures
    plan = Plan(scenario.strategy_ids, futures.n, scenario.replications, groups_per_part)
    todo = [part for part in range(plan.parts) if part not in done_parts]
    collector = _Collector(spec, plan, folder, progress)
    collector.done = plan.experiments - sum(
        len(plan.groups_in(part)) * len(plan.strategies) for part in todo
    )
    resumed = collector.done
    start = time.monotonic()
    model = FutureModel(
        scenario, futures.keys, futures.table[list(futures.columns)].to_numpy(dtype=np.float64)
    )
    make = SerialEvaluator if evaluator is None else evaluator
    with make(model) as running:
        running.evaluate(plan.experiments_of(todo), collector)
    elapsed = time.monotonic() - start
    experiments = read_parts(folder, spec.schema)
    robust, sobol = analyse(experiments, spec)
    statistics = RunStatistics(plan.experiments, plan.experiments - resumed, resumed, elapsed)
    return Ensemble(spec, experiments, robust, sobol, statistics, discover(experiments, spec))


class _Collector:
    """The evaluator's callback: groups finished experiments into rows and parts."""

    def __init__(
        self, spec: EnsembleSpec, plan: Plan, folder: Path, progress: Progress | None
    ) -> None:
        self.spec = spec
        self.plan = plan
        self.folder = folder
        self.progress = progress
        self.values = spec.futures.table[list(spec.futures.columns)].to_numpy(dtype=np.float64)
        self.outputs: dict[int, dict[str, ExperimentOutput]] = {}
        self.rows: dict[int, list[dict[str, Any]]] = {}
        self.done = 0

    def __call__(self, experiment: Experiment, output: ExperimentOutput) -> None:
        """Record one experiment; write its part when the part is complete."""
        plan = self.plan
        group = plan.group_of(experiment)
        outputs = self.outputs.setdefault(group, {})
        outputs[experiment.strategy] = output
        if len(outputs) == len(plan.strategies):
            part = plan.part_of(group)
            self.rows.setdefault(part, []).extend(self._group_rows(group, outputs))
            del self.outputs[group]
            if len(self.rows[part]) == len(plan.groups_in(part)) * len(plan.strategies):
                frame = pd.DataFrame(self.rows.pop(part), columns=self.spec.schema.names)
                frame = frame.sort_values("experiment_id", kind="stable")
                write_part(self.folder, part, frame, self.spec.schema)
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, plan.experiments, experiment)

    def _group_rows(
        self, group: int, outputs: Mapping[str, ExperimentOutput]
    ) -> list[dict[str, Any]]:
        plan = self.plan
        future, replication = divmod(group, plan.replications)
        uncertainties = dict(zip(self.spec.futures.columns, self.values[future], strict=True))
        base = outputs[BASELINE_ID]
        rows = []
        for index, strategy in enumerate(plan.strategies):
            row: dict[str, Any] = {
                "experiment_id": group * len(plan.strategies) + index,
                "strategy": strategy,
                "future_id": future,
                "replication": replication,
                "seed": self.spec.scenario.seed,
                **uncertainties,
                "error": None,
            }
            row.update(_outcomes(outputs[strategy], base))
            rows.append(row)
        return rows


def _outcomes(output: ExperimentOutput, base: ExperimentOutput) -> dict[str, Any]:
    """The outcome columns of one experiment, or its error (the same functions as compare)."""
    if isinstance(output, Failed):
        return {"error": output.error}
    if isinstance(base, Failed):
        return {"error": f"the status quo failed in this future and replication: {base.error}"}
    values: dict[str, Any] = {}
    try:
        for outcome in OUTCOMES:
            value = outcome(output, base)
            values[outcome.name] = math.nan if value is None else float(value)
    except Exception as error:  # noqa: BLE001 (recorded; the ensemble goes on)
        return {"error": one_line(error)}
    return values


def analyse(
    experiments: pd.DataFrame, spec: EnsembleSpec
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``robustness.csv`` (with regret and satisficing) and ``sobol.csv`` (saltelli only)."""
    table = robustness(experiments)
    ranked = [name for name in pd.unique(table["outcome"]) if SENSE.get(name) in ("min", "max")]
    regrets = [regret(experiments, name) for name in ranked]
    if regrets:
        found = pd.concat(regrets, ignore_index=True)
        columns = ["strategy", "outcome", "mean_regret", "max_regret", "p95_regret"]
        table = table.merge(found[columns], on=["strategy", "outcome"], how="left")
    if spec.rules:
        shares = satisficing(experiments, spec.rules)
        shares = shares.rename(columns={"share": "satisficing_share"})
        table = table.merge(
            shares[["strategy", "satisficing_share", "n_satisficed"]], on="strategy", how="left"
        )
        table["satisfice"] = ",".join(str(rule) for rule in spec.rules)
    sobol = (
        _sobol(experiments, spec.futures, ranked) if spec.futures.sampler == "saltelli" else None
    )
    return table, sobol


def discover(experiments: pd.DataFrame, spec: EnsembleSpec) -> pd.DataFrame:
    """Scenario discovery: per strategy and outcome of a satisficing rule, where the rule fails.

    The cases are the futures (outcomes averaged over replications; failed experiments left
    out), ``x`` their uncertainty values and ``y`` "the strategy fails the rules on this
    outcome there"; PRIM (:func:`counterflow.exploration.prim.find_box`, its defaults) gives
    the trade-off and the chosen box. Without rules there is no case of interest to explain,
    so nothing is written; a strategy that fails everywhere or nowhere has no box either.

    Returns:
        One long table: ``strategy, outcome``, then the rows of :func:`prim_table` of each
        box (no rows when there is none).
    """
    if not spec.rules:
        return pd.DataFrame(columns=list(PRIM_KEYS))
    ok = experiments[experiments["error"].isna()]
    uncertainties = [c for c in experiments.columns if c.startswith("unc__")]
    by_outcome: dict[str, list[Rule]] = {}
    for rule in spec.rules:
        by_outcome.setdefault(rule.outcome, []).append(rule)
    found = []
    for strategy in pd.unique(experiments["strategy"]):
        mine = ok[ok["strategy"] == strategy]
        per_future = mine.groupby("future_id")[[*by_outcome, *uncertainties]].mean()
        for outcome, rules in by_outcome.items():
            cases = per_future.dropna(subset=[outcome])
            fails = np.zeros(len(cases), dtype=bool)
            for rule in rules:
                fails |= ~rule.holds(cases[outcome]).to_numpy(dtype=bool)
            if len(cases) < 2 or fails.all() or not fails.any():
                continue
            try:
                box = find_box(cases[uncertainties].reset_index(drop=True), fails)
            except InputError:
                continue  # too few futures to peel, or no uncertainty that varies
            table = prim_table(box)
            table.insert(0, "outcome", outcome)
            table.insert(0, "strategy", strategy)
            found.append(table)
    if not found:
        return pd.DataFrame(columns=list(PRIM_KEYS))
    return pd.concat(found, ignore_index=True)


def prim_table(box: PrimBox) -> pd.DataFrame:
    """One table for ``prim/<strategy>__<outcome>.csv``: the trade-off, then the chosen box.

    Rows with ``part = trajectory`` are the peeling steps (``step, coverage, density, mass,
    res_dim``); rows with ``part = box`` are the chosen box's limits per uncertainty
    (``uncertainty, low, high, restricted, qp``) with the box's own ``coverage``, ``density``,
    ``mass`` and ``step``.
    """
    trajectory = box.trajectory.assign(part="trajectory")
    limits = box.limits.assign(
        part="box",
        coverage=box.coverage,
        density=box.density,
        mass=box.mass,
        step=box.step,
    )
    table = pd.concat([trajectory, limits], ignore_index=True)
    first = ["part", "step", "coverage", "density", "mass", "res_dim"]
    return table[[*first, *[c for c in table.columns if c not in first]]]


def _sobol(experiments: pd.DataFrame, futures: Futures, outcomes: Sequence[str]) -> pd.DataFrame:
    """Sobol' indices per strategy and ranked outcome; skipped where undefined (constant)."""
    ok = experiments[experiments["error"].isna()]
    frames = []
    for strategy in pd.unique(experiments["strategy"]):
        mine = ok[ok["strategy"] == strategy]
        means = mine.groupby("future_id")[list(outcomes)].mean().reindex(range(futures.n))
        for name in outcomes:
            values = means[name].to_numpy(dtype=np.float64)
            try:
                indices = sobol_indices(futures, values, second_order=futures.second_order)
            except InputError:
                continue  # constant, or missing in some future: no indices to give
            indices.insert(0, "outcome", name)
            indices.insert(0, "strategy", strategy)
            frames.append(indices)
    if not frames:
        return pd.DataFrame(columns=["strategy", "outcome", "uncertainty"])
    return pd.concat(frames, ignore_index=True)


def explore(
    scenario: Scenario,
    *,
    futures: int,
    sampler: str = "lhs",
    seed: int | None = None,
    replications: int | None = None,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    evaluator: EvaluatorFactory | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    satisfice: str | None = None,
    progress: Progress | None = None,
    groups_per_part: int = DEFAULT_GROUPS_PER_PART,
    precision: str = "ensemble",
) -> Results:
    """Run every strategy of ``scenario`` in ``futures`` futures sampled over its uncertainties.

    Args:
        scenario: The scenario; its ``[uncertainties]`` are sampled, each future overriding
            its ``[parameters]``.
        futures: How many futures to ask for (the sampler may round it; the note says so).
        sampler: ``lhs``, ``sobol``, ``factorial`` or ``saltelli``
            (:func:`counterflow.exploration.samplers.sample_futures`).
        seed: The seed of the futures and of the runs (default: the scenario's).
        replications: Replications per future (default: the scenario's).
        executor: ``serial`` (this process), ``processes`` (a process pool) or ``dask`` (a
            Dask cluster; the ``dask`` extra) — :func:`counterflow.run.make_evaluator`.
        workers: Worker processes of ``processes`` or a local Dask cluster (default: one
            per core).
        scheduler: A Dask scheduler's address to join instead of starting a local cluster.
        evaluator: Makes the evaluator from the model, instead of ``executor``.
        out: The folder to write (default: none; parts go to a temporary folder).
        resume: Continue the interrupted ensemble in ``out``.
        satisfice: Satisficing rules, ``"delivered_change_pct<=-5,excess_homicides<=0"``.
        progress: Called as ``progress(done, total, experiment)`` after each experiment.
        groups_per_part: (future, replication) groups per part file.
        precision: ``ensemble`` (months to gap 1e-5, supply step 0.01) or ``full``
            (compare's 1e-6 and 0.001), where the scenario's ``[parameters]`` do not set
            ``solver.gap`` and ``solver.supply_step`` (:data:`PRECISIONS`).

    Returns:
        :class:`~counterflow.model.Results` of kind ``"ensemble"``: the experiments,
        robustness, PRIM (and Sobol') tables, the scenario, the parameters, the sampling
        record (:attr:`Results.ensemble`); ``to_folder`` writes them again (without
        ``report.html``: :func:`write_folder` adds it).

    Raises:
        InputError: Bad input (:func:`plan_ensemble`, :func:`run_ensemble`); nothing written.
    """
    if evaluator is None:
        evaluator = make_evaluator(executor, workers=workers, scheduler=scheduler)
    spec = plan_ensemble(
        scenario,
        futures=futures,
        sampler=sampler,
        seed=seed,
        replications=replications,
        satisfice=satisfice,
        precision=precision,
    )
    return run_ensemble(
        spec,
        out=out,
        resume=resume,
        evaluator=evaluator,
        progress=progress,
        groups_per_part=groups_per_part,
    ).to_results()
