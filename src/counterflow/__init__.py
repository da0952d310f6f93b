"""counterflow: evaluate strategies against drug-trafficking organizations before anyone acts.

The library in three calls::

    import counterflow
    scenario = counterflow.load_scenario()          # the built-in mexico-2025, or a file path
    results = counterflow.compare(scenario.with_overrides(months=12, replications=5))
    results.outcomes()                              # a DataFrame, one row per strategy

The package is layered (DESIGN.md, "Architecture"): infrastructure at the bottom, the
submodels above it, the model that composes them, then running, reporting and the command
line. Importing the package changes nothing global and loads nothing heavy: the names below
are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from counterflow._version import __version__

if TYPE_CHECKING:
    from counterflow.exploration.ensemble import Ensemble, explore
    from counterflow.model.results import Results
    from counterflow.run import compare, save_results
    from counterflow.scenario import Scenario, load_scenario

_LAZY = {
    "Results": "counterflow.model.results",
    "Scenario": "counterflow.scenario",
    "compare": "counterflow.run",
    "Ensemble": "counterflow.exploration.ensemble",
    "explore": "counterflow.exploration.ensemble",
    "load_scenario": "counterflow.scenario",
    "save_results": "counterflow.run",
}

__all__ = [
    "Ensemble",
    "Results",
    "Scenario",
    "__version__",
    "compare",
    "explore",
    "load_scenario",
    "save_results",
]


def __getattr__(name: str) -> Any:
    """Import the library's entry points on first use (module docstring)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'counterflow' has no attribute {name!r}")
