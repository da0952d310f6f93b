"""Evaluators: run a model over experiments behind one small interface.

The shape follows EMA Workbench's ``BaseEvaluator`` / ``SequentialEvaluator``
(``ema_workbench/em_framework/evaluators.py``).

An evaluator is a context manager (set-up and tear-down of whatever runs the experiments) with
one method, :meth:`Evaluator.evaluate`, that runs the model on each experiment and hands each
result to a callback as it arrives. The serial evaluator is a loop; the process-pool and Dask
evaluators of exploration plug into the same interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Self, TypeVar

__all__ = ["Evaluator", "Experiment", "SerialEvaluator"]

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
