"""Time ``counterflow.explore`` on the built-in scenario: throughput per executor, driver memory.

Usage:
    python benchmarks/ensemble.py [--futures 16] [--months 24] [--replications 1]
        [--strategies ID,ID,...] [--executors serial,processes,dask] [--workers 2] [--peer]
    python benchmarks/ensemble.py --memory [--sizes 200,2000] [--months 1] [--strategies ...]
        [--peer]
    python benchmarks/ensemble.py --ranking 50 [--workers 2]

Every mode runs at ``--precision`` (``ensemble``, the default of ``counterflow explore``, or
``full``, compare's), set in the scenario's ``[parameters]`` so the peer runs the same model.

Throughput: every strategy of ``mexico-2025`` (or ``--strategies``, the status quo always
included: the outcomes compare with it) in ``--futures`` Latin-hypercube futures, on each
executor. Start-up is measured apart and left out of the throughput: the evaluator is entered
(pool made, or ``LocalCluster`` started and the model registered on its workers), then every
worker loads the JIT-compiled kernels by running the scenario's strategies once at its own
parameters (a different model, so no prepared future is reused), and only then is the clock of
``evaluate`` started; it stops when the last part file is written (the analysis after it,
robustness and regret, is left out). The serial evaluator warms up the same way in this process.

``--peer`` runs the same model through EMA Workbench's ``perform_experiments`` with its
``SequentialEvaluator`` on the same futures (ema-workbench 2.5, a benchmark extra), and
counterflow's serial evaluator beside it, each in a fresh process after the same warm-up; it
prints the throughput ratio, the peak memory (RSS) of both and whether the outcomes agree.

Ranking (``--ranking N``): N futures run twice on the process pool, at ``ensemble`` and at
``full`` precision (issue 33: the ranking of strategies per future must not depend on the
looser gap); per ranked outcome (those with a sense), the futures whose ranking of strategies
is the same, and for the others the strategies that swapped and how far apart they were.
Both runs are timed, so the precision's speed-up comes with it.

Memory (``--memory``): counterflow's serial evaluator at each ``--sizes`` count of futures, each
in a fresh process (1 month and 2 strategies by default, to keep it short), reporting the RSS
before the run and the peak RSS of the process (``getrusage``): the driver's memory should stay
flat as the futures grow (issue 33).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np
import pandas as pd

from counterflow import load_scenario
from counterflow.errors import InputError
from counterflow.exploration.ensemble import OUTCOME_COLUMNS, PRECISIONS, explore, plan_ensemble
from counterflow.exploration.robustness import SENSE
from counterflow.model import WorldCache, prepare, simulate
from counterflow.model.outcomes import OUTCOMES, RunSummary, summarize
from counterflow.run.evaluators import EXECUTORS, Evaluator, Experiment, make_evaluator
from counterflow.scenario import BASELINE_ID, Scenario, ScenarioError
from counterflow.scenario.parameters import resolve_parameters

MEMORY_STRATEGIES = (BASELINE_ID, "border-inspection-surge")
SEED = 2025
MIB = 1024  # ru_maxrss is in KiB on Linux


class ArgumentError(Exception):
    """A bad command line: one line, exit 2."""


def fail(message: str) -> None:
    raise ArgumentError(message)


def build_scenario(
    months: int, replications: int, strategies: list[str] | None, precision: str = "ensemble"
) -> Scenario:
    """The built-in scenario with ``months``, ``replications``, a subset of strategies and the
    solver settings of ``precision`` in its ``[parameters]``."""
    scenario = load_scenario(None)
    changes: dict[str, Any] = {
        "months": months,
        "replications": replications,
        "parameters": {**scenario.parameters, **precision_parameters(precision)},
    }
    if strategies is not None:
        known = scenario.strategy_ids
        unknown = [s for s in strategies if s not in known]
        if unknown:
            fail(f"--strategies: unknown {', '.join(unknown)}; known: {', '.join(known)}")
        wanted = {BASELINE_ID, *strategies}
        changes["strategy"] = [s.model_dump() for s in scenario.strategy if s.id in wanted]
    try:
        return scenario.with_overrides(**changes)
    except ScenarioError as error:
        problem = error.problems[0]
        fail(f"{problem.key}: {problem.message}")
    raise AssertionError("unreachable")


def precision_parameters(precision: str) -> dict[str, float]:
    """``solver.gap`` and ``solver.supply_step`` of a precision (``full``: the defaults)."""
    defaults = resolve_parameters({})
    keys = ("solver.gap", "solver.supply_step")
    return {k: PRECISIONS[precision].get(k, defaults[k]) for k in keys}


# -- warm-up and timing -------------------------------------------------------------------------


def warm_up(scenario: Scenario) -> int:
    """Load every kernel: run each strategy once at the scenario's own parameters; the pid.

    Module-level, so pool workers (spawn) and Dask workers find it by name.
    """
    context = prepare(scenario)
    for strategy in scenario.strategy:
        simulate(context, strategy, replication=0, future=0)
    return os.getpid()


def warm_evaluator(evaluator: Evaluator[Any], scenario: Scenario, workers: int) -> None:
    """Warm every worker of an entered evaluator (or this process for the serial one)."""
    client = getattr(evaluator, "client", None)
    if client is not None:  # Dask: client.run runs it once on every worker
        client.run(warm_up, scenario)
        return
    pool = getattr(evaluator, "_pool", None)  # the process pool (no public handle in 3.11)
    if pool is None:
        warm_up(scenario)
        return
    seen: set[int] = set()
    for _ in range(10):  # until every worker has warmed up (each task takes seconds)
        seen |= {task.result() for task in [pool.submit(warm_up, scenario) for _ in range(workers)]}
        if len(seen) >= workers:
            return
    print(f"warning: {len(seen)} of {workers} pool workers warmed up", file=sys.stderr)


class Timed(Evaluator[Any]):
    """An evaluator around another: start-up (with warm-up) and ``evaluate`` timed apart."""

    def __init__(
        self, inner: Evaluator[Any], warm: Callable[[Evaluator[Any]], None], clock: dict[str, float]
    ) -> None:
        super().__init__(inner.model)
        self.inner, self.warm, self.clock = inner, warm, clock

    def __enter__(self) -> Self:
        start = time.perf_counter()
        self.inner.__enter__()
        self.warm(self.inner)
        self.clock["startup"] = time.perf_counter() - start
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.inner.__exit__(kind, error, traceback)

    def evaluate(
        self, experiments: Iterable[Experiment], callback: Callable[[Experiment, Any], None]
    ) -> None:
        start = time.perf_counter()
        self.inner.evaluate(experiments, callback)
        self.clock["seconds"] = time.perf_counter() - start


def run_ours(
    scenario: Scenario, futures: int, executor: str, workers: int, warm: Scenario | None
) -> tuple[pd.DataFrame, dict[str, float]]:
    """One ensemble on ``executor``; its experiments table and clock (start-up, seconds)."""
    factory = make_evaluator(executor, workers=workers)
    clock: dict[str, float] = {}

    def warmed(evaluator: Evaluator[Any]) -> None:
        if warm is not None:
            warm_evaluator(evaluator, warm, workers)

    results = explore(
        scenario,
        futures=futures,
        seed=SEED,
        evaluator=lambda model: Timed(factory(model), warmed, clock),
    )
    return results.tables["experiments"], clock


# -- the peer: EMA Workbench ----------------------------------------------------------------------


class PeerFunction:
    """counterflow as an EMA model function: one strategy in one future (uncertainty values).

    The same work as :class:`counterflow.exploration.ensemble.FutureModel`: a future is
    prepared once (kept while its strategies run, as FutureModel keeps it), the status quo run
    once per future, each strategy once; the outcomes pair the strategy's run with the status
    quo's. ``future_id`` is part of the future: it keys the random streams.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.key: tuple[float, ...] | None = None
        self.context: Any = None
        self.base: RunSummary | None = None
        self.caches: dict[str, WorldCache] = {}

    def __call__(self, future_id: int, strategy: str, **values: float) -> dict[str, float]:
        nan = dict.fromkeys(OUTCOME_COLUMNS, float("nan"))
        key = (float(future_id), *(values[k] for k in sorted(values)))
        try:
            if key != self.key:
                self.key, self.caches, self.base = key, {}, None
                parameters = {**self.scenario.parameters, **values}
                self.context = prepare(self.scenario.with_overrides(parameters=parameters))
                self.base = self.run(BASELINE_ID, future_id)
            if self.base is None:
                return nan
            output = self.base if strategy == BASELINE_ID else self.run(strategy, future_id)
            found = {o.name: o(output, self.base) for o in OUTCOMES}
            return {k: float("nan") if v is None else float(v) for k, v in found.items()}
        except Exception:  # noqa: BLE001 - a failed experiment: NaN outcomes, as EMA users do
            return nan

    def run(self, strategy_id: str, future_id: int) -> RunSummary:
        strategy = self.context.scenario.get_strategy(strategy_id)
        cache = self.caches.setdefault(strategy_id, WorldCache(strategy_id))
        return summarize(
            simulate(self.context, strategy, replication=0, future=future_id, cache=cache)
        )


