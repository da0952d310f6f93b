"""The one composition point: a scenario's world, one strategy's run through it, and results.

* :func:`prepare` (:mod:`~counterflow.model.context`): data, parameters, checks and the
  status-quo anchor every strategy shares;
* :func:`simulate` (:mod:`~counterflow.model.run`): one strategy, one replication, month by
  month — levers, cooperation, leadership removals, splits, re-equilibration, violence,
  civilian harm (DESIGN.md, "Dynamics");
* :mod:`~counterflow.model.worlds`: what a month's equilibrium depends on (its world key), each
  solved once and warm-started from the world one change earlier;
* :func:`assess_horizon` (:mod:`~counterflow.model.legality`): a strategy's legal verdicts,
  the worst over the dates of its months;
* :mod:`~counterflow.model.outcomes`: every outcome of DESIGN.md, declared once;
* :class:`Results` (:mod:`~counterflow.model.results`): tidy tables plus the scenario, written
  to and read from a folder.

This package is the only place where the submodels (``traffic``, ``orgs``, ``diplomacy``,
``legal``) meet; it turns cooperation into the numbers that :mod:`counterflow.policy` needs to
say what a strategy's levers do each month, and hands that record to ``traffic``. The model
parts are imported on first use, so that reading saved results (``Results``, ``outcomes``; the
report) never loads the solver.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from counterflow.model.outcomes import OUTCOMES, RESULT_COLUMNS, Outcome, outcome_rows
from counterflow.model.results import TABLES, Results

if TYPE_CHECKING:
    from counterflow.model.context import INNER_SHARE, SOLVER_GAP, Context, prepare
    from counterflow.model.legality import HorizonVerdicts, assess_horizon, assess_strategy
    from counterflow.model.run import RunResult, simulate
    from counterflow.model.worlds import WorldCache, WorldKey, build_month_world

_LAZY = {
    "INNER_SHARE": "context",
    "SOLVER_GAP": "context",
    "Context": "context",
    "prepare": "context",
    "HorizonVerdicts": "legality",
    "assess_horizon": "legality",
    "assess_strategy": "legality",
    "RunResult": "run",
    "simulate": "run",
    "WorldCache": "worlds",
    "WorldKey": "worlds",
    "build_month_world": "worlds",
}

__all__ = [
    "INNER_SHARE",
    "OUTCOMES",
    "RESULT_COLUMNS",
    "SOLVER_GAP",
    "TABLES",
    "Context",
    "HorizonVerdicts",
    "Outcome",
    "Results",
    "RunResult",
    "WorldCache",
    "WorldKey",
    "assess_horizon",
    "assess_strategy",
    "build_month_world",
    "outcome_rows",
    "prepare",
    "simulate",
]


def __getattr__(name: str) -> Any:
    """Import the model's parts on first use (module docstring)."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"counterflow.model.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'counterflow.model' has no attribute {name!r}")
