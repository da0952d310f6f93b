"""The one composition point: a scenario's world, and one strategy's run through it.

* :func:`prepare` (:mod:`~counterflow.model.context`): data, parameters, checks and the
  status-quo anchor every strategy shares;
* :func:`simulate` (:mod:`~counterflow.model.run`): one strategy, one replication, month by
  month — levers, cooperation, leadership removals, splits, re-equilibration, violence,
  civilian harm (DESIGN.md, "Dynamics");
* :mod:`~counterflow.model.worlds`: what a month's equilibrium depends on (its world key), each
  solved once and warm-started from the world one change earlier;
* :func:`assess_horizon` (:mod:`~counterflow.model.legality`): a strategy's legal verdicts,
  the worst over the dates of its months.

This package is the only place where the submodels (``traffic``, ``orgs``, ``diplomacy``,
``legal``) meet; it turns cooperation into the numbers that :mod:`counterflow.policy` needs to
say what a strategy's levers do each month, and hands that record to ``traffic``.
"""

from counterflow.model.context import INNER_SHARE, SOLVER_GAP, Context, prepare
from counterflow.model.legality import HorizonVerdicts, assess_horizon, assess_strategy
from counterflow.model.run import RunResult, simulate
from counterflow.model.worlds import WorldCache, WorldKey, build_month_world

__all__ = [
    "INNER_SHARE",
    "SOLVER_GAP",
    "Context",
    "HorizonVerdicts",
    "RunResult",
    "WorldCache",
    "WorldKey",
    "assess_horizon",
    "assess_strategy",
    "build_month_world",
    "prepare",
    "simulate",
]