def run_peer(scenario: Scenario, futures: int) -> tuple[pd.DataFrame, float]:
    """The same futures through ``perform_experiments``; its outcomes table and seconds."""
    try:
        from ema_workbench import (
            CategoricalParameter,
            IntegerParameter,
            Model,
            Policy,
            RealParameter,
            ScalarOutcome,
            SequentialEvaluator,
            perform_experiments,
        )
        from ema_workbench import Scenario as EmaScenario
    except ImportError:
        fail("--peer needs the package ema-workbench 2.5: pip install 'ema-workbench>=2.5,<2.6'")
    spec = plan_ensemble(scenario, futures=futures, seed=SEED)
    table = spec.futures.table
    strategies = list(scenario.strategy_ids)
    model = Model("counterflow", function=PeerFunction(spec.scenario))  # seed included
    model.uncertainties = [IntegerParameter("future_id", 0, max(futures - 1, 1))] + [
        RealParameter(key, low, high) for key, low, high in spec.futures.ranges
    ]
    model.levers = [CategoricalParameter("strategy", strategies)]
    model.outcomes = [ScalarOutcome(name) for name in OUTCOME_COLUMNS]
    # combine="sample" zips the two lists: futures outer, strategies inner (counterflow's
    # order), so each future is prepared once; EMA's factorial order runs every future per
    # strategy, which would prepare each future once per strategy or keep them all.
    futures_list = [
        EmaScenario(
            f"f{f}",
            future_id=f,
            **{key: float(table.iloc[f][f"unc__{key}"]) for key, _, _ in spec.futures.ranges},
        )
        for f in range(spec.futures.n)
        for _ in strategies
    ]
    policies = [Policy(s, strategy=s) for _ in range(spec.futures.n) for s in strategies]
    start = time.perf_counter()
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, futures_list, policies, evaluator=evaluator, combine="sample"
        )
    seconds = time.perf_counter() - start
    frame = pd.DataFrame(outcomes)
    frame.insert(0, "strategy", experiments["strategy"].astype(str).to_numpy())
    frame.insert(0, "future_id", experiments["future_id"].astype(int).to_numpy())
    return frame, seconds


