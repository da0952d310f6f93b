"""Running the model: evaluators behind one interface, and the library calls that use them.

* :func:`compare` — every strategy of a scenario in every replication, as :class:`Results`;
* :mod:`~counterflow.run.evaluators` — ``Evaluator.evaluate(experiments, callback)``: serial,
  a process pool (:mod:`~counterflow.run.pool`) or a Dask cluster (:mod:`~counterflow.run.cluster`,
  the ``dask`` extra), the same numbers on each; :func:`make_evaluator` for ``--executor``;
* :func:`save_results` — a results folder with the HTML report, written in one atomic move;
* :func:`estimate_cost` — a high estimate of a comparison's time, memory and output.
"""

from counterflow.run.cluster import DaskEvaluator
from counterflow.run.comparison import Progress, StrategyModel, compare, experiments_of
from counterflow.run.estimate import LIMITS, Cost, CostLimits, estimate_cost
from counterflow.run.evaluators import (
    EXECUTORS,
    Evaluator,
    EvaluatorFactory,
    Experiment,
    SerialEvaluator,
    make_evaluator,
)
from counterflow.run.pool import ProcessPoolEvaluator
from counterflow.run.save import report_files, save_results

__all__ = [
    "EXECUTORS",
    "LIMITS",
    "Cost",
    "CostLimits",
    "DaskEvaluator",
    "Evaluator",
    "EvaluatorFactory",
    "Experiment",
    "ProcessPoolEvaluator",
    "Progress",
    "SerialEvaluator",
    "StrategyModel",
    "compare",
    "estimate_cost",
    "experiments_of",
    "make_evaluator",
    "report_files",
    "save_results",
]
