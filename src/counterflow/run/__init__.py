"""Running the model: evaluators behind one interface, and the library calls that use them.

* :func:`compare` — every strategy of a scenario in every replication, as :class:`Results`;
* :mod:`~counterflow.run.evaluators` — ``Evaluator.evaluate(experiments, callback)``; the
  serial evaluator now, a process pool and Dask for exploration;
* :func:`save_results` — a results folder with the HTML report, written in one atomic move;
* :func:`estimate_cost` — a high estimate of a comparison's time, memory and output.
"""

from counterflow.run.comparison import Progress, StrategyModel, compare, experiments_of
from counterflow.run.estimate import LIMITS, Cost, CostLimits, estimate_cost
from counterflow.run.evaluators import Evaluator, Experiment, SerialEvaluator
from counterflow.run.save import report_files, save_results

__all__ = [
    "LIMITS",
    "Cost",
    "CostLimits",
    "Evaluator",
    "Experiment",
    "Progress",
    "SerialEvaluator",
    "StrategyModel",
    "compare",
    "estimate_cost",
    "experiments_of",
    "report_files",
    "save_results",
]