# -- children: one measurement in a fresh process ----------------------------------------------


def rss_mib() -> float:
    """This process's resident memory now, in MiB."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(args: argparse.Namespace, scenario: Scenario) -> None:
    """Run one measurement (``--child ours|peer``) and print it as one JSON line."""
    warm_up(scenario.with_overrides(months=1))
    before = rss_mib()
    if args.child == "ours":
        frame, clock = run_ours(scenario, args.futures, "serial", 1, None)
        seconds = clock["seconds"]
        failed = int(frame["error"].notna().sum())
        frame = frame[["future_id", "strategy", *OUTCOME_COLUMNS]]
    else:
        frame, seconds = run_peer(scenario, args.futures)
        failed = int(frame[list(OUTCOME_COLUMNS)].isna().all(axis=1).sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MIB
    if args.outcomes:
        frame.to_parquet(args.outcomes)
    print(
        json.dumps(
            {
                "experiments": len(frame),
                "seconds": seconds,
                "failed": failed,
                "rss_before_mib": before,
                "peak_mib": peak,
            }
        )
    )


def in_child(
    args: argparse.Namespace, who: str, futures: int, outcomes: str = ""
) -> dict[str, Any]:
    """Run ``--child who`` in a fresh process; its JSON line."""
    command = [
        sys.executable, __file__, "--child", who, "--futures", str(futures),
        "--months", str(args.months), "--replications", str(args.replications),
        "--precision", args.precision,
    ]  # fmt: skip
    if args.strategies:
        command += ["--strategies", ",".join(args.strategies)]
    if outcomes:
        command += ["--outcomes", outcomes]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"the {who} child failed:\n{done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the modes ----------------------------------------------------------------------------------


def header(what: str, scenario: Scenario) -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{what}, built-in {scenario.name} ({len(scenario.strategy)} strategies, "
        f"{scenario.months} months, {scenario.replications} replication(s), lhs seed {SEED}), "
        f"{platform.node()} ({os.cpu_count()} cores, load average {load} at the start), "
        f"{time.strftime('%Y-%m-%d')}"
    )


def throughput(args: argparse.Namespace, scenario: Scenario) -> None:
    print(header("explore throughput", scenario), flush=True)
    warm = scenario.with_overrides(months=1)
    rows, tables = [], {}
    for executor in args.executors:
        workers = 1 if executor == "serial" else args.workers
        frame, clock = run_ours(scenario, args.futures, executor, workers, warm)
        tables[executor] = frame
        rows.append((executor, workers, len(frame), clock, int(frame["error"].notna().sum())))
    serial = next((r[2] / r[3]["seconds"] for r in rows if r[0] == "serial"), None)
    print(
        "| executor | workers | experiments | start-up s (excluded) | seconds | experiments/s "
        "| speed-up vs serial | failed |\n|---|---|---|---|---|---|---|---|"
    )
    for executor, workers, n, clock, failed in rows:
        rate = n / clock["seconds"]
        up = f"{rate / serial:.2f}" if serial else "-"
        print(
            f"| {executor} | {workers} | {n} | {clock['startup']:.1f} | {clock['seconds']:.1f} "
            f"| {rate:.2f} | {up} | {failed} |"
        )
    first = next(iter(tables.values()))
    same = all(_same(first, other) for other in tables.values())
    print(f"same outcomes on every executor: {'yes' if same else 'NO'}")
    if args.peer:
        peer(args)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    columns = ["experiment_id", *OUTCOME_COLUMNS, "error"]
    return a[columns].reset_index(drop=True).equals(b[columns].reset_index(drop=True))


def peer(args: argparse.Namespace) -> None:
    Path("benchmarks/results").mkdir(parents=True, exist_ok=True)
    files = {who: f"benchmarks/results/ensemble-{who}-outcomes.parquet" for who in ("ours", "peer")}
    found = {who: in_child(args, who, args.futures, files[who]) for who in ("ours", "peer")}
    print(
        "\npeer, each in a fresh process after the same warm-up, serial, the same futures:\n"
        "| runner | experiments | seconds | experiments/s | RSS before MiB | peak RSS MiB "
        "| failed |\n|---|---|---|---|---|---|---|"
    )
    names = {
        "ours": "counterflow.explore, serial",
        "peer": "ema_workbench perform_experiments, SequentialEvaluator",
    }
    for who, row in found.items():
        print(
            f"| {names[who]} | {row['experiments']} | {row['seconds']:.1f} "
            f"| {row['experiments'] / row['seconds']:.2f} | {row['rss_before_mib']:.0f} "
            f"| {row['peak_mib']:.0f} | {row['failed']} |"
        )
    ratio = found["peer"]["seconds"] / found["ours"]["seconds"]
    print(f"throughput ratio counterflow / EMA Workbench: {ratio:.2f}")
    keys = ["future_id", "strategy"]
    ours = pd.read_parquet(files["ours"]).sort_values(keys).reset_index(drop=True)
    theirs = pd.read_parquet(files["peer"]).sort_values(keys).reset_index(drop=True)
    a = ours[list(OUTCOME_COLUMNS)].to_numpy(dtype=np.float64)
    b = theirs[list(OUTCOME_COLUMNS)].to_numpy(dtype=np.float64)
    agree = ours[keys].equals(theirs[keys]) and np.allclose(a, b, equal_nan=True, rtol=1e-9)
    print(f"same outcomes as counterflow (NaN where failed): {'yes' if agree else 'NO'}")


def memory(args: argparse.Namespace, scenario: Scenario) -> None:
    print(header("explore driver memory (serial, fresh process per size)", scenario), flush=True)
    who = ["ours", "peer"] if args.peer else ["ours"]
    print(
        "| runner | futures | experiments | seconds | RSS before MiB | peak RSS MiB | failed |\n"
        "|---|---|---|---|---|---|---|"
    )
    for size in args.sizes:
        for w in who:
            row = in_child(args, w, size)
            print(
                f"| {w} | {size:,} | {row['experiments']:,} | {row['seconds']:.0f} "
                f"| {row['rss_before_mib']:.0f} | {row['peak_mib']:.0f} | {row['failed']} |",
                flush=True,
            )


def ranking(args: argparse.Namespace) -> None:
    """The same futures at ``full`` precision and at ``ensemble`` precision with each of
    ``--gaps``: is each future's ranking of strategies kept?"""
    runs: dict[str, pd.DataFrame] = {}
    seconds: dict[str, float] = {}
    settings = [("full", None)] + [("ensemble", gap) for gap in args.gaps]
    for precision, gap in settings:
        values = precision_parameters(precision)
        if gap is not None:
            values["solver.gap"] = gap
        scenario = build_scenario(args.months, args.replications, args.strategies, precision)
        scenario = scenario.with_overrides(parameters={**scenario.parameters, **values})
        if not runs:
            print(header(f"ranking at ensemble against full precision, {args.ranking} futures",
                         scenario), flush=True)  # fmt: skip
        frame, clock = run_ours(
            scenario, args.ranking, "processes", args.workers, scenario.with_overrides(months=1)
        )
        name = f"gap {values['solver.gap']:g}, supply step {values['solver.supply_step']:g}"
        runs[name], seconds[name] = frame, clock["seconds"]
        print(
            f"{precision}, {name}: {len(frame)} experiments in {clock['seconds']:.1f} s on "
            f"{args.workers} workers ({len(frame) / clock['seconds']:.2f}/s), "
            f"{int(frame['error'].notna().sum())} failed",
            flush=True,
        )
    Path("benchmarks/results").mkdir(parents=True, exist_ok=True)
    full_name = next(iter(runs))
    for name, frame in runs.items():
        frame.to_parquet(
            f"benchmarks/results/ranking-{name.replace(' ', '').replace(',', '-')}.parquet"
        )
        if name != full_name:
            faster = seconds[full_name] / seconds[name]
            print(f"\n### {name} against {full_name}: {faster:.2f} times faster")
            print_ranking(frame, runs[full_name])


