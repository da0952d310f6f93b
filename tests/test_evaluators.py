"""Evaluators: chunks, the process pool and Dask give the serial numbers, errors and interrupts.

The parallel runs use a small built-in scenario (three strategies, one of them removing
leaders with random draws; three months; three replications). Toy models here are
module-level classes, so spawned workers find them by name (a local Dask cluster's workers
get this process's ``sys.path`` too).
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import multiprocessing
import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from counterflow.errors import InputError
from counterflow.model import Results, RunResult, prepare
from counterflow.run import (
    DaskEvaluator,
    Experiment,
    ProcessPoolEvaluator,
    StrategyModel,
    compare,
    experiments_of,
    make_evaluator,
)
from counterflow.run.evaluators import MAX_CHUNK, Chunks
from counterflow.scenario import Scenario, load_scenario

needs_dask = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None, reason="the 'dask' extra is not installed"
)

STRATEGIES = ("status-quo", "precursor-controls", "joint-capture-with-consent")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """Three strategies (one with leadership removal), 3 months, 3 replications."""
    full = load_scenario()
    kept = [s.model_dump(mode="python") for s in full.strategy if s.id in STRATEGIES]
    return full.with_overrides(months=3, replications=3, strategy=kept)


@pytest.fixture(scope="module")
def serial(scenario: Scenario) -> Results:
    return compare(scenario)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A local Dask cluster that tests join by its scheduler's address (``--scheduler``)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as running:
        yield running


class Echo:
    """A toy model: the experiment back, after ``seconds``; an error for ``fail``."""

    def __init__(self, seconds: float = 0.0, fail: str | None = None) -> None:
        self.seconds = seconds
        self.fail = fail

    def __call__(self, experiment: Experiment) -> Experiment:
        if experiment.strategy == self.fail:
            raise InputError(f"no such thing as {experiment.strategy}", key="strategy")
        time.sleep(self.seconds)
        return experiment


class Slow:
    """The real model, slowed down so that a worker dies in the middle of a chunk."""

    def __init__(self, model: StrategyModel, seconds: float) -> None:
        self.model = model
        self.seconds = seconds

    def __call__(self, experiment: Experiment) -> RunResult:
        time.sleep(self.seconds)
        return self.model(experiment)


def interleaved(strategies: int, replications: int) -> list[Experiment]:
    """Experiments replication by replication, strategies interleaved (as an ensemble may list them)."""
    return [Experiment(f"s{s}", r) for r in range(replications) for s in range(strategies)]


# -- chunks ------------------------------------------------------------------------------------


def test_chunks_group_by_strategy_keep_order_and_miss_nothing() -> None:
    experiments = interleaved(3, 10)
    chunks = Chunks(experiments, size=4)
    seen = list(iter(chunks.next, None))
    assert all(len({e.strategy for e in chunk}) == 1 for chunk in seen)
    assert all(1 <= len(chunk) <= 4 for chunk in seen)
    assert sorted(e for chunk in seen for e in chunk) == sorted(experiments)
    for strategy in ("s0", "s1", "s2"):
        mine = [e.replication for chunk in seen for e in chunk if e.strategy == strategy]
        assert mine == list(range(10))
    with pytest.raises(ValueError, match="at least 1"):
        Chunks(experiments, size=0)


def test_chunks_grow_to_the_target_once_timed() -> None:
    chunks = Chunks([Experiment("cheap", r) for r in range(1000)] + interleaved(1, 5))
    first = chunks.next()
    assert first == [Experiment("cheap", 0)]  # untimed: one experiment, a probe
    chunks.timed(first, 0.001)  # 1 ms each: 2000 fit the 2 s target, MAX_CHUNK at most
    assert len(chunks.next() or []) == MAX_CHUNK
    assert chunks.size("s0") == 1
    chunks.timed([Experiment("s0", 0)], 0.5)
    assert chunks.size("s0") == 4


def test_chunks_read_the_experiments_lazily() -> None:
    endless = (Experiment(f"s{n % 2}", n) for n in itertools.count())
    chunks = Chunks(endless, size=3)
    assert chunks.next() == [Experiment("s0", 0), Experiment("s0", 2), Experiment("s0", 4)]


# -- the command line's choice -----------------------------------------------------------------


def test_make_evaluator_checks_its_input(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="serial, processes, dask") as error:
        make_evaluator("threads")
    assert error.value.key == "--executor"
    with pytest.raises(InputError) as error:
        make_evaluator("processes", workers=0)
    assert error.value.key == "--workers"
    with pytest.raises(InputError) as error:
        make_evaluator("serial", scheduler="tcp://127.0.0.1:8786")
    assert error.value.key == "--scheduler"
    factory = make_evaluator("processes", workers=2)
    assert isinstance(factory(Echo()), ProcessPoolEvaluator)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "distributed" else real(name)
    )
    with pytest.raises(InputError, match=r"pip install 'counterflow\[dask\]'") as error:
        make_evaluator("dask")
    assert error.value.key == "--executor"
    with pytest.raises(InputError, match="dask"), DaskEvaluator(Echo()):
        pass


# -- the same numbers everywhere ---------------------------------------------------------------


def test_the_process_pool_gives_the_serial_numbers(scenario: Scenario, serial: Results) -> None:
    pooled = compare(scenario, evaluator=make_evaluator("processes", workers=2))
    assert pooled.equals(serial)


@needs_dask
def test_a_local_dask_cluster_gives_the_serial_numbers(scenario: Scenario, serial: Results) -> None:
    spread = compare(scenario, evaluator=functools.partial(DaskEvaluator, workers=2))
    assert spread.equals(serial)


# -- errors and interrupts ---------------------------------------------------------------------


def test_a_task_error_reaches_the_caller_as_itself() -> None:
    before = set(multiprocessing.active_children())
    experiments = [*interleaved(2, 4), Experiment("bad", 0)]
    with (
        pytest.raises(InputError, match="no such thing as bad") as error,
        ProcessPoolEvaluator(Echo(fail="bad"), workers=2) as pool,
    ):
        pool.evaluate(experiments, lambda experiment, outcome: None)
    assert error.value.key == "strategy"
    assert set(multiprocessing.active_children()) <= before  # no worker outlives the pool


def test_an_interrupt_ends_the_pool_at_once() -> None:
    before = set(multiprocessing.active_children())
    started = time.perf_counter()

    def interrupt(experiment: Experiment, outcome: Any) -> None:
        raise KeyboardInterrupt

    with (
        pytest.raises(KeyboardInterrupt),
        ProcessPoolEvaluator(Echo(seconds=0.5), workers=2, chunk_size=2) as pool,
    ):
        pool.evaluate(interleaved(2, 40), interrupt)  # 20 s of work on two workers
    assert time.perf_counter() - started < 10  # the start-up, one chunk, the shut-down
    assert set(multiprocessing.active_children()) <= before  # no worker outlives the pool


def test_a_joined_cluster_raises_the_task_error(scenario: Scenario, cluster: Any) -> None:
    model = StrategyModel(prepare(scenario))
    with (
        pytest.raises(KeyError, match="no-such-strategy"),
        DaskEvaluator(model, scheduler=cluster.scheduler_address) as dask,
    ):
        dask.evaluate([Experiment("no-such-strategy", 0)], lambda experiment, outcome: None)


@needs_dask
def test_a_scheduler_that_does_not_answer_is_an_input_error() -> None:
    with socket.socket() as probe:  # a free port: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    with (
        pytest.raises(InputError, match="no Dask scheduler answers") as error,
        DaskEvaluator(Echo(), scheduler=f"tcp://127.0.0.1:{port}", connect_timeout_s=1),
    ):
        pass
    assert error.value.key == "--scheduler"
    assert "\n" not in str(error.value)
    assert time.perf_counter() - started < 10


def test_a_worker_killed_after_the_first_chunk_loses_nothing(
    scenario: Scenario, serial: Results, cluster: Any
) -> None:
    made: list[DaskEvaluator[RunResult]] = []
    calls: Counter[Experiment] = Counter()
    killed: list[str] = []
    lost: list[int] = []

    def evaluator(model: StrategyModel) -> DaskEvaluator[RunResult]:
        slow = Slow(model, seconds=0.3)  # a worker dies while it runs a chunk
        made.append(DaskEvaluator(slow, scheduler=cluster.scheduler_address, chunk_size=1))
        return made[-1]

    def progress(done: int, total: int, experiment: Experiment) -> None:
        calls[experiment] += 1
        if done == 1:  # after the first chunk: end a worker that is running one
            client = made[0].client
            held = client.processing()  # chunks running or queued, by worker
            killed.append(max(held, key=lambda worker: len(held[worker])))
            lost.append(len(held[killed[0]]))
            pids = client.run(os.getpid, workers=killed)
            os.kill(pids[killed[0]], signal.SIGKILL)

    results = compare(scenario, progress=progress, evaluator=evaluator)
    assert lost[0] > 0  # the killed worker held chunks: Dask ran them again elsewhere
    assert calls == Counter(experiments_of(scenario))  # every experiment, exactly once
    assert results.equals(serial)


def test_compare_on_the_command_line_with_a_process_pool(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """``counterflow compare --executor processes``: the same results.csv as the serial run."""
    import tomllib

    from counterflow.cli import main
    from counterflow.scenario import builtin_scenario_path

    source = builtin_scenario_path().read_text(encoding="utf-8")
    blocks = source[source.index("[[strategy]]") :].split("[[strategy]]")
    kept = [b for b in blocks if b.strip() and tomllib.loads(b)["id"] in STRATEGIES]
    file = tmp_path / "three.toml"
    file.write_text(
        'name = "three"\nmonths = 3\nreplications = 3\n\n'
        + "".join(f"[[strategy]]{block}" for block in kept),
        encoding="utf-8",
    )
    found = {}
    for executor in ("serial", "processes"):
        out = tmp_path / executor
        arguments = ["compare", str(file), "--out", str(out), "--executor", executor]
        if executor == "processes":
            arguments += ["--workers", "2"]
        assert main(arguments) == 0, capsys.readouterr().err
        found[executor] = (out / "results.csv").read_bytes()
    assert found["processes"] == found["serial"]
    assert main(["compare", str(file), "--executor", "mpi", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("counterflow: error: --executor: unknown executor 'mpi'")
    assert not (tmp_path / "x").exists()
