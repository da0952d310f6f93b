"""The Dask evaluator: chunks of experiments on the workers of a Dask cluster.

``dask.distributed`` is an optional extra (``pip install 'counterflow[dask]'``), imported only
when the evaluator starts (:mod:`counterflow.run.dask_worker`). With ``scheduler`` (an address
such as ``tcp://10.0.0.5:8786``) the evaluator joins a running cluster — one started by
``dask scheduler`` and ``dask worker``, by dask-jobqueue on Slurm or by a Kubernetes
operator; otherwise it starts a ``LocalCluster`` of ``workers`` processes, one thread each, and
closes it at the end. Either way the model reaches each worker once, through a worker plugin
(``Client.register_plugin``), and chunks are sized and handed out as by the process pool
(:func:`~counterflow.run.evaluators.evaluate_in_chunks`).

A worker that dies loses its running chunks; Dask runs them again on another worker, and each
chunk's results reach the callback once. A task's error reaches the caller as itself.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from counterflow.run.evaluators import (
    Evaluator,
    Experiment,
    Outcome,
    chunks_for,
    evaluate_in_chunks,
    require_dask,
)

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

__all__ = ["CONNECT_TIMEOUT_S", "DaskEvaluator"]

CONNECT_TIMEOUT_S = 10.0  # a scheduler that does not answer within this is reported (--scheduler)


class DaskEvaluator(Evaluator[Outcome]):
    """Runs chunks of experiments on a Dask cluster, joined or started here (module docstring).

    Args:
        model: The model (picklable): ``model(experiment) -> outcome``.
        scheduler: The address of a running cluster's scheduler; ``None`` starts a local one.
        workers: Worker processes of the local cluster (default: one per core); ignored when
            joining a cluster, whose workers are its own.
        chunk_size: Experiments per chunk (default: about
            :data:`~counterflow.run.evaluators.TARGET_CHUNK_SECONDS` of work each, measured).
        connect_timeout_s: How long to wait for the scheduler to answer.
    """

    def __init__(
        self,
        model: Callable[[Experiment], Outcome],
        *,
        scheduler: str | None = None,
        workers: int | None = None,
        chunk_size: int | None = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
    ) -> None:
        super().__init__(model)
        self.scheduler = scheduler
        self.workers = workers or os.cpu_count() or 1
        self.chunk_size = chunk_size
        self.connect_timeout_s = connect_timeout_s
        self._name = f"counterflow-model-{uuid.uuid4().hex}"
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None

    @property
    def client(self) -> Client:
        """The Dask client while the evaluator runs (its dashboard, its workers)."""
        if self._client is None:
            raise RuntimeError("use the evaluator in a with block: with DaskEvaluator(...)")
        return self._client

    def __enter__(self) -> Self:
        """Join or start the cluster and bring the model to its workers.

        Raises:
            InputError: ``dask.distributed`` is not installed (``--executor``), or no
                scheduler answers at ``scheduler`` (``--scheduler``).
        """
        require_dask()
        from counterflow.run import dask_worker  # noqa: PLC0415 - the optional extra

        self._client, self._cluster = dask_worker.connect(
            self.scheduler, self.workers, self.connect_timeout_s
        )
        try:
            self._client.register_plugin(dask_worker.ModelPlugin(self.model), name=self._name)
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Take the model off a joined cluster's workers; close the client (and a local cluster)."""
        self._close()

    def _close(self) -> None:
        """Close what :meth:`__enter__` opened, quietly where the cluster is already gone."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            if cluster is None:
                with contextlib.suppress(OSError, TimeoutError, ValueError, KeyError):
                    client.unregister_worker_plugin(self._name)  # type: ignore[no-untyped-call]
            client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()

    def evaluate(
        self,
        experiments: Iterable[Experiment],
        callback: Callable[[Experiment, Outcome], None],
    ) -> None:
        """Run every experiment in chunks on the cluster; results reach ``callback`` here."""
        from counterflow.run import dask_worker  # noqa: PLC0415 - the optional extra

        client = self.client
        threads = sum(client.nthreads().values())  # type: ignore[no-untyped-call]
        keys = (f"counterflow-chunk-{uuid.uuid4().hex}-{n}" for n in range(1 << 62))
        evaluate_in_chunks(
            chunks_for(experiments, self.model, self.chunk_size),
            lambda chunk: client.submit(
                dask_worker.run_chunk_on_worker, self._name, chunk, key=next(keys)
            ),
            dask_worker.first_done,
            callback,
            window=2 * max(1, threads),
        )