def print_ranking(fast: pd.DataFrame, full: pd.DataFrame) -> None:
    """Per ranked outcome: futures ranked alike at both precisions; the swaps and their gaps.

    Futures where an experiment failed (the same at both precisions: the failures come from
    the future's parameters) are left out and counted.
    """
    ranked = [o for o in OUTCOME_COLUMNS if SENSE.get(o, "none") != "none"]
    failed = set(full.loc[full["error"].notna(), "future_id"]) | set(
        fast.loc[fast["error"].notna(), "future_id"]
    )
    futures = sorted(set(full["future_id"]) - failed)
    print(
        f"{len(failed)} futures left out (an experiment failed); {len(futures)} compared\n"
        "| outcome | futures with the same ranking | largest change of a value "
        "| swaps (future: strategies, their gap at full precision) |\n|---|---|---|---|"
    )
    for outcome in ranked:
        same, swaps, change = 0, [], 0.0
        for future in futures:
            a = fast[fast["future_id"] == future].set_index("strategy")[outcome]
            b = full[full["future_id"] == future].set_index("strategy")[outcome]
            change = max(change, float((a - b[a.index]).abs().max()))
            swapped = [
                (s, t, abs(b[s] - b[t]))
                for i, s in enumerate(b.index)
                for t in b.index[i + 1 :]
                if np.sign(a[s] - a[t]) != np.sign(b[s] - b[t])
            ]
            if swapped:
                swaps += [f"{future}: {s} / {t}, {gap:.3g}" for s, t, gap in swapped]
            else:
                same += 1
        print(
            f"| {outcome} | {same} of {len(futures)} | {change:.3g} | {'; '.join(swaps) or '-'} |"
        )


