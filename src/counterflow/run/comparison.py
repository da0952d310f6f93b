"""``compare(scenario) -> Results``: every strategy of a scenario in every replication.

One library call behind ``counterflow compare``, a notebook and a script alike. The model is
prepared once (:func:`counterflow.model.prepare`), then every experiment (strategy ×
replication) runs through an evaluator; the verdicts are assessed and the runs collected into
tidy tables. Nothing is printed: progress goes to an optional callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from counterflow._version import __version__
from counterflow.legal import load_law
from counterflow.model import (
    Context,
    Results,
    RunResult,
    WorldCache,
    assess_horizon,
    outcome_rows,
    prepare,
    simulate,
)
from counterflow.model.outcomes import summarize
from counterflow.run.collect import collect_tables
from counterflow.run.evaluators import Evaluator, Experiment, SerialEvaluator
from counterflow.scenario import Scenario

__all__ = ["Progress", "StrategyModel", "compare", "experiments_of"]

Progress = Callable[[int, int, Experiment], None]
"""``progress(done, total, experiment)``, called after each finished experiment."""


@dataclass
class StrategyModel:
    """The model as a function of an experiment: one strategy's run in one replication.

    It keeps one world cache per strategy, so a replication starts from the worlds the
    previous replications of the same strategy solved. The cache is worker-local state that
    changes speed only: each world is warm-started from its strategy's anchor world
    (:mod:`counterflow.model.worlds`), never from whatever ran before, so serial, process-pool
    and Dask runs give the same numbers. It pickles (a parallel evaluator sends it to its
    workers once, with the prepared context).
    """

    context: Context
    caches: dict[str, WorldCache] = field(default_factory=dict)

    @property
    def chunk_size(self) -> int:
        """Parallel evaluators send a strategy's replications as one chunk.

        Its replications share worlds; split over two workers, each would solve them.
        """
        return self.context.scenario.replications

    def __call__(self, experiment: Experiment) -> RunResult:
        """Run ``experiment`` (strategy, replication, future) over the scenario's months."""
        strategy = self.context.scenario.get_strategy(experiment.strategy)
        cache = self.caches.setdefault(strategy.id, WorldCache(strategy.id))
        return simulate(
            self.context,
            strategy,
            replication=experiment.replication,
            future=experiment.future,
            cache=cache,
        )


def experiments_of(scenario: Scenario) -> list[Experiment]:
    """Every (strategy, replication) of a comparison, strategies in scenario order."""
    return [
        Experiment(strategy.id, replication)
        for strategy in scenario.strategy
        for replication in range(scenario.replications)
    ]


def compare(
    scenario: Scenario,
    *,
    progress: Progress | None = None,
    evaluator: Callable[[StrategyModel], Evaluator[RunResult]] = SerialEvaluator,
) -> Results:
    """Compare a scenario's strategies over its months and replications.

    Args:
        scenario: The scenario (``counterflow.load_scenario(path)``; edit it with
            ``Scenario.with_overrides``). Its ``[uncertainties]`` are not sampled here: that
            is exploration's job.
        progress: Called as ``progress(done, total, experiment)`` after each run.
        evaluator: Makes the evaluator from the model (default: serial, in this process);
            e.g. ``make_evaluator("processes", workers=2)``, ``ProcessPoolEvaluator`` or
            ``functools.partial(DaskEvaluator, scheduler="tcp://host:8786")``.

    Returns:
        The results: outcome rows per strategy, the long tables and the scenario.

    Raises:
        counterflow.errors.InputError: The scenario does not fit its dataset (exit code 2 on
            the command line).
    """
    context = prepare(scenario)
    # The verdicts depend on the levers and dates only: assessed first, so a problem with the
    # law (or a date) ends the command before the runs, not after them.
    book = load_law()
    verdicts = {s.id: assess_horizon(context, s, book) for s in scenario.strategy}
    experiments = experiments_of(scenario)
    runs: dict[str, list[RunResult]] = {s.id: [] for s in scenario.strategy}
    done = 0

    def record(experiment: Experiment, run: RunResult) -> None:
        nonlocal done
        runs[experiment.strategy].append(run)
        done += 1
        if progress is not None:
            progress(done, len(experiments), experiment)

    with evaluator(StrategyModel(context)) as running:
        running.evaluate(experiments, record)
    for replicas in runs.values():
        replicas.sort(key=lambda run: run.replication)
    summaries = {
        strategy: [summarize(run) for run in replicas] for strategy, replicas in runs.items()
    }
    rows = outcome_rows(scenario, summaries, {s: found.verdicts for s, found in verdicts.items()})
    return Results(
        scenario=scenario,
        parameters=context.parameters,
        rows=tuple(rows),
        tables=collect_tables(context, runs, verdicts),
        version=__version__,
    )
