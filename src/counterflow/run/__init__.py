"""Running the model: evaluators behind one interface, and the library calls that use them.

* :func:`compare` — every strategy of a scenario in every replication, as :class:`Results`;
* :mod:`~counterflow.run.evaluators` — ``Evaluator.evaluate(experiments, callback)``; the
  serial evaluator now, a process pool and Dask for exploration;
* :func:`save_results` — a results folder with the HTML report, written in one atomic move.
"""

from counterflow.run.comparison import Progress, StrategyModel, compare, experiments_of
from counterflow.run.evaluators import Evaluator, Experiment, SerialEvaluator
from counterflow.run.save import report_files, save_results

__all__ = [
    "Evaluator",
    "Experiment",
    "Progress",
    "SerialEvaluator",
    "StrategyModel",
    "compare",
    "experiments_of",
    "report_files",
    "save_results",
]