# -- the command line ---------------------------------------------------------------------------


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--futures", type=int, default=16)
    parser.add_argument("--months", type=int, default=None, help="default 24 (1 with --memory)")
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--strategies", default=None, help="ids, comma-separated")
    parser.add_argument("--executors", default=",".join(EXECUTORS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peer", action="store_true", help="EMA Workbench beside it")
    parser.add_argument("--memory", action="store_true", help="driver peak memory per size")
    parser.add_argument("--sizes", default="200,2000", help="--memory: futures per run")
    parser.add_argument("--precision", choices=tuple(PRECISIONS), default="ensemble")
    parser.add_argument("--ranking", type=int, default=0, help="futures to rank at both precisions")
    parser.add_argument("--gaps", default="1e-5", help="--ranking: ensemble gaps to check")
    parser.add_argument("--child", choices=("ours", "peer"), help=argparse.SUPPRESS)
    parser.add_argument("--outcomes", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.futures < 1:
        fail(f"--futures {args.futures}: give at least 1")
    if args.replications != 1:
        fail(f"--replications {args.replications}: the benchmark runs 1 replication")
    if args.workers < 1:
        fail(f"--workers {args.workers}: give at least 1")
    if args.months is None:
        args.months = 1 if args.memory else 24
    if args.months < 1:
        fail(f"--months {args.months}: give at least 1")
    try:
        args.gaps = [float(g) for g in args.gaps.split(",")]
    except ValueError:
        fail(f"--gaps {args.gaps}: give relative gaps, comma-separated")
    args.executors = [e.strip() for e in args.executors.split(",") if e.strip()]
    for executor in args.executors:
        if executor not in EXECUTORS:
            fail(f"--executors: unknown {executor!r}; use {', '.join(EXECUTORS)}")
    try:
        args.sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        fail(f"--sizes {args.sizes}: give counts of futures, comma-separated")
    if not args.sizes or min(args.sizes) < 1:
        fail(f"--sizes {','.join(map(str, args.sizes))}: give counts of at least 1")
    if args.strategies is not None:
        args.strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    elif args.memory:
        args.strategies = list(MEMORY_STRATEGIES)
    if args.peer:
        import importlib.util

        if importlib.util.find_spec("ema_workbench") is None:
            fail(
                "--peer needs the package ema-workbench 2.5: pip install 'ema-workbench>=2.5,<2.6'"
            )
    if "dask" in args.executors and not args.memory and args.child is None:
        try:
            make_evaluator("dask", workers=args.workers)
        except InputError as error:
            fail(str(error))
    return args


def main() -> None:
    try:
        args = parse()
        scenario = build_scenario(args.months, args.replications, args.strategies, args.precision)
    except ArgumentError as error:
        print(f"ensemble.py: {error}", file=sys.stderr)
        sys.exit(2)
    if args.ranking:
        ranking(args)
    elif args.child:
        child(args, scenario)
    elif args.memory:
        memory(args, scenario)
    else:
        throughput(args, scenario)


if __name__ == "__main__":
    main()
