"""The process-pool evaluator: chunks of experiments on worker processes of this machine.

The standard library's :class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn``
start method (the same on Linux, macOS and Windows; no forked copy of a parent's threads).
Each worker receives the model once, when it starts (:func:`_start_worker`), keeps it — and
its world caches — for every chunk it runs, and runs numba on one thread
(:func:`~counterflow.run.evaluators.run_chunk`); the JIT cache (``NUMBA_CACHE_DIR``) comes with
the environment. The task functions are module-level, so ``spawn`` finds them by name; the
model must be picklable (:class:`~counterflow.run.StrategyModel` is).

A task's error reaches the caller as itself (its type and message; the worker's traceback is
its ``__cause__``). An interrupted run (``KeyboardInterrupt``, or any other error) cancels the
chunks not yet started and ends the workers at once; the workers ignore ``SIGINT`` themselves,
so Ctrl-C at a terminal stops the run from this process only.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Self

from counterflow.run.evaluators import (
    Chunk,
    Evaluator,
    Experiment,
    Outcome,
    chunks_for,
    evaluate_in_chunks,
    run_chunk,
)

__all__ = ["ProcessPoolEvaluator"]

_WORKER: dict[str, Callable[[Experiment], Any]] = {}
"""The model of this worker process (set once by :func:`_start_worker`; empty in the parent)."""


def _start_worker(model: Callable[[Experiment], Any]) -> None:
    """A worker's set-up: keep the model; leave ``SIGINT`` to the parent process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["model"] = model


def _run_chunk(chunk: Chunk) -> tuple[list[Any], float]:
    """A worker's task: run one chunk with the worker's model."""
    return run_chunk(_WORKER["model"], chunk)


def _first_done(tasks: list[Future[tuple[list[Any], float]]]) -> set[Future[Any]]:
    """Wait until at least one task has finished; the finished ones."""
    return wait(tasks, return_when=FIRST_COMPLETED).done


class ProcessPoolEvaluator(Evaluator[Outcome]):
    """Runs chunks of experiments on ``workers`` processes of this machine (module docstring).

    Args:
        model: The model (picklable): ``model(experiment) -> outcome``.
        workers: Worker processes (default: one per core).
        chunk_size: Experiments per chunk (default: about
            :data:`~counterflow.run.evaluators.TARGET_CHUNK_SECONDS` of work each, measured).
    """

    def __init__(
        self,
        model: Callable[[Experiment], Outcome],
        *,
        workers: int | None = None,
        chunk_size: int | None = None,
    ) -> None:
        super().__init__(model)
        self.workers = workers or os.cpu_count() or 1
        self.chunk_size = chunk_size
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Self:
        """Start the pool (its processes start with the first chunks)."""
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.model,),
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Shut the pool down: after the last chunk, or at once (workers ended) after an error."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if error is not None:
            # End the workers first, then let the pool's own thread reap them (joining them
            # here as well would race it for their exit status): none outlives the evaluator.
            for process in list((pool._processes or {}).values()):  # noqa: SLF001 - 3.11: no API
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)

    def evaluate(
        self,
        experiments: Iterable[Experiment],
        callback: Callable[[Experiment, Outcome], None],
    ) -> None:
        """Run every experiment in chunks on the workers; results reach ``callback`` here."""
        pool = self._pool
        if pool is None:
            raise RuntimeError("use the evaluator in a with block: with ProcessPoolEvaluator(...)")
        evaluate_in_chunks(
            chunks_for(experiments, self.model, self.chunk_size),
            lambda chunk: pool.submit(_run_chunk, chunk),
            _first_done,
            callback,
            window=2 * self.workers,
        )
