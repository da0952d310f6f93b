"""Evaluators: run a model over experiments behind one small interface.

The shape follows EMA Workbench's ``BaseEvaluator`` / ``SequentialEvaluator``
(``ema_workbench/em_framework/evaluators.py``).

An evaluator is a context manager (set-up and tear-down of whatever runs the experiments) with
one method, :meth:`Evaluator.evaluate`, that runs the model on each experiment and hands each
result to a callback as it arrives:

* :class:`SerialEvaluator` — a loop in this process (the default of :func:`~counterflow.compare`);
* :class:`~counterflow.run.pool.ProcessPoolEvaluator` — worker processes of this machine;
* :class:`~counterflow.run.cluster.DaskEvaluator` — the workers of a Dask cluster, local or
  joined by its scheduler's address.

The parallel evaluators send :class:`Chunks` of experiments (one strategy each, about
:data:`TARGET_CHUNK_SECONDS` of work), so scheduling stays small against work, and hand each
chunk's results to the callback in this process as chunks finish. Results do not depend on the
evaluator, the number of workers or the chunks: every random draw is keyed by the experiment
(DESIGN.md, "Randomness") and every solved world by its key (:mod:`counterflow.model.worlds`).
:func:`make_evaluator` makes one from the command line's ``--executor``, ``--workers`` and
``--scheduler``.
"""

from __future__ import annotations

import importlib.util
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from counterflow.errors import InputError

__all__ = [
    "EXECUTORS",
    "Chunks",
    "Evaluator",
    "EvaluatorFactory",
    "Experiment",
    "SerialEvaluator",
    "evaluate_in_chunks",
    "make_evaluator",
    "run_chunk",
]

Outcome = TypeVar("Outcome")


@dataclass(frozen=True, order=True)
class Experiment:
    """One run of one strategy: the future (0 for a comparison) and the replication.

    Random draws depend on ``(future, replication)``, never on the strategy, so every strategy
    meets the same draws (common random numbers; DESIGN.md, "Randomness").
    """

    strategy: str
    replication: int
    future: int = 0


class Evaluator(ABC, Generic[Outcome]):
    """Runs ``model(experiment)`` for each experiment; use it as a context manager."""

    def __init__(self, model: Callable[[Experiment], Outcome]) -> None:
        self.model = model

    def __enter__(self) -> Self:
        """Set up what runs the experiments (nothing for the serial evaluator)."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Tear down what :meth:`__enter__` set up."""

    @abstractmethod
    def evaluate(
        self,
        experiments: Iterable[Experiment],
        callback: Callable[[Experiment, Outcome], None],
    ) -> None:
        """Run every experiment and call ``callback(experiment, outcome)`` for each."""


class SerialEvaluator(Evaluator[Outcome]):
    """Runs the experiments one after another in this process, in the order given.

    Order matters for speed only: a model may warm-start an experiment from the previous one
    of the same strategy.
    """

    def evaluate(
        self,
        experiments: Iterable[Experiment],
        callback: Callable[[Experiment, Outcome], None],
    ) -> None:
        """Run every experiment in order and hand each result to ``callback``."""
        for experiment in experiments:
            callback(experiment, self.model(experiment))


# -- chunks: what the parallel evaluators send to a worker ------------------------------------

TARGET_CHUNK_SECONDS = 2.0  # issue 33: chunks of >= 2 s of work keep scheduling small against work
MAX_CHUNK = 512  # experiments per chunk at most (a chunk's outcomes travel back in one message)
READ_AHEAD = 10_000  # experiments read ahead of the chunks, to group them by strategy
Chunk = list[Experiment]


