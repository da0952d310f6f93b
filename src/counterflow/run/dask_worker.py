"""The Dask side of :class:`~counterflow.run.cluster.DaskEvaluator`: plugin, task, connection.

This module imports ``distributed`` (the ``dask`` extra): only the Dask evaluator imports it,
when it starts. What runs on a worker is here and module-level, so a worker finds it by name
(every worker needs counterflow installed, in the version of the client).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from distributed import Client, Future, LocalCluster, Worker, WorkerPlugin, get_worker, wait

from counterflow.errors import InputError
from counterflow.run.evaluators import Chunk, Experiment, run_chunk

__all__ = ["ModelPlugin", "connect", "first_done", "run_chunk_on_worker"]


class ModelPlugin(WorkerPlugin):
    """Brings the model (with its prepared context) to every worker, once, under ``name``.

    Registered on the scheduler (``Client.register_plugin``), so a worker that joins later —
    or one the nanny restarts after it died — gets it as well. Each worker keeps its own copy
    and its world caches for all the chunks it runs.
    """

    def __init__(self, model: Callable[[Experiment], Any]) -> None:
        self.model = model

    def setup(self, worker: Worker) -> None:
        """Nothing to do: the model came with the plugin (numba's threads: ``run_chunk``)."""


def run_chunk_on_worker(name: str, chunk: Chunk) -> tuple[list[Any], float]:
    """A worker's task: run one chunk with the model of the plugin registered as ``name``."""
    plugin = get_worker().plugins[name]
    if not isinstance(plugin, ModelPlugin):
        raise TypeError(f"worker plugin {name!r} is not counterflow's model")
    return run_chunk(plugin.model, chunk)


def first_done(tasks: list[Future[Any]]) -> set[Future[Any]]:
    """Wait until at least one task has finished; the finished ones."""
    done: set[Future[Any]] = wait(tasks, return_when="FIRST_COMPLETED").done  # type: ignore[no-untyped-call]
    return done


def connect(
    scheduler: str | None, workers: int, timeout_s: float
) -> tuple[Client, LocalCluster | None]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers``.

    The local cluster has one process per worker, one thread each, numba on one thread
    (``NUMBA_NUM_THREADS``, set before numba loads) and no dashboard.

    Raises:
        InputError: No scheduler answers at the address within ``timeout_s`` (``--scheduler``).
    """
    if scheduler is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env={"NUMBA_NUM_THREADS": "1"},
        )
        return Client(cluster), cluster  # type: ignore[no-untyped-call]
    try:
        return Client(scheduler, timeout=timeout_s), None  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError):
        raise InputError(
            f"no Dask scheduler answers at {scheduler!r} within {timeout_s:g} s: check the "
            "address (tcp://host:8786), or leave --scheduler out for a local cluster",
            key="--scheduler",
        ) from None