class Chunks:
    """Experiments grouped by strategy into chunks of about :data:`TARGET_CHUNK_SECONDS` of work.

    A worker keeps its model (and its world caches) between chunks, so a chunk of one strategy
    reuses the worlds its first experiment solved. With ``size`` given every chunk has that many
    experiments (the last of a strategy fewer); otherwise a strategy's chunks hold one
    experiment until one has been timed (:meth:`timed`), then as many as fit the target at the
    strategy's latest seconds per experiment. Experiments are read lazily, at most
    :data:`READ_AHEAD` ahead, so a long stream of experiments is never held whole.
    """

    def __init__(
        self,
        experiments: Iterable[Experiment],
        size: int | None = None,
        *,
        key: Callable[[Experiment], Hashable] | None = None,
    ) -> None:
        if size is not None and size < 1:
            raise ValueError(f"a chunk holds at least 1 experiment, not {size}")
        self._source: Iterator[Experiment] = iter(experiments)
        self._size = size
        self._key = key if key is not None else _by_strategy
        self._waiting: dict[Hashable, deque[Experiment]] = {}
        self._seconds: dict[Hashable, float] = {}
        self._buffered = 0
        self._exhausted = False

    def size(self, group: Hashable) -> int:
        """How many of a group's experiments (a strategy's, by default) the next chunk holds."""
        if self._size is not None:
            return self._size
        seconds = self._seconds.get(group)
        if seconds is None:
            return 1
        return max(1, min(MAX_CHUNK, int(TARGET_CHUNK_SECONDS / max(seconds, 1e-9))))

    def timed(self, chunk: Sequence[Experiment], seconds: float) -> None:
        """Record how long a chunk took on its worker (it sizes the strategy's next chunks)."""
        self._seconds[self._key(chunk[0])] = seconds / len(chunk)

    def next(self) -> Chunk | None:
        """The next chunk (experiments of one strategy, in the order given), or ``None``."""
        ready = next((s for s, q in self._waiting.items() if len(q) >= self.size(s)), None)
        while ready is None and not self._exhausted and self._buffered < READ_AHEAD:
            experiment = next(self._source, None)
            if experiment is None:
                self._exhausted = True
                break
            group = self._key(experiment)
            queue = self._waiting.setdefault(group, deque())
            queue.append(experiment)
            self._buffered += 1
            if len(queue) >= self.size(group):
                ready = group
        if ready is None:  # the stream has ended (or the read-ahead is full): flush in order
            ready = next(iter(self._waiting), None)
            if ready is None:
                return None
        queue = self._waiting[ready]
        chunk = [queue.popleft() for _ in range(min(len(queue), self.size(ready)))]
        if not queue:
            del self._waiting[ready]
        self._buffered -= len(chunk)
        return chunk


def _by_strategy(experiment: Experiment) -> Hashable:
    return experiment.strategy


def chunks_for(experiments: Iterable[Experiment], model: object, size: int | None = None) -> Chunks:
    """The chunks of ``experiments`` for ``model``, in the model's own grouping if it has one.

    A model that prepares something per group of experiments (exploration prepares one context
    per future) says so with a ``chunk_key`` attribute (experiment -> group) and, optionally, a
    ``chunk_size``, so that a chunk holds one group and a worker prepares it once. Without
    them, chunks hold one strategy's experiments. An evaluator's explicit ``size`` wins.
    """
    key = getattr(model, "chunk_key", None)
    own = getattr(model, "chunk_size", None)
    return Chunks(experiments, size if size is not None else own, key=key)


def run_chunk(model: Callable[[Experiment], Outcome], chunk: Chunk) -> tuple[list[Outcome], float]:
    """Run a chunk's experiments in order on one numba thread: their outcomes and the seconds.

    Called on a worker. numba's thread count is per thread, so it is set here, in the thread
    that runs the chunk (``numba.set_num_threads``): parallel workers share the cores, and the
    kernels give the same numbers on any number of threads (``counterflow.assign._kernels``).
    """
    import numba  # noqa: PLC0415 - the package imports numba anyway; only workers need it here

    numba.set_num_threads(1)
    start = time.perf_counter()
    outcomes = [model(experiment) for experiment in chunk]
    return outcomes, time.perf_counter() - start


class Pending(Protocol):
    """A submitted chunk: a ``concurrent.futures.Future`` or a ``distributed.Future``."""

    def result(self) -> tuple[list[Any], float]:
        """The chunk's outcomes and seconds (raises the task's own error)."""
        ...

    def cancel(self) -> object:
        """Cancel it if it has not run (what it returns differs between the two)."""
        ...


Task = TypeVar("Task", bound=Pending)


def evaluate_in_chunks(
    chunks: Chunks,
    submit: Callable[[Chunk], Task],
    first_done: Callable[[list[Task]], Iterable[Task]],
    callback: Callable[[Experiment, Outcome], None],
    *,
    window: int,
) -> None:
    """Submit chunks (at most ``window`` at a time) and hand out results as chunks finish.

    ``submit`` starts a chunk on a worker, ``first_done`` waits until at least one of the
    pending chunks has finished and returns the finished ones. Each chunk's results reach the
    callback once, in the chunk's order, in this process. On any error (a task's, the
    callback's, ``KeyboardInterrupt``) the chunks not yet started are cancelled and the error
    goes on, unchanged.
    """
    pending: dict[Task, Chunk] = {}
    try:
        while True:
            while len(pending) < window and (chunk := chunks.next()) is not None:
                pending[submit(chunk)] = chunk
            if not pending:
                return
            for task in first_done(list(pending)):
                chunk = pending.pop(task)
                outcomes, seconds = task.result()
                chunks.timed(chunk, seconds)
                for experiment, outcome in zip(chunk, outcomes, strict=True):
                    callback(experiment, outcome)
    except BaseException:
        for task in pending:
            task.cancel()
        raise


# -- the command line's choice ----------------------------------------------------------------

EXECUTORS = ("serial", "processes", "dask")
"""The evaluators ``--executor`` names: this process, a process pool, a Dask cluster."""


@dataclass(frozen=True)
class EvaluatorFactory:
    """The evaluator :func:`make_evaluator` checked, made from a model (``compare(evaluator=)``)."""

    kind: str
    workers: int | None = None
    scheduler: str | None = None
    chunk_size: int | None = None

    def __call__(self, model: Callable[[Experiment], Outcome]) -> Evaluator[Outcome]:
        """The evaluator of this kind for ``model``."""
        if self.kind == "processes":
            from counterflow.run.pool import ProcessPoolEvaluator  # noqa: PLC0415 - a cycle

            return ProcessPoolEvaluator(model, workers=self.workers, chunk_size=self.chunk_size)
        if self.kind == "dask":
            from counterflow.run.cluster import DaskEvaluator  # noqa: PLC0415 - a cycle

            return DaskEvaluator(
                model,
                scheduler=self.scheduler,
                workers=self.workers,
                chunk_size=self.chunk_size,
            )
        return SerialEvaluator(model)


def make_evaluator(
    kind: str, *, workers: int | None = None, scheduler: str | None = None
) -> EvaluatorFactory:
    """Check ``--executor``, ``--workers`` and ``--scheduler`` and make the evaluator's factory.

    Args:
        kind: ``serial``, ``processes`` or ``dask`` (:data:`EXECUTORS`).
        workers: Worker processes (default: one per core; ignored by ``serial``; with
            ``scheduler``, the cluster's own workers are used).
        scheduler: A Dask scheduler's address (``tcp://host:8786``) to join instead of
            starting a local cluster; ``dask`` only.

    Raises:
        InputError: An unknown kind, fewer than one worker, a scheduler without ``dask``, or
            ``dask`` without the ``dask`` extra installed.
    """
    if kind not in EXECUTORS:
        raise InputError(
            f"unknown executor {kind!r}: use one of {', '.join(EXECUTORS)}", key="--executor"
        )
    if workers is not None and workers < 1:
        raise InputError(f"needs at least 1 worker, got {workers}", key="--workers")
    if scheduler is not None and kind != "dask":
        raise InputError(
            "a scheduler address joins a Dask cluster: use it with --executor dask",
            key="--scheduler",
        )
    if kind == "dask":
        require_dask()
    return EvaluatorFactory(kind, workers=workers, scheduler=scheduler)


def require_dask() -> None:
    """Raise the one-line error that names the extra when ``dask.distributed`` is missing."""
    if importlib.util.find_spec("distributed") is None:
        raise InputError(
            "--executor dask needs the 'dask' extra: pip install 'counterflow[dask]'",
            key="--executor",
        )
